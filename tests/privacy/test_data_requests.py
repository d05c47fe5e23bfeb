"""A person gets, or erases, their data: by a mailed link, in the admin, or on the command line."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from salon.discussion.models import Comment, Like
from salon.notifications.models import Subscription
from salon.privacy.models import DataRequest
from salon.publishing.models import Post
from tests.notifications.mailbox import body, link_after, send_mail

# Real commits: mail is queued by after-commit hooks, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

ME = "me@example.net"


@pytest.fixture
def my_traces(client, post, post_comment, mailbox, mail_on, settings):
    """Two comments (one a reply to someone else), a like from the same browser, and a
    confirmed subscription, all under ME; and someone else's comment beside them."""
    settings.SALON = {**settings.SALON, "FLOOD_SECONDS": 0}  # two comments in a row
    post_comment(post, comment="Someone else's view.", email="else@example.net")
    other = Comment.objects.get(content="Someone else's view.")
    post_comment(
        post, comment="My first thought.", email=ME, author="Me Myself", notify_replies="on"
    )
    post_comment(post, comment="My reply.", email=ME, author="Me Myself", parent=other.pk)
    client.post("/likes/", {"post": post.pk, "comment": other.pk})
    send_mail()
    (confirmation,) = mailbox.to(ME)
    client.post(link_after(confirmation, "To confirm"))
    mailbox.clear()
    assert Like.objects.count() == 1
    return post


def _ask(client, kind: str, email: str = ME, ip: str = "198.51.100.7"):
    return client.post("/privacy/your-data/", {"email": email, "kind": kind}, REMOTE_ADDR=ip)


def test_the_privacy_page_points_to_the_request_form_and_says_what_erasure_does(
    client, settings, mail_on
):
    page = client.get("/privacy/").content.decode()
    assert 'href="/privacy/your-data/"' in page
    assert "a link that works once, within a day" in page
    assert "anonymises your comments" in page
    assert "No outside log-in service" in page
    assert "No message is ever sent about a comment marked as spam" in page
    settings.SALON = {**settings.SALON, "ERASURE": "delete"}
    assert "deletes your comments" in client.get("/privacy/").content.decode()


def test_without_mail_the_site_says_to_write_to_its_owner(client):
    page = client.get("/privacy/").content.decode()
    assert "This site cannot send e-mail" in page and "This site sends no e-mail" in page
    form = client.get("/privacy/your-data/").content.decode()
    assert "write to the site's owner" in form and "<form" not in form.split("</header>")[1]


def test_the_form_answers_the_same_whether_or_not_the_address_has_data(client, my_traces, mailbox):
    known = _ask(client, "export", ME, ip="198.51.100.1")
    unknown = _ask(client, "export", "nobody@example.net", ip="198.51.100.2")
    assert known.status_code == unknown.status_code == 200
    strip_csrf = lambda r, email: "".join(  # noqa: E731
        line
        for line in r.content.decode().replace(email, "ADDRESS").splitlines()
        if "csrf" not in line
    )
    assert strip_csrf(known, ME) == strip_csrf(unknown, "nobody@example.net")
    send_mail()
    assert len(mailbox.to(ME)) == 1 and len(mailbox.to("nobody@example.net")) == 1


def test_the_form_is_rate_limited(client, mail_on, mailbox):
    for n in range(5):
        assert _ask(client, "export", f"n{n}@example.net").status_code == 200
    blocked = _ask(client, "export", "sixth@example.net")
    assert blocked.status_code == 429 and "Too many requests" in blocked.content.decode()


def _export_link(client, mailbox) -> str:
    _ask(client, "export")
    send_mail()
    (message,) = mailbox.to(ME)
    assert message["List-Unsubscribe"]
    assert "Open this link within 24 hours; it works once:" in body(message)
    return link_after(message, "within 24 hours")


