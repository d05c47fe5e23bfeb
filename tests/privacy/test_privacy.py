"""The privacy page tells the truth about the running site, and retention keeps its word."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from salon.discussion.models import Comment

pytestmark = pytest.mark.django_db


def test_privacy_page_follows_the_settings(client, settings):
    settings.SALON = {**settings.SALON, "IP_RETENTION_DAYS": 12, "SPAM_RETENTION_DAYS": 7}
    page = client.get("/privacy/").content.decode()
    assert "How your comment data is processed" in page
    assert "after <strong>12 days</strong>" in page
    assert "after <strong>7 days</strong>" in page
    assert "No third party receives your data." in page
    assert "nothing is sent to Gravatar" in page
    settings.SALON = {**settings.SALON, "EXTERNAL_AVATARS": True}
    assert "Avatars come from Gravatar" in client.get("/privacy/").content.decode()


def test_the_privacy_page_says_how_long_every_comment_is_kept(client, post, post_comment):
    """A post taken offline keeps its comments, and no period deletes held ones: the page
    says so rather than "as long as the post is online"."""
    post_comment(post, comment="Kept while the post exists.")
    post.status = "draft"
    post.save()
    assert Comment.objects.filter(content="Kept while the post exists.").exists()
    page = client.get("/privacy/").content.decode()
    assert "as long as the post is online" not in page
    assert "for as long as the post exists" in page
    assert "Comments awaiting moderation are kept until a moderator" in page


def test_no_email_hash_reaches_the_page_by_default(client, post, post_comment):
    import hashlib

    post_comment(post, email="private@example.net")
    page = client.get(post.get_absolute_url()).content.decode()
    for digest in (hashlib.md5, hashlib.sha256):
        assert digest(b"private@example.net").hexdigest() not in page
    assert "gravatar.com" not in page
    avatar = page.split('class="avatar" src="')[1].split('"')[0]
    response = client.get(avatar)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert "immutable" in response["Cache-Control"]


def test_retention_removes_only_what_has_expired(post, post_comment):
    post_comment(post, comment="old approved", ip="192.0.2.1")
    post_comment(post, comment="new approved", ip="192.0.2.2")
    post_comment(post, comment="old spam", ip="192.0.2.3")
    post_comment(post, comment="new spam", ip="192.0.2.4")
    Comment.objects.filter(content__startswith="old").update(
        created_at=timezone.now() - timedelta(days=31)
    )
    Comment.objects.filter(content__endswith="spam").update(status=Comment.Status.SPAM)
    Comment.objects.filter(content="old spam").update(
        status_since=timezone.now() - timedelta(days=16)
    )
    before = {c.content: c for c in Comment.objects.all()}

    call_command("retention")

    after = {c.content: c for c in Comment.objects.all()}
    assert set(after) == {"old approved", "new approved", "new spam"}
    assert after["old approved"].author_ip is None and after["old approved"].user_agent == ""
    for kept in ("new approved", "new spam"):
        assert after[kept].author_ip == before[kept].author_ip
    for name in after:
        for field in ("content", "author_name", "author_email", "status", "created_at"):
            assert getattr(after[name], field) == getattr(before[name], field)
    post.refresh_from_db()
    assert post.comment_count == 2


def test_privacy_page_names_a_remote_spam_service_when_one_is_used(client, settings):
    settings.SALON = {
        **settings.SALON,
        "SPAM_FILTER": "salon.antispam.remote.check_comment",
        "AKISMET_URL": "https://rest.akismet.com/1.1",
    }
    page = client.get("/privacy/").content.decode()
    assert "Spam checks are made by an outside service, rest.akismet.com" in page
    assert "No third party receives your data." not in page
    settings.SALON = {**settings.SALON, "SPAM_FILTER": "", "AKISMET_URL": ""}
    assert "No spam filter runs" in client.get("/privacy/").content.decode()


def test_privacy_page_says_what_happens_when_other_sites_link_here(client, settings):
    settings.SALON = {**settings.SALON, "SEND_MENTIONS": True, "IP_RETENTION_DAYS": 9}
    page = client.get("/privacy/").content.decode()
    assert "When other sites link here" in page and "after <strong>9 days</strong>" in page
    assert "tells the pages it links to" in page
    settings.SALON = {**settings.SALON, "SEND_MENTIONS": False}
    assert "tells the pages it links to" not in client.get("/privacy/").content.decode()


def test_an_old_comment_trashed_or_marked_spam_today_keeps_its_whole_period(
    post, post_comment, owner
):
    """The periods count from the moderator's decision, not from the comment's date: an old
    comment trashed by mistake can still be restored the next day."""
    from salon.discussion.moderation import moderate

    for words in ("two years old, trashed", "two years old, spam", "two years old, kept"):
        post_comment(post, comment=words)
    Comment.objects.update(created_at=timezone.now() - timedelta(days=730))
    moderate(Comment.objects.filter(content__endswith="trashed"), Comment.Status.TRASH, owner)
    moderate(Comment.objects.filter(content__endswith="spam"), Comment.Status.SPAM, owner)

    call_command("retention")
    assert Comment.objects.count() == 3

    Comment.objects.filter(status=Comment.Status.TRASH).update(
        status_since=timezone.now() - timedelta(days=31)
    )
    Comment.objects.filter(status=Comment.Status.SPAM).update(
        status_since=timezone.now() - timedelta(days=16)
    )
    call_command("retention")
    assert list(Comment.objects.values_list("content", flat=True)) == ["two years old, kept"]


def test_the_privacy_page_names_every_cookie_a_reader_gets(
    client, post, make_post, post_comment, django_user_model
):
    """Each cookie a reader's browser collects (reading, commenting with "Save my name",
    liking, opening a protected post, logging in) is named on the privacy page, with how
    long it lasts."""
    got: set[str] = set()

    def keep(response) -> None:
        got.update(name for name, morsel in response.cookies.items() if morsel.value)

    keep(client.get(post.get_absolute_url()))
    keep(post_comment(post, comment="Saved and remembered.", save_identity="on"))
    keep(client.post("/likes/", {"post": post.pk}))
    locked = make_post(title="Members only")
    locked.password = "open sesame"
    locked.save()
    keep(client.post(f"/post-password/{locked.pk}/", {"post_password": "open sesame"}))
    django_user_model.objects.create_user("reader", "reader@example.org", "pw-reader-1")
    keep(client.post("/accounts/login/", {"login": "reader", "password": "pw-reader-1"}))
    assert {"csrftoken", "salon_commenter", "salon_visitor", "sessionid"} <= got

    page = client.get("/privacy/").content.decode()
    for name in got:
        shown = "salon-postpass-" if name.startswith("salon-postpass-") else name
        assert f"<code>{shown}" in page, name
    assert "for 15 minutes" in page and "for 10 days" in page


def test_the_privacy_page_says_how_long_cached_copies_outlive_an_erasure(client):
    """The page promises that cached pages and conversations are gone within a day of an
    erasure: true only while neither cache keeps an entry longer."""
    from salon.discussion.conversation import THREAD_CACHE_SECONDS
    from salon.publishing.page_cache import PAGE_SECONDS

    page = " ".join(client.get("/privacy/").content.decode().split())
    assert "in its cache to serve them faster are no longer shown once you are erased" in page
    assert "are gone within a day" in page
    assert max(THREAD_CACHE_SECONDS, PAGE_SECONDS) <= 24 * 3600
