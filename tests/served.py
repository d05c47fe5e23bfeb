"""A real ``salon serve`` with several gunicorn workers, for tests that need the processes a
site really runs as: limits shared by workers, concurrent posts, ``kill -9``.

Each site has its own data directory (its SQLite database and its shared cache), or its own
PostgreSQL database when ``SALON_DATABASE_URL`` is set for the suite.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import httpx
import psutil

SETUP = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from salon.antispam.keys import create_key
from salon.publishing.models import Post
owner = get_user_model().objects.create_superuser("owner", "owner@example.org", "pw-owner-1")
post = Post.objects.create(
    title="Under load", author=owner, body="<p>A post many readers answer at once.</p>",
    status=Post.Status.PUBLISHED, published_at=timezone.now() - timezone.timedelta(days=1),
)
keys = [create_key(["blog.example"], rate="10/m") for _ in range(8)]
print(post.pk, post.get_absolute_url(), ",".join(f"{k.key}:{k.row.pk}" for k in keys))
"""


def free_port() -> int:
    """A port the system has just given out as free (each served test starts its own server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_url(name: str) -> str | None:
    """A database of this site's own on the suite's PostgreSQL server, created empty."""
    url = os.environ.get("SALON_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    import psycopg

    server, _, base = url.rpartition("/")
    database = f"{base}_{name}_{os.environ.get('PYTEST_XDIST_WORKER', 'gw')}".lower()
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database}"')
    return f"{server}/{database}"


@dataclass
class Site:
    data: Path
    port: int
    env: dict[str, str]
    workers: int = 3
    server: subprocess.Popen | None = None
    post_id: int = 0
    post_path: str = ""
    api_keys: dict[str, str] = field(default_factory=dict)
    """Akismet API keys limited to 10/m each, by their rate-limit value (``key:<id>``)."""
    pids: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database(self) -> str:
        return self.env.get("SALON_DATABASE_URL", "") or str(self.data / "salon.sqlite3")

    def salon(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "salon.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, f"salon {args[0]}: {result.stderr[-3000:]}"
        return result.stdout

    def python(self, code: str) -> str:
        return self.salon("shell", "--no-imports", "-c", code).strip().splitlines()[-1]

    def serve(self, log: Path | None = None, **env: str) -> None:
        """Start ``salon serve`` with this site's workers; return once it answers. Its error
        log (stderr) goes to ``log`` when given, to be read while it runs."""
        # A port of its own each time: the last server's may not be free yet.
        self.port = free_port()
        errors = subprocess.PIPE if log is None else log.open("a")
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "salon.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--no-retention",
                "--no-mail",
                "--no-mentions",
                "--no-fediverse",
            ],
            env={**self.env, **env},
            stdout=subprocess.DEVNULL,
            stderr=errors,
            text=True,
        )
        if log is not None:
            errors.close()  # the server has its own copy
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(self.url + "/", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert self.server.poll() is None, self._log(log)
            assert time.monotonic() < deadline, "salon serve did not answer within 120 s"
            time.sleep(0.2)
        # Every worker up, so that requests spread over all of them.
        while len(psutil.Process(self.server.pid).children(recursive=True)) < self.workers:
            assert self.server.poll() is None, self._log(log)
            assert time.monotonic() < deadline, "the workers did not all start"
            time.sleep(0.1)
        self.pids = [self.server.pid] + [
            child.pid for child in psutil.Process(self.server.pid).children(recursive=True)
        ]

    def _log(self, log: Path | None) -> str:
        written = log.read_text() if log is not None else self.server.stderr.read()
        return written[-3000:]

    def kill(self) -> None:
        """``kill -9`` the server: the master and every worker, by their PIDs."""
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.server is not None:
            self.server.wait(timeout=30)
        for pid in self.pids:
            try:
                psutil.Process(pid).wait(timeout=10)
            except psutil.NoSuchProcess:
                pass

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.server is not None and self.server.stderr is not None:
            self.server.stderr.close()
        self.server = None

    def errors(self) -> str:
        """What the server wrote to its error log (read once it has stopped)."""
        return self.server.stderr.read() if self.server and self.server.stderr else ""


@cache
def collected_static() -> Path:
    """The static files collected once for this test process (``salon serve`` collects them
    under hashed names); each site starts with a copy, so its serve finds nothing to do."""
    data = Path(tempfile.mkdtemp(prefix="salon-test-static-"))
    atexit.register(shutil.rmtree, data, ignore_errors=True)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment["SALON_DATA_DIR"] = str(data)
    code = "from salon.static_files import collect; collect()"
    subprocess.run(
        [sys.executable, "-m", "salon.cli", "shell", "--no-imports", "-c", code],
        env=environment,
        check=True,
        capture_output=True,
        timeout=180,
    )
    return data / "static"


def make_site(tmp_path: Path, name: str, workers: int = 3, setup: str = "", **env: str) -> Site:
    """A migrated site with an owner, one published post and eight Akismet API keys (10/m);
    ``setup`` is more Python run with the same ``salon shell``."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.update(
        SALON_DATA_DIR=str(tmp_path / name),
        SALON_SITE_URL=f"http://127.0.0.1:{port}",
        SALON_ALLOWED_HOSTS="127.0.0.1,localhost",
        # Readers' addresses come from X-Forwarded-For, as behind the owner's proxy, so a
        # test can speak as many readers; the spam filter is off, each rule seen alone.
        SALON_BEHIND_PROXY="1",
        SALON_SPAM_FILTER="",
        SALON_SEND_MENTIONS="0",
        **env,
    )
    database = _postgres_url(name)
    if database:
        environment["SALON_DATABASE_URL"] = database
    site = Site(tmp_path / name, port, environment, workers)
    shutil.copytree(collected_static(), site.data / "static", copy_function=os.link)
    site.salon("migrate", "--noinput")
    post_id, post_path, keys = site.python(setup + SETUP).split()
    site.post_id, site.post_path = int(post_id), post_path
    for pair in keys.split(","):
        key, key_id = pair.split(":")
        site.api_keys[f"key:{key_id}"] = key
    return site


