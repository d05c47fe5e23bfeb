"""The post page in a real browser: what a reader sees, and what they can do there.

Every comment a test posts comes from 127.0.0.1, and Salon refuses a second comment from one
address within 15 seconds (as WordPress does). So each test posts at most one comment, except
the one about that very guard; each test starts from a fresh database with the demo loaded.
"""

from __future__ import annotations

import re
import time

import pytest

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests need Playwright (pip install -e '.[test]')"
)
expect = sync_api.expect

pytestmark = pytest.mark.e2e

# The comment form is signed with the time it was shown, and the spam filter takes a comment sent
# within two seconds of that for a bot's. The tests wait as long as a (very quick) reader would.
READING_SECONDS = 2.5

SCREENSHOT = "/tmp/salon-e2e-post-page-375.png"
SCREENSHOT_REPLYING = "/tmp/salon-e2e-post-page-375-replying.png"


def comment(page, comment_id: int):
    return page.locator(f"#comment-{comment_id}")


def own_part(page, comment_id: int, selector: str):
    """``selector`` inside this comment's own body, not inside its replies."""
    return page.locator(f"#comment-{comment_id} > article {selector}")


def fill_guest_form(page, text: str, name: str = "Reader One", email: str = "one@example.net"):
    page.fill("#comment", text)
    page.fill("#author", name)
    page.fill("#email", email)


def press_submit_like_a_reader(page) -> None:
    """Press "Post Comment", no sooner than a person could have read the page and typed."""
    waited = time.monotonic() - page.loaded_at
    if waited < READING_SECONDS:
        page.wait_for_timeout(1000 * (READING_SECONDS - waited))
    page.click("#submit")


def submit_and_land_on_new_comment(page) -> int:
    """Press "Post Comment"; return the id of the comment the site sends the reader to."""
    press_submit_like_a_reader(page)
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    return int(page.url.rsplit("#comment-", 1)[1])


def test_reader_sees_the_reblogged_post_and_its_conversation(page, demo):
    page.goto(demo.url)

    expect(page.locator("h1.entry-title")).to_have_text(demo.title)
    expect(page).to_have_title(re.compile(re.escape(demo.title)))

    attribution = page.locator(".reblog-attribution")
    expect(attribution).to_have_text(f"via {demo.title} — © blogfactory")
    source = attribution.get_by_role("link", name=demo.title)
    expect(source).to_have_attribute(
        "href", "https://blogfactory.example/2019/07/13/is-turkey-now-officially-an-ally-of-russia/"
    )

    excerpt = page.locator(".reblog-excerpt")
    expect(excerpt).to_contain_text("Turkey is taking delivery of Russia’s S 400")
    assert (
        excerpt.inner_text()
        .rstrip()
        .endswith("cooperation agreement with the Russian Federation […]")
    )

    image = excerpt.locator("img")
    expect(image).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => img.naturalWidth") > 0

    expect(page.locator("#comments-title")).to_have_text(f"2 thoughts on “{demo.title}”")

    first = comment(page, demo.first_comment_id)
    expect(own_part(page, demo.first_comment_id, ".comment-author")).to_have_text("Sha’Tara")
    expect(own_part(page, demo.first_comment_id, ".comment-content")).to_contain_text(
        "We’re standing firmly upon the ever-shifting sands"
    )
    reply = first.locator(f"> ol.children > li#comment-{demo.reply_id}")
    expect(reply).to_be_visible()
    expect(reply).to_contain_text("Excellent point, Sha’Tara.")
    expect(own_part(page, demo.reply_id, ".likes-label")).to_have_text("Liked by 1 person")
    expect(own_part(page, demo.first_comment_id, ".likes-label")).to_have_text("")

    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply")
    expect(page.locator("#cancel-comment-reply-link")).to_be_hidden()
    expect(
        page.get_by_role("link", name="Learn how your comment data is processed.")
    ).to_be_visible()


