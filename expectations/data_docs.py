"""The GX Data Docs site of each run, under the data home (``docs/gx/index.html``).

The context is ephemeral (suites are code, history is ``audit.dq_results``), so the site shows
tonight's validations; it is rebuilt from scratch each run so no stale page survives.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from great_expectations.data_context import AbstractDataContext

SITE_NAME = "dxwh"


def add_site(context: AbstractDataContext, site_dir: Path) -> None:
    context.add_data_docs_site(
        site_name=SITE_NAME,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )


def build_site(context: AbstractDataContext, site_dir: Path) -> Path:
    """Write the site for the validations run in ``context``; return its index page."""
    if site_dir.exists():
        shutil.rmtree(site_dir)
    site_dir.mkdir(parents=True)
    context.build_data_docs(site_names=[SITE_NAME])
    return site_dir / "index.html"
