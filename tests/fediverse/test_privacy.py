"""What is kept of fediverse users is on the privacy page, in exports and erasures, and
is forgotten when its time is up."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from salon.discussion.models import Comment, Like
from salon.fediverse.models import Follower, OutgoingActivity, RemoteActor, RemoteReply
from salon.privacy.personal_data import erase_personal_data, export_personal_data
from tests.fediverse.conftest import deliver

pytestmark = pytest.mark.django_db

BLOG = "http://testserver/fediverse/blog/"


def article_id(post) -> str:
    return f"http://testserver/fediverse/posts/{post.pk}/"


@pytest.fixture
def alice_was_here(client, alice, post):
    deliver(client, alice.activity("Follow", BLOG), alice)
    deliver(
        client, alice.activity("Create", alice.note(article_id(post), "<p>Hello there</p>")), alice
    )
    deliver(client, alice.activity("Like", article_id(post)), alice)
    return alice


def test_the_privacy_page_says_what_is_kept_of_fediverse_users(client, settings):
    settings.SALON = {**settings.SALON, "FEDIVERSE_RETENTION_DAYS": 21}
    page = client.get("/privacy/").content.decode()
    assert "Replies from the fediverse" in page
    assert "@blog@" in page
    assert "No e-mail address or IP address of a fediverse user is ever kept" in page
    assert "21 days" in page
    settings.SALON = {**settings.SALON, "FEDIVERSE": False}
    assert "takes no part in the fediverse" in client.get("/privacy/").content.decode()


def test_export_finds_everything_by_handle(alice_was_here):
    data = export_personal_data("@alice@127.0.0.1")
    (account,) = data["fediverse"]
    assert account["account"] == alice_was_here.uri
    assert account["follows"][0]["follows"] == "blog"
    assert account["replies"][0]["text"] == "<p>Hello there</p>"
    assert account["likes_and_boosts"][0]["kind"] == "like"
    assert export_personal_data("someone@127.0.0.1")["fediverse"] == []


def test_erasure_removes_the_account_and_anonymises_its_replies(alice_was_here, post):
    counts = erase_personal_data("alice@127.0.0.1", source="admin", mode="anonymise")
    assert counts["fediverse"] > 0
    assert not RemoteActor.objects.exists() and not Follower.objects.exists()
    assert not RemoteReply.objects.exists() and not Like.objects.exists()
    comment = Comment.objects.get()
    assert comment.author_name == "" and comment.author_url == ""
    assert comment.content == "<p>Hello there</p>"
    post.refresh_from_db()
    assert post.like_count == 0


def test_erasure_can_delete_the_replies(alice_was_here):
    erase_personal_data("alice@127.0.0.1", source="admin", mode="delete")
    assert not Comment.objects.exists()


def test_the_command_takes_a_handle(alice_was_here, capsys):
    RemoteActor.objects.update(handle="alice@social.example")
    call_command("personal_data", "export", "alice@social.example")
    exported = json.loads(capsys.readouterr().out)
    assert exported["fediverse"][0]["handle"] == "alice@social.example"


def test_retention_forgets_old_deliveries_and_idle_accounts(alice_was_here, client, post):
    from salon.fediverse.federation import fediverse_round

    fediverse_round()  # the Accept
    assert OutgoingActivity.objects.exists()
    old = timezone.now() - timedelta(days=31)
    OutgoingActivity.objects.update(created_at=old)
    # An account that left nothing behind (it undid its follow, its reply was deleted…).
    idle = RemoteActor.objects.create(
        uri="https://idle.example/users/x",
        inbox="https://idle.example/inbox",
        key_id="https://idle.example/users/x#k",
        public_key_pem="-",
        fetched_at=old,
    )
    call_command("retention")
    assert not OutgoingActivity.objects.exists()
    assert not RemoteActor.objects.filter(pk=idle.pk).exists()
    assert RemoteActor.objects.filter(uri=alice_was_here.uri).exists()
