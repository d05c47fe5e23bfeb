"""Fixtures for the spam engine's tests: plain pytest, no Django, no database."""

from __future__ import annotations

import pytest

from salon.antispam.engine import SiteState, SpamEngine


@pytest.fixture(scope="session")
def engine() -> SpamEngine:
    """The engine with the shipped model and SmokeDetector lists."""
    return SpamEngine.load()


@pytest.fixture
def site() -> SiteState:
    """A site that has learned nothing yet."""
    return SiteState(site_id="test-site")
