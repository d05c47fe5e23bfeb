"""Writing posts: Markdown rendered and sanitised as the site stores it, the preview that is
the same rendering, images uploaded with resized copies, autosaves, and HTML kept for those
who write it (imported posts)."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from PIL import Image

from salon.publishing.models import Autosave, Media, Post

pytestmark = pytest.mark.django_db

PREVIEW = "/admin/publishing/post/editor/preview/"
UPLOAD = "/admin/publishing/post/editor/upload/"
AUTOSAVE = "/admin/publishing/post/editor/autosave/"


@pytest.fixture
def staff(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def _image(width=1200, height=800, kind="PNG", **save) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 20)).save(out, kind, **save)
    out.seek(0)
    out.name = f"photo.{kind.lower()}"
    return out


def test_markdown_is_rendered_sanitised_and_headings_start_below_the_title(make_post):
    post = make_post(
        body_format=Post.Format.MARKDOWN,
        body_source=(
            '# Part one\n\nSome *words* and "quotes" -- see https://example.org.\n\n'
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
            '<script>alert(1)</script>\n\n[bad](javascript:alert(1)) <img src=x onerror="alert(1)">'
        ),
    )
    body = post.body
    assert body.startswith("<h2>Part one</h2>")
    assert "<em>words</em>" in body and "“quotes”" in body and "–" in body
    assert '<a href="https://example.org" rel="noopener">https://example.org</a>' in body
    assert "<table>" in body and "<td>1</td>" in body
    assert "<script" not in body and "alert(1)</" not in body and "onerror" not in body
    assert 'href="javascript' not in body, "the link stays text"


def test_html_posts_keep_their_html(make_post):
    post = make_post(body="<p>As <b>imported</b></p><script>x</script>")
    assert post.body_format == Post.Format.HTML
    assert post.body == "<p>As <b>imported</b></p>"


def test_the_preview_is_the_saved_rendering(staff, make_post):
    source = "## Hello\n\nA [link](https://example.org) and `code`.\n\n<iframe src=x></iframe>"
    preview = staff.post(PREVIEW, {"text": source, "format": "markdown"}).json()["html"]
    post = make_post(body_format=Post.Format.MARKDOWN, body_source=source)
    assert preview == post.body and "<iframe" not in preview
    as_html = staff.post(PREVIEW, {"text": "<p>x</p><script>y</script>", "format": "html"})
    assert as_html.json()["html"] == "<p>x</p>"


def test_an_uploaded_image_gets_resized_copies_and_a_srcset(staff, make_post):
    response = staff.post(UPLOAD, {"file": _image(), "alt": "A red [square]"})
    assert response.status_code == 201
    answer = response.json()
    media = Media.objects.get()
    assert (media.width, media.height, media.alt_text) == (1200, 800, "A red [square]")
    assert [v["width"] for v in media.variants] == [480, 960]
    for variant in media.variants:
        with media.file.storage.open(variant["name"]) as copy, Image.open(copy) as small:
            assert small.width == variant["width"]
            assert small.height == round(800 * variant["width"] / 1200)
    assert answer["markdown"] == f"![A red \\[square\\]]({media.file.url})"
    assert (
        f'srcset="{media.srcset()}"' in answer["html"] and 'alt="A red [square]"' in answer["html"]
    )
    assert media.srcset().endswith(f"{media.file.url} 1200w")

    post = make_post(body_format=Post.Format.MARKDOWN, body_source=answer["markdown"])
    img = re.search(r"<img [^>]+>", post.body).group(0)
    for attribute in (
        f'src="{media.file.url}"',
        'alt="A red [square]"',
        'width="1200"',
        'height="800"',
        f'srcset="{media.srcset()}"',
        'loading="lazy"',
        "sizes=",
    ):
        assert attribute in img


def test_small_and_animated_images_are_kept_as_they_are(staff):
    staff.post(UPLOAD, {"file": _image(300, 200), "alt": "small"})
    frames = [Image.new("RGB", (800, 600), c) for c in ((255, 0, 0), (0, 0, 255))]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    gif.seek(0)
    gif.name = "moving.gif"
    assert staff.post(UPLOAD, {"file": gif, "alt": "moving"}).status_code == 201
    assert [m.variants for m in Media.objects.order_by("pk")] == [[], []]


def test_uploads_that_are_refused_say_why(staff, monkeypatch):
    svg = io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    svg.name = "logo.svg"
    text = io.BytesIO(b"not an image")
    text.name = "notes.png"
    cases = [
        ({}, 400, "Choose an image"),
        ({"file": svg, "alt": "logo"}, 400, "not an image Salon can read"),
        ({"file": text, "alt": "notes"}, 400, "not an image Salon can read"),
        ({"file": _image(), "alt": ""}, 400, "alternative text"),
    ]
    for data, status, words in cases:
        response = staff.post(UPLOAD, data)
        assert response.status_code == status and words in response.json()["error"]
    assert staff.post(UPLOAD, {"file": _image(), "decorative": "1"}).status_code == 201
    monkeypatch.setattr("salon.publishing.editor.MAX_UPLOAD_BYTES", 100)
    too_big = staff.post(UPLOAD, {"file": _image(), "alt": "big"})
    assert too_big.status_code == 413 and "20 MB" in too_big.json()["error"]
    assert Media.objects.count() == 1


def test_the_editors_endpoints_are_for_writers_only(client, django_user_model, owner):
    for url in (PREVIEW, UPLOAD, AUTOSAVE):
        assert client.post(url, {"text": "x"}).status_code == 302  # to the admin's log-in
    helper = django_user_model.objects.create_user("h", "h@example.net", "pw-h-1", is_staff=True)
    client.force_login(helper)
    for url in (PREVIEW, UPLOAD, AUTOSAVE):
        assert client.post(url, {"text": "x"}).status_code == 403
    helper.user_permissions.add(Permission.objects.get(codename="change_post"))
    assert client.post(PREVIEW, {"text": "x"}).status_code == 200
    assert client.post(UPLOAD, {"file": _image(), "alt": "x"}).status_code == 403  # no media right
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(owner)
    assert guarded.post(PREVIEW, {"text": "x"}).status_code == 403


def test_an_autosave_is_offered_back_until_the_post_is_saved(staff, owner, make_post):
    post = make_post(title="Saved title", body_format=Post.Format.MARKDOWN, body_source="old")
    answer = staff.post(
        AUTOSAVE,
        {"post": post.pk, "title": "Newer title", "text": "new words", "format": "markdown"},
    )
    assert answer.status_code == 200 and answer.json()["message"].startswith("Draft saved at")
    saved = Autosave.objects.get(post=post)
    assert (saved.title, saved.text, saved.author) == ("Newer title", "new words", owner)
    staff.post(AUTOSAVE, {"post": post.pk, "title": "Newest", "text": "newer", "format": "html"})
    assert Autosave.objects.get().title == "Newest"

    page = staff.get(f"/admin/publishing/post/{post.pk}/change/").content.decode()
    assert "data-restore=" in page and "Newest" in page
    assert 'name="text"' in page and ">old</textarea>" in page

    form = {
        "title": "Saved title",
        "slug": post.slug,
        "body_format": "markdown",
        "text": "final *words*\r\nsecond line",
        "excerpt": "",
        "status": "published",
        "published_at": "2024-05-01T10:00",
        "author": owner.pk,
        "kind": "post",
        "comments_open": "on",
        "tags": "Sea, walks, sea",
    }
    response = staff.post(f"/admin/publishing/post/{post.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert post.body_source == "final *words*\nsecond line"
    assert post.body == "<p>final <em>words</em>\nsecond line</p>"
    assert sorted(post.tags.values_list("name", flat=True)) == ["Sea", "walks"]
    assert not Autosave.objects.exists()
    assert (
        "data-restore="
        not in staff.get(f"/admin/publishing/post/{post.pk}/change/").content.decode()
    )
    assert staff.post(AUTOSAVE, {"post": 999999, "text": "x"}).status_code == 404


def test_a_new_post_is_written_in_markdown_by_default(staff):
    page = staff.get("/admin/publishing/post/add/").content.decode()
    assert re.search(r'<input type="radio" name="body_format" value="markdown"[^>]*checked', page)
    assert 'type="datetime-local"' in page
