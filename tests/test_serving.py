"""``salon serve`` answers every request on a kept connection, whichever thread answers it:
the Akismet API's next request on the thread that answered the last (at once, after a pause
longer than that thread waits, or sent in the same packet), and pages among them."""

from __future__ import annotations

import http.client
import socket
import time
from urllib.parse import urlencode

import pytest

from salon.serving import API_LINGER
from tests.served import make_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("serving"), "serving", workers=2)
    site.serve()
    yield site
    site.stop()


def _verify(key: str) -> tuple[str, dict[str, str]]:
    body = urlencode({"key": key, "blog": "https://blog.example/"})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return body, headers


def test_one_connection_carries_api_checks_and_pages_with_pauses_between(site):
    key = next(iter(site.api_keys.values()))
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
    answers, sockets = [], []
    try:
        for pause in (0, 0, API_LINGER * 20, 0, None, 0, API_LINGER * 20):
            time.sleep(pause or 0)
            if pause is None:  # a page between two API requests
                connection.request("GET", site.post_path)
                page = connection.getresponse()
                answers.append((page.status, b"Under load" in page.read()))
                continue
            connection.request("POST", "/1.1/verify-key", *_verify(key))
            answer = connection.getresponse()
            answers.append((answer.status, answer.read()))
            sockets.append(connection.sock)
    finally:
        connection.close()
    assert answers == [(200, b"valid")] * 4 + [(200, True)] + [(200, b"valid")] * 2
    assert len(set(map(id, sockets))) == 1  # the server kept the connection throughout


def test_requests_sent_together_on_one_connection_are_each_answered(site):
    key = next(iter(site.api_keys.values()))
    body, headers = _verify(key)
    request = (
        f"POST /1.1/verify-key HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: {headers['Content-Type']}\r\nContent-Length: {len(body)}\r\n\r\n{body}"
    ).encode()
    with socket.create_connection(("127.0.0.1", site.port), timeout=30) as sock:
        sock.sendall(request * 3)
        received = b""
        deadline = time.monotonic() + 30
        while received.count(b"\r\n\r\nvalid") < 3 and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    assert received.count(b"HTTP/1.1 200 OK") == 3
    assert received.count(b"\r\n\r\nvalid") == 3
