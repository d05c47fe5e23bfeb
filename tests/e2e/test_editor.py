"""Writing a post in a real browser: the slug follows the title, Markdown is previewed as the
site renders it, a pasted image asks for its alternative text, uploads with a progress bar
and lands at the cursor with its resized copies, and the draft is autosaved."""

from __future__ import annotations

import base64
import io

import pytest
from django.test import Client

from tests.e2e.accessibility import page_width, serious_violations

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests need Playwright (pip install -e '.[test]')"
)
expect = sync_api.expect

pytestmark = pytest.mark.e2e


def _photo() -> str:
    from PIL import Image

    picture = Image.new("RGB", (1200, 800), (30, 110, 160))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


PASTE = """([data, name]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const file = new File([bytes], name, { type: "image/png" });
  const transfer = new DataTransfer();
  transfer.items.add(file);
  window.progressSeen = false;
  new MutationObserver((changes) => {
    for (const change of changes)
      for (const node of change.addedNodes)
        if (node.tagName === "PROGRESS") window.progressSeen = true;
  }).observe(document.body, { childList: true, subtree: true });
  document.querySelector("#id_text").dispatchEvent(
    new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
}"""


@pytest.fixture
def writer(transactional_db, live_server, django_user_model):
    owner = django_user_model.objects.create_superuser("owner", "owner@example.org", "pw-owner-1")
    client = Client()
    client.force_login(owner)
    return live_server.url, {"name": "sessionid", "value": client.cookies["sessionid"].value}


def test_writing_a_post_with_a_pasted_image(page, writer):
    from salon.publishing.models import Autosave, Media, Post

    base, session = writer
    page.context.add_cookies([{**session, "url": base}])
    page.goto(f"{base}/admin/publishing/post/add/")
    expect(page.get_by_label("Markdown")).to_be_checked()

    page.locator("#id_title").press_sequentially("A walk by the sea")
    expect(page.locator("#id_slug")).to_have_value("a-walk-by-the-sea")

    text = page.locator("#id_text")
    text.click()
    page.keyboard.type("## Notes\n\nSome *salt* in the air.\n\n")
    preview = page.frame_locator(".salon-editor-preview")
    expect(preview.locator(".entry-content h3")).to_have_text("Notes")
    expect(preview.locator(".entry-content em")).to_have_text("salt")
    expect(preview.locator(".entry-title")).to_have_text("A walk by the sea")

    page.evaluate(PASTE, [_photo(), "sea.png"])
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog).to_contain_text("Describe the image, or say it is decorative.")
    dialog.get_by_label("Alternative text").fill("Waves on the shore")
    dialog.get_by_label("Alternative text").press("Enter")
    expect(page.locator(".salon-editor-status")).to_contain_text("sea.png is uploaded")
    assert page.evaluate("window.progressSeen"), "a progress bar showed during the upload"
    media = Media.objects.get()
    assert media.alt_text == "Waves on the shore" and (media.width, media.height) == (1200, 800)
    assert [v["width"] for v in media.variants] == [480, 960]
    value = text.input_value()
    assert value.startswith("## Notes\n\nSome *salt* in the air.\n\n")
    assert f"![Waves on the shore]({media.file.url})" in value
    image = preview.locator(".entry-content img")
    expect(image).to_have_attribute("alt", "Waves on the shore")
    expect(image).to_have_attribute("srcset", media.srcset())

    expect(page.locator(".salon-editor-status")).to_contain_text("Draft saved at", timeout=15_000)
    assert Autosave.objects.get(post=None).title == "A walk by the sea"

    assert serious_violations(page, "#content") == []
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    post = Post.objects.get()
    assert post.body_format == "markdown" and post.body_source == value.strip()
    assert post.body.startswith("<h3>Notes</h3>")
    assert f'srcset="{media.srcset()}"' in post.body and 'alt="Waves on the shore"' in post.body
    assert not Autosave.objects.exists(), "saving the post drops its autosave"
    page.set_viewport_size({"width": 390, "height": 800})
    assert page_width(page) <= 390


def test_without_javascript_the_body_is_a_plain_textarea(page_without_js, writer):
    from salon.publishing.models import Post

    base, session = writer
    page = page_without_js
    page.context.add_cookies([{**session, "url": base}])
    page.goto(f"{base}/admin/publishing/post/add/")
    expect(page.locator(".salon-editor-bar")).to_be_hidden()
    page.locator("#id_title").fill("Plain")
    page.locator("#id_slug").fill("plain")
    page.locator("#id_text").fill("Just *words*.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Post.objects.get().body == "<p>Just <em>words</em>.</p>"


def test_the_formatting_buttons_are_buttons(page, writer):
    """The toolbar's controls are read out as buttons (the toolbar's own script gives that
    role only to a bare button, not to Bold, Italic … which replace its set-up), and work."""
    base, session = writer
    page.context.add_cookies([{**session, "url": base}])
    page.goto(f"{base}/admin/publishing/post/add/")
    toolbar = page.get_by_role("toolbar", name="Formatting")
    names = ["Heading", "Bold", "Italic", "Link", "Quote", "Code", "Bulleted list"]
    for name in names + ["Numbered list, 1."]:
        expect(toolbar.get_by_role("button", name=name, exact=True)).to_be_visible()
    text = page.locator("#id_text")
    text.fill("salt")
    text.select_text()
    toolbar.get_by_role("button", name="Bold", exact=True).click()
    expect(text).to_have_value("**salt**")
    # The edit is autosaved; waiting for it also leaves no request in flight when the
    # test's database is emptied (one in flight could roll that emptying back).
    expect(page.locator(".salon-editor-status")).to_contain_text("Draft saved at", timeout=15_000)
