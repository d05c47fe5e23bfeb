"""Two real Salon sites on loopback talk to each other.

Site A reblogs a post of site B (`salon reblog`, for real) and publishes it; A's `salon serve`
sends the Webmention by itself, B verifies it against A's page and shows it under its post.
Then a pingback, made with xmlrpc.client's own ServerProxy, tells A that B's post links to A.
Each site is a `salon serve` process with its own data directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import xmlrpc.client
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.served import collected_static


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Site:
    name: str
    data: Path
    port: int
    env: dict[str, str]
    server: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def salon(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "salon.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"salon {args[0]} on {self.name}: {result.stderr}"
        return result.stdout

    def python(self, code: str) -> str:
        return self.salon("shell", "--no-imports", "-c", code).strip().splitlines()[-1]

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return response.read().decode()

    def serve(self, *extra: str) -> None:
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "salon.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                "1",
                "--no-retention",
                *extra,
            ],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.get("/")
                return
            except OSError:
                assert self.server.poll() is None, self.server.stdout.read()
                assert time.monotonic() < deadline, f"{self.name} did not start within 30 s"
                time.sleep(0.2)

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            self.server.communicate(timeout=30)


def make_site(tmp_path: Path, name: str) -> Site:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        SALON_DATA_DIR=str(tmp_path / name),
        SALON_SITE_URL=f"http://127.0.0.1:{port}",
        SALON_SITE_NAME=f"Site {name}",
        SALON_ALLOWED_HOSTS="127.0.0.1,localhost",
        SALON_REBLOG_ALLOW_PRIVATE="1",
        SALON_MENTIONS_INTERVAL="0.5",
    )
    site = Site(name, tmp_path / name, port, env)
    # The static files collected once (`salon serve` would collect them on its first start).
    shutil.copytree(collected_static(), site.data / "static", copy_function=os.link)
    site.salon("migrate", "--noinput")
    site.salon("demo")
    return site


@pytest.fixture
def sites(tmp_path) -> Iterator[tuple[Site, Site]]:
    # Both sites are set up at once: each `salon` command spends seconds starting Django.
    collected_static()  # once, before the two threads ask for it
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda name: make_site(tmp_path, name), ["A", "B"])
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


def wait_for(check, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.3)


def test_two_sites_exchange_a_webmention_and_a_pingback(sites):
    a, b = sites
    demo_a = a.python(
        "from salon.publishing.models import Post; print(Post.objects.get().get_absolute_url())"
    )
    # B publishes a post that links to A's demo post.
    b_path = b.python(
        "from django.contrib.auth import get_user_model; from salon.publishing.models import Post;"
        "p = Post.objects.create(title='Harbour lights at night', author=get_user_model()"
        ".objects.get(username='admin'), status='published', body='<p>The lights on the "
        f'harbour wall, as <a href="{a.url}{demo_a}">the S-400 post</a> mentioned.</p>'
        "<p>' + 'Long exposures of the boats coming in after dark. ' * 12 + '</p>');"
        "print(p.get_absolute_url())"
    )
    b.serve("--no-mentions")  # B only receives here; the pingback to A is sent by hand below
    a.serve()

    # A reblogs B's post with the real command, then publishes it.
    out = a.salon("reblog", b.url + b_path, "--note", "Beautiful pictures from site B.")
    assert "Created the draft “Harbour lights at night”" in out
    assert "© Site B" in out
    a_path = a.python(
        "from salon.publishing.models import Post;"
        "p = Post.objects.get(title='Harbour lights at night'); p.status = 'published'; p.save();"
        "print(p.get_absolute_url())"
    )
    assert "via" in a.get(a_path)

    # A's sender notices the new post and sends B a Webmention; B checks A's page.
    page = wait_for(
        lambda: (html := b.get(b_path)) and "Harbour lights at night – Site A" in html and html,
        "the mention's appearance under B's post",
    )
    assert f'<a href="{a.url}{a_path}" rel="external nofollow ugc">' in page
    assert "via Harbour lights at night — © Site B" in page  # the words around the link
    assert "One thought on “Harbour lights at night”" in page
    kind = b.python(
        "from salon.discussion.models import Comment;"
        "print(Comment.objects.get(post__title='Harbour lights at night').kind)"
    )
    assert kind == "webmention"

    # A pingback to A, through xmlrpc.client's own transport: B's post links to A's demo post.
    server = xmlrpc.client.ServerProxy(f"{a.url}/xmlrpc/")
    answer = server.pingback.ping(b.url + b_path, a.url + demo_a)
    assert "registered" in answer
    demo_page = a.get(demo_a)
    assert (
        f'<a href="{b.url}{b_path}" rel="external nofollow ugc">Harbour lights at night – Site B</a>'
        in demo_page
    )
    assert "3 thoughts on" in demo_page
    with pytest.raises(xmlrpc.client.Fault) as repeated:
        server.pingback.ping(b.url + b_path, a.url + demo_a)
    assert repeated.value.faultCode == 0x30
