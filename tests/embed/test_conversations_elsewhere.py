"""Conversations under other sites' pages: their titles checked against the page, mail that
leads back to the page, the log-in pop-up's token, and a cost that does not grow."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salon.discussion.models import Comment
from salon.publishing.models import Post
from tests.embed.conftest import ApiClient
from tests.notifications.mailbox import body, mail_on, mailbox, send_mail, smtp_port  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_pages_own_title_wins_over_the_one_a_request_claims(serving_host_site):
    api = ApiClient(origin=serving_host_site.base)
    page = serving_host_site.page("/real/", title="The real title")

    posted = api.post_comment(page, title="Buy cheap watches")

    assert posted.status == 201
    assert Post.objects.get(external_url=page).title == "The real title"
    assert api.thread(page).data["heading"] == "One thought on “The real title”"


def test_a_page_that_does_not_exist_gets_no_conversation(serving_host_site):
    api = ApiClient(origin=serving_host_site.base)
    missing = serving_host_site.base + "/made-up/path/"

    posted = api.post_comment(missing)

    assert posted.status == 404
    assert posted.data["field"] == "url"
    assert not Post.objects.filter(kind=Post.Kind.ELSEWHERE).exists()
    assert not Comment.objects.exists()


def test_mail_about_a_comment_elsewhere_links_to_the_page(
    api,
    host_site,
    mail_on,  # noqa: F811
    mailbox,  # noqa: F811
    owner,
    django_capture_on_commit_callbacks,
):
    page = host_site.page("/mail/")

    with django_capture_on_commit_callbacks(execute=True):
        posted = api.post_comment(page, name="Marta", text="Notify the author, please.")
    send_mail()

    [notice] = mailbox.to(owner.email)
    assert "Marta commented on your post “A static page”" in body(notice)
    assert f"{page}#comment-{posted.data['comment']['id']}" in body(notice)


def test_a_comment_elsewhere_may_ask_for_follow_ups_by_mail(
    api,
    host_site,
    mail_on,  # noqa: F811
    mailbox,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    page = host_site.page("/follow/")

    with django_capture_on_commit_callbacks(execute=True):
        api.post_comment(page, email="follower@example.net", notify_replies=True)
    send_mail()

    [confirmation] = mailbox.to("follower@example.net")
    assert "new comments on “A static page”" in body(confirmation)


def _add_comments(post: Post, count: int) -> None:
    start = timezone.now() - timedelta(days=1)
    tops = Comment.objects.bulk_create(
        Comment(
            post=post,
            author_name=f"Reader {i}",
            author_email=f"r{i}@example.net",
            content=f"Comment {i}",
            content_html=f"<p>Comment {i}</p>",
            status=Comment.Status.APPROVED,
            created_at=start + timedelta(seconds=i),
        )
        for i in range(count * 4 // 5)
    )
    Comment.objects.bulk_create(
        Comment(
            post=post,
            parent=parent,
            author_name="Replier",
            content="reply",
            content_html="<p>reply</p>",
            status=Comment.Status.APPROVED,
            created_at=parent.created_at + timedelta(milliseconds=500),
        )
        for parent in tops[::4]
    )


@pytest.mark.parametrize("with_token", [False, True])
def test_a_threads_queries_do_not_grow_with_its_comments(api, host_site, with_token):
    quiet_page, busy_page = host_site.page("/quiet/"), host_site.page("/busy/")
    token = api.post_comment(quiet_page).data["token"]
    api.post_comment(busy_page, token=token)
    _add_comments(Post.objects.get(external_url=busy_page), 500)

    counts = []
    for page in (quiet_page, busy_page):
        for cold in (True, False):
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                answer = api.thread(page, token=token if with_token else None, limit=200)
            assert answer.status == 200
            counts.append(len(queries))
    assert len(api.thread(busy_page, limit=200).data["comments"]) == 200
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_counts_cost_one_query_for_many_pages(api, host_site):
    pages = [host_site.page(f"/p/{i}/") for i in range(50)]
    api.post_comment(pages[3])

    with CaptureQueriesContext(connection) as queries:
        answer = api.get("/api/v1/counts", url=pages)

    assert answer.data["counts"][pages[3]]["count"] == 1
    assert len(queries) == 1


def _token_from_popup(html: str) -> dict:
    found = re.search(r'<script id="salon-login" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_the_login_popup_hands_an_account_token_to_the_allowed_site(client, host_site, author):
    start = client.get("/embed/login/", {"origin": host_site.base})
    assert start.status_code == 302 and start["Location"].startswith("/accounts/login/")
    assert start["Cross-Origin-Opener-Policy"] == "unsafe-none"
    # The log-in page the pop-up goes on to keeps the link to its opener as well.
    assert client.get(start["Location"])["Cross-Origin-Opener-Policy"] == "unsafe-none"

    client.force_login(author)
    done = client.get("/embed/login/", {"origin": host_site.base})

    assert done.status_code == 200
    message = _token_from_popup(done.content.decode())
    assert message["name"] == "Wren Writer"
    assert (
        '<meta name="salon-login-target" content="http://127.0.0.1:4010">' in done.content.decode()
    )
    api = ApiClient(origin=host_site.base)
    posted = api.post_comment(
        host_site.page("/logged-in/"), token=message["token"], name="", email=""
    )
    assert posted.status == 201, posted.data
    comment = Comment.objects.get()
    assert comment.user == author and comment.author_name == "Wren Writer"
    assert comment.identity_provider == "local"


def test_an_account_token_stops_working_when_the_password_changes(client, host_site, author):
    client.force_login(author)
    token = _token_from_popup(
        client.get("/embed/login/", {"origin": host_site.base}).content.decode()
    )["token"]
    author.set_password("another-password-2")
    author.save()

    answer = ApiClient(origin=host_site.base).thread(host_site.page("/x/"), token=token)

    assert answer.status == 401


def test_other_sites_pages_keep_their_opener_policy(client):
    assert client.get("/accounts/login/")["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_login_popup_refuses_a_site_not_allowed(client, host_site, author):
    client.force_login(author)
    refused = client.get("/embed/login/", {"origin": "https://evil.example"})
    assert refused.status_code == 403
    assert b"salon-login" not in refused.content


def test_the_privacy_page_says_what_the_embed_keeps_and_where(client, host_site):
    page = client.get("/privacy/").content.decode()
    assert "This conversation is also shown on pages of http://127.0.0.1:4010." in page
    assert "sets no cookie" in page


def test_the_widget_offers_notify_me_only_when_the_site_can_mail(
    api,
    host_site,
    settings,
    smtp_port,  # noqa: F811
):
    assert api.get("/api/v1/config").data["mail"] is False
    settings.SALON = {
        **settings.SALON,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "MAIL_FROM": "Salon <blog@example.org>",
    }
    assert api.get("/api/v1/config").data["mail"] is True
