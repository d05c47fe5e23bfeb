"""A real HTTP server on loopback for the tests: other sites' pages, and their endpoints.

Each test registers the pages it needs (``server.page(path, body, …)``), points Salon at
``server.url(path)`` and can read back the requests the "other site" received. The fixture
stops the server at the end of the test.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"


def article(name: str) -> bytes:
    """A fixture article's bytes, as saved (see tests/data/articles/PROVENANCE.md)."""
    return (ARTICLES / name).read_bytes()


def png(width: int = 64, height: int = 36) -> bytes:
    """A small real PNG picture, drawn here."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "#5d6e49").save(out, format="PNG")
    return out.getvalue()


@dataclass
class Page:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    length: bool = True  # send Content-Length (False: the body ends when the connection does)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ArticleServer:
    """A threaded HTTP server answering with registered pages and recording every request."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[Received] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args) -> None:  # keep the test output clean
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                owner.requests.append(
                    Received(self.command, self.path, dict(self.headers.items()), body)
                )
                page = owner.pages.get(self.path)
                if page is None:
                    page = Page(b"<h1>Not found</h1>", status=404)
                if page.delay:
                    time.sleep(page.delay)
                try:
                    self.send_response(page.status)
                    self.send_header("Content-Type", page.content_type)
                    if page.length:
                        self.send_header("Content-Length", str(len(page.body)))
                    for name, value in page.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(page.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeouts, size limits): that is the test

            do_GET = do_POST = do_HEAD = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, body: bytes | str, **options) -> str:
        """Serve ``body`` at ``path``; returns the page's full address."""
        self.pages[path] = Page(body.encode() if isinstance(body, str) else body, **options)
        return self.url(path)

    def posts_to(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.method == "POST" and r.path == path]

    def start(self) -> ArticleServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def other_site() -> Iterator[ArticleServer]:
    """Another web site on loopback, stopped at the end of the test."""
    server = ArticleServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def allow_loopback(settings):
    """Let Salon fetch loopback addresses, as SALON_REBLOG_ALLOW_PRIVATE=1 does."""
    settings.SALON = {**settings.SALON, "REBLOG_ALLOW_PRIVATE": True}
    return settings
