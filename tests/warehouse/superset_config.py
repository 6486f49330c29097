"""Superset's configuration for the tests' own Superset (``SUPERSET_CONFIG_PATH``).

Read by the Superset environment only. Its metadata is SQLite, in the file
``DXWH_SUPERSET_METADATA`` names; nothing else is changed from Superset's defaults except what a
throw-away test instance needs.
"""

import os

from sqlalchemy import event
from sqlalchemy.engine import Engine

SECRET_KEY = "dxwh-tests-only-not-a-secret-0123456789"
SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.environ["DXWH_SUPERSET_METADATA"]
# the API is driven with a bearer token, as scripts and CI do
WTF_CSRF_ENABLED = False
# Vietnamese number print, as docs/analysts.md recommends: 73,6% and 1.234
D3_FORMAT = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}
# the tests' browser reads the dashboard as the public role (screenshots only)
PUBLIC_ROLE_LIKE = "Gamma" if os.environ.get("DXWH_SUPERSET_PUBLIC") else None


@event.listens_for(Engine, "connect")
def _unsynced_sqlite(dbapi_connection, _record):  # type: ignore[no-untyped-def]
    """A throw-away metadata file needs no fsync after every commit."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()
