"""Portal fixtures: the app on a fresh data home with tokens for two units and the office."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from core.settings import PortalSettings, Settings
from portal.app import create_app
from portal.config import load_portal_config
from portal.store import PortalStore
from tests.portal.portal_helpers import OTHER_UNIT, TODAY, UNIT, Portal


@pytest.fixture
def make_portal(data_home: Settings) -> Callable[..., Portal]:
    """Build the portal on the test's data home; keyword arguments override its config."""

    def make(**overrides: object) -> Portal:
        config = dataclasses.replace(
            load_portal_config(dataclasses.replace(data_home, portal=PortalSettings())), **overrides
        )
        app = create_app(data_home, config, today=lambda: TODAY)
        store: PortalStore = app.state.store
        tokens = [
            store.issue_token("unit", UNIT, "văn thư", "test")[1],
            store.issue_token("unit", OTHER_UNIT, "văn thư", "test")[1],
            store.issue_token("office", None, "Sở", "test")[1],
        ]
        return Portal(app, data_home, config, store, *tokens)

    return make


@pytest.fixture
def portal(make_portal: Callable[..., Portal]) -> Portal:
    return make_portal()
