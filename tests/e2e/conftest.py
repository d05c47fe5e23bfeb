"""Fixtures for the browser tests: headless Chromium (Debian's), the live site, the demo post.

Playwright's own browser download does not work on every machine, so the tests drive the
system's Chromium at /usr/bin/chromium (override with SALON_E2E_CHROMIUM) and skip, saying
why, when it is not there.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mentions.article_server import allow_loopback, other_site  # noqa: F401

# Playwright's sync API keeps an asyncio loop in the main thread; Django would refuse ORM
# calls made there (SynchronousOnlyOperation), although they are plain blocking calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("SALON_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every wait is for something local; 10 s leaves room for a machine busy with other work.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (contexts keep the tests apart)."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the browser tests need Playwright (pip install -e '.[test]')"
    )
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(
            f"the browser tests need Chromium at {CHROMIUM} "
            "(apt-get install chromium, or set SALON_E2E_CHROMIUM to its path)"
        )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class DemoPost:
    """The demo post as it stands in the test database, and where the live site shows it."""

    url: str
    title: str
    first_comment_id: int  # Sha’Tara's comment
    reply_id: int  # the reply to it, liked by one person


@pytest.fixture
def demo(transactional_db, live_server) -> DemoPost:
    """The live site with ``salon demo`` loaded: the reference page's post and conversation."""
    from django.core.management import call_command

    from salon.discussion.models import Comment
    from salon.management.commands.demo import SLUG
    from salon.publishing.models import Post

    call_command("demo", stdout=io.StringIO())
    post = Post.objects.get(slug=SLUG)
    first = Comment.objects.get(post=post, parent=None)
    reply = Comment.objects.get(post=post, parent=first)
    return DemoPost(
        url=live_server.url + post.get_absolute_url(),
        title=post.title,
        first_comment_id=first.pk,
        reply_id=reply.pk,
    )


def _note_load_time(page) -> None:
    """Keep ``page.loaded_at``: when the page now shown was loaded (time.monotonic())."""
    page.loaded_at = time.monotonic()
    page.on("domcontentloaded", lambda loaded: setattr(loaded, "loaded_at", time.monotonic()))


# Each tab asks for the test database itself, so that the tab is closed before the database
# is emptied after the test: the live server shares the in-memory database's connection, and
# a request the tab still had in flight (an autosave) could roll that emptying back.


def _open_context(browser, **options):
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS * 2)
    context.on("page", _note_load_time)
    return context


@pytest.fixture
def page(transactional_db, browser) -> Iterator:
    """A fresh browser tab (own cookies) with JavaScript on."""
    context = _open_context(browser)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page_without_js(transactional_db, browser) -> Iterator:
    """A fresh browser tab with JavaScript off, as some readers (and crawlers) have it."""
    context = _open_context(browser, java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone_page(transactional_db, browser) -> Iterator:
    """A tab the size of a small phone's screen (375×740 CSS pixels)."""
    context = _open_context(
        browser,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        yield context.new_page()
    finally:
        context.close()