class Reader:
    """A browser's part of the comment form: the CSRF cookie and token from the post page."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.client = httpx.Client(base_url=site.url, timeout=60)
        page = self.client.get(site.post_path).text
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def comment(self, ip: str, text: str, email: str, **fields: str) -> httpx.Response:
        return self.client.post(
            "/comments/post/",
            data={
                "csrfmiddlewaretoken": self.token,
                "post": str(self.site.post_id),
                "comment": text,
                "author": email.split("@")[0],
                "email": email,
                "url": "",
                **fields,
            },
            headers={"X-Forwarded-For": ip, "Referer": self.site.url + self.site.post_path},
        )

    def close(self) -> None:
        self.client.close()


def window_left(value: str, period: int) -> float:
    """Seconds left in django-ratelimit's current window for ``value`` (what it counts by:
    an address, ``key:<id>``). Its windows end at a different second of the period for each
    value (a CRC32 of it), once that whole second has passed: the window is named by its last
    second, and a request in that second still counts in it."""
    return (zlib.crc32(value.encode()) % period + 1 - time.time()) % period


def most_time_left(values, period: int) -> str:
    """Of ``values``, the one whose current window has the most time left, so that a burst of
    requests falls in one window."""
    return max(values, key=lambda value: window_left(value, period))


class Burst:
    """Requests sent at once, counted by ``value``: how many windows of its limit they spanned
    (one, unless the machine was so slow that the burst outlasted the window)."""

    def __init__(self, value: str, period: int = 60) -> None:
        self.left = window_left(value, period)

    def __enter__(self) -> Burst:
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        self.took = time.monotonic() - self.started
        self.windows = 1 if self.took < self.left else 2

    def allowed(self, limit: int) -> range:
        """How many requests a limit of ``limit`` per window lets through in this burst."""
        return range(limit, limit + 1) if self.windows == 1 else range(limit, 2 * limit + 1)
