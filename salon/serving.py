"""``salon serve``'s gunicorn worker: gunicorn's threaded worker, with the Akismet API's
kept connections answered on the thread that answered their last request.

gunicorn's threaded worker hands every request on a kept connection from its main thread
(which watches idle connections) to a pool thread and back: two thread switches, a wake-up
through a pipe and the connection leaving and joining the watch list, about as much CPU as
reading the request and writing the answer (bench/akismet_api.py). The API's clients are
other servers that send check after check on one connection (the ``akismet`` package keeps
a pool); so after an answer to the API, the thread waits a moment (:data:`API_LINGER`) for the
connection's next request and answers it itself. A connection that stays quiet, or any
other request (pages: a browser's next request comes when its reader clicks), goes back to
the main thread as before.
"""

from __future__ import annotations

import select

from gunicorn.workers.gthread import ThreadWorker

from salon.middleware import AKISMET_API_PREFIXES

API_LINGER = 0.005
"""Seconds a thread waits for an API connection's next request before handing it back:
a client under load sends it well within this; an idle one costs a thread this long."""


class Worker(ThreadWorker):
    """gunicorn's ``gthread`` worker that keeps answering a busy API connection itself."""

    def handle_request(self, req, conn):
        conn.salon_api = req.path.startswith(AKISMET_API_PREFIXES)
        return super().handle_request(req, conn)

    def handle(self, conn):
        keep = super().handle(conn)
        while keep is True and self.alive and getattr(conn, "salon_api", False):
            conn.salon_api = False
            if not (conn.parser.unreader.buf.getvalue() or _readable(conn.sock, API_LINGER)):
                break  # quiet: the main thread watches it until the client sends again
            keep = super().handle(conn)
        return keep


def _readable(sock, timeout: float) -> bool:
    """Whether the socket has something to read (a request, or the client's close) within
    ``timeout`` seconds."""
    poller = select.poll()
    try:
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(timeout * 1000))
    except (OSError, ValueError):  # closed meanwhile
        return False
