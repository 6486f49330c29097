"""Data-quality suites (Great Expectations) and the gate that protects the published warehouse."""
