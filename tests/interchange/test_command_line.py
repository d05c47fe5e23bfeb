"""The import as a site owner runs it: `salon import_wxr` in a shell, on a big file."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

from salon.interchange.wxr import Header, WxrItem, read_wxr

ROOT = Path(__file__).resolve().parents[2]

ITEM = """<item><title>Post {n}</title><link>http://big.example/?p={n}</link>
<dc:creator>writer</dc:creator><guid isPermaLink="false">http://big.example/?p={n}</guid>
<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded>
<wp:post_id>{n}</wp:post_id><wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
{comments}</item>
"""


def test_reading_a_big_file_needs_the_memory_of_one_item(tmp_path):
    path = tmp_path / "big.xml"
    comment = (
        "<wp:comment><wp:comment_id>{c}</wp:comment_id>"
        "<wp:comment_content>{text}</wp:comment_content></wp:comment>"
    )
    with path.open("w") as out:
        out.write(
            '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Big</title>'
            "<wp:wxr_version>1.2</wp:wxr_version>\n"
        )
        for n in range(1, 3001):
            comments = "".join(comment.format(c=n * 10 + i, text="words " * 40) for i in range(5))
            out.write(ITEM.format(n=n, body="text " * 200, comments=comments))
        out.write("</channel></rss>\n")
    size = path.stat().st_size
    assert size > 8_000_000

    tracemalloc.start()
    items = 0
    with path.open("rb") as handle:
        for record in read_wxr(handle, path.name):
            if isinstance(record, WxrItem):
                items += 1
            else:
                assert isinstance(record, Header)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert items == 3000
    assert peak < size / 10, f"peak {peak:,} bytes for a {size:,}-byte file"


def _salon(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env |= {"SALON_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "salon.settings"}
    return subprocess.run(
        [sys.executable, "-m", "salon.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_line_reports_progress_and_failures(tmp_path, theme_file):
    data = tmp_path / "site"
    assert _salon("migrate", "--noinput", data_dir=data).returncode == 0

    done = _salon("import_wxr", str(theme_file), data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "186 items read" in done.stderr
    assert "post " in done.stdout and "comment " in done.stdout

    broken = tmp_path / "broken.xml"
    broken.write_text(theme_file.read_text(encoding="utf-8").replace("</channel>", "</chanel>"))
    failed = _salon("import_wxr", str(broken), data_dir=data)
    assert failed.returncode != 0
    assert "not well-formed" in failed.stderr and "line " in failed.stderr

    doctype = tmp_path / "doctype.xml"
    doctype.write_text('<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://x.example/d.dtd"><rss/>')
    refused = _salon("import_wxr", str(doctype), data_dir=data)
    assert refused.returncode != 0 and "DOCTYPE" in refused.stderr

    exported = tmp_path / "out.xml"
    done = _salon("export_wxr", str(exported), data_dir=data)
    assert done.returncode == 0 and "33 comments" in done.stdout
    assert exported.stat().st_size > 100_000
