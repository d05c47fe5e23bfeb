"""Moving a big WordPress site in and out: `salon import_wxr` and `salon export_wxr`.

Run: ``python bench/import_wxr.py [--posts N] [--comments M] [--keep]``. Prints figures; asserts
nothing. ``--adversarial`` instead imports hostile files (2 million nested elements in 14 MB,
a 0.4 MB .xml.gz expanding to 400 MB, and others: :data:`ADVERSARIAL`) and prints each one's
peak memory and what the importer answered.

It writes a WXR 1.2 file of N posts (10,000) and M threaded comments (100,000; about half are
replies, some many levels deep) to a temporary directory, then in a fresh SALON_DATA_DIR
(SQLite) runs ``python -m salon.cli migrate`` and ``python -m salon.cli import_wxr`` as child
processes, and prints the import's wall time and peak memory (the child's ru_maxrss) against
the goals, then the export's time. Set SALON_DATABASE_URL to measure on PostgreSQL instead
(the database must be empty).

Goals (this machine): import ≤ 60 s and ≤ 300 MB, whatever the file.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 60.0
GOAL_MB = 300.0
CPU: dict[str, float] = {}

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Bench blog</title><link>https://bench.example</link><language>en</language>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://bench.example</wp:base_site_url>
<wp:base_blog_url>https://bench.example</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[editor]]></wp:author_login>
<wp:author_email><![CDATA[editor@bench.example]]></wp:author_email></wp:author>
"""

WORDS = (
    "the of and to in is that it was for on are as with his they at be this from have or by "
    "one had not but what all were when we there can an your which their said if do will each "
    "about how up out them then she many some so these would other into has more her two like"
).split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def write_wxr(path: Path, posts: int, comments: int, seed: int = 1) -> None:
    """Write a WXR file of ``posts`` posts and ``comments`` threaded comments to ``path``."""
    rng = random.Random(seed)
    per_post, extra = divmod(comments, posts)
    categories = [f"topic-{i}" for i in range(20)]
    comment_id = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for slug in categories:
            out.write(
                f"<wp:category><wp:term_id>{len(slug)}</wp:term_id><wp:category_nicename>{slug}"
                f"</wp:category_nicename><wp:category_parent></wp:category_parent>"
                f"<wp:cat_name><![CDATA[{slug.title()}]]></wp:cat_name></wp:category>\n"
            )
        for n in range(1, posts + 1):
            day = 1 + n % 28
            month = 1 + n % 12
            date = f"2019-{month:02d}-{day:02d} 10:{n % 60:02d}:00"
            body = "".join(f"<p>{_sentence(rng, 40)}</p>\n" for _ in range(5))
            out.write(
                f"<item><title>Post number {n}</title>"
                f"<link>https://bench.example/2019/{month:02d}/{day:02d}/post-number-{n}/</link>"
                f"<dc:creator><![CDATA[editor]]></dc:creator>"
                f'<guid isPermaLink="false">https://bench.example/?p={n}</guid>'
                f"<description></description><content:encoded><![CDATA[{body}]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>{n}</wp:post_id>"
                f"<wp:post_date>{date}</wp:post_date><wp:post_date_gmt>{date}</wp:post_date_gmt>"
                f"<wp:comment_status>open</wp:comment_status><wp:post_name>post-number-{n}"
                f"</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                f"<wp:is_sticky>0</wp:is_sticky>"
                f'<category domain="category" nicename="{categories[n % 20]}">'
                f"<![CDATA[{categories[n % 20].title()}]]></category>\n"
            )
            in_post: list[int] = []
            for i in range(per_post + (1 if n <= extra else 0)):
                comment_id += 1
                # Half are replies, to a recent comment: threads grow deep as well as wide.
                parent = rng.choice(in_post[-3:]) if in_post and rng.random() < 0.5 else 0
                approved = rng.choices(["1", "0", "spam", "trash"], [85, 5, 8, 2])[0]
                out.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author><![CDATA[Reader {comment_id % 5000}]]></wp:comment_author>"
                    f"<wp:comment_author_email>reader{comment_id % 5000}@mail.example"
                    f"</wp:comment_author_email><wp:comment_author_url></wp:comment_author_url>"
                    f"<wp:comment_author_IP>10.{comment_id % 250}.{i % 250}.1</wp:comment_author_IP>"
                    f"<wp:comment_date>2019-{month:02d}-{day:02d} 12:{i % 60:02d}:00</wp:comment_date>"
                    f"<wp:comment_date_gmt>2019-{month:02d}-{day:02d} 12:{i % 60:02d}:{comment_id % 60:02d}"
                    f"</wp:comment_date_gmt>"
                    f"<wp:comment_content><![CDATA[{_sentence(rng, 25)}\n\n{_sentence(rng, 15)}]]>"
                    f"</wp:comment_content><wp:comment_approved>{approved}</wp:comment_approved>"
                    f"<wp:comment_type>comment</wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent>"
                    f"<wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n"
                )
                in_post.append(comment_id)
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")


