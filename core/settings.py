"""One settings object, read from the environment once.

Every runtime path lives under one data home, ``DXWH_HOME``; its default is the git-ignored
``var/`` folder at the top of the repository. This module is the one place that reads the
``DXWH_*`` variables, the night's and the portal's (tests check it): the rest of the code takes a
:class:`Settings`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.private_files import HOME_MODE, READABLE_DIR_MODE, private_dir, restrict_umask
from core.secret_store import DEMO_SWITCH, demo_secrets_allowed, secret

REPO_ROOT = Path(__file__).resolve().parents[1]
# An installed wheel carries the packages but not the dbt project or the DAG files: a deployment
# points at its copies with these two variables; a checkout needs neither.
DBT_PROJECT_DIR = Path(os.environ.get("DXWH_DBT_PROJECT_DIR") or REPO_ROOT / "dbt_project")
DAGS_DIR = Path(os.environ.get("DXWH_DAGS_DIR") or REPO_ROOT / "dags")
# The dbt manifest the DAG's dbt task group is drawn from (Cosmos ``LoadMode.DBT_MANIFEST``).
# It is written at set-up time (``make setup``, ``dxwh dbt-parse``, the image build), never while
# Airflow parses the DAG file; a deployment whose project folder is read-only points elsewhere.
DBT_MANIFEST = Path(
    os.environ.get("DXWH_DBT_MANIFEST") or DBT_PROJECT_DIR / "target" / "manifest.json"
)
DEFAULT_TASK_RETRIES = 2


@dataclass(frozen=True)
class AlertSettings:
    """Where a task that failed for good is announced (:mod:`pipeline.alerts`).

    ``DXWH_ALERT_WEBHOOK_URL``: a JSON POST; ``DXWH_ALERT_EMAIL``: comma-separated recipients,
    through ``DXWH_SMTP_HOST`` (``DXWH_SMTP_PORT``, ``DXWH_SMTP_USER``, ``DXWH_SMTP_PASSWORD``,
    ``DXWH_SMTP_STARTTLS``, from ``DXWH_ALERT_FROM``).
    """

    webhook_url: str = ""
    emails: tuple[str, ...] = ()
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str = ""
    smtp_password: str = ""
    sender: str = "dxwh@localhost"


def _is_true(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes"}


def alert_settings(environ: Mapping[str, str] | None = None) -> AlertSettings:
    """The alert channels from ``environ`` (default: the process environment). Read alone by a
    failure callback, which must work even when the data home cannot be opened."""
    env = os.environ if environ is None else environ
    return AlertSettings(
        webhook_url=(env.get("DXWH_ALERT_WEBHOOK_URL") or "").strip(),
        emails=tuple(
            r.strip() for r in (env.get("DXWH_ALERT_EMAIL") or "").split(",") if r.strip()
        ),
        smtp_host=(env.get("DXWH_SMTP_HOST") or "").strip(),
        smtp_port=int(env.get("DXWH_SMTP_PORT") or 25),
        smtp_starttls=_is_true(env.get("DXWH_SMTP_STARTTLS")),
        smtp_user=env.get("DXWH_SMTP_USER") or "",
        smtp_password=env.get("DXWH_SMTP_PASSWORD") or "",
        sender=env.get("DXWH_ALERT_FROM") or "dxwh@localhost",
    )


SQL_TIMEOUT_SETTING = "DXWH_SQL_TIMEOUT_SECONDS"
DEFAULT_SQL_TIMEOUT_SECONDS = 60.0


def sql_timeout_seconds(environ: Mapping[str, str] | None = None) -> float | None:
    """The statement time-out of ``dxwh sql``: ``DXWH_SQL_TIMEOUT_SECONDS`` (default 60 s; 0 or
    less: none)."""
    env = os.environ if environ is None else environ
    raw = (env.get(SQL_TIMEOUT_SETTING) or "").strip()
    seconds = float(raw) if raw else DEFAULT_SQL_TIMEOUT_SECONDS
    return seconds if seconds > 0 else None


def task_retries(environ: Mapping[str, str] | None = None) -> int:
    """How often Airflow retries a failed task (``DXWH_TASK_RETRIES``, default 2): tests and
    one-off runs set 0 to fail fast. Read when the DAG files are parsed."""
    env = os.environ if environ is None else environ
    return int(env.get("DXWH_TASK_RETRIES") or DEFAULT_TASK_RETRIES)


CALENDAR_DIR_SETTING = "DXWH_CALENDAR_DIR"
AS_OF_SETTING = "DXWH_AS_OF"


def calendar_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The directory of the deployment's ``reporting_calendar.csv``: ``DXWH_CALENDAR_DIR``, a
    directory of the dbt project (default ``calendar``, the demo province's). dbt's seed and
    Python read the same file. It must lie inside the project: Cosmos runs dbt in a copy of the
    project's entries, and dbt writes a seed's SQL over a seed path outside the project."""
    env = os.environ if environ is None else environ
    raw = (env.get(CALENDAR_DIR_SETTING) or "").strip() or "calendar"
    relative = Path(raw)
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(
            f"{CALENDAR_DIR_SETTING}={raw!r}: ghi tên một thư mục nằm trong dự án dbt "
            "(dbt_project/), ví dụ 'calendar', chứa tệp reporting_calendar.csv của tỉnh. / Name "
            "a directory inside the dbt project (e.g. 'calendar') holding the province's "
            "reporting_calendar.csv: dbt overwrites a seed that lies outside the project."
        )
    return DBT_PROJECT_DIR / relative


