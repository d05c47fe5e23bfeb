"""One render of a shared fragment in the whole server, however many readers ask at once.

A fragment every reader shares (a post's thread) is kept in ``caches["default"]``, which all
the server's processes share, under a key that names what it shows (the post's conversation
version, say), so a change makes a new key. The first reader to find the key missing claims
its render with ``cache.add`` (atomic in Redis and in diskcache's SQLite files): only one
process, one thread, renders. The others wait for the fragment to appear, asking the cache
again at growing intervals, for at most :data:`WAIT_SECONDS`; then they serve what the
claimant stored. A reader is never failed and never served anything older than its key
names: if the claimant gives up (its render failed: the claim is released) another waiter
claims the render, and if it takes too long or died holding the claim (the claim expires
after :data:`CLAIM_SECONDS`) each waiter renders for itself.

Each render is logged at INFO (``SALON_LOG_LEVEL=INFO``) with its key and time; a reader who
waited in vain is logged at WARNING.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches

T = TypeVar("T")

CLAIM_SECONDS = 10
"""How long a claim outlives a claimant that died while rendering."""

WAIT_SECONDS = 2.0
"""How long a reader waits for another's render before rendering for itself."""

FIRST_POLL_SECONDS = 0.005
LAST_POLL_SECONDS = 0.05

logger = logging.getLogger(__name__)


def render_once(
    key: str,
    read: Callable[[], T | None],
    render: Callable[[], T],
    wait: float = WAIT_SECONDS,
) -> T:
    """What ``read()`` finds in the cache for ``key``; if nothing, what ``render()`` makes
    (and stores where ``read`` finds it) here or, while another process renders it, there."""
    found = read()
    if found is not None:
        return found
    cache = caches["default"]
    claim = f"{key}:rendering"
    deadline = time.monotonic() + wait
    pause = FIRST_POLL_SECONDS
    while True:
        token = secrets.token_hex(8)
        if cache.add(claim, token, CLAIM_SECONDS):
            try:
                # The last claimant may have stored it between our look and our claim.
                found = read()
                return found if found is not None else _rendered(key, render)
            finally:
                if cache.get(claim) == token:  # not another's, if ours expired meanwhile
                    cache.delete(claim)
        left = deadline - time.monotonic()
        if left <= 0:
            break
        time.sleep(min(pause, left))
        pause = min(2 * pause, LAST_POLL_SECONDS)
        found = read()
        if found is not None:
            return found
    logger.warning("waited %.1f s for %s rendered elsewhere; rendering it here", wait, key)
    return _rendered(key, render)


def _rendered(key: str, render: Callable[[], T]) -> T:
    began = time.perf_counter()
    value = render()
    logger.info("rendered %s in %.1f ms", key, 1000 * (time.perf_counter() - began))
    return value
