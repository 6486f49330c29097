"""The portal's knobs (read once with the settings, :class:`core.settings.PortalSettings`) and
where its own state lives.

The portal writes only two places: the submissions inbox (accepted files, atomically) and its own
folder ``<data home>/portal/`` (the SQLite state, the session secret, rejected files kept for the
operator, uploads being checked). It never writes the build or the published database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.private_files import private_dir
from core.settings import DEFAULT_SESSION_HOURS, DEFAULT_UPLOADS_PER_HOUR, Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8090


@dataclass(frozen=True)
class PortalConfig:
    """Where the portal keeps its state, and its limits."""

    home: Path  # <data home>/portal
    secret_key: str  # signs the session cookies
    max_upload_bytes: int
    uploads_per_hour: int = DEFAULT_UPLOADS_PER_HOUR
    session_hours: int = DEFAULT_SESSION_HOURS
    # behind TLS (the province's reverse proxy) cookies must be sent over HTTPS only
    https_only: bool = False

    @property
    def state_db(self) -> Path:
        return self.home / "portal.sqlite"

    @property
    def rejected_dir(self) -> Path:
        """Rejected files, kept for the operator and never queued."""
        return self.home / "rejected"

    @property
    def incoming_dir(self) -> Path:
        """Uploads being received and checked (private; never read by the pipeline)."""
        return self.home / "incoming"

    def ensure_dirs(self) -> None:
        for path in (self.home, self.rejected_dir, self.incoming_dir):
            private_dir(path)


def load_portal_config(settings: Settings) -> PortalConfig:
    """The portal's configuration from the settings (``settings.portal``, ``DXWH_PORTAL_*``)."""
    portal = settings.portal
    home = settings.portal_home
    return PortalConfig(
        home=home,
        # unset: made once and kept beside the state; a placeholder stops the portal here
        secret_key=portal.secret_key(home),
        # the same limit the nightly loader applies: a file the portal accepts is never refused
        # for its size at night
        max_upload_bytes=portal.max_upload_bytes or settings.max_file_bytes,
        uploads_per_hour=portal.uploads_per_hour,
        session_hours=portal.session_hours,
        https_only=portal.https_only,
    )
