"""The page cache through `salon serve` with three workers sharing Redis: every change a post
page shows is on the very next request, whichever worker answers it, and no reader is served
another's page."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REDIS_DB = 13
READS = 9  # fresh connections after each change: three workers, each asked several times


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Reader:
    """A browser: its own cookies, a new connection for every request."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=20) as response:
            assert response.status == 200
            return response.read().decode()

    def post(self, path: str, data: dict[str, str], page: str) -> int:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status
        except urllib.error.HTTPError as answer:
            return answer.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Site:
    env: dict[str, str]
    port: int
    prefix: str
    server: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def python(self, code: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "salon.cli", "shell", "--no-imports", "-c", code],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def stored_pages(self) -> int:
        import redis

        client = redis.Redis(db=REDIS_DB)
        return len(client.keys(f"{self.prefix}:*salon:page:*"))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis server answers at 127.0.0.1:6379")
    data: Path = tmp_path_factory.mktemp("served")
    port = _free_port()
    prefix = f"pagecache-test-{secrets.token_hex(4)}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        SALON_DATA_DIR=str(data),
        SALON_SITE_URL=f"http://127.0.0.1:{port}",
        SALON_REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        SALON_CACHE_PREFIX=prefix,
        SALON_SPAM_FILTER="",
        SALON_FLOOD_SECONDS="0",
    )
    site = Site(env, port, prefix)
    for command in (["migrate", "--noinput"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "salon.cli", *command], env=env, check=True, capture_output=True
        )
    site.server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "salon.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "3",
            "--threads",
            "1",
            "--no-retention",
            "--no-mail",
            "--no-mentions",
            "--no-fediverse",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                Reader(site.base).get("/")
                break
            except OSError:
                assert site.server.poll() is None, "salon serve exited"
                assert time.monotonic() < deadline, "salon serve did not start within 60 s"
                time.sleep(0.3)
        yield site
    finally:
        site.server.terminate()
        site.server.wait(timeout=30)
        import redis

        client = redis.Redis(db=REDIS_DB)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


@pytest.fixture(scope="module")
def demo_path(site) -> str:
    return site.python(
        "from salon.publishing.models import Post; print(Post.objects.get().get_absolute_url())"
    )


def _new_readers_see(site: Site, path: str) -> list[str]:
    return [Reader(site.base).get(path) for _ in range(READS)]


def _warm(site: Site, path: str) -> None:
    _new_readers_see(site, path)
    assert site.stored_pages() >= 1


def _shell(site: Site, code: str) -> None:
    site.python(
        "from salon.discussion.models import *; from salon.publishing.models import *\n" + code
    )


def test_every_change_shows_on_the_next_request_to_any_worker(site, demo_path):
    path = demo_path
    # Hold every comment, so one can be approved.
    _warm(site, path)
    _shell(site, "o = DiscussionSettings.current(); o.hold_all = True; o.save()")
    guest = Reader(site.base)
    status = guest.post(
        "/comments/post/",
        {
            "post": site.python(
                "from salon.publishing.models import Post; print(Post.objects.get().pk)"
            ),
            "comment": "Words that wait for a moderator.",
            "author": "Patient Guest",
            "email": "patient@example.net",
        },
        guest.get(path),
    )
    assert status == 302
    assert not any("Words that wait" in page for page in _new_readers_see(site, path))

    changes = [
        (
            "a comment approved",
            "from salon.discussion.moderation import moderate\n"
            "moderate(Comment.objects.filter(author_name='Patient Guest'), 'approved')",
            "Words that wait for a moderator.",
        ),
        (
            "a comment edited",
            "from salon.discussion.moderation import edit\n"
            "c = Comment.objects.get(author_name='Patient Guest')\n"
            "edit(c, content='Words a moderator corrected.', author_name=c.author_name, "
            "author_email=c.author_email, author_url='')",
            "Words a moderator corrected.",
        ),
        (
            "the post edited",
            "p = Post.objects.get(); p.title = 'A title changed in the editor'; p.save()",
            "A title changed in the editor",
        ),
        (
            "the author's name changed",
            "from django.contrib.auth.models import User\n"
            "u = User.objects.get(username='admin'); u.first_name = 'Ada'; u.last_name = 'Lovelace'; "
            "u.save()",
            "Ada Lovelace",
        ),
        (
            "the discussion settings changed",
            "o = DiscussionSettings.current(); o.require_name_email = False; o.save()",
            '<label for="author">Name</label>',
        ),
    ]
    for what, code, shown in changes:
        _warm(site, path)
        _shell(site, code)
        pages = _new_readers_see(site, path)
        assert all(shown in page for page in pages), f"{what}: a worker served a stale page"

    # A comment removed.
    _warm(site, path)
    _shell(
        site,
        "from salon.discussion.moderation import moderate\n"
        "moderate(Comment.objects.filter(author_name='Patient Guest'), 'trash')",
    )
    assert not any("Words a moderator corrected." in p for p in _new_readers_see(site, path))

    # A like, through the site: the next new reader sees the new count.
    page = Reader(site.base).get(path)
    before = re.search(r'class="likes-label"[^>]*>([^<]*)<', page).group(1)
    liker = Reader(site.base)
    post_id = re.search(r'name="post" value="(\d+)"', page).group(1)
    assert liker.post("/likes/", {"post": post_id}, liker.get(path)) == 302
    for page in _new_readers_see(site, path):
        after = re.search(r'class="likes-label"[^>]*>([^<]*)<', page).group(1)
        assert after != before and after, "a worker served the count from before the like"


def test_no_reader_is_served_another_s_page(site, demo_path):
    path = demo_path
    post_id = site.python("from salon.publishing.models import Post; print(Post.objects.get().pk)")
    _shell(site, "o = DiscussionSettings.current(); o.hold_all = True; o.save()")
    _warm(site, path)

    # A guest with a held comment, a guest who liked the post, and a logged-in owner.
    held = Reader(site.base)
    assert (
        held.post(
            "/comments/post/",
            {
                "post": post_id,
                "comment": "Only I may see this yet.",
                "author": "Held Guest",
                "email": "held@example.net",
            },
            held.get(path),
        )
        == 302
    )
    liker = Reader(site.base)
    assert liker.post("/likes/", {"post": post_id}, liker.get(path)) == 302
    owner = Reader(site.base)
    password = (Path(site.env["SALON_DATA_DIR"]) / "admin-password.txt").read_text().strip()
    login_page = owner.get("/accounts/login/")
    assert (
        owner.post("/accounts/login/", {"login": "admin", "password": password}, login_page) == 302
    )

    for _ in range(READS):
        assert "Only I may see this yet." in held.get(path)
        assert re.search(r'aria-pressed="true">Liked<', liker.get(path))
        assert 'class="logged-in-as' in owner.get(path)
    for page in _new_readers_see(site, path):
        assert "Only I may see this yet." not in page
        assert not re.search(r'aria-pressed="true">Liked<', page)
        assert 'class="logged-in-as' not in page