def test_guest_comment_is_shown_at_its_anchor(page, demo):
    page.goto(demo.url)
    fill_guest_form(page, "A guest's first thought on the S-400 delivery.")

    new_id = submit_and_land_on_new_comment(page)

    assert page.url.startswith(demo.url)
    new = comment(page, new_id)
    expect(new).to_be_visible()
    expect(new.locator(".comment-author")).to_have_text("Reader One")
    expect(new.locator(".comment-content")).to_have_text(
        "A guest's first thought on the S-400 delivery."
    )
    expect(new).not_to_have_class(re.compile("awaiting-moderation"))
    # A top-level comment: a direct child of the list, numbered after the two already there.
    expect(page.locator(f"ol.comment-list > li#comment-{new_id}")).to_have_count(1)
    expect(new.locator(".comment-number")).to_have_text("3.")
    expect(page.locator("#comments-title")).to_have_text(f"3 thoughts on “{demo.title}”")
    # The form is empty again, ready for another comment.
    expect(page.locator("#comment")).to_have_value("")


def test_second_comment_within_seconds_is_refused_and_kept_in_the_form(page, demo):
    page.goto(demo.url)
    fill_guest_form(page, "Quick first remark.")
    submit_and_land_on_new_comment(page)

    fill_guest_form(page, "And a hasty second one.", name="Reader Two", email="two@example.net")
    with page.expect_response(lambda r: r.url.endswith("/comments/post/")) as answer:
        press_submit_like_a_reader(page)
    assert answer.value.status == 429

    expect(page.locator(".form-error")).to_have_text(
        "You are posting comments too quickly. Slow down."
    )
    # Nothing the reader typed is lost, and nothing was stored.
    expect(page.locator("#comment")).to_have_value("And a hasty second one.")
    expect(page.locator("#author")).to_have_value("Reader Two")
    expect(page.locator("#comments-title")).to_have_text(f"3 thoughts on “{demo.title}”")
    expect(page.locator(".comment-list li.comment")).to_have_count(3)
    expect(page.locator(".comment-list").get_by_text("And a hasty second one.")).to_have_count(0)


def test_reply_with_javascript_moves_the_form_and_nests_the_reply(page, demo):
    page.goto(demo.url)
    respond = page.locator("#respond")
    title = page.locator("#reply-title .reply-title-text")
    cancel = page.locator("#cancel-comment-reply-link")

    own_part(page, demo.first_comment_id, ".comment-reply-link").click()

    # The form now sits right under Sha’Tara's comment, without a page load.
    expect(page.locator(f"#comment-{demo.first_comment_id} > #respond")).to_have_count(1)
    assert "replytocom" not in page.url
    expect(title).to_have_text("Leave a Reply to Sha’Tara")
    expect(cancel).to_be_visible()
    expect(page.locator("#comment")).to_be_focused()

    page.fill("#comment", "Replying in place, with JavaScript on.")
    page.fill("#author", "Script Reader")
    page.fill("#email", "script@example.net")
    new_id = submit_and_land_on_new_comment(page)

    nested = page.locator(f"#comment-{demo.first_comment_id} > ol.children > li#comment-{new_id}")
    expect(nested).to_be_visible()
    expect(nested).to_contain_text("Replying in place, with JavaScript on.")
    expect(nested).to_have_class(re.compile(r"\bdepth-2\b"))
    expect(page.locator("#comments-title")).to_have_text(f"3 thoughts on “{demo.title}”")
    # After the reload the form is back at the foot of the conversation.
    expect(respond).to_have_count(1)
    expect(page.locator("#comments > #respond")).to_have_count(1)


def test_cancel_reply_puts_the_form_back(page, demo):
    page.goto(demo.url)
    title = page.locator("#reply-title .reply-title-text")
    cancel = page.locator("#cancel-comment-reply-link")

    own_part(page, demo.reply_id, ".comment-reply-link").click()
    expect(page.locator(f"#comment-{demo.reply_id} > #respond")).to_have_count(1)
    expect(title).to_have_text(re.compile(r"^Leave a Reply to \S"))
    expect(page.locator("#comment_parent")).to_have_value(str(demo.reply_id))

    cancel.click()

    expect(page.locator("#comments > #respond")).to_have_count(1)
    expect(page.locator(f"#comment-{demo.reply_id} #respond")).to_have_count(0)
    expect(title).to_have_text("Leave a Reply")
    expect(cancel).to_be_hidden()
    expect(page.locator("#comment_parent")).to_have_value("")
    assert not page.url.endswith("#respond")  # the click stayed on the page


