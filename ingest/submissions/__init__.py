"""Unit submissions (template v1): read, check, load."""

from ingest.workers import start_fork_server

# modules the fork server imports once, so each worker starts with the readers loaded
READERS = ("ingest.submissions.parallel",)


def start_readers() -> None:
    """Start the readers' fork server now: its imports (about a second under load) overlap the
    caller's start-up instead of delaying the first file (kept light: only ``ingest.workers``
    is imported here)."""
    start_fork_server(READERS)
