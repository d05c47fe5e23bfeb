"""The embed's JSON API beside Isso's, on the same threads, in one run.

Run: ``python bench/embed_api.py [--thread-requests 300] [--isso-requests 30] [--posts 100]``.
Prints figures beside their goals; asserts nothing.

It installs Isso (``ISSO_VERSION``, from the package index, with gunicorn) into a throw-away
virtual environment, builds a throw-away Salon site (``salon migrate``, ``salon demo``) and
seeds both with the same conversations: a page with 500 comments (100 top-level, each with
four replies: Isso nests one level, so both show the same tree) and 49 more pages, a few
with comments. Each is served by gunicorn with one worker on a free port, and each request
is timed by the **server's CPU** (user + system of the gunicorn master and its worker,
before and after, divided by the requests), as ``bench/post_page.py`` does.

- The 500-comment thread: Salon's ``GET /api/v1/thread`` (every comment, ``limit=200``)
  against Isso's ``GET /?uri=``. Goal: Salon at least 30× cheaper. Salon's thread is cached
  under the conversation's version; the first reader after a change pays to write it out,
  which is measured apart, in-process (``cold``).
- Counts for 50 pages: Salon's ``GET /api/v1/counts``. Goal ≤ 5 ms. Isso's ``POST /count``
  for the same 50 is shown for reference.
- Posting: a comment through the API against one through the post page's form, on the same
  server, the spam filter on, alternating in blocks. Goal: the API costs no more.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from anchors import isso as isso_anchor  # noqa: E402
from post_page import ROOT, STOP, Server, free_port, run  # noqa: E402

ISSO_VERSION = isso_anchor.ISSO_VERSION
GUNICORN = "gunicorn==27.0.1"  # Salon's own pin, so both run on the same server
SITE = "http://127.0.0.1:4010"  # the site that embeds the conversations (never fetched)
BUSY = "/notes/busy/"
POSTING = "/notes/posting/"
PAGES = [BUSY] + [f"/notes/page-{i}/" for i in range(1, 50)]
TOP_LEVEL = 100
REPLIES_EACH = 4
GOALS = {"thread_ratio": 30.0, "counts_ms": 5.0}

TEXTS = [
    "I read this twice and I still think the *second* point is the strongest one.",
    "Good summary. The part about supply chains matches what I saw at work last year.",
    "Not sure I agree — the numbers in the third paragraph look optimistic to me.\n\n"
    "See the [original report](https://example.org/report) for the details.",
    "This is the kind of post that makes the comments worth reading. Thank you.",
    "> the structure of the argument\n\nThat phrase says it all, really.",
    "Could you write a follow-up on how this plays out over the next few years? "
    "I would read it. A longer comment, with a second sentence and a third one, because "
    "some readers do go on for a while before they get to the point they meant to make.",
]


def conversation() -> list[dict]:
    """The same 500 comments for both: 100 top-level, four replies under each."""
    comments = []
    start = 1_700_000_000.0
    for n in range(TOP_LEVEL):
        top = len(comments)
        comments.append(
            {
                "parent": None,
                "text": TEXTS[n % len(TEXTS)],
                "author": f"Reader {n % 150}",
                "email": f"reader{n % 150}@example.net",
                "website": "https://reader.example/" if n % 3 == 0 else "",
                "created": start + 600 * n,
                "likes": n % 4,
            }
        )
        for r in range(REPLIES_EACH):
            m = 1000 + n * REPLIES_EACH + r
            comments.append(
                {
                    "parent": top,
                    "text": TEXTS[m % len(TEXTS)],
                    "author": f"Reader {m % 150}",
                    "email": f"reader{m % 150}@example.net",
                    "website": "",
                    "created": start + 600 * n + 60 * (r + 1),
                    "likes": m % 3,
                }
            )
    return comments


def counted_pages() -> dict[str, int]:
    """Comments on the other pages (for counts): a few have some."""
    return {page: (i % 7) for i, page in enumerate(PAGES[1:], start=1) if i % 5 == 0}


# --------------------------------------------------------------------------------------------
# Seeding (each in a child process with the system's own environment).


def seed_salon() -> dict:
    """Salon's side, in SALON_DATA_DIR: the conversations as pages elsewhere."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salon.settings")
    import django

    django.setup()
    from datetime import UTC, datetime

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from salon.discussion.counts import refresh_comment_counts
    from salon.discussion.models import Comment, Like
    from salon.discussion.rendering import render_comment
    from salon.management.commands.demo import SLUG
    from salon.publishing.models import Post

    owner = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    html = {text: render_comment(text) for text in TEXTS}

    def page(path: str) -> Post:
        return Post.objects.create(
            kind=Post.Kind.ELSEWHERE,
            external_url=SITE + path,
            title=f"Notes {path}",
            slug="bench" + path.replace("/", "-").rstrip("-"),
            author=owner,
            status=Post.Status.PUBLISHED,
            published_at=datetime(2024, 1, 1, tzinfo=UTC),
        )

    def comment(post: Post, c: dict, parent: Comment | None = None) -> Comment:
        return Comment(
            post=post,
            parent=parent,
            author_name=c["author"],
            author_email=c["email"],
            author_url=c["website"],
            author_ip="192.0.2.1",
            content=c["text"],
            content_html=html[c["text"]],
            status=Comment.Status.APPROVED,
            created_at=datetime.fromtimestamp(c["created"], UTC),
            like_count=c["likes"],
        )

    comments = conversation()
    with transaction.atomic():
        posts = {path: page(path) for path in [*PAGES, POSTING]}
        busy = posts[BUSY]
        tops = Comment.objects.bulk_create(
            comment(busy, c) for c in comments if c["parent"] is None
        )
        by_index = {}
        top_iter = iter(tops)
        for i, c in enumerate(comments):
            if c["parent"] is None:
                by_index[i] = next(top_iter)
        Comment.objects.bulk_create(
            comment(busy, c, by_index[c["parent"]]) for c in comments if c["parent"] is not None
        )
        Like.objects.bulk_create(
            Like(post=busy, comment=c, liker=f"g:bench-{i}")
            for c in Comment.objects.filter(post=busy)
            for i in range(c.like_count)
        )
        for path, n in counted_pages().items():
            Comment.objects.bulk_create(comment(posts[path], comments[k]) for k in range(n))
        refresh_comment_counts([p.pk for p in posts.values()])
    busy.refresh_from_db()
    demo = Post.objects.get(slug=SLUG)
    return {"busy_comments": busy.comment_count, "form_post": demo.get_absolute_url()}


