"""A post page in a millisecond, a comment in five, and the server's memory (issue #19).

Run: ``python bench/post_page.py [--repeat N] [--requests N] [--concurrency C] [--workers W]
[--readers R]``.
Prints figures beside their goals and the anchors of issue #19's table; asserts nothing.

It builds a throw-away site (``salon migrate``, ``salon demo``, and a second post with 500
comments: 400 top-level and 100 replies, every fifth comment a reply), then measures:

- in process, the CPU time (``time.process_time``) of Django's WSGI handler per request for
  a new reader (2 and 500 comments), for known readers at 500 comments (who liked, with a
  held comment, logged in) and for posting a comment, with the page cache off and on;
- through ``salon serve`` (gunicorn) on a free port, with the cache in Redis when it answers,
  requests/s, p50/p99 and the server's CPU per request under concurrent clients; then, after
  a new comment on the busy post, how many times the server renders its thread for
  ``--readers`` new readers asking at once (each render is a line of its log at INFO);
- the memory (PSS, all processes) of ``salon serve`` with its defaults after pages and
  comments.

Then WordPress 6.1 and Isso 0.14 are run on the same two posts and printed beside Salon
(``bench/anchors/``; ``--no-anchors`` skips them, ``--anchors-only`` measures only them).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import anchors

ROOT = Path(__file__).resolve().parents[1]

BUSY_TOP_LEVEL = 400
# A reply follows every fourth top-level comment, so every fifth comment on the page is a reply:
# 400 top-level + 100 replies = 500.
BUSY_REPLY_EVERY = 4

# Set when the run is interrupted, so the load threads stop at once and the server is stopped.
STOP = threading.Event()


# --------------------------------------------------------------------------------------------
# The second post: run in a child process with the site's environment (``--seed``).


def seed_busy_post() -> dict[str, str]:
    """Add a post with 500 comments to the site in SALON_DATA_DIR; return both pages' paths."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salon.settings")
    import django

    django.setup()
    from datetime import UTC, datetime, timedelta

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from salon.discussion.counts import refresh_comment_counts
    from salon.discussion.models import Comment, Like
    from salon.discussion.rendering import render_comment
    from salon.management.commands.demo import SLUG
    from salon.publishing.models import Post

    texts = [
        "I read this twice and I still think the *second* point is the strongest one.",
        "Good summary. The part about supply chains matches what I saw at work last year.",
        "Not sure I agree — the numbers in the third paragraph look optimistic to me.\n\n"
        "See the [original report](https://example.org/report) for the details.",
        "This is the kind of post that makes the comments worth reading. Thank you.",
        "> the structure of military alliances\n\nThat phrase says it all, really.",
        "Could you write a follow-up on how this plays out over the next few years? "
        "I would read it. A longer comment, with a second sentence and a third one, because "
        "some readers do go on for a while before they get to the point they meant to make.",
    ]
    demo = Post.objects.get(slug=SLUG)
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    start = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    html = {text: render_comment(text) for text in texts}

    def comment(post: Post, n: int, at: datetime, parent: Comment | None = None) -> Comment:
        text = texts[n % len(texts)]
        return Comment(
            post=post,
            parent=parent,
            author_name=f"Reader {n % 150}",
            author_email=f"reader{n % 150}@example.net",
            author_url="https://reader.example/" if n % 3 == 0 else "",
            author_ip="192.0.2.1",
            content=text,
            content_html=html[text],
            status=Comment.Status.APPROVED,
            created_at=at,
            like_count=n % 4,
        )

    with transaction.atomic():
        busy = Post.objects.create(
            title="A busy conversation",
            slug="a-busy-conversation",
            author=admin,
            status=Post.Status.PUBLISHED,
            published_at=start,
            body="<p>A post with five hundred comments, for measuring how fast its page is.</p>",
        )
        top = Comment.objects.bulk_create(
            comment(busy, n, start + timedelta(minutes=10 * n)) for n in range(BUSY_TOP_LEVEL)
        )
        replies = Comment.objects.bulk_create(
            comment(busy, 1000 + n, parent.created_at + timedelta(minutes=5), parent)
            for n, parent in enumerate(top)
            if n % BUSY_REPLY_EVERY == BUSY_REPLY_EVERY - 1
        )
        Like.objects.bulk_create(
            Like(post=busy, comment=c, liker=f"g:bench-{i}")
            for c in (*top, *replies)
            for i in range(c.like_count)
        )
        refresh_comment_counts([busy.pk])
    busy.refresh_from_db()
    archive = int(os.environ.get("BENCH_ARCHIVE", "0"))
    if archive:
        seed_archive(archive, admin, start, texts, html)
    return {
        "demo": demo.get_absolute_url(),
        "busy": busy.get_absolute_url(),
        "busy_comments": str(busy.comment_count),
    }


