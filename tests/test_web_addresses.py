"""Only http(s) addresses become links: at every way in, in the pages, and in stored rows.

The comment form, the admin, the importers and mentions refuse or empty any other scheme;
the thread, the post page and the admin check again as they write one, so a row stored
before the rule (or written by code that forgot it) cannot put ``javascript:`` in an href.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.core.management import call_command

from salon.discussion.models import Comment
from salon.interchange.models import Attachment
from salon.web_addresses import web_address

pytestmark = pytest.mark.django_db

SCRIPT_LINKS = [
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript://example.com/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "http:\\\\example.com",  # not refused by browsers, but not an address a person typed
    "ftp://files.example.com/",
    "mailto:ada@example.com",
    "//example.com/",
    "/relative/path",
    "https://",
    "https:///path",
    "https://@",
]


@pytest.mark.parametrize("value", SCRIPT_LINKS)
def test_only_http_and_https_addresses_pass(value):
    assert web_address(value) == ""


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://ada.example/", "https://ada.example/"),
        ("  http://ada.example/a?b=c#d  ", "http://ada.example/a?b=c#d"),
        ("HTTPS://ADA.example", "HTTPS://ADA.example"),
        ("https://ada@ada.example:8080/", "https://ada@ada.example:8080/"),
        ("https://bücher.example/", "https://bücher.example/"),
    ],
)
def test_http_and_https_addresses_are_kept(value, expected):
    assert web_address(value) == expected


def test_addresses_without_a_scheme_from_other_systems_are_read_as_wordpress_does():
    assert web_address("ada.example/me", assume_scheme="http") == "http://ada.example/me"
    assert web_address("ada.example", assume_scheme="http") == "http://ada.example"
    assert web_address("javascript:alert(1)", assume_scheme="http") == ""
    assert web_address("/path", assume_scheme="http") == ""
    assert web_address("ada.example") == ""  # what people type here goes through the form


def _links_in(html: str) -> list[str]:
    return re.findall(r'(?:href|src|cite)="([^"]*)"', html)


def _store_unsafe(comment: Comment, url: str) -> None:
    # As an import or old code stored it: straight into the row, no validation.
    Comment.objects.filter(pk=comment.pk).update(author_url=url)


def test_an_old_row_with_a_script_address_shows_the_name_without_the_link(
    client, post, post_comment
):
    post_comment(post, author="Mallory", url="https://mallory.example/")
    comment = Comment.objects.get()
    _store_unsafe(comment, "javascript:alert(document.domain)")
    post.refresh_from_db()

    page = client.get(post.get_absolute_url()).content.decode()

    assert "Mallory" in page
    assert "javascript:" not in page
    assert all(not link.lower().startswith("javascript") for link in _links_in(page))


def test_the_comment_form_refuses_other_schemes(client, post, post_comment):
    for url in ("javascript:alert(1)", "ftp://files.example.com/", "data:text/html,x"):
        response = post_comment(post, url=url)
        assert response.status_code == 400
        assert "Please enter a valid web address" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_admin_refuses_other_schemes_for_a_comment_and_a_reblog(client, owner, post):
    client.force_login(owner)
    comment = Comment.objects.create(
        post=post, author_name="Ada", content="Hello", status=Comment.Status.APPROVED
    )
    change = f"/admin/discussion/comment/{comment.pk}/change/"
    form = {
        "post": post.pk,
        "status": "approved",
        "kind": "comment",
        "content": "Hello",
        "author_name": "Ada",
        "author_email": "",
        "created_at_0": "2026-01-01",
        "created_at_1": "10:00:00",
    }
    for url in ("javascript:alert(1)", "ftp://files.example.com/"):
        response = client.post(change, {**form, "author_url": url})
        assert response.status_code == 200  # the form again, with the error
        assert "author_url" in response.context["adminform"].form.errors
    comment.refresh_from_db()
    assert comment.author_url == ""
    response = client.post(change, {**form, "author_url": "https://ada.example/"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.author_url == "https://ada.example/"

    post_change = f"/admin/publishing/post/{post.pk}/change/"
    post_form = {
        "title": post.title,
        "slug": post.slug,
        "author": owner.pk,
        "body_format": "html",
        "text": post.body,
        "kind": "post",
        "status": "published",
        "published_at": "2026-01-01T10:00",
        "comments_open": "on",
        "reblog_title": "Elsewhere",
    }
    for url in ("javascript:alert(1)", "ftp://files.example.com/article"):
        response = client.post(post_change, {**post_form, "reblog_url": url})
        assert response.status_code == 200
        assert "reblog_url" in response.context["adminform"].form.errors
    response = client.post(post_change, {**post_form, "reblog_url": "https://x.example/a"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.reblog_url == "https://x.example/a"


def test_the_attachments_admin_links_only_web_addresses(client, owner):
    client.force_login(owner)
    Attachment.objects.create(source="old", source_id="1", title="Bad", url="https://x.example/")
    Attachment.objects.filter(source_id="1").update(url="javascript:alert(1)")
    Attachment.objects.create(source="old", source_id="2", title="Good", url="https://x.example/a")

    page = client.get("/admin/interchange/attachment/").content.decode()

    assert '<a href="https://x.example/a">' in page
    assert 'href="javascript' not in page


def test_the_migration_empties_stored_unsafe_addresses_and_refreshes_cached_threads(
    post, post_comment
):
    post_comment(post, url="https://kept.example/")
    post_comment(post, url="https://gone.example/")
    post_comment(post, url="https://spaced.example/")
    kept, gone, spaced = Comment.objects.order_by("pk")
    _store_unsafe(gone, "javascript:alert(document.cookie)")
    _store_unsafe(spaced, "  https://spaced.example/ ")
    Attachment.objects.create(source="old", source_id="1", title="Bad", url="https://x.example/")
    Attachment.objects.update(url="data:text/html,<script>alert(1)</script>")
    post.refresh_from_db()
    version = post.conversation_version

    comments = importlib.import_module("salon.discussion.migrations.0005_author_url_http_only")
    attachments = importlib.import_module(
        "salon.interchange.migrations.0002_attachment_url_http_only"
    )
    comments.empty_unsafe_author_urls(apps, None)
    attachments.empty_unsafe_attachment_urls(apps, None)

    assert Comment.objects.get(pk=kept.pk).author_url == "https://kept.example/"
    assert Comment.objects.get(pk=gone.pk).author_url == ""
    assert Comment.objects.get(pk=spaced.pk).author_url == "https://spaced.example/"
    assert Attachment.objects.get().url == ""
    post.refresh_from_db()
    assert post.conversation_version > version  # no cached thread keeps the old link


@pytest.mark.django_db(transaction=True)
def test_the_migration_runs_forwards_on_a_database_with_unsafe_rows(post, post_comment):
    post_comment(post, url="https://gone.example/")
    Comment.objects.update(author_url="javascript:alert(1)")

    call_command("migrate", "discussion", "0004", verbosity=0)
    call_command("migrate", "discussion", verbosity=0)

    assert Comment.objects.get().author_url == ""


def test_the_pipeline_stores_no_other_address_whoever_calls_it(post):
    from salon.discussion.pipeline import CommentSubmission, submit_comment

    comment = submit_comment(
        CommentSubmission(
            post=post,
            content="Hello from a caller that forgot to check.",
            author_name="Careless Caller",
            author_email="careless@example.net",
            author_url="javascript:alert(document.domain)",
        )
    )
    comment.refresh_from_db()
    assert comment.author_url == ""