ISSO_SEED = textwrap.dedent(
    """
    import json, sys
    from isso import config
    from isso.db import SQLite3
    conf = config.load(config.default_file(), sys.argv[1])
    db = SQLite3(conf.get("general", "dbpath"), conf)
    data = json.load(sys.stdin)
    ids = {}
    for path in data["pages"]:
        db.threads.new(path, "Notes " + path)
    for i, c in enumerate(data["comments"]):
        stored = db.comments.add(data["busy"], {
            "parent": ids.get(c["parent"]), "text": c["text"], "author": c["author"],
            "email": c["email"], "website": c["website"] or None, "mode": 1,
            "remote_addr": "192.0.2.1", "created": c["created"], "notification": 0,
        })
        ids[i] = stored["id"]
        db.execute("UPDATE comments SET likes=? WHERE id=?", (c["likes"], stored["id"]))
    for path, n in data["counted"].items():
        for c in data["comments"][:n]:
            db.comments.add(path, {
                "parent": None, "text": c["text"], "author": c["author"], "email": c["email"],
                "website": None, "mode": 1, "remote_addr": "192.0.2.1",
                "created": c["created"], "notification": 0,
            })
    print(len(list(db.comments.fetch(data["busy"]))))
    """
)


class IssoServer(Server):
    """Isso's WSGI app (``isso.run``) in gunicorn, one worker, stopped by its PID."""

    def __init__(self, bin_dir: Path, config: Path, port: int, log_path: Path) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = open(log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "isso.run",
            ],
            env={"PATH": os.environ.get("PATH", ""), "ISSO_SETTINGS": str(config)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.known_children = {}

    def wait_until_up(self, httpx, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Isso exited with status {self.process.returncode}")
            try:
                if httpx.get(self.base + "/info", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"Isso did not answer on {self.base}")


# --------------------------------------------------------------------------------------------
# Measuring.


def cpu_per_request(server: Server, requests: int, call) -> float:
    """Milliseconds of the server's CPU per request, over ``requests`` sequential calls."""
    before, _ = server.cpu_seconds()
    for _ in range(requests):
        if STOP.is_set():
            break
        call()
    after, _ = server.cpu_seconds()
    return 1000 * (after - before) / requests


def get_ok(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {response.text[:200]}")
    return response


def count_comments(tree: list[dict], key: str) -> int:
    return sum(1 + count_comments(c.get(key) or [], key) for c in tree)


def cold_thread_in_process(requests: int) -> float:
    """CPU ms for the thread when its cache is empty (the first reader after a change)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salon.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_ORIGIN=SITE)
    url = {"url": SITE + BUSY, "limit": 200}
    client.get("/api/v1/thread", url)  # imports, connections
    spent = 0.0
    for _ in range(requests):
        cache.clear()
        began = time.process_time()
        response = client.get("/api/v1/thread", url)
        spent += time.process_time() - began
        assert response.status_code == 200, response.content[:200]
    return 1000 * spent / requests


def posting_in_process(posts: int) -> dict[str, float]:
    """Median CPU ms of one comment through the form and through the API, alternating one by
    one in this process (``time.process_time`` per request: finer than the server's ticks)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salon.settings")
    import statistics

    import django

    django.setup()
    from django.test import Client

    from salon.discussion.visitors import render_time_token
    from salon.management.commands.demo import SLUG
    from salon.publishing.models import Post

    post = Post.objects.get(slug=SLUG)
    shown = render_time_token()
    time.sleep(2.5)  # a reader's typing time: the spam filter looks at it
    browser = Client()
    spent: dict[str, list[float]] = {"form": [], "api": []}

    def form(n: int) -> int:
        return browser.post(
            "/comments/post/",
            {
                "post": post.pk,
                "comment": f"{TEXTS[n % len(TEXTS)]} (form {n})",
                "author": f"Form reader {n}",
                "email": f"form{n}@example.net",
                "shown": shown,
            },
        ).status_code

    def api(n: int) -> int:
        return browser.post(
            "/api/v1/comments",
            {
                "url": SITE + POSTING,
                "text": f"{TEXTS[n % len(TEXTS)]} (api {n})",
                "name": f"API reader {n}",
                "email": f"api{n}@example.net",
                "shown": shown,
            },
            content_type="application/json",
            HTTP_ORIGIN=SITE,
        ).status_code

    for n in range(5):  # the spam engine's model, connections, templates
        form(20_000 + n), api(20_000 + n)
    for n in range(posts):
        for name, send, ok in (("form", form, 302), ("api", api, 201)):
            began = time.process_time()
            status = send(30_000 + n)
            spent[name].append(time.process_time() - began)
            if status != ok:
                raise RuntimeError(f"{name} answered {status}")
    return {name: 1000 * statistics.median(times) for name, times in spent.items()}


def post_blocks(
    httpx, server: Server, form_post: str, posts: int, block: int
) -> tuple[float, float]:
    """CPU ms per comment through the form and through the API, in alternating blocks."""
    with httpx.Client(base_url=server.base, timeout=60) as browser:
        page = get_ok(browser, form_post).text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        post_id = re.search(r'<input type="hidden" name="post" value="(\d+)"', page).group(1)
        shown = re.search(r'name="shown" value="([^"]+)"', page).group(1)
        thread = get_ok(browser, "/api/v1/thread", params={"url": SITE + POSTING}).json()
        time.sleep(2.5)  # a reader's typing time: the spam filter looks at it

        def form(n: int) -> None:
            answer = browser.post(
                "/comments/post/",
                data={
                    "csrfmiddlewaretoken": csrf,
                    "post": post_id,
                    "comment": f"{TEXTS[n % len(TEXTS)]} (form {n})",
                    "author": f"Form reader {n}",
                    "email": f"form{n}@example.net",
                    "url": "",
                    "shown": shown,
                },
                headers={"Referer": server.base + form_post},
            )
            if answer.status_code != 302:
                raise RuntimeError(f"the form answered {answer.status_code}: {answer.text[:300]}")

        def api(n: int) -> None:
            answer = browser.post(
                "/api/v1/comments",
                json={
                    "url": SITE + POSTING,
                    "text": f"{TEXTS[n % len(TEXTS)]} (api {n})",
                    "name": f"API reader {n}",
                    "email": f"api{n}@example.net",
                    "shown": thread["shown"],
                },
                headers={"Origin": SITE},
            )
            if answer.status_code not in (201, 202):
                raise RuntimeError(f"the API answered {answer.status_code}: {answer.text[:300]}")

        for n in range(3):  # the spam engine's model loads on the first check
            form(10_000 + n)
            api(10_000 + n)
        spent = {"form": 0.0, "api": 0.0}
        done = {"form": 0, "api": 0}
        n = 0
        while done["form"] < posts and not STOP.is_set():
            for name, send in (("form", form), ("api", api)):
                before, _ = server.cpu_seconds()
                for _ in range(block):
                    send(n)
                    n += 1
                after, _ = server.cpu_seconds()
                spent[name] += after - before
                done[name] += block
        browser.cookies.clear()
    return 1000 * spent["form"] / done["form"], 1000 * spent["api"] / done["api"]


# --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--thread-requests", type=int, default=300, help="Salon thread GETs")
    parser.add_argument("--isso-requests", type=int, default=30, help="Isso thread GETs")
    parser.add_argument("--count-requests", type=int, default=300, help="counts requests")
    parser.add_argument("--posts", type=int, default=100, help="comments each way (form, API)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cold", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--posting", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        print(json.dumps(seed_salon()))
        return 0
    if args.cold:
        print(json.dumps(cold_thread_in_process(args.cold)))
        return 0
    if args.posting:
        print(json.dumps(posting_in_process(args.posting)))
        return 0

    import httpx
    import psutil

    def interrupted(signum: int, _frame) -> None:
        STOP.set()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    work = Path(tempfile.mkdtemp(prefix="salon-bench-embed-"))
    data_dir = work / "salon-data"
    env = {
        **os.environ,
        "SALON_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "salon.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "SALON_EMBED_ORIGINS": SITE,
        # Every comment of the run comes from this machine, within seconds.
        "SALON_FLOOD_SECONDS": "0",
        "SALON_COMMENT_RATE": "100000/m",
    }
    for name in ("SALON_DATABASE_URL", "SALON_REDIS_URL", "SALON_DEBUG"):
        env.pop(name, None)

    servers: list[Server] = []
    try:
        began = time.perf_counter()
        print(f"Installing Isso {ISSO_VERSION} and gunicorn into a throw-away venv…", flush=True)
        isso_bin = isso_anchor.install(work, GUNICORN)
        print(f"  done in {time.perf_counter() - began:.0f} s. Seeding both…", flush=True)
        comments = conversation()
        isso_port = free_port()
        config = isso_anchor.config(work, isso_port, f"{SITE}/")
        seeded = subprocess.run(
            [str(isso_bin / "python"), "-c", ISSO_SEED, str(config)],
            input=json.dumps(
                {
                    "pages": PAGES,
                    "busy": BUSY,
                    "comments": comments,
                    "counted": counted_pages(),
                }
            ),
            capture_output=True,
            text=True,
        )
        if seeded.returncode != 0:
            sys.stderr.write(seeded.stderr)
            raise RuntimeError("seeding Isso failed")
        run([sys.executable, "-m", "salon.cli", "migrate", "--noinput"], env)
        run([sys.executable, "-m", "salon.cli", "demo"], env)
        salon_seed = json.loads(run([sys.executable, __file__, "--seed"], env))
        print(
            f"  Isso holds {seeded.stdout.strip()} comments on {BUSY}, Salon "
            f"{salon_seed['busy_comments']}; 50 pages each.",
            flush=True,
        )

        isso = IssoServer(isso_bin, config, isso_port, work / "isso.log")
        servers.append(isso)
        salon = Server(env, free_port(), 1, data_dir / "server.log", Server.quiet_options(env))
        servers.append(salon)
        isso.wait_until_up(httpx)
        salon.wait_until_up(httpx)

        with httpx.Client(timeout=120) as client:
            isso_thread = f"{isso.base}/?uri={BUSY}"
            salon_thread = f"{salon.base}/api/v1/thread"
            thread_params = {"url": SITE + BUSY, "limit": 200}
            got = get_ok(client, isso_thread).json()
            isso_shown = count_comments(got["replies"], "replies")
            got = get_ok(
                client, salon_thread, params=thread_params, headers={"Origin": SITE}
            ).json()
            salon_shown = count_comments(got["comments"], "replies")
            urls = [SITE + p for p in PAGES]
            counts_url = salon.base + "/api/v1/counts"
            counted = get_ok(client, counts_url, params={"url": urls}).json()["counts"]
            assert len(counted) == 50
            for _ in range(20):  # warm both up
                client.get(salon_thread, params=thread_params)
                client.get(counts_url, params={"url": urls})
            for _ in range(3):
                client.get(isso_thread)
                client.post(f"{isso.base}/count", json=PAGES)

            load = os.getloadavg()[0]
            isso_ms = cpu_per_request(isso, args.isso_requests, lambda: client.get(isso_thread))
            salon_ms = cpu_per_request(
                salon,
                args.thread_requests,
                lambda: client.get(salon_thread, params=thread_params, headers={"Origin": SITE}),
            )
            counts_ms = cpu_per_request(
                salon, args.count_requests, lambda: client.get(counts_url, params={"url": urls})
            )
            isso_counts_ms = cpu_per_request(
                isso, args.isso_requests, lambda: client.post(f"{isso.base}/count", json=PAGES)
            )
        cold_ms = json.loads(run([sys.executable, __file__, "--cold", "20"], env))
        form_ms, api_ms = post_blocks(httpx, salon, salon_seed["form_post"], args.posts, 10)
        one_by_one = json.loads(run([sys.executable, __file__, "--posting", str(args.posts)], env))

        print()
        print(
            f"gunicorn, 1 worker each, SQLite; server CPU per request (user + system of the "
            f"master and its worker); {psutil.cpu_count()} CPUs, load average {load:.2f}."
        )
        print(f"Isso's thread: {isso_shown} comments; Salon's: {salon_shown}.")
        header = f"{'measure':<46} {'Salon ms':>9} {'Isso ms':>8} {'figure':>9} {'goal':>9}"
        print(header)
        print("-" * len(header))
        ratio = isso_ms / salon_ms
        print(
            f"{'thread of 500 comments (cached)':<46} {salon_ms:>9.2f} {isso_ms:>8.1f} "
            f"{ratio:>8.0f}× {'≥ 30×':>9}"
        )
        print(
            f"{'thread of 500 comments (cold, in-process)':<46} {cold_ms:>9.2f} {isso_ms:>8.1f} "
            f"{isso_ms / cold_ms:>8.0f}× {'':>9}"
        )
        print(
            f"{'counts for 50 pages':<46} {counts_ms:>9.2f} {isso_counts_ms:>8.2f} "
            f"{counts_ms:>7.2f}ms {'≤ 5 ms':>9}"
        )
        print(
            f"{'a comment through the API':<46} {api_ms:>9.2f} {'':>8} "
            f"{api_ms / form_ms:>8.2f}× {'≤ 1.00×':>9}"
        )
        print(f"{'a comment through the form (same server)':<46} {form_ms:>9.2f}")
        print(
            f"{'a comment, API (median, in-process, 1 by 1)':<46} {one_by_one['api']:>9.2f} "
            f"{'':>8} {one_by_one['api'] / one_by_one['form']:>8.2f}× {'≤ 1.00×':>9}"
        )
        print(f"{'a comment, form (median, in-process, 1 by 1)':<46} {one_by_one['form']:>9.2f}")
        print(
            f"Thread: Isso ÷ Salon (goal ≥ {GOALS['thread_ratio']:.0f}×). Counts: Salon's CPU per "
            "request (Isso's POST /count beside it). Comments: API ÷ form, spam filter on, "
            f"{args.posts} each, alternating blocks of 10 on the server, then one by one in-process "
            "(the server's CPU is read in 10 ms ticks; the in-process median is the finer figure)."
        )
        return 0
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
