"""What a site embeds: a small stable loader, and the widget under a name that changes with it."""

from __future__ import annotations

import gzip
import re

import pytest

from salon.embed.widget import SOURCE

pytestmark = pytest.mark.django_db

BUDGET = 15_000  # bytes, gzipped


def _widget_path(client) -> str:
    loader = client.get("/embed.js")
    return re.search(r"'(/embed/salon-embed\.[0-9a-f]+\.js)'", loader.content.decode()).group(1)


def test_the_loader_is_stable_and_short_lived_and_names_the_current_widget(client):
    loader = client.get("/embed.js")

    assert loader.status_code == 200
    assert loader["Content-Type"].startswith("text/javascript")
    assert loader["Cache-Control"] == "public, max-age=300"
    assert len(loader.content) < 400


def test_the_widget_is_cached_for_a_year_under_its_hash(client):
    path = _widget_path(client)

    plain = client.get(path)
    zipped = client.get(path, HTTP_ACCEPT_ENCODING="gzip, br")

    assert plain.status_code == 200
    assert plain["Cache-Control"] == "public, max-age=31536000, immutable"
    assert plain.content == SOURCE.read_bytes()
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content


def test_an_old_widget_name_leads_to_the_current_one(client):
    old = client.get("/embed/salon-embed.0123456789abcdef.js")
    assert old.status_code == 302
    assert old["Location"] == _widget_path(client)


def test_the_widget_stays_within_15_kb_gzipped_and_asks_no_one_but_salon():
    source = SOURCE.read_text()

    assert len(gzip.compress(source.encode(), 9)) <= BUDGET
    # Every request goes through call() to Salon's own address; no other site is named.
    assert source.count("fetch(") == 1
    assert not re.search(r"https?://(?!comments\.example)", source)
    assert "import " not in source and "require(" not in source
