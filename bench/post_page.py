"""Serving a post page: Salon's production server under load, beside WordPress.

Run: ``python bench/post_page.py [--requests N] [--concurrency C] [--workers W]``.
Prints figures; asserts nothing.

It builds a throw-away site (``salon migrate``, ``salon demo``, and a second post with 500
comments: 400 top-level and 100 replies, every fifth comment a reply), starts ``salon serve`` (gunicorn)
on a free port, warms it up, then loads each page with C concurrent clients. For each page it
prints requests/s, p50/p99 latency and the server's CPU time per request: the user + system
CPU of the gunicorn master and its workers, measured before and after the load. On a shared or
busy machine the rate and latencies move with the load around them (the load generator runs
on the same machine); the CPU per request holds, and is what the goals are set on.

Anchors: WordPress 6.1 (PHP 8.1, OPcache, no page cache) spends about 21 ms of CPU on a post
page with 2 comments and about 100 ms with 500. Salon's goals are ≤ 5 ms and ≤ 20 ms.
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parents[1]

# (goal, WordPress 6.1 reference), CPU milliseconds per request.
ANCHORS = {"demo": (5.0, 21.0), "busy": (20.0, 100.0)}
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
    return {
        "demo": demo.get_absolute_url(),
        "busy": busy.get_absolute_url(),
        "busy_comments": str(busy.comment_count),
    }


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
                "--workers",
                str(workers),
                "--no-retention",
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


# --------------------------------------------------------------------------------------------


def run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"{' '.join(command[2:])} failed with status {done.returncode}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per page (1000)")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--warmup", type=int, default=100, help="warm-up requests per page (100)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.seed:  # the child process that adds the 500-comment post
        print(json.dumps(seed_busy_post()))
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
    for name in ("SALON_DATABASE_URL", "SALON_REDIS_URL", "SALON_DEBUG"):
        env.pop(name, None)  # the embedded setup: SQLite in the data directory, no debug

    server: Server | None = None
    try:
        started = time.perf_counter()
        run([sys.executable, "-m", "salon.cli", "migrate", "--noinput"], env)
        run([sys.executable, "-m", "salon.cli", "demo"], env)
        paths = json.loads(run([sys.executable, str(Path(__file__).resolve()), "--seed"], env))
        print(
            f"Site built in {data_dir} in {time.perf_counter() - started:.1f} s "
            f"(the busy post has {paths['busy_comments']} comments)."
        )

        server = Server(
            env, free_port(), args.workers, data_dir / "server.log", Server.quiet_options(env)
        )
        server.wait_until_up(httpx)
        known = known_reader_cookies(httpx, server.base, paths["busy"])
        busy_comments = int(paths["busy_comments"])
        pages = [
            ("demo", "demo post, new reader", paths["demo"], 2, None),
            ("demo", "demo post, known reader", paths["demo"], 2, known),
            ("busy", "busy post, new reader", paths["busy"], busy_comments, None),
            ("busy", "busy post, known reader", paths["busy"], busy_comments, known),
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
        print(
            f"salon serve: gunicorn, {args.workers} workers × 4 threads, SQLite; "
            f"{args.requests} requests per page from {args.concurrency} concurrent clients "
            f"after {args.warmup} warm-up; {cpus} CPUs, load average "
            f"{os.getloadavg()[0]:.2f} before the run."
        )
        header = (
            f"{'page':<24} {'comments':>8} {'KiB':>5} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'CPU ms/req':>10} {'goal':>5} {'vs goal':>8} {'WP 6.1':>6} {'WP / Salon':>10}"
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
            goal, wordpress = ANCHORS[key]
            cpu = result.cpu_ms_per_request
            print(
                f"{label:<24} {comments:>8} {result.body_bytes / 1024:>5.0f} {result.rate:>7.1f} "
                f"{1000 * result.percentile(50):>7.1f} {1000 * result.percentile(99):>7.1f} "
                f"{cpu:>10.2f} {goal:>5.0f} {cpu / goal:>7.2f}× {wordpress:>6.0f} "
                f"{wordpress / cpu:>9.1f}×"
            )
            if result.errors:
                notes.append(f"{label}: {result.errors} of {result.requests} requests failed")
            if result.workers_changed:
                notes.append(f"{label}: a worker was restarted during the run (CPU still counted)")
        print(
            "new reader: no cookie; known reader: has liked a post (the cached thread with their "
            "likes pressed in). Only a reader with a held comment of their own on the post gets "
            "a fresh render."
        )
        print(
            "vs goal: CPU per request ÷ goal (≤ 1.00× meets it). WP / Salon: how many times the "
            "CPU WordPress 6.1 spends on the same page."
        )
        for note in notes:
            print(f"NOTE: {note}")
        return 0
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"Data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
