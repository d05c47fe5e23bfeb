"""Moving comments in from another system: `salon import_remark42` beside `salon import_wxr`.

Run: ``python bench/import_comments.py [--pages N] [--comments M]``. Prints figures; asserts
nothing.

It writes the same threads twice, as a Remark42 backup (JSON lines; N pages elsewhere) and as
a WXR 1.2 file (N posts), M comments each (20,000; about half are replies), then in a fresh
SALON_DATA_DIR (SQLite) for each runs ``migrate``, ``createsuperuser`` and the import as child
processes, and prints each import's wall time, CPU time and peak memory (the child's
ru_maxrss), comments per second, and the Remark42 import's CPU time as a ratio of the WXR
import's (the anchor: the importer tuned in ``bench/import_wxr.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = "the of and to in is that it was for on are as with his they at be this from".split()


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60))).capitalize() + "."


def threads(pages: int, comments: int, seed: int = 7) -> list[tuple[int, int, int, str, int]]:
    """(comment id, page, parent id or 0, text, unix time) for every comment."""
    rng = random.Random(seed)
    out = []
    by_page: dict[int, list[int]] = {}
    for n in range(1, comments + 1):
        page = rng.randrange(pages)
        earlier = by_page.setdefault(page, [])
        parent = rng.choice(earlier) if earlier and rng.random() < 0.5 else 0
        out.append((n, page, parent, _text(rng), 1_500_000_000 + n * 60))
        earlier.append(n)
    return out


def write_remark42(path: Path, rows) -> None:
    with path.open("w") as out:
        out.write('{"version":1,"users":[],"posts":[]}\n')
        for n, page, parent, text, when in rows:
            record = {
                "id": f"c{n}",
                "pid": f"c{parent}" if parent else "",
                "text": f"<p>{text}</p>",
                "user": {"name": f"reader {n % 500}", "id": f"u{n % 500}", "ip": "0" * 40},
                "locator": {"site": "bench", "url": f"https://static.example/p/{page}/"},
                "score": n % 3,
                "votes": {f"u{k}": True for k in range(n % 3)},
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when)),
            }
            out.write(json.dumps(record) + "\n")


def write_wxr(path: Path, pages: int, rows) -> None:
    by_page: dict[int, list] = {}
    for row in rows:
        by_page.setdefault(row[1], []).append(row)
    with path.open("w") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Bench</title>'
            "<link>https://bench.example</link><wp:wxr_version>1.2</wp:wxr_version>"
            "<wp:base_blog_url>https://bench.example</wp:base_blog_url>\n"
        )
        for page in range(pages):
            out.write(
                f"<item><title>Page {page}</title><link>https://bench.example/p/{page}/</link>"
                f"<dc:creator>editor</dc:creator><content:encoded>Body</content:encoded>"
                f"<wp:post_id>{page + 1}</wp:post_id>"
                "<wp:post_date_gmt>2017-01-01 00:00:00</wp:post_date_gmt>"
                f"<wp:post_name>page-{page}</wp:post_name><wp:status>publish</wp:status>"
                "<wp:post_type>post</wp:post_type>\n"
            )
            for n, _, parent, text, when in by_page.get(page, []):
                date = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(when))
                out.write(
                    f"<wp:comment><wp:comment_id>{n}</wp:comment_id>"
                    f"<wp:comment_author>reader {n % 500}</wp:comment_author>"
                    f"<wp:comment_date_gmt>{date}</wp:comment_date_gmt>"
                    f"<wp:comment_content><![CDATA[{text}]]></wp:comment_content>"
                    "<wp:comment_approved>1</wp:comment_approved>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel></rss>\n")


def salon(data_dir: Path, *args: str) -> tuple[float, float, float]:
    """Run ``salon ARGS`` in a child; return (wall s, CPU s, peak MB of that child)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env |= {"SALON_DATA_DIR": str(data_dir), "DJANGO_SUPERUSER_PASSWORD": "bench-pw-1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "salon.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def measure(name: str, command: str, path: Path, tmp: Path) -> float:
    data_dir = tmp / name
    data_dir.mkdir()
    salon(data_dir, "migrate", "-v", "0")
    salon(data_dir, "createsuperuser", "--noinput", "--username", "owner", "--email", "o@x.example")
    wall, cpu, peak = salon(data_dir, command, str(path), "-v", "0")
    print(
        f"{name:9} {wall:6.1f} s wall  {cpu:6.1f} s CPU  {peak:6.0f} MB peak (all children)  "
        f"{ARGS.comments / cpu:8,.0f} comments per CPU second"
    )
    return cpu


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=20_000)
    ARGS = parser.parse_args()
    rows = threads(ARGS.pages, ARGS.comments)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        write_remark42(tmp / "backup.jsonl", rows)
        write_wxr(tmp / "export.xml", ARGS.pages, rows)
        print(f"{ARGS.comments:,} comments on {ARGS.pages:,} pages; SQLite")
        anchor = measure("WXR", "import_wxr", tmp / "export.xml", tmp)
        remark42 = measure("Remark42", "import_remark42", tmp / "backup.jsonl", tmp)
        print(f"Remark42 / WXR CPU time: {remark42 / anchor:.2f}")