ARCHIVE_POSTS = 200


def seed_archive(count: int, admin, start, texts: list[str], html: dict[str, str]) -> None:
    """``count`` older comments over ``ARCHIVE_POSTS`` older posts, as a blog that has lived
    holds them: one e-mail address for every five comments, one IP address for every ten, a
    website on every third, one in ten spam and one in twenty held; every query on a new
    comment's path meets them (the author's history, the flood guard, earlier approvals)."""
    from datetime import timedelta

    from django.db import connection, transaction

    from salon.discussion.counts import refresh_comment_counts
    from salon.discussion.models import Comment
    from salon.publishing.models import Post

    statuses = [Comment.Status.APPROVED] * 17 + [Comment.Status.SPAM] * 2
    statuses.append(Comment.Status.PENDING)
    with transaction.atomic():
        posts = Post.objects.bulk_create(
            Post(
                title=f"From the archive {n}",
                slug=f"from-the-archive-{n}",
                author=admin,
                status=Post.Status.PUBLISHED,
                published_at=start - timedelta(days=ARCHIVE_POSTS - n),
                body="<p>An older post.</p>",
            )
            for n in range(ARCHIVE_POSTS)
        )
        people, addresses = max(count // 5, 1), max(count // 10, 1)
        batch = 5000
        for first in range(0, count, batch):
            rows = []
            for n in range(first, min(first + batch, count)):
                text = texts[n % len(texts)]
                person = n * 7919 % people  # the same people come back, scattered in time
                rows.append(
                    Comment(
                        post=posts[n % ARCHIVE_POSTS],
                        author_name=f"Archive Reader {person}",
                        author_email=f"Archive.Reader{person}@example.org",
                        author_url=f"https://reader{person}.example/" if person % 3 == 0 else "",
                        author_ip=f"10.{n * 31 % addresses // 65536}."
                        f"{n * 31 % addresses // 256 % 256}.{n * 31 % addresses % 256}",
                        content=text,
                        content_html=html[text],
                        status=statuses[n % len(statuses)],
                        created_at=start - timedelta(minutes=count - n),
                    )
                )
            Comment.objects.bulk_create(rows)
        refresh_comment_counts(p.pk for p in posts)
    if connection.vendor == "postgresql":  # what autovacuum does within a minute of the load
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --------------------------------------------------------------------------------------------
# Server CPU per request, in one process (``--inprocess``): time.process_time() around Django's
# WSGI handler, the request built once, no client or socket in the figure.


def _environ(
    path: str, method: str = "GET", cookies: dict[str, str] | None = None, body=b"", gzip=False
):
    import io

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "192.0.2.10",
        "HTTP_ACCEPT": "text/html",
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) bench",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    if gzip:  # as browsers ask
        environ["HTTP_ACCEPT_ENCODING"] = "gzip, deflate, br, zstd"
    if cookies:
        environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