def test_reply_without_javascript_uses_replytocom(page_without_js, demo):
    page = page_without_js
    page.goto(demo.url)

    own_part(page, demo.first_comment_id, ".comment-reply-link").click()

    page.wait_for_url(re.compile(rf"\?replytocom={demo.first_comment_id}#respond$"))
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply to Sha’Tara")
    expect(page.locator("#cancel-comment-reply-link")).to_be_visible()
    expect(page.locator("#comment_parent")).to_have_value(str(demo.first_comment_id))

    fill_guest_form(
        page, "Replying the old way, no scripts.", name="Plain Reader", email="plain@example.net"
    )
    new_id = submit_and_land_on_new_comment(page)

    assert "replytocom" not in page.url
    nested = page.locator(f"#comment-{demo.first_comment_id} > ol.children > li#comment-{new_id}")
    expect(nested).to_be_visible()
    expect(nested).to_contain_text("Replying the old way, no scripts.")
    expect(page.locator("#comments-title")).to_have_text(f"3 thoughts on “{demo.title}”")
    expect(page.locator("#reply-title")).not_to_contain_text("Leave a Reply to")


def test_like_with_javascript_updates_in_place(page, demo):
    page.goto(demo.url)
    page.evaluate("window.__salonStillHere = true")

    button = own_part(page, demo.first_comment_id, ".like-button")
    label = own_part(page, demo.first_comment_id, ".likes-label")
    expect(button).to_have_attribute("aria-pressed", "false")

    button.click()
    expect(label).to_have_text("Liked by 1 person")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_text("Liked")

    reply_button = own_part(page, demo.reply_id, ".like-button")
    reply_button.click()
    expect(own_part(page, demo.reply_id, ".likes-label")).to_have_text("Liked by 2 people")
    expect(reply_button).to_have_attribute("aria-pressed", "true")

    button.click()
    expect(label).to_have_text("")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_have_text("Like")

    post_button = page.locator("#likes .like-button")
    post_button.click()
    expect(page.locator("#likes .likes-label")).to_have_text("Liked by 1 person")
    expect(post_button).to_have_attribute("aria-pressed", "true")

    assert page.evaluate("window.__salonStillHere") is True, "the page was reloaded"
    assert page.url == demo.url

    # The likes were stored: a fresh load by the same reader shows them.
    page.reload()
    expect(own_part(page, demo.reply_id, ".likes-label")).to_have_text("Liked by 2 people")
    expect(own_part(page, demo.reply_id, ".like-button")).to_have_attribute("aria-pressed", "true")
    expect(own_part(page, demo.first_comment_id, ".likes-label")).to_have_text("")
    expect(page.locator("#likes .likes-label")).to_have_text("Liked by 1 person")


def test_like_without_javascript_posts_the_form(page_without_js, demo):
    page = page_without_js
    page.goto(demo.url)

    own_part(page, demo.reply_id, ".like-button").click()

    page.wait_for_url(re.compile(rf"#comment-{demo.reply_id}$"))
    expect(own_part(page, demo.reply_id, ".likes-label")).to_have_text("Liked by 2 people")
    expect(own_part(page, demo.reply_id, ".like-button")).to_have_attribute("aria-pressed", "true")
    expect(own_part(page, demo.reply_id, ".like-button")).to_have_text("Liked")

    # Pressing it again takes the like back: one like per person.
    own_part(page, demo.reply_id, ".like-button").click()
    expect(own_part(page, demo.reply_id, ".like-button")).to_have_attribute("aria-pressed", "false")
    expect(own_part(page, demo.reply_id, ".likes-label")).to_have_text("Liked by 1 person")


def test_liking_by_keyboard_keeps_the_focus_on_the_like_button(page, demo):
    page.goto(demo.url)
    button = own_part(page, demo.first_comment_id, ".like-button")
    button.focus()

    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_be_focused()

    # Still there: the next key press acts on the same button, taking the like back.
    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_be_focused()
    expect(own_part(page, demo.first_comment_id, ".likes-label")).to_have_text("")


