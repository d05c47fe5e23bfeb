"""Fixtures for the identity tests: a local stand-in for WordPress.com's API, and log-ins."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "wordpress_com"
CLIENT_ID = "47110"
CLIENT_SECRET = "wpcom-test-secret"


@dataclass
class RecordedAPI:
    """A real HTTP server on 127.0.0.1 answering as WordPress.com's API does.

    It replays the recorded responses in ``fixtures/wordpress_com`` (``token`` and ``me``
    name which) and keeps every request it received, so tests can check what Salon sent.
    """

    url: str = ""
    token: str = "token.json"
    token_status: int = 200
    me: str = "me.json"
    requests: list[dict] = field(default_factory=list)


def _handler(api: RecordedAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, fixture: str) -> None:
            body = (FIXTURES / fixture).read_bytes()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode())
            api.requests.append({"method": "POST", "path": self.path, "form": form})
            if urlsplit(self.path).path == "/oauth2/token":
                self._answer(api.token_status, api.token)
            else:
                self._answer(404, "token_error.json")

        def do_GET(self) -> None:
            api.requests.append(
                {"method": "GET", "path": self.path, "authorization": self.headers["Authorization"]}
            )
            token = json.loads((FIXTURES / api.token).read_text()).get("access_token")
            if urlsplit(self.path).path != "/rest/v1/me":
                self._answer(404, "token_error.json")
            elif self.headers.get("Authorization") != f"Bearer {token}":
                self._answer(403, "token_error.json")
            else:
                self._answer(200, api.me)

        def log_message(self, *args) -> None:  # keep the test output clean
            pass

    return Handler


@pytest.fixture
def wordpress_com(settings) -> Iterator[RecordedAPI]:
    """WordPress.com configured as the owner would (client id and secret), its API local."""
    api = RecordedAPI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    providers = dict(settings.SOCIALACCOUNT_PROVIDERS)
    providers["wordpress_com"] = {
        "API_URL": api.url,
        "APPS": [{"client_id": CLIENT_ID, "secret": CLIENT_SECRET}],
    }
    settings.SOCIALACCOUNT_PROVIDERS = providers
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def wordpress_login(client, wordpress_com):
    """Log ``client`` in through WordPress.com as a browser would; return the final response.

    Posts the comment form's WordPress.com button, checks where Salon sends the browser,
    then comes back to the callback with a code as WordPress.com would.
    """

    def login(next_url: str = "/"):
        start = client.post(
            "/accounts/wordpress_com/login/", {"process": "login", "next": next_url}
        )
        assert start.status_code == 302, start.content[:500]
        location = urlsplit(start["Location"])
        assert f"{location.scheme}://{location.netloc}" == wordpress_com.url
        assert location.path == "/oauth2/authorize"
        query = {k: v[0] for k, v in parse_qs(location.query).items()}
        callback = client.get(
            "/accounts/wordpress_com/login/callback/",
            {"code": "wpcom-code-123", "state": query["state"]},
        )
        return query, callback

    return login
