"""A password-protected post in a real browser: the form, a wrong password, the right one —
without JavaScript, and on a phone and a desktop with no serious accessibility finding."""

from __future__ import annotations

import pytest

from tests.e2e.accessibility import page_width, serious_violations

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests need Playwright (pip install -e '.[test]')"
)
expect = sync_api.expect

pytestmark = pytest.mark.e2e

PROMPT = "This content is password protected."


def protect(demo, password: str) -> None:
    from salon.publishing.models import Post

    Post.objects.filter(title=demo.title).update(password=password)


def enter(page, password: str) -> None:
    page.get_by_label("Password:").fill(password)
    page.get_by_role("button", name="Enter").click()


def test_a_reader_unlocks_a_protected_post_without_javascript(page_without_js, demo):
    protect(demo, "turkey")
    page = page_without_js
    page.goto(demo.url)
    expect(page.locator("h1.entry-title")).to_have_text(demo.title)
    expect(page.get_by_text(PROMPT)).to_be_visible()
    expect(page.locator(".reblog-excerpt")).to_have_count(0)
    expect(page.locator("#comments")).to_have_count(0)

    enter(page, "not it")
    expect(page.get_by_role("alert")).to_have_text("That password is not right. Please try again.")
    expect(page.locator("#comments")).to_have_count(0)

    enter(page, "turkey")
    page.wait_for_url(demo.url)
    expect(page.locator(".reblog-excerpt")).to_contain_text("Turkey is taking delivery")
    expect(page.locator(f"#comment-{demo.first_comment_id}")).to_be_visible()
    expect(page.get_by_text(PROMPT)).to_have_count(0)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_password_form_fits_and_passes_axe(page, demo, width):
    protect(demo, "turkey")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo.url)
    expect(page.get_by_text(PROMPT)).to_be_visible()
    assert page_width(page) <= width
    assert serious_violations(page) == []

    enter(page, "not it")
    expect(page.get_by_role("alert")).to_be_visible()
    assert page_width(page) <= width
    assert serious_violations(page) == []
