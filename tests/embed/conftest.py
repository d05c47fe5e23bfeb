"""Fixtures for the embed's tests: another site on loopback allowed to embed, and a client
that talks to the JSON API as the widget does (JSON bodies, the token header, no cookies)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from tests.mentions.article_server import allow_loopback, other_site  # noqa: F401

_n = itertools.count(1)

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title></head><body><h1>{title}</h1><p>A page of a static site.</p>
<div id="salon-comments"></div></body></html>"""


@dataclass
class HostSite:
    """The other site: its address (allowed to embed) and its pages, served for real when
    it runs a server."""

    base: str
    server: Any = None

    def page(self, path: str, title: str = "A static page", status: int = 200) -> str:
        if self.server is None:
            return self.base + path
        return self.server.page(path, HOST_PAGE.format(title=title), status=status)


HOST = "http://127.0.0.1:4010"
"""The host site's address when it needs no server: Salon never fetches its pages (loopback
is refused unless allowed), so a new conversation takes the title the request gives."""


@pytest.fixture
def host_site(settings, owner) -> HostSite:
    """A site allowed to embed the conversation (with an owner to own its conversations)."""
    settings.SALON = {**settings.SALON, "EMBED_ORIGINS": [HOST]}
    return HostSite(HOST)


@pytest.fixture
def serving_host_site(other_site, allow_loopback, settings, owner) -> HostSite:  # noqa: F811
    """The host site as a real server on loopback that Salon may fetch (to check titles)."""
    settings.SALON = {**settings.SALON, "EMBED_ORIGINS": [other_site.base]}
    return HostSite(other_site.base, other_site)


@dataclass
class Answer:
    status: int
    data: Any
    headers: Any

    @property
    def error_field(self) -> str | None:
        return self.data.get("field") if isinstance(self.data, dict) else None


@dataclass
class ApiClient:
    """Calls the API as the widget does; each write from its own address unless told."""

    origin: str = ""
    client: Client = field(default_factory=Client)

    def _headers(self, token: str | None, ip: str | None) -> dict[str, str]:
        n = next(_n)
        headers = {"REMOTE_ADDR": ip or f"10.9.{n // 250}.{n % 250 + 1}"}
        if self.origin:
            headers["HTTP_ORIGIN"] = self.origin
        if token:
            headers["HTTP_X_SALON_TOKEN"] = token
        return headers

    def _answer(self, response) -> Answer:
        body = response.content
        data = json.loads(body) if body and "json" in response.get("Content-Type", "") else None
        return Answer(response.status_code, data, response)

    def get(self, path: str, token: str | None = None, ip: str | None = None, **params):
        return self._answer(self.client.get(path, params, **self._headers(token, ip)))

    def thread(self, url: str, token: str | None = None, **params) -> Answer:
        return self.get("/api/v1/thread", token, url=url, **params)

    def send(self, method: str, path: str, body: Any = None, token=None, ip=None) -> Answer:
        payload = body if isinstance(body, (str, bytes)) else json.dumps(body or {})
        call = getattr(self.client, method.lower())
        response = call(path, payload, content_type="application/json", **self._headers(token, ip))
        return self._answer(response)

    def post_comment(self, url: str, token=None, ip=None, **fields) -> Answer:
        n = next(_n)
        body = {
            "url": url,
            "title": "A static page",
            "text": f"A considered remark, number {n}.",
            "name": f"Reader {n}",
            "email": f"reader{n}@example.net",
            **fields,
        }
        return self.send("POST", "/api/v1/comments", body, token, ip)

    def like(self, comment_id: int, token=None, ip=None) -> Answer:
        return self.send("POST", f"/api/v1/comments/{comment_id}/like", None, token, ip)


@pytest.fixture
def api(host_site) -> ApiClient:
    """The API as the widget on the host site's pages calls it."""
    return ApiClient(origin=host_site.base)