def _cpu_ms(handler, make_environ, repeat: int, expect: int = 200, check=None) -> float:
    """Median CPU milliseconds of one request (the handler and reading its body)."""
    samples = []
    for _ in range(repeat):
        environ = make_environ()
        statuses: list[str] = []

        def start_response(status, _headers, *_, keep=statuses.append):
            keep(status)

        began = time.process_time()
        body = b"".join(handler(environ, start_response))
        samples.append(time.process_time() - began)
        if environ.get("HTTP_ACCEPT_ENCODING"):
            if not body.startswith(b"\x1f\x8b"):
                raise RuntimeError(f"{environ['PATH_INFO']} was not compressed")
            body = gzip.decompress(body)
        if not statuses[0].startswith(str(expect)):
            raise RuntimeError(f"{environ['PATH_INFO']} answered {statuses[0]}")
        if check is not None:
            complaint = check(body.decode())
            if complaint:
                raise RuntimeError(complaint)
    samples.sort()
    return 1000 * samples[len(samples) // 2]


def measure_in_process(
    paths: dict[str, str], repeat: int, database: str, posting_only: bool = False
) -> dict[str, float]:
    """Each case's median CPU per request, on the site in SALON_DATA_DIR (or ``database``);
    ``posting_only``: posting a comment alone."""
    os.environ["SALON_PAGE_CACHE"] = os.environ.get("BENCH_PAGE_CACHE", "on")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salon.settings")
    if database:
        os.environ["SALON_DATABASE_URL"] = database
    import django

    django.setup()
    from urllib.parse import urlencode

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core import signing
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client

    from salon.discussion import visitors
    from salon.discussion.models import Comment, Like
    from salon.publishing.models import Post

    handler = WSGIHandler()
    busy = Post.objects.get(slug="a-busy-conversation")
    busy_n = int(paths["busy_comments"])

    def guest_cookie(key: str) -> str:
        return signing.get_cookie_signer(salt=visitors.VISITOR_COOKIE + visitors._SALT).sign(key)

    # A guest who liked the busy post and three of its comments.
    liker_key = "bench-liker-key-000000000000"
    some = list(busy.comments.order_by("pk").values_list("pk", flat=True)[:3])
    Like.objects.get_or_create(post=busy, comment=None, liker=f"g:{liker_key}")
    for pk in some:
        Like.objects.get_or_create(post=busy, comment_id=pk, liker=f"g:{liker_key}")
    # A guest with a held comment of their own on it.
    held_key = "bench-held-key-0000000000000"
    if not Comment.objects.filter(visitor_key=held_key).exists():
        Comment.objects.create(
            post=busy,
            author_name="Held Guest",
            author_email="held@example.net",
            content="Waiting.",
            content_html="<p>Waiting.</p>",
            visitor_key=held_key,
            status=Comment.Status.PENDING,
        )
    member, _ = get_user_model().objects.get_or_create(
        username="bench-member", defaults={"email": "member@example.net"}
    )
    client = Client()
    client.force_login(member)
    session = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}

    def page(path, cookies=None, comments=None, gzip=False):
        check = page_check(comments) if comments is not None else None
        return _cpu_ms(
            handler, lambda: _environ(path, cookies=cookies, gzip=gzip), repeat, check=check
        )

    figures = {}
    for name, path, n in (("demo", paths["demo"], 2), ("busy", paths["busy"], busy_n)):
        if posting_only:
            break
        page(path, comments=n)  # warm: templates, the thread's fragments, the stored page
        figures[f"{name}_new"] = page(path, comments=n)
        figures[f"{name}_new_gzip"] = page(path, comments=n, gzip=True)
    if not posting_only:
        liker = {visitors.VISITOR_COOKIE: guest_cookie(liker_key)}
        figures["busy_liked"] = page(paths["busy"], liker)
        figures["busy_held"] = page(
            paths["busy"], {visitors.VISITOR_COOKIE: guest_cookie(held_key)}
        )
        figures["busy_member"] = page(paths["busy"], session)

    # Posting a comment as a site with mail set up lives it: a new guest each time, from an
    # address and an e-mail of its own, so the flood guard (on, as by default) claims and
    # checks them and lets each through; the rate limit counts, set high enough not to
    # refuse. The post's author is told of each comment (or the moderators of a held one):
    # the notice is queued in the outbox, not sent (nothing here talks to an SMTP server).
    settings.SALON = {
        **settings.SALON,
        "COMMENT_RATE": "100000/m",
        "SMTP_URL": "smtp://127.0.0.1:25",
        "MAIL_FROM": "blog@example.org",
    }
    # Each run of this process posts from its own addresses (198.18.0.0/15 is reserved for
    # benchmarks), so a second run within the flood window is not taken for a flood.
    network = 18 + int(os.environ.get("BENCH_RUN", "0")) % 2
    secret = "b" * 32
    demo = Post.objects.get(slug=paths["demo"].rstrip("/").rsplit("/", 1)[-1])
    counter = iter(range(10**6))
    run_id = os.urandom(4).hex()  # each run's comments differ from the last run's

    def comment_environ():
        n = next(counter)
        body = urlencode(
            {
                "csrfmiddlewaretoken": secret,
                "post": demo.pk,
                "comment": f"Thank you for this, it made me think again about point {n}. "
                f"The second paragraph is the one I keep coming back to ({run_id}).",
                "author": f"Bench Reader {n}",
                "email": f"bench{n}-{run_id}@example.net",
                "url": "",
                "shown": visitors.render_time_token(),
            }
        ).encode()
        environ = _environ("/comments/post/", "POST", {"csrftoken": secret}, body)
        environ["REMOTE_ADDR"] = f"198.{network}.{n // 250 % 250}.{n % 250 + 1}"
        return environ

    from salon.notifications.models import OutgoingMail

    _cpu_ms(handler, comment_environ, 3, expect=302)  # warm: the spam model, the templates
    queued = OutgoingMail.objects.count()
    stored = Comment.objects.count()
    posts = max(10, repeat // 4)
    database_before = database_cpu()
    figures["comment"] = _cpu_ms(handler, comment_environ, posts, expect=302)
    database_after = database_cpu()
    if database_before and database_after and database_before[0] == database_after[0]:
        figures["comment_database"] = 1000 * (database_after[1] - database_before[1]) / posts
    if Comment.objects.count() - stored != posts or OutgoingMail.objects.count() - queued < posts:
        raise RuntimeError("posting did not store each comment and queue its notice")
    return figures


def database_cpu() -> tuple[int, float] | None:
    """On PostgreSQL on this machine, its server process for this connection and the CPU
    seconds it has used (user + system, from /proc, in ticks of 10 ms); else None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # another machine's server
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------------------
# The server and its CPU time.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``salon serve`` in a child process; stopped by its PID (and its workers' PIDs)."""

    def __init__(
        self, env: dict[str, str], port: int, workers: int, log_path: Path, extra: list[str]
    ) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = open(log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "salon.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                *(["--workers", str(workers), "--no-retention"] if workers else []),
                *extra,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        # Every process started under the server (workers, helper jobs), to stop them all.
        self.known_children: dict[int, object] = {}  # pid → psutil.Process (knows its start)

    @staticmethod
    def quiet_options(env: dict[str, str]) -> list[str]:
        """The options of `salon serve` that turn off background jobs beside the server."""
        help_text = run([sys.executable, "-m", "salon.cli", "serve", "--help"], env)
        return [flag for flag in ("--no-mail", "--no-mentions") if flag in help_text]

    def wait_until_up(self, httpx, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with status {self.process.returncode}")
            try:
                if httpx.get(self.base + "/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer on {self.base} within {timeout:.0f} s")

    def workers(self):
        """The gunicorn master and its workers (forks of it, so with its command line)."""
        import psutil

        master = psutil.Process(self.process.pid)
        children = master.children(recursive=True)
        for child in children:
            self.known_children.setdefault(child.pid, child)
        command = master.cmdline()
        workers = []
        for child in children:
            try:
                if child.cmdline() == command:
                    workers.append(child)
            except psutil.Error:
                pass
        return master, workers

    def cpu_seconds(self) -> tuple[float, frozenset[int]]:
        """User + system CPU of the gunicorn master and all its workers, dead ones included.

        Helper jobs the server may start beside gunicorn (mail, mentions) are left out: they
        do not serve pages.
        """
        master, workers = self.workers()
        times = master.cpu_times()
        # children_* counts workers that exited and were reaped (e.g. recycled by max_requests).
        total = times.user + times.system + times.children_user + times.children_system
        for worker in workers:
            try:
                worker_times = worker.cpu_times()
            except Exception:  # noqa: BLE001 (a worker exiting right now: counted once reaped)
                continue
            total += worker_times.user + worker_times.system
        return total, frozenset(worker.pid for worker in workers)

    def stop(self) -> None:
        """Stop gunicorn gracefully by its PID; kill what is left of it by PID."""
        try:
            if self.process.poll() is None:
                try:
                    self.workers()  # note the current workers' PIDs
                except Exception:  # noqa: BLE001
                    pass
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=5)
            self._kill_leftovers()
        finally:
            self.log.close()

    def _kill_leftovers(self) -> None:
        import psutil

        for child in self.known_children.values():
            try:
                if child.is_running():  # the same process (PID and start time), still alive
                    child.kill()
            except psutil.Error:
                pass


# --------------------------------------------------------------------------------------------
# The load.


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float
    body_bytes: int
    workers_changed: bool

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.requests if self.requests else float("nan")


def hammer(
    httpx,
    url: str,
    requests: int,
    concurrency: int,
    check: Callable[[str], str | None] | None = None,
    cookies: dict[str, str] | None = None,
) -> tuple[list[float], int, int, float]:
    """GET ``url`` ``requests`` times from ``concurrency`` threads (keep-alive clients)."""
    counter = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    size = [0]
    problem: list[str] = []

    def client() -> None:
        checked = check is None  # read and check one whole page per client, not every one
        with httpx.Client(timeout=30, cookies=cookies) as session:
            while True:
                with lock:
                    if STOP.is_set() or next(counter, None) is None:
                        return
                began = time.perf_counter()
                try:
                    response = session.get(url)
                    elapsed = time.perf_counter() - began
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    elapsed, ok, response = time.perf_counter() - began, False, None
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors[0] += 1
                if ok and not checked:
                    checked = True
                    size[0] = len(response.content)
                    complaint = check(response.text)
                    if complaint:
                        with lock:
                            problem.append(complaint)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        try:
            for future in [pool.submit(client) for _ in range(concurrency)]:
                future.result()
        except BaseException:
            STOP.set()  # Ctrl+C or a signal: let the threads end now, not after their share
            raise
    seconds = time.perf_counter() - began
    if problem:
        print(f"  WARNING: {problem[0]}")
    return latencies, errors[0], size[0], seconds


def measure(
    httpx,
    server: Server,
    url: str,
    requests: int,
    concurrency: int,
    check: Callable[[str], str | None],
    cookies: dict[str, str] | None = None,
) -> Result:
    cpu_before, pids_before = server.cpu_seconds()
    latencies, errors, size, seconds = hammer(httpx, url, requests, concurrency, check, cookies)
    cpu_after, pids_after = server.cpu_seconds()
    return Result(
        requests=requests,
        errors=errors,
        seconds=seconds,
        latencies=latencies,
        cpu_seconds=cpu_after - cpu_before,
        body_bytes=size,
        workers_changed=pids_before != pids_after,
    )


def page_check(expected_comments: int) -> Callable[[str], str | None]:
    """A check that the page served is the whole page: every comment, and the form."""

    def check(html: str) -> str | None:
        shown = html.count('<li id="comment-')
        if shown != expected_comments:
            return f"the page shows {shown} comments, not {expected_comments}"
        if 'id="commentform"' not in html:
            return "the page has no comment form"
        return None

    return check


def known_reader_cookies(httpx, base: str, path: str) -> dict[str, str]:
    """The cookies of a reader who has liked the post at ``path`` (through its Like form).

    Such a reader is served the cached thread with their own likes pressed in it, and pays
    for the extra queries that find their likes and held comments.
    """
    with httpx.Client(base_url=base, timeout=30) as client:
        html = client.get(path).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        form = re.search(r'<form class="like-form"[^>]*>.*?name="post" value="(\d+)"', html)
        if not (token and form):
            raise RuntimeError(f"no Like form for the post on {path}")
        answer = client.post(
            "/likes/", data={"csrfmiddlewaretoken": token.group(1), "post": form.group(1)}
        )
        if answer.status_code not in (302, 303) or "salon_visitor" not in client.cookies:
            raise RuntimeError(f"liking the post on {path} answered {answer.status_code}")
        return dict(client.cookies)


def renders_after_a_comment(
    httpx, server: Server, path: str, readers: int, log: Path
) -> tuple[int, set[int]]:
    """A new comment on the post at ``path``, then ``readers`` new readers asking for its page
    at the same moment: how many times the server rendered the post's thread for them (its
    log's INFO lines, one per render, wherever it happens), and how many comments the pages
    they were served show."""
    if post_comments(httpx, server.base, path, 1, typing=3.0) != 1:
        raise RuntimeError(f"the comment on {path} was not accepted")
    since = log.stat().st_size
    start = threading.Barrier(readers)

    def ask(_n: int) -> int:
        with httpx.Client(timeout=60) as reader:
            start.wait()
            response = reader.get(server.base + path)
            if response.status_code != 200 or 'id="commentform"' not in response.text:
                return -1
            return response.text.count('<li id="comment-')

    with ThreadPoolExecutor(readers) as pool:
        shown = set(pool.map(ask, range(readers)))
    with log.open("rb") as text:
        text.seek(since)
        renders = len(re.findall(rb"rendered salon:thread:", text.read()))
    return renders, shown


# --------------------------------------------------------------------------------------------


def run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"{' '.join(command[2:])} failed with status {done.returncode}")
    return done.stdout


# Issue #19's table: server CPU per request on this machine (ms), resident memory (MiB).
# WordPress 6.1 with its default theme and with a classic theme; Isso 0.14 for the comment
# post and memory, as printed once in the issue; bench/anchors/ measures them in the same run.
GOALS = {
    # case: (label, goal, WordPress default theme, WordPress classic theme, Isso)
    "demo_new": ("post page, 2 comments, new reader", 1.0, 50.0, 26.0, None),
    "busy_new": ("post page, 500 comments, new reader", 1.0, 1075.0, 126.0, None),
    "demo_new_gzip": ("same as 2 comments, gzip", 1.0, None, None, None),
    "busy_new_gzip": ("same as 500 comments, gzip", 1.0, None, None, None),
    "busy_liked": ("500 comments, reader who liked", 10.0, None, None, None),
    "busy_held": ("500 comments, reader with a held comment", 10.0, None, None, None),
    "busy_member": ("500 comments, logged-in reader", 10.0, None, None, None),
    "comment": ("posting one comment (with spam check)", 5.0, 18.0, None, 4.7),
}
MEMORY_GOAL_MIB = 250
MEMORY_ANCHORS = "WordPress 191 MiB (+ MariaDB 114), Isso 113 MiB"


def _anchor(value: float | None) -> str:
    return f"{value:,.1f}" if value is not None else "—"


def print_in_process(before: dict[str, float], after: dict[str, float]) -> None:
    header = (
        f"{'case':<42} {'no page cache':>13} {'Salon':>8} {'goal':>6} {'vs goal':>8} "
        f"{'WP default':>10} {'WP classic':>10} {'Isso':>6}"
    )
    print(header)
    print("-" * len(header))
    for key, (label, goal, wp_default, wp_classic, isso) in GOALS.items():
        if key not in after:
            continue
        figure = after[key]
        print(
            f"{label:<42} {before[key]:>10.2f} ms {figure:>5.2f} ms {goal:>6.1f} "
            f"{figure / goal:>7.2f}× {_anchor(wp_default):>10} {_anchor(wp_classic):>10} "
            f"{_anchor(isso):>6}"
        )


def memory_of(server: Server) -> tuple[float, float, int]:
    """PSS and RSS (MiB) of `salon serve`'s master and every process under it."""
    import psutil

    master = psutil.Process(server.process.pid)
    pss = rss = 0
    processes = [master, *master.children(recursive=True)]
    for process in processes:
        try:
            rollup = Path(f"/proc/{process.pid}/smaps_rollup").read_text()
            for line in rollup.splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
            rss += process.memory_info().rss
        except (OSError, psutil.Error):
            pass
    return pss / 2**20, rss / 2**20, len(processes)


def post_comments(httpx, base: str, path: str, count: int, typing: float = 0.0) -> int:
    """Post ``count`` comments through the page's form, each as a new reader who spends
    ``typing`` seconds writing (the spam filter holds a comment sent within 2 s of the
    page); returns how many were answered with a redirect (stored or held)."""
    done = 0
    for n in range(count):
        with httpx.Client(base_url=base, timeout=30) as reader:
            html = reader.get(path).text
            fields = dict(
                re.findall(r'name="(csrfmiddlewaretoken|post|shown)" value="([^"]*)"', html)
            )
            time.sleep(typing)
            answer = reader.post(
                "/comments/post/",
                data={
                    **fields,
                    "comment": f"A thought number {n} about this post, and why it matters.",
                    "author": f"Memory Reader {n}",
                    "email": f"memory{n}-{os.getpid()}@example.net",
                },
            )
            done += answer.status_code in (302, 303)
    return done


def memory_run(httpx, env: dict[str, str], data_dir: Path, paths: dict[str, str]) -> None:
    """`salon serve` with its defaults (workers, background jobs): PSS of all its processes
    after every page, a dozen comments posted through the form, and every page again."""
    server = Server(
        {**env, "SALON_FLOOD_SECONDS": "0"}, free_port(), 0, data_dir / "memory.log", []
    )
    try:
        server.wait_until_up(httpx)
        pages = [paths["demo"], paths["busy"], "/", "/privacy/"]
        for _ in range(10):
            for path in pages:
                httpx.get(server.base + path, timeout=30)
        posted = post_comments(httpx, server.base, paths["demo"], 12)
        for _ in range(10):
            for path in pages:
                httpx.get(server.base + path, timeout=30)
        time.sleep(1)
        pss, rss, count = memory_of(server)
        print(
            f"memory of salon serve with its defaults ({count} processes: master, workers, "
            f"background jobs) after the pages, {posted} comments and the pages again: "
            f"PSS {pss:.0f} MiB (RSS summed {rss:.0f} MiB); goal ≤ {MEMORY_GOAL_MIB} MiB "
            f"({pss / MEMORY_GOAL_MIB:.2f}×); anchors: {MEMORY_ANCHORS}"
        )
    finally:
        server.stop()


def redis_url() -> str:
    """A Redis database of this benchmark's own, if Redis answers on 127.0.0.1:6379."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return ""
    return "redis://127.0.0.1:6379/14"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per page (1000)")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--readers",
        type=int,
        default=12,
        help="readers asking for the busy page at once after a new comment (12)",
    )
    parser.add_argument("--warmup", type=int, default=100, help="warm-up requests per page (100)")
    parser.add_argument(
        "--repeat", type=int, default=200, help="in-process requests per case (200)"
    )
    parser.add_argument(
        "--no-server", action="store_true", help="only the in-process figures, no salon serve"
    )
    parser.add_argument(
        "--postgres",
        default="",
        help="also measure in process on this PostgreSQL server (postgres://user@host:port/db: "
        "the bench creates a database of its own there, salon_bench_<pid>, and drops it; the "
        "one named is only used to reach the server)",
    )
    parser.add_argument(
        "--posting-only",
        action="store_true",
        help="only posting a comment, in process (no pages, no salon serve)",
    )
    parser.add_argument(
        "--archive",
        type=int,
        default=0,
        metavar="N",
        help=f"the site also holds N older comments on {ARCHIVE_POSTS} older posts (0)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    anchors.add_arguments(parser)
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inprocess", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.seed:  # the child process that adds the 500-comment post
        print(json.dumps(seed_busy_post()))
        return 0
    if args.inprocess:  # the child process that measures in process
        paths = json.loads(os.environ["BENCH_PATHS"])
        figures = measure_in_process(
            paths, args.repeat, os.environ.get("BENCH_DATABASE", ""), args.posting_only
        )
        print(json.dumps(figures))
        return 0

    import httpx
    import psutil  # noqa: F401  (fail now, not after the set-up, if it is missing)

    def interrupted(signum: int, _frame) -> None:
        STOP.set()
        raise SystemExit(128 + signum)  # unwinds through the clean-up below

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    data_dir = Path(tempfile.mkdtemp(prefix="salon-bench-"))
    env = {
        **os.environ,
        "SALON_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "salon.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    for name in ("SALON_DATABASE_URL", "SALON_REDIS_URL", "SALON_DEBUG", "SALON_PAGE_CACHE"):
        env.pop(name, None)  # the embedded setup: SQLite in the data directory, no debug

    server: Server | None = None
    postgres_url = bench_database_url(args.postgres) if args.postgres else ""
    redis_prefix = f"salon-bench-{os.getpid()}"
    try:
        started = time.perf_counter()

        def build(site_env: dict[str, str]) -> dict[str, str]:
            run([sys.executable, "-m", "salon.cli", "migrate", "--noinput"], site_env)
            run([sys.executable, "-m", "salon.cli", "demo"], site_env)
            script = [sys.executable, str(Path(__file__).resolve()), "--seed"]
            return json.loads(run(script, {**site_env, "BENCH_ARCHIVE": str(args.archive)}))

        paths = build(env)
        print(
            f"Site built in {data_dir} in {time.perf_counter() - started:.1f} s "
            f"(the busy post has {paths['busy_comments']} comments"
            + (f"; {args.archive} more on {ARCHIVE_POSTS} older posts" if args.archive else "")
            + ")."
        )

        def in_process(site_env: dict[str, str], cache: str) -> dict[str, float]:
            child = {
                **site_env,
                "BENCH_PATHS": json.dumps(paths),
                "BENCH_PAGE_CACHE": cache,
                "BENCH_RUN": "1" if cache == "on" else "0",
            }
            script = [sys.executable, str(Path(__file__).resolve()), "--inprocess"]
            only = ["--posting-only"] if args.posting_only else []
            output = run([*script, "--repeat", str(args.repeat), *only], child)
            return json.loads(output.strip().splitlines()[-1])

        databases = [("SQLite", env)]
        if args.postgres:
            postgres_database(postgres_url, create=True)
            pg_env = {**env, "SALON_DATABASE_URL": postgres_url}
            pg_env["SALON_DATA_DIR"] = str(data_dir / "postgres")
            build(pg_env)
            databases.append(("PostgreSQL", pg_env))
        measured = {}
        for database, site_env in [] if args.anchors_only else databases:
            before = in_process(site_env, "off")
            after = measured[database] = in_process(site_env, "on")
            print()
            print(
                f"In process, {database}: median CPU (time.process_time) of Django's WSGI "
                f"handler per request, {args.repeat} requests per case; 'no page cache' is "
                "the same with SALON_PAGE_CACHE=off."
            )
            print_in_process(before, after)
            if "comment_database" in after:
                print(
                    "PostgreSQL's own CPU for those comments (its server process, read from "
                    f"/proc in 10 ms ticks), the mean per comment: {after['comment_database']:.2f}"
                    f" ms (no page cache: {before.get('comment_database', 0):.2f} ms)"
                )
        if not args.posting_only:
            anchors.compare(args, env, measured.get("SQLite"))
        if args.no_server or args.anchors_only or args.posting_only:
            return 0

        redis = redis_url()
        # Each thread render is logged at INFO: counted after a new comment.
        serve_env = {**env, "SALON_LOG_LEVEL": "INFO"}
        if redis:
            serve_env.update(SALON_REDIS_URL=redis, SALON_CACHE_PREFIX=redis_prefix)
        server = Server(
            serve_env,
            free_port(),
            args.workers,
            data_dir / "server.log",
            Server.quiet_options(serve_env),
        )
        server.wait_until_up(httpx)
        known = known_reader_cookies(httpx, server.base, paths["busy"])
        busy_comments = int(paths["busy_comments"])
        pages = [
            ("demo_new", "demo post, new reader", paths["demo"], 2, None),
            ("busy_new", "busy post, new reader", paths["busy"], busy_comments, None),
            ("busy_liked", "busy post, reader who liked", paths["busy"], busy_comments, known),
        ]
        for _key, _label, path, comments, cookies in pages:
            hammer(
                httpx,
                server.base + path,
                args.warmup,
                args.concurrency,
                page_check(comments),
                cookies,
            )

        cpus = psutil.cpu_count() or 1
        print()
        print(
            f"Through salon serve: gunicorn, {args.workers} workers × 4 threads, SQLite, cache "
            f"{'in Redis' if redis else 'the default (no Redis answered)'}; {args.requests} "
            f"requests per page from {args.concurrency} concurrent clients after "
            f"{args.warmup} warm-up; {cpus} CPUs, load average {os.getloadavg()[0]:.2f}. "
            "CPU: the server's processes' user + system time ÷ requests."
        )
        header = (
            f"{'page':<30} {'comments':>8} {'KiB':>5} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'CPU ms/req':>10} {'goal':>5} {'vs goal':>8}"
        )
        print(header)
        print("-" * len(header))
        notes = []
        for key, label, path, comments, cookies in pages:
            result = measure(
                httpx,
                server,
                server.base + path,
                args.requests,
                args.concurrency,
                page_check(comments),
                cookies,
            )
            goal = GOALS[key][1]
            cpu = result.cpu_ms_per_request
            print(
                f"{label:<30} {comments:>8} {result.body_bytes / 1024:>5.0f} {result.rate:>7.1f} "
                f"{1000 * result.percentile(50):>7.1f} {1000 * result.percentile(99):>7.1f} "
                f"{cpu:>10.2f} {goal:>5.0f} {cpu / goal:>7.2f}×"
            )
            if result.errors:
                notes.append(f"{label}: {result.errors} of {result.requests} requests failed")
            if result.workers_changed:
                notes.append(f"{label}: a worker was restarted during the run (CPU still counted)")
        print(
            "Through the server the CPU includes gunicorn's own work (parsing, the socket) and "
            "the machine's noise; the in-process table is the figure the goals are set on."
        )
        for note in notes:
            print(f"NOTE: {note}")
        renders, shown = renders_after_a_comment(
            httpx, server, paths["busy"], args.readers, data_dir / "server.log"
        )
        print(
            f"renders of the busy thread after a new comment, {args.readers} new readers at "
            f"once over {args.workers} workers: {renders}; goal ≤ 1 ({renders:.2f}×); the "
            f"pages show {' or '.join(map(str, sorted(shown)))} comments (the new one "
            f"{'shown' if shown == {busy_comments + 1} else 'held, or a page was wrong'})"
        )
        server.stop()
        server = None
        memory_run(httpx, env, data_dir, paths)
        return 0
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"Data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
        _forget_redis(redis_prefix)
        if args.postgres:
            postgres_database(postgres_url, create=False)


def bench_database_url(url: str) -> str:
    """The benchmark's own database on the server of ``url``: a new name for this run, so
    that no database already there (the test suite's, a site's) is ever dropped."""
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path=f"/salon_bench_{os.getpid()}"))


def postgres_database(url: str, create: bool) -> None:
    """Create (or drop) the benchmark's own PostgreSQL database named in ``url`` (made by
    :func:`bench_database_url`); creating it fails if it exists."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')
        else:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _forget_redis(prefix: str) -> None:
    try:
        import redis
    except ImportError:
        return
    try:
        client = redis.Redis(db=14, socket_timeout=2)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    except Exception:  # noqa: BLE001 (no Redis: nothing to forget)
        pass


if __name__ == "__main__":
    sys.exit(main())
