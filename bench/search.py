"""Searching posts: the full-text index beside a plain scan of every post's text.

Run: ``python bench/search.py [--posts N] [--repeat R] [--database-url URL]``.
Prints figures; asserts nothing.

It builds a throw-away site (SQLite in a temporary data directory, or the PostgreSQL database
given, which it empties first: use a scratch one), adds N posts of 400 words each (a fixed
seed): one word in five from 32 common words that every post holds, the rest from 20,000 made-up
words that each sit in a few dozen posts. It then times ``search_posts`` (FTS5 on SQLite, the GIN
index on PostgreSQL) for a few searches, and, as the anchor, the same searches done the naive
way: ``icontains`` on title, excerpt and body for every word, which reads every post's text.
For each it prints the median milliseconds per search (first page of results, as the page
shows it) and the ratio anchor / index.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = (
    "river heron council budget moderation comment reader writer garden winter summer "
    "harbour bridge letter market railway village library festival orchard island forest "
    "museum theatre kitchen window mountain valley station school hospital bakery"
).split()
SYLLABLES = "ka lo mi ne ru sa te vo bi da fe go hu ji".split()
_MAKER = random.Random(18)
RARE = sorted({"".join(_MAKER.choices(SYLLABLES, k=5)) for _ in range(25000)})[:20000]
# A common word (every post: all are ranked), rare ones, a prefix, and a word nobody wrote.
SEARCHES = ["heron", RARE[100], f"{RARE[200]} {RARE[300]}", RARE[400][:5], "zzzqqq"]


def run(posts: int, repeat: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salon.settings")
    import django

    django.setup()
    from datetime import UTC, datetime, timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Q

    from salon.publishing.models import Post
    from salon.publishing.search import search_posts, search_words

    rng = random.Random(16)
    owner = get_user_model().objects.create_user("bench", "bench@example.org", "x")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    batch = []
    for n in range(posts):
        body = " ".join(
            rng.choice(WORDS) if rng.random() < 0.2 else rng.choice(RARE) for _ in range(400)
        )
        batch.append(
            Post(
                title=" ".join(rng.choice(WORDS) for _ in range(5)),
                slug=f"post-{n}",
                author=owner,
                body=f"<p>{body}</p>",
                status=Post.Status.PUBLISHED,
                published_at=start + timedelta(hours=n),
            )
        )
    Post.objects.bulk_create(batch, batch_size=500)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE publishing_post")

    def naive(query: str):
        found = Post.objects.live().posts()
        for word in search_words(query):
            found = found.filter(
                Q(title__icontains=word) | Q(excerpt__icontains=word) | Q(body__icontains=word)
            )
        return found

    def timed(make) -> float:
        samples = []
        for _ in range(repeat):
            began = time.perf_counter()
            list(make()[:10])
            samples.append((time.perf_counter() - began) * 1000)
        return statistics.median(samples)

    print(f"{posts} posts of 400 words, {connection.vendor}, median of {repeat} runs")
    print(f"{'search':28} {'index ms':>9} {'scan ms':>9} {'scan/index':>10}")
    for query in SEARCHES:
        indexed = timed(lambda q=query: search_posts(q))
        scanned = timed(lambda q=query: naive(q))
        print(f"{query!r:28} {indexed:9.2f} {scanned:9.2f} {scanned / indexed:10.1f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        run(args.posts, args.repeat)
        return 0
    salon = Path(sys.executable).with_name("salon")
    with tempfile.TemporaryDirectory(prefix="salon-bench-search-") as data:
        env = {**os.environ, "SALON_DATA_DIR": data}
        if args.database_url:
            env["SALON_DATABASE_URL"] = args.database_url
            subprocess.run([salon, "flush", "--noinput"], env=env, check=False)
        subprocess.run([salon, "migrate", "-v0"], env=env, check=True)
        command = [sys.executable, __file__, "--inside", "--posts", str(args.posts)]
        command += ["--repeat", str(args.repeat)]
        return subprocess.run(command, env=env, cwd=ROOT).returncode


if __name__ == "__main__":
    raise SystemExit(main())
