"""Unit submissions (template v1): read, check, load."""