# --------------------------------------------------------------------------------------------
# Hostile files: each is a WXR whose one post holds the attack.

MB = 1024 * 1024
POST_HEAD = (
    "<item><title>Hostile</title><link>https://bench.example/2019/01/01/hostile/</link>"
    "<dc:creator>editor</dc:creator><wp:post_id>1</wp:post_id>"
    "<wp:post_date_gmt>2019-01-01 10:00:00</wp:post_date_gmt><wp:post_name>hostile</wp:post_name>"
    "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
)
COMMENT_HEAD = (
    "<wp:comment><wp:comment_id>{n}</wp:comment_id><wp:comment_author>Reader</wp:comment_author>"
    "<wp:comment_date_gmt>2019-01-02 10:00:00</wp:comment_date_gmt>"
    "<wp:comment_approved>1</wp:comment_approved><wp:comment_content>"
)
COMMENT_TAIL = "</wp:comment_content></wp:comment>"
TAIL = "</item></channel></rss>\n"


def _repeat(out, piece: bytes, total: int) -> None:
    """Write ``piece`` over and over until ``total`` bytes, a megabyte at a time."""
    block = piece * max(1, MB // len(piece))
    written = 0
    while written + len(block) <= total:
        out.write(block)
        written += len(block)
    out.write(piece * ((total - written) // len(piece)))


def hostile_nested(path: Path) -> None:
    """2,000,000 elements nested in one another: 14 MB."""
    with path.open("wb") as out:
        out.write((HEAD + POST_HEAD).encode())
        _repeat(out, b"<a>", 3 * 2_000_000)
        _repeat(out, b"</a>", 4 * 2_000_000)
        out.write(TAIL.encode())


def hostile_gzip(path: Path) -> None:
    """One comment of 400 MB of the same letter, compressed: about 0.4 MB."""
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write((HEAD + POST_HEAD + COMMENT_HEAD.format(n=1)).encode())
        _repeat(out, b"a", 400 * MB)
        out.write((COMMENT_TAIL + TAIL).encode())


def hostile_gzip_spaces(path: Path) -> None:
    """400 MB of spaces between two posts, compressed: about 0.4 MB."""
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write((HEAD + POST_HEAD + "</item>").encode())
        _repeat(out, b" ", 400 * MB)
        out.write(POST_HEAD.replace("<wp:post_id>1<", "<wp:post_id>2<").encode())
        out.write(TAIL.encode())


def hostile_comment(path: Path) -> None:
    """One comment of 100 MB (WordPress allows 65,525 characters)."""
    with path.open("wb") as out:
        out.write((HEAD + POST_HEAD + COMMENT_HEAD.format(n=1)).encode())
        _repeat(out, b"word ", 100 * MB)
        out.write((COMMENT_TAIL + TAIL).encode())


def hostile_wide(path: Path) -> None:
    """One post with 2,000,000 empty sibling elements: 8 MB."""
    with path.open("wb") as out:
        out.write((HEAD + POST_HEAD).encode())
        _repeat(out, b"<b/>", 4 * 2_000_000)
        out.write(TAIL.encode())


def hostile_names(path: Path) -> None:
    """2,000,000 elements, each with a name of its own, in 2,000 posts."""
    with path.open("wb") as out:
        out.write(HEAD.encode())
        n = 0
        for post in range(2000):
            out.write(POST_HEAD.replace("<wp:post_id>1<", f"<wp:post_id>{post + 1}<").encode())
            out.write("".join(f"<n{n + i}/>" for i in range(1000)).encode())
            n += 1000
            out.write(b"</item>")
        out.write(b"</channel></rss>\n")


def hostile_attribute(path: Path) -> None:
    """One attribute of 200 MB."""
    with path.open("wb") as out:
        out.write((HEAD + POST_HEAD + '<category domain="').encode())
        _repeat(out, b"x", 200 * MB)
        out.write(('">c</category>' + TAIL).encode())


def hostile_xml_comment(path: Path) -> None:
    """One XML comment (<!-- … -->) of 200 MB."""
    with path.open("wb") as out:
        out.write((HEAD + POST_HEAD + "<!--").encode())
        _repeat(out, b"x", 200 * MB)
        out.write(("-->" + TAIL).encode())


def _posts_of_long_comments(path: Path, posts: int, per_post: int) -> None:
    text = ("All the words a comment may hold. " * 2000)[:65_525]
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for post in range(posts):
            out.write(POST_HEAD.replace("<wp:post_id>1<", f"<wp:post_id>{post + 1}<"))
            for i in range(per_post):
                out.write(COMMENT_HEAD.format(n=post * per_post + i + 1) + text + COMMENT_TAIL)
            out.write("</item>")
        out.write("</channel></rss>\n")


def longest_comments(path: Path) -> None:
    """Not hostile: 2,000 comments of 65,525 characters (the most WordPress allows), 20 a
    post. Imported whole."""
    _posts_of_long_comments(path, 100, 20)


def fullest_post(path: Path) -> None:
    """Not hostile: one post with 370 comments of 65,525 characters, just under the limit
    on one record's text. Imported whole."""
    _posts_of_long_comments(path, 1, 370)


ADVERSARIAL = {
    "nested.xml": hostile_nested,
    "bomb.xml.gz": hostile_gzip,
    "bomb-spaces.xml.gz": hostile_gzip_spaces,
    "long-comment.xml": hostile_comment,
    "wide.xml": hostile_wide,
    "many-names.xml": hostile_names,
    "long-attribute.xml": hostile_attribute,
    "long-xml-comment.xml": hostile_xml_comment,
    "longest-comments.xml": longest_comments,
    "fullest-post.xml": fullest_post,
}


def adversarial(work: Path, env: dict[str, str], names: list[str]) -> None:
    """Import each hostile file into a fresh site; print its size, peak memory and answer."""
    print(f"{'file':<22} {'size':>9} {'peak':>8} {'vs goal':>8}  answer")
    worst = 0.0
    for name in names:
        write = ADVERSARIAL[name]
        path = work / name
        write(path)
        size = path.stat().st_size
        site = work / f"site-{name}"
        run_env = {**env, "SALON_DATA_DIR": str(site)}
        _s, _mb, code, output = run_child(["migrate", "--noinput", "-v0"], run_env)
        if code:
            sys.exit(f"migrate failed ({code}): {output}")
        seconds, peak_mb, code, output = run_child(["import_wxr", "-v0", str(path)], run_env)
        answer = output.strip().splitlines()[-1] if output.strip() else ""
        if code == 0:
            answer = "imported: " + " ".join(
                line.split()[0] + " " + line.split()[1]
                for line in output.splitlines()
                if line.startswith(("post ", "comment "))
            )
        print(
            f"{name:<22} {size / MB:>7.1f} MB {peak_mb:>5.0f} MB {peak_mb / GOAL_MB:>7.2f}  "
            f"{'exit ' + str(code) + ': ' if code else ''}{answer[:150]} ({seconds:.1f} s)"
        )
        worst = max(worst, peak_mb)
        path.unlink()
        shutil.rmtree(site, ignore_errors=True)
    print(f"worst peak: {worst:.0f} MB (goal ≤ {GOAL_MB:.0f} MB, ratio {worst / GOAL_MB:.2f})")


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Run ``python -m salon.cli ARGS``; return (seconds, peak MB, exit code, output).

    Also records the child's CPU time (user + system) in ``CPU[args[0]]``: on a shared,
    busy machine the wall time moves with the load around it, the CPU time much less.
    """
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "salon.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = child.stdout.read() if child.stdout else ""
    # wait4 gives this child's own resource usage (RUSAGE_CHILDREN would mix in the others).
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    CPU[args[0]] = usage.ru_utime + usage.ru_stime
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS
    return seconds, usage.ru_maxrss / scale, child.returncode, output


def main() -> None:
    """Generate, import, export; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--adversarial",
        nargs="*",
        metavar="FILE",
        choices=[*ADVERSARIAL, []],
        help="import hostile files instead (all, or those named: " + ", ".join(ADVERSARIAL) + ")",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="salon-bench-wxr-"))
    try:
        if args.adversarial is not None:
            env = {k: v for k, v in os.environ.items() if k != "SALON_DATA_DIR"}
            env["DJANGO_SETTINGS_MODULE"] = "salon.settings"
            env.pop("SALON_DATABASE_URL", None)  # each file gets a fresh SQLite site
            adversarial(work, env, args.adversarial or list(ADVERSARIAL))
            return
        source = work / "big.xml"
        started = time.perf_counter()
        write_wxr(source, args.posts, args.comments)
        size_mb = source.stat().st_size / 1e6
        print(
            f"wrote {source.name}: {args.posts:,} posts, {args.comments:,} comments, "
            f"{size_mb:.1f} MB in {time.perf_counter() - started:.1f} s"
        )
        env = {k: v for k, v in os.environ.items() if k != "SALON_DATA_DIR"}
        env["SALON_DATA_DIR"] = str(work / "site")
        env["DJANGO_SETTINGS_MODULE"] = "salon.settings"
        database = "PostgreSQL" if env.get("SALON_DATABASE_URL") else "SQLite"

        seconds, _mb, code, output = run_child(["migrate", "--noinput", "-v0"], env)
        if code:
            print(output)
            sys.exit(f"migrate failed ({code})")

        seconds, peak_mb, code, output = run_child(["import_wxr", str(source)], env)
        print(output.rstrip())
        if code:
            sys.exit(f"import failed ({code})")
        items = args.posts + args.comments
        print(
            f"import ({database}): {seconds:.1f} s (goal ≤ {GOAL_SECONDS:.0f} s, ratio "
            f"{seconds / GOAL_SECONDS:.2f}), {items / seconds:,.0f} posts+comments/s; "
            f"peak memory {peak_mb:.0f} MB (goal ≤ {GOAL_MB:.0f} MB, ratio {peak_mb / GOAL_MB:.2f})"
        )
        cpu = CPU["import_wxr"]
        print(
            f"  CPU time of the import process: {cpu:.1f} s (ratio to the time goal "
            f"{cpu / GOAL_SECONDS:.2f}); machine load average now {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} CPUs"
        )

        seconds, _mb, code, output = run_child(["import_wxr", str(source)], env)
        print(
            f"re-import of the same file (nothing to do): {seconds:.1f} s, "
            f"CPU {CPU['import_wxr']:.1f} s"
        )

        target = work / "export.xml"
        seconds, peak_mb, code, output = run_child(["export_wxr", str(target)], env)
        print(output.rstrip())
        print(
            f"export: {seconds:.1f} s (CPU {CPU['export_wxr']:.1f} s), peak memory {peak_mb:.0f} MB, "
            f"{target.stat().st_size / 1e6:.1f} MB written"
            if code == 0
            else f"export failed ({code})"
        )
        print(
            f"this process: peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