def as_of_setting(environ: Mapping[str, str] | None = None) -> dt.date | None:
    """The day a night runs as of instead of today: ``DXWH_AS_OF`` (``YYYY-MM-DD``), to replay
    nights (the history benchmark); ``None`` when unset."""
    env = os.environ if environ is None else environ
    text = (env.get(AS_OF_SETTING) or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{AS_OF_SETTING}={text!r}: viết ngày dạng YYYY-MM-DD (ví dụ 2027-01-16) hoặc bỏ "
            "trống để chạy theo ngày hôm nay. / Write the day as YYYY-MM-DD, or leave it unset."
        ) from None


PORTAL_SECRET = "DXWH_PORTAL_SECRET"
DEFAULT_UPLOADS_PER_HOUR = 30
DEFAULT_SESSION_HOURS = 8


@dataclass(frozen=True)
class PortalSettings:
    """The submission portal's knobs (docs/portal.md), read with the rest of the settings.

    ``DXWH_PORTAL_SECRET`` signs the session cookies; ``DXWH_PORTAL_MAX_UPLOAD_MB`` is the
    largest upload (unset: the nightly loader's own limit, ``DXWH_MAX_FILE_MB``);
    ``DXWH_PORTAL_UPLOADS_PER_HOUR`` per unit; ``DXWH_PORTAL_SESSION_HOURS``;
    ``DXWH_PORTAL_HTTPS_ONLY`` behind the province's TLS proxy.
    """

    secret: str = ""  # as given; unset: made once and kept beside the portal's state
    demo_secrets: bool = False  # DXWH_DEMO_SECRETS: a placeholder secret allowed on purpose
    max_upload_bytes: int | None = None  # None: the loader's max_file_bytes
    uploads_per_hour: int = DEFAULT_UPLOADS_PER_HOUR
    session_hours: int = DEFAULT_SESSION_HOURS
    https_only: bool = False

    def secret_key(self, portal_home: Path) -> str:
        """The cookie key: the one given (a placeholder stops the portal, demo switch aside),
        else made once into ``<portal home>/session.key`` (0600) and kept."""
        given = {PORTAL_SECRET: self.secret} if self.secret else {}
        if self.demo_secrets:
            given[DEMO_SWITCH] = "1"
        return secret(
            portal_home, PORTAL_SECRET, given, file=portal_home / "session.key", nbytes=48
        )


def portal_settings(environ: Mapping[str, str] | None = None) -> PortalSettings:
    """The portal's ``DXWH_PORTAL_*`` settings from ``environ`` (default: the process
    environment); the secret is checked when the portal starts, not here, so that a night never
    stops for the portal's key."""
    env = os.environ if environ is None else environ
    max_mb = env.get("DXWH_PORTAL_MAX_UPLOAD_MB")
    return PortalSettings(
        secret=(env.get(PORTAL_SECRET) or "").strip(),
        demo_secrets=demo_secrets_allowed(env),
        max_upload_bytes=int(float(max_mb) * 1024 * 1024) if max_mb else None,
        uploads_per_hour=int(env.get("DXWH_PORTAL_UPLOADS_PER_HOUR") or DEFAULT_UPLOADS_PER_HOUR),
        session_hours=int(env.get("DXWH_PORTAL_SESSION_HOURS") or DEFAULT_SESSION_HOURS),
        https_only=_is_true(env.get("DXWH_PORTAL_HTTPS_ONLY")),
    )