def test_the_mailed_link_shows_and_downloads_everything_tied_to_the_address(
    client, my_traces, mailbox
):
    link = _export_link(client, mailbox)

    # Opening it (as a mail scanner would) shows nothing yet and uses nothing up.
    ask = client.get(link)
    assert ask.status_code == 200
    assert "Show my data" in ask.content.decode()
    assert "My first thought." not in ask.content.decode()
    assert client.get(link).status_code == 200
    assert not DataRequest.objects.exists()

    page = client.post(link, {"format": "page"})
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"  # the key goes to no other site
    assert "My first thought." in html and "My reply." in html
    assert "Someone else&#x27;s view." not in html
    assert "not under an e-mail address" in html  # what is said of guests' likes

    token = re.search(r'name="download" value="([^"]+)"', html).group(1)
    download = client.post(link, {"download": token})
    assert download["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(download.content)
    assert [c["text"] for c in data["comments"]] == ["My first thought.", "My reply."]
    assert data["comments"][0]["ip_address"]
    assert len(data["likes"]) == 1 and data["likes"][0]["as"] == "guest (browser cookie)"
    assert [s["topic"] for s in data["subscriptions"]] == ["replies"]

    assert client.get(link[:-4] + "abc/").status_code == 400
    for logged in DataRequest.objects.filter(kind="export"):  # the page and the download
        assert logged.counts["comments"] == 2
        assert ME not in json.dumps(logged.counts) + logged.email_digest


def test_an_export_link_works_once(client, my_traces, mailbox):
    """The link is a key to someone's data: once used, it opens nothing, to anyone."""
    link = _export_link(client, mailbox)
    assert client.post(link, {"format": "json"}).status_code == 200

    for again in (
        client.get(link),
        client.post(link, {"format": "page"}),
        client.post(link, {"format": "json"}),
        client.post(link, {"download": "forged"}),
        Client().get(link),  # another browser, as whoever the mail was forwarded to
    ):
        assert again.status_code == 410
        html = again.content.decode()
        assert "It has already been used" in html and "My first thought." not in html
        assert 'href="/privacy/your-data/"' in html  # and how to get a new one
    assert DataRequest.objects.filter(kind="export").count() == 1


def test_the_download_on_the_export_page_lasts_minutes_not_a_day(
    client, my_traces, mailbox, monkeypatch
):
    import time

    from django.core import signing

    from salon.privacy.data_requests import DOWNLOAD_MAX_AGE

    link = _export_link(client, mailbox)
    html = client.post(link, {"format": "page"}).content.decode()
    token = re.search(r'name="download" value="([^"]+)"', html).group(1)
    later = time.time() + DOWNLOAD_MAX_AGE + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.post(link, {"download": token}).status_code == 410


def test_a_download_token_opens_only_its_own_link(client, my_traces, mailbox):
    from salon.privacy.data_requests import request_link

    other = urlsplit(request_link("else@example.net", "export")).path
    mine = _export_link(client, mailbox)
    token_of_mine = re.search(
        r'name="download" value="([^"]+)"', client.post(mine, {"format": "page"}).content.decode()
    ).group(1)
    client.post(other, {"format": "page"})  # used by its owner

    refused = client.post(other, {"download": token_of_mine})
    assert refused.status_code == 410 and "My first thought." not in refused.content.decode()


def test_two_requests_racing_with_one_link_cannot_both_use_it(my_traces):
    from salon.privacy.data_requests import (
        UsedRequestLink,
        read_request_link,
        request_link,
        use_link,
    )

    link = read_request_link(request_link(ME, "erase").rstrip("/").rsplit("/", 1)[1])
    use_link(link)
    with pytest.raises(UsedRequestLink):
        use_link(link)


def test_a_link_sent_before_links_worked_once_is_refused(client, my_traces):
    from django.core import signing

    token = signing.dumps({"e": ME, "k": "export"}, salt="salon.privacy.data-request")
    page = client.get(f"/privacy/your-data/{token}/")
    assert page.status_code == 400
    assert "Ask for a new one" in page.content.decode()


def test_the_erasure_link_anonymises_comments_and_removes_likes_and_subscriptions(
    client, my_traces, mailbox
):
    post = my_traces
    _ask(client, "erase")
    send_mail()
    link = link_after(mailbox.to(ME)[0], "within 24 hours")

    confirm = client.get(link).content.decode()
    assert "Comments: 2" in confirm and "Erase my data" in confirm
    assert Comment.objects.filter(author_email=ME).count() == 2  # nothing happens on GET

    done = client.post(link)
    assert "Done" in done.content.decode()
    again = client.post(link)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert client.get(link).status_code == 410
    mine = Comment.objects.filter(content__in=["My first thought.", "My reply."])
    assert mine.count() == 2
    for comment in mine:
        assert (comment.author_name, comment.author_email, comment.author_url) == ("", "", "")
        assert comment.author_ip is None and comment.user_agent == ""
    assert not Like.objects.exists() and not Subscription.objects.exists()
    post.refresh_from_db()
    other = Comment.objects.get(content="Someone else's view.")
    assert other.author_email == "else@example.net" and other.like_count == 0
    assert post.comment_count == 3

    page = client.get(post.get_absolute_url()).content.decode()
    assert "Me Myself" not in page and "Anonymous" in page

    record = DataRequest.objects.get(kind="erase")
    assert record.source == "link" and record.erasure_mode == "anonymise"
    assert record.counts["comments"] == 2 and record.counts["likes"] == 1
    assert ME not in json.dumps(record.counts) + record.email_digest + str(record)


def test_erasure_can_delete_comments_from_the_command_line(my_traces, settings, capsys):
    post = my_traces
    settings.SALON = {**settings.SALON, "ERASURE": "delete"}
    call_command("personal_data", "erase", ME, "--yes")
    assert "Erased: " in capsys.readouterr().out
    assert list(Comment.objects.values_list("content", flat=True)) == ["Someone else's view."]
    assert Post.objects.get(pk=post.pk).comment_count == 1
    assert DataRequest.objects.get().erasure_mode == "delete"


def test_the_command_exports_to_a_file_and_refuses_bad_input(my_traces, tmp_path, capsys):
    out = tmp_path / "me.json"
    call_command("personal_data", "export", ME, "--output", str(out))
    assert len(json.loads(out.read_text())["comments"]) == 2
    call_command("personal_data", "export", ME.upper())
    assert json.loads(capsys.readouterr().out)["comments"][1]["text"] == "My reply."

    with pytest.raises(CommandError, match="not a valid e-mail address"):
        call_command("personal_data", "export", "not-an-address")
    with pytest.raises(CommandError, match="--yes"):
        call_command("personal_data", "erase", ME)  # no terminal to ask on
    assert Comment.objects.filter(author_email=ME).count() == 2


@pytest.mark.spam_filter
def test_the_export_says_what_the_spam_filter_decided_and_why(my_traces, capsys):
    """The privacy page says a comment stores what the spam filter decided about it, and
    why: the person's copy of their data holds both, as the moderators see them."""
    call_command("personal_data", "export", ME)
    exported = json.loads(capsys.readouterr().out)["comments"]
    mine = Comment.objects.filter(author_email=ME).order_by("pk")
    for row, comment in zip(exported, mine, strict=True):
        assert row["spam_filter_said"] == comment.spam_outcome != ""
        assert row["spam_filter_reasons"] == [r["message"] for r in comment.spam_reasons]
        assert row["spam_filter_reasons"]


def test_the_exported_file_is_readable_by_the_administrator_only(my_traces, tmp_path):
    out = tmp_path / "me.json"
    out.write_text("an older file, readable by all")
    out.chmod(0o644)
    call_command("personal_data", "export", ME, "--output", str(out))
    assert out.stat().st_mode & 0o777 == 0o600
    assert len(json.loads(out.read_text())["comments"]) == 2


def test_the_command_says_when_nothing_is_held_about_an_address(my_traces, tmp_path, capsys):
    """A mistyped address must not look like a request carried out: no empty export, no
    "Erased: 0 …", no record of a request; a message and a non-zero exit instead."""
    out = tmp_path / "typo.json"
    with pytest.raises(CommandError, match="Nothing is held about me@exmaple.net"):
        call_command("personal_data", "export", "me@exmaple.net", "--output", str(out))
    with pytest.raises(CommandError, match="Nothing is held about me@exmaple.net"):
        call_command("personal_data", "erase", "me@exmaple.net", "--yes")
    assert not out.exists() and capsys.readouterr().out == ""
    assert not DataRequest.objects.exists()
    assert Comment.objects.filter(author_email=ME).count() == 2


def test_the_admin_says_when_nothing_is_held_about_an_address(client, owner, my_traces):
    client.force_login(owner)
    url = "/admin/privacy/datarequest/personal-data/"
    for action in ("export", "erase"):
        page = client.post(url, {"email": "me@exmaple.net", "action": action, "confirm": "on"})
        assert page.status_code == 200 and "Content-Disposition" not in page
        assert "Nothing is held about this address" in page.content.decode()
    assert not DataRequest.objects.exists()
    assert Comment.objects.filter(author_email=ME).count() == 2


def test_an_administrator_exports_and_erases_in_the_admin(client, owner, my_traces):
    client.force_login(owner)
    listing = client.get("/admin/privacy/datarequest/").content.decode()
    assert "/admin/privacy/datarequest/personal-data/" in listing
    url = "/admin/privacy/datarequest/personal-data/"
    counted = client.post(url, {"email": ME, "action": "count"}).content.decode()
    assert "comments: 2" in counted and "likes: 1" in counted
    download = client.post(url, {"email": ME, "action": "export"})
    assert len(json.loads(download.content)["comments"]) == 2

    refused = client.post(url, {"email": ME, "action": "erase"})
    assert refused.status_code == 200 and Comment.objects.filter(author_email=ME).count() == 2
    done = client.post(url, {"email": ME, "action": "erase", "confirm": "on"})
    assert done.status_code == 302
    assert not Comment.objects.filter(author_email=ME).exists()
    assert DataRequest.objects.filter(kind="erase", source="admin").count() == 1
    found = client.get("/admin/privacy/datarequest/", {"q": ME}).content.decode()
    assert "erasure" in found


def test_retention_forgets_old_mail_and_unconfirmed_subscriptions_only(post, mail_on):
    from datetime import timedelta

    from django.utils import timezone

    from salon.notifications.models import OutgoingMail

    long_ago = timezone.now() - timedelta(days=8)
    old_sent = OutgoingMail.objects.create(to=ME, subject="old", body="b", sent_at=long_ago)
    new_sent = OutgoingMail.objects.create(to=ME, subject="new", body="b", sent_at=timezone.now())
    waiting = OutgoingMail.objects.create(to=ME, subject="waiting", body="b", created_at=long_ago)
    stale = Subscription.objects.create(email="a@example.net", topic="posts", created_at=long_ago)
    fresh = Subscription.objects.create(email="b@example.net", topic="posts")
    kept = Subscription.objects.create(
        email="c@example.net", topic="posts", created_at=long_ago, confirmed_at=long_ago
    )

    call_command("retention")

    assert set(OutgoingMail.objects.values_list("pk", flat=True)) == {new_sent.pk, waiting.pk}
    assert not OutgoingMail.objects.filter(pk=old_sent.pk).exists()
    assert set(Subscription.objects.values_list("pk", flat=True)) == {fresh.pk, kept.pk}
    assert not Subscription.objects.filter(pk=stale.pk).exists()


def test_the_privacy_page_names_the_log_in_services_an_identity_app_enables(client):
    from salon.privacy.registry import page_facts, register

    def enabled(request):
        return {"login_providers": ["Google", "WordPress.com"]}

    register(enabled)
    try:
        page = client.get("/privacy/").content.decode()
    finally:
        page_facts.remove(enabled)
    assert "<li>Google</li><li>WordPress.com</li>" in page
    assert "that service learns that you logged in here" in page
    assert "No outside log-in service" in client.get("/privacy/").content.decode()


def test_a_link_older_than_a_day_is_refused_and_erases_nothing(client, my_traces, monkeypatch):
    import time

    from django.core import signing

    from salon.privacy.data_requests import LINK_MAX_AGE, request_link

    issued = time.time() - LINK_MAX_AGE - 60
    monkeypatch.setattr(signing.time, "time", lambda: issued)
    link = request_link(ME, "erase")
    monkeypatch.undo()

    page = client.get(link)
    assert page.status_code == 400
    assert "It may have expired" in page.content.decode()
    confirm = client.post(link)
    assert confirm.status_code == 400
    assert Comment.objects.filter(author_email=ME).count() == 2
    assert not DataRequest.objects.exists()
