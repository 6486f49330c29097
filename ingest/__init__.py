"""Ingestion: read what units and the ministry send, check it against the contract, load it."""