def test_liking_by_keyboard_without_javascript_comes_back_to_the_comment(page_without_js, demo):
    page = page_without_js
    page.goto(demo.url)
    own_part(page, demo.reply_id, ".like-button").focus()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(rf"#comment-{demo.reply_id}$"))
    expect(own_part(page, demo.reply_id, ".like-button")).to_have_attribute("aria-pressed", "true")
    # The reader's place is the comment: Tab goes on from there, not from the top of the page.
    page.keyboard.press("Tab")
    inside = page.evaluate(
        f"document.getElementById('comment-{demo.reply_id}').contains(document.activeElement)"
    )
    assert inside, page.evaluate("document.activeElement.outerHTML")


def test_page_fits_a_phone_screen(phone_page, demo):
    page = phone_page
    page.goto(demo.url)
    page.wait_for_load_state("load")

    def overflow() -> int:
        return page.evaluate("document.scrollingElement.scrollWidth")

    assert overflow() <= 375 + 1, "the page scrolls sideways at 375 px"
    page.screenshot(path=SCREENSHOT, full_page=True)

    # Replying to the nested reply puts the form two levels deep; it must still fit.
    own_part(page, demo.reply_id, ".comment-reply-link").click()
    expect(page.locator(f"#comment-{demo.reply_id} > #respond")).to_have_count(1)
    assert overflow() <= 375 + 1, "the reply form scrolls sideways at 375 px"
    submit = page.locator("#submit")
    box = submit.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.screenshot(path=SCREENSHOT_REPLYING, full_page=True)


# A reply whose form comes back with an error is still a reply, and the page still works.


def _reply_with_a_bad_email(page, demo) -> None:
    """Without JavaScript, reply to Sha’Tara with an address the browser takes and Salon refuses."""
    page.goto(f"{demo.url}?replytocom={demo.first_comment_id}#respond")
    fill_guest_form(page, "A reply with a mistyped address.", email="reader@mailhost")
    with page.expect_response(lambda r: r.url.endswith("/comments/post/")) as answer:
        page.click("#submit")
    assert answer.value.status == 400
    expect(page.locator(".comment-form-email .field-error")).to_have_text(
        "Please enter a valid email address."
    )


def test_form_error_on_a_reply_still_says_whom_it_replies_to(page_without_js, demo):
    page = page_without_js
    _reply_with_a_bad_email(page, demo)

    expect(page.locator("#comment_parent")).to_have_value(str(demo.first_comment_id))
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply to Sha’Tara", timeout=1_000)
    expect(page.locator("#cancel-comment-reply-link")).to_be_visible(timeout=1_000)


def test_reply_link_on_an_error_page_works_without_javascript(page_without_js, demo):
    page = page_without_js
    _reply_with_a_bad_email(page, demo)

    with page.expect_response(lambda r: "replytocom=" in r.url) as answer:
        own_part(page, demo.reply_id, ".comment-reply-link").click()
    assert answer.value.status == 200, f"{answer.value.url} answered {answer.value.status}"
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply to", timeout=1_000)


def test_the_stored_page_reaches_the_browser_compressed_and_whole(browser, page, demo):
    """Chromium asks for gzip: the second new reader's page comes from the store, compressed
    piece by piece, and decodes to the very page the server renders, their own token in it."""
    import urllib.request

    from django.conf import settings

    assert settings.SALON.get("PAGE_CACHE", "auto") != "off"
    field = re.compile(r'name="(csrfmiddlewaretoken|shown)" value="[^"]*"')
    # Rendered and stored (twice: the very first render of a new site creates its discussion
    # settings, which makes every page stored before then stale).
    for _ in range(2):
        earlier = browser.new_context()
        try:
            earlier.new_page().goto(demo.url)
        finally:
            earlier.close()
    answer = page.goto(demo.url)
    assert answer.headers.get("content-encoding") == "gzip"
    decoded = answer.body()  # as Chromium decoded it
    with urllib.request.urlopen(demo.url) as plain:  # no Accept-Encoding: the page as it is
        assert plain.headers.get("Content-Encoding") is None
        expected = plain.read()
    assert field.sub("…", decoded.decode()) == field.sub("…", expected.decode())
    expect(page.locator("h1.entry-title")).to_have_text(demo.title)
    fill_guest_form(page, "Read through a compressed page, and my comment still arrives.")
    new_id = submit_and_land_on_new_comment(page)
    expect(comment(page, new_id)).to_contain_text("my comment still arrives")
