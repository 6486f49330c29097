"""Synthetic, deterministic demo submissions for the seed province."""
