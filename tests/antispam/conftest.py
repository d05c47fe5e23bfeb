"""Fixtures for the spam filter's tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_counts_from_other_tests():
    # The API batches its counts in memory for a second; a test's rows are rolled back, so
    # counts left over from one test must not land in the next one's fresh rows.
    from salon.antispam import filtering, keys

    filtering.discard_pending_counts()
    keys.forget_cached_keys()
    yield
    filtering.discard_pending_counts()
    keys.forget_cached_keys()
