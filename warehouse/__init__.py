"""Serving: publish the read-only warehouse, its views and exports, and the reports people read."""
