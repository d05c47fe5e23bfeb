"""The embedded setup's shared cache: diskcache's Django backend, its connections kept open.

Django closes every cache when a request ends (``close_caches`` on ``request_finished``),
which suits a client with a pool of its own; for diskcache it closes the thread's SQLite
connections, so the next request opened them again and ran diskcache's set-up pragmas, and
the last connection to close checkpointed the file's log. That cost more than the rest of an
Akismet API check (bench/akismet_api.py) and every cached page read paid it too. A
connection is instead kept for the life of its thread, as the database's are
(``CONN_MAX_AGE``); diskcache opens new ones in a forked process (it checks the process id).
"""

from __future__ import annotations

from diskcache import DjangoCache


class SharedDiskCache(DjangoCache):
    """``diskcache.DjangoCache`` whose connections outlive a request."""

    def close(self, **kwargs) -> None:
        """Called by Django at the end of every request: the connections stay open."""

    def close_connections(self) -> None:
        """Close this thread's connections to the cache's files (they reopen when used)."""
        self._cache.close()