@dataclass(frozen=True)
class Settings:
    """Where everything lives, and the few knobs an operator sets."""

    home: Path
    pseudonym_key: str
    max_file_bytes: int = 20 * 1024 * 1024
    # which reporting units are expected: "province" (Quảng Nam, then the new Đà Nẵng) or
    # "national" (every pre-2025 province, for national-scale demo data and benchmarks)
    registry_scope: str = "province"
    ingest_workers: int = 0  # processes reading submissions; 0 = one per core
    # An inbox file modified less than this long ago is taken only if it is unchanged after
    # waiting out the rest of this time (a file still being copied in is left for later).
    inbox_settle_seconds: float = 2.0
    # What reading one file may cost its worker process before the file is rejected.
    file_seconds_limit: float = 120.0
    worker_memory_mb: int = 1024
    task_retries: int = DEFAULT_TASK_RETRIES
    sql_timeout_seconds: float | None = DEFAULT_SQL_TIMEOUT_SECONDS
    alerts: AlertSettings = field(default_factory=AlertSettings)
    portal: PortalSettings = field(default_factory=PortalSettings)

    @property
    def inbox_submissions(self) -> Path:
        return self.home / "inbox" / "submissions"

    @property
    def inbox_dti(self) -> Path:
        return self.home / "inbox" / "dti"

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def build_db(self) -> Path:
        """The private build database: one writer (the pipeline), never opened by readers."""
        return self.home / "build" / "dx_build.duckdb"

    @property
    def night_lock(self) -> Path:
        """Held by the one ``dxwh run`` at work (``flock``); it names the run holding it."""
        return self.build_db.parent / "night.lock"

    @property
    def published_dir(self) -> Path:
        return self.home / "published"

    @property
    def published_db(self) -> Path:
        return self.published_dir / "dx.duckdb"

    @property
    def feedback_dir(self) -> Path:
        return self.home / "feedback"

    @property
    def docs_dir(self) -> Path:
        return self.home / "docs"

    @property
    def reports_dir(self) -> Path:
        """Static reports written each night (the scorecard) for people to open in a browser."""
        return self.home / "reports"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def dbt_target_dir(self) -> Path:
        return self.home / "build" / "dbt_target"

    @property
    def dbt_log_dir(self) -> Path:
        """dbt's own log: its SQL and error messages can quote a person's values."""
        return self.home / "logs" / "dbt"

    @property
    def portal_home(self) -> Path:
        """The submission portal's state: its SQLite file, session key, uploads being checked
        and rejected uploads."""
        return self.home / "portal"

    @property
    def sql_history(self) -> Path:
        """What ``dxwh sql`` sessions typed (queries may quote names)."""
        return self.home / "history" / "sql"

    def private_paths(self) -> tuple[Path, ...]:
        """The folders holding personal data or a secret: 0700, their files 0600
        (:mod:`core.private_files`)."""
        return (
            self.home / "inbox",
            self.inbox_submissions,
            self.inbox_dti,
            self.archive_dir,
            self.build_db.parent,
            self.feedback_dir,
            self.docs_dir,
            self.airflow_home,
            self.portal_home,
            self.sql_history.parent,
            self.home / "secrets",
            self.home / "state",
            self.dbt_log_dir.parent,
        )

    def ensure_dirs(self) -> None:
        """Create the data home's folders. Those holding personal data or a secret (inbox,
        archive, build database, feedback, the portal's state, Airflow's home, the SQL history;
        Decree 13/2023) are created 0700 whatever the umask; the home itself is 0711 so the
        published warehouse and the reports below it stay reachable, and those two are
        readable. The portal and the nightly run as the same user (one service account, or
        uid 50000 in the compose services): nobody else drops files in the inbox."""
        private_dir(self.home)
        os.chmod(self.home, HOME_MODE)
        for path in self.private_paths():
            private_dir(path)
        for path in (self.published_dir, self.reports_dir):
            path.mkdir(exist_ok=True)
            os.chmod(path, READABLE_DIR_MODE)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    # every dxwh process (CLI, DAG tasks, portal) loads its settings first: from here on, what
    # it and its libraries create is private unless made readable on purpose
    restrict_umask()
    home = Path(env.get("DXWH_HOME") or REPO_ROOT / "var").expanduser().resolve()
    max_mb = env.get("DXWH_MAX_FILE_MB")
    return Settings(
        home=home,
        # unset: generated once into <home>/secrets (0600) and kept; a placeholder stops here
        pseudonym_key=secret(home, "DXWH_PSEUDONYM_KEY", env),
        max_file_bytes=int(float(max_mb) * 1024 * 1024) if max_mb else 20 * 1024 * 1024,
        registry_scope=env.get("DXWH_REGISTRY_SCOPE") or "province",
        ingest_workers=int(env.get("DXWH_INGEST_WORKERS") or 0),
        inbox_settle_seconds=float(env.get("DXWH_INBOX_SETTLE_SECONDS") or 2.0),
        file_seconds_limit=float(env.get("DXWH_FILE_SECONDS_LIMIT") or 120.0),
        worker_memory_mb=int(env.get("DXWH_WORKER_MEMORY_MB") or 1024),
        task_retries=task_retries(env),
        sql_timeout_seconds=sql_timeout_seconds(env),
        alerts=alert_settings(env),
        portal=portal_settings(env),
    )
