"""WordPress 6.1 and Isso 0.14, run beside Salon on the same data (issue #19).

``bench/post_page.py`` calls :func:`compare` once its Salon site is built and measured: the
site's two posts (the demo post's 2 comments, the busy post's 500) are read from it
(``anchors/data.py``), Isso is installed into a throw-away virtual environment and measured
(``anchors/isso.py``), WordPress is served from Debian's package on a MariaDB of its own
(``anchors/wordpress.py``), and one table prints Salon beside them, with the ratios. What
cannot run here is skipped, saying why, and the figures of the issue's table stand in for it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Issue #19's table, measured once on this machine: the fallback when one cannot run here.
# CPU ms per request (WordPress: PHP's alone); memory in MiB.
FIXED = {
    "isso": {"thread_busy": 280.0, "comment": 4.7, "memory_mib": 113.0},
    "wordpress": {
        "demo_default": (50.0, None),
        "demo_classic": (26.0, None),
        "busy_default": (1075.0, None),
        "busy_classic": (126.0, None),
        "comment": (18.0, None),
        "memory_php_mib": 191.0,
        "memory_db_mib": 114.0,
    },
}
# Issue #19: the post page costs Salon at least this many times less than WordPress's classic
# theme.
GOAL_VS_CLASSIC = {"demo": 25.0, "busy": 100.0}
ISSO_REPEAT = 20  # requests per case for Isso (its 500-comment thread costs ~0.3 s)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--no-anchors",
        action="store_true",
        help="do not run WordPress and Isso beside Salon (print the issue's fixed figures)",
    )
    parser.add_argument(
        "--anchors-only",
        action="store_true",
        help="build the site and measure only WordPress and Isso on it (no Salon figures)",
    )


def compare(args, env: dict[str, str], salon: dict[str, float] | None) -> None:
    """Measure the anchors on the site in ``env`` and print them beside ``salon``'s figures
    (the in-process figures of bench/post_page.py, page cache on), or the fixed ones."""
    isso = wordpress = None
    notes: list[str] = []
    if args.no_anchors:
        notes.append(
            "WordPress and Isso not run (--no-anchors): issue #19's fixed figures (*); "
            "WordPress's are PHP's CPU alone, without MariaDB's."
        )
    else:
        posts = _export(env)
        work = Path(tempfile.mkdtemp(prefix="salon-bench-anchors-"))
        try:
            isso = _attempt("Isso", notes, lambda: _isso(posts, work / "isso"))
            wordpress = _attempt("WordPress", notes, lambda: _wordpress(posts, work / "wp"))
        finally:
            if getattr(args, "keep", False):
                print(f"Anchors' files kept in {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    print_table(salon, isso, wordpress, notes, not (args.no_server or args.anchors_only))


def _export(env: dict[str, str]) -> dict:
    script = Path(__file__).with_name("data.py")
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise RuntimeError("reading the site's conversations failed")
    return json.loads(done.stdout)


def _attempt(name: str, notes: list[str], measure):
    began = time.perf_counter()
    try:
        figures = measure()
    except Exception as error:  # noqa: BLE001 (any failure: say why, use the fixed figures)
        notes.append(f"{name} skipped: {error}; issue #19's fixed figures shown (*).")
        if name == "WordPress":
            notes.append("WordPress's fixed figures (*) are PHP's CPU alone, without MariaDB's.")
        return None
    print(f"{name} measured in {time.perf_counter() - began:.0f} s.")
    return figures


def _isso(posts: dict, work: Path) -> dict:
    from anchors import isso

    work.mkdir(parents=True)
    return isso.measure(posts, work, ISSO_REPEAT)


def _wordpress(posts: dict, work: Path) -> dict:
    from anchors import wordpress

    why = wordpress.missing()
    if why:
        raise RuntimeError(why)
    work.mkdir(parents=True)
    return wordpress.measure(posts, work)


# --------------------------------------------------------------------------------------------


def _ms(value: float | None, fixed: bool = False) -> str:
    if value is None:
        return "—"
    return (f"{value:,.1f}" if value >= 10 else f"{value:.2f}") + ("*" if fixed else "")


def _ratio(other: float | None, salon: float | None) -> str:
    if other is None or not salon:
        return "—"
    return f"{other / salon:,.0f}×" if other / salon >= 10 else f"{other / salon:.1f}×"


def print_table(
    salon: dict[str, float] | None,
    isso: dict | None,
    wordpress: dict | None,
    notes: list[str],
    memory_below: bool = True,
) -> None:
    salon = salon or {}
    wp = wordpress or FIXED["wordpress"]
    iso = isso or FIXED["isso"]
    wp_fixed, isso_fixed = wordpress is None, isso is None

    def wp_cell(key: str) -> tuple[str, float | None]:
        pair = wp.get(key)
        if pair is None:
            return "—", None
        php, db = pair
        if db is None:
            return _ms(php, wp_fixed), php
        return f"{_ms(php)} + {_ms(db)}", php + db

    rows = []
    for key, label in (
        ("demo", "post page, 2 comments, new reader"),
        ("busy", "post page, 500 comments, new reader"),
    ):
        mine = salon.get(f"{key}_new")
        default, default_total = wp_cell(f"{key}_default")
        classic, classic_total = wp_cell(f"{key}_classic")
        goal = GOAL_VS_CLASSIC[key]
        rows.append(
            (
                label,
                _ms(mine),
                default,
                classic,
                "—",
                _ratio(default_total, mine),
                _ratio(classic_total, mine) + f" (goal ≥ {goal:.0f}×)",
                "—",
            )
        )
    for key, label in (("demo", "thread as JSON, 2 comments"), ("busy", "thread as JSON, 500")):
        value = iso.get(f"thread_{key}")
        rows.append((label, "(no API)", "—", "—", _ms(value, isso_fixed), "—", "—", "—"))
    mine = salon.get("comment")
    comment, comment_total = wp_cell("comment")
    rows.append(
        (
            "posting one comment",
            _ms(mine),
            comment,
            "—",
            _ms(iso.get("comment"), isso_fixed),
            _ratio(comment_total, mine),
            "—",
            _ratio(iso.get("comment"), mine),
        )
    )
    mark = "*" if wp_fixed else ""
    rows.append(
        (
            "memory after the load (PSS, MiB)",
            "(below)" if memory_below else "—",
            f"{wp['memory_php_mib']:.0f} + {wp['memory_db_mib']:.0f}{mark}",
            "—",
            f"{iso['memory_mib']:.0f}{'*' if isso_fixed else ''}",
            "—",
            "—",
            "—",
        )
    )
    header = (
        "case",
        "Salon",
        "WP default",
        "WP classic",
        "Isso",
        "WP default ÷ Salon",
        "WP classic ÷ Salon",
        "Isso ÷ Salon",
    )
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    print()
    print(
        "Salon beside WordPress 6.1 (default theme Twenty Twenty-Three, classic Twenty "
        "Twenty-One) and Isso 0.14 on the same posts: server CPU ms per request (WordPress: "
        "PHP + MariaDB), and the ratio of each to Salon's (in process, page cache on); "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs."
    )
    line = "  ".join(
        cell.ljust(width) if i == 0 else cell.rjust(width)
        for i, (cell, width) in enumerate(zip(header, widths, strict=True))
    )
    print(line)
    print("-" * len(line))
    for row in rows:
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
    if wordpress is not None:
        requests = ", ".join(f"{k} {v}" for k, v in wordpress["requests"].items())
        print(
            f"WordPress: PHP's built-in server (one process, OPcache "
            f"{'on' if wordpress['opcache'] else 'OFF'}) and a MariaDB of its own; CPU from "
            f"/proc over N sequential requests ({requests}); ratios on PHP + MariaDB."
        )
    if isso is not None:
        print(
            f"Isso: time.process_time around its WSGI app, median of {ISSO_REPEAT} requests "
            f"after one (first: {_ms(isso['thread_busy_first'])} ms at 500 comments, "
            f"{_ms(isso['thread_demo_first'])} ms at 2); memory of `isso run` after the same "
            f"load over HTTP; installed in {isso['installed_s']:.0f} s."
        )
    print(
        "Salon's comment includes its spam check and notification; WordPress's and Isso's "
        "have none."
        + (" Salon's memory is printed by the memory run below." if memory_below else "")
    )
    for note in notes:
        print(f"NOTE: {note}")
