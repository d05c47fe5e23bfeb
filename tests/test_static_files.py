"""Static files through a real ``salon serve``: hashed names, kept by browsers for good, and sent
compressed (gzip or Brotli, made once when the files are collected) to clients that accept it.
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

import brotli
import httpx
import pytest

from tests.served import make_site

SALON = Path(__file__).resolve().parents[1] / "salon"
FOREVER = "max-age=315360000, public, immutable"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("static"), "static", workers=1)
    site.serve()
    yield site
    site.stop()


def test_the_stylesheet_has_a_hashed_name_and_is_kept_for_good(site):
    page = httpx.get(site.url + site.post_path).text
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    assert re.fullmatch(r"/static/salon/salon\.[0-9a-f]{12}\.css", href), href

    css = httpx.get(site.url + href, headers={"Accept-Encoding": "identity"})
    assert css.status_code == 200
    assert css.headers["Cache-Control"] == FOREVER
    assert css.headers["Content-Type"].startswith("text/css")
    assert css.content == (SALON / "static" / "salon" / "salon.css").read_bytes()


@pytest.mark.parametrize(
    ("encoding", "decode"),
    [("br", brotli.decompress), ("gzip", lambda data: zlib.decompress(data, 16 + zlib.MAX_WBITS))],
)
def test_static_files_are_sent_compressed_to_clients_that_accept_it(site, encoding, decode):
    page = httpx.get(site.url + "/").text
    href = re.search(r'<script src="(/static/salon/salon\.[0-9a-f]{12}\.js)"', page).group(1)
    # Raw bytes as sent, so the test sees the encoding rather than httpx's decoding of it.
    with httpx.stream("GET", site.url + href, headers={"Accept-Encoding": encoding}) as answer:
        sent = b"".join(answer.iter_raw())
    assert answer.headers["Content-Encoding"] == encoding
    assert answer.headers["Cache-Control"] == FOREVER
    source = (SALON / "static" / "salon" / "salon.js").read_bytes()
    assert len(sent) < len(source)
    assert decode(sent) == source


def test_the_editor_and_favicon_are_hashed_and_the_embed_loader_still_answers(site):
    manifest = json.loads((site.data / "static" / "staticfiles.json").read_text())["paths"]
    for name in ("publishing/editor/editor.js", "publishing/editor/editor.css"):
        hashed = manifest[name]
        assert hashed != name
        answer = httpx.get(f"{site.url}/static/{hashed}")
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == FOREVER
        assert answer.content == (SALON / "publishing" / "static" / name).read_bytes()

    favicon = httpx.get(site.url + "/favicon.ico")
    assert favicon.status_code == 301
    assert favicon.headers["Location"] == f"/static/{manifest['salon/favicon.ico']}"

    loader = httpx.get(site.url + "/embed.js")
    assert loader.status_code == 200
    widget = re.search(r"/embed/salon-embed\.[0-9a-f]+\.js", loader.text).group(0)
    assert httpx.get(site.url + widget).status_code == 200


def test_a_restart_finds_the_files_collected_and_serves_the_same_names(site):
    manifest = site.data / "static" / "staticfiles.json"
    before = manifest.stat().st_mtime_ns
    first = re.search(r'href="(/static/salon/salon\.[^"]+\.css)"', httpx.get(site.url).text)
    site.stop()
    site.serve()
    assert manifest.stat().st_mtime_ns == before  # nothing collected again
    again = re.search(r'href="(/static/salon/salon\.[^"]+\.css)"', httpx.get(site.url).text)
    assert again.group(1) == first.group(1)
    assert httpx.get(site.url + again.group(1)).headers["Cache-Control"] == FOREVER
