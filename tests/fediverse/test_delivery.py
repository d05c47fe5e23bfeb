"""What follows a post's change: Create, Update, Delete to followers' inboxes (shared inbox
first), sent by the background round, retried with growing delays while a server is away."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from salon.fediverse.delivery import RETRY_DELAYS, send_due
from salon.fediverse.federation import fediverse_round
from salon.fediverse.models import Delivery, Follower, OutgoingActivity, RemoteActor
from salon.fediverse.signatures import Claim, SignedRequest, verify
from salon.management.commands.background import site_jobs

pytestmark = pytest.mark.django_db


def follow(server, username: str) -> Follower:
    actor = RemoteActor.objects.create(
        uri=server.url(f"/users/{username}"),
        handle=f"{username}@127.0.0.1",
        inbox=server.url(f"/users/{username}/inbox"),
        shared_inbox=server.url("/inbox"),
        key_id=server.url(f"/users/{username}#main-key"),
        public_key_pem="(unused)",
    )
    return Follower.objects.create(actor=actor, follow_uri=server.url(f"/follows/{username}"))


def sent_kinds(server, path: str = "/inbox") -> list[str]:
    return [json.loads(r.body)["type"] for r in server.posts_to(path)]


@pytest.fixture
def followers(other_site, fediverse_site):
    other_site.page("/inbox", "", status=202)
    follow(other_site, "ann")
    follow(other_site, "ben")
    return other_site


def test_publishing_editing_and_unpublishing_tell_followers(followers, make_post, client):
    post = make_post(published_at=timezone.now())
    fediverse_round()
    # Two followers on one server: one delivery, to its shared inbox.
    assert sent_kinds(followers) == ["Create"]
    (request,) = followers.posts_to("/inbox")
    activity = json.loads(request.body)
    assert activity["object"]["type"] == "Article"
    assert activity["object"]["name"] == post.title
    # Signed by the blog, verifiably with the key its actor document publishes.
    actor = client.get("/fediverse/blog/", HTTP_ACCEPT="application/activity+json").json()
    signed = SignedRequest("POST", followers.url("/inbox"), request.headers, request.body)
    verify(signed, Claim(actor["publicKey"]["id"], "cavage"), actor["publicKey"]["publicKeyPem"])

    post.title = "A better title"
    post.save()
    fediverse_round()
    assert sent_kinds(followers) == ["Create", "Update"]
    assert json.loads(followers.posts_to("/inbox")[-1].body)["object"]["name"] == "A better title"

    post.status = "draft"
    post.save()
    fediverse_round()
    assert sent_kinds(followers) == ["Create", "Update", "Delete"]
    # Nothing more is due.
    assert fediverse_round() == ""


def test_deleting_a_post_sends_its_delete(followers, make_post):
    post = make_post(published_at=timezone.now())
    object_id = f"http://testserver/fediverse/posts/{post.pk}/"
    fediverse_round()
    post.delete()
    fediverse_round()
    assert sent_kinds(followers) == ["Create", "Delete"]
    assert json.loads(followers.posts_to("/inbox")[-1].body)["object"]["id"] == object_id


def test_scheduled_posts_are_sent_when_their_time_comes(followers, make_post):
    post = make_post(published_at=timezone.now() + timedelta(hours=1), status="published")
    fediverse_round()
    assert sent_kinds(followers) == []
    type(post).objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    fediverse_round()
    assert sent_kinds(followers) == ["Create"]


def test_old_posts_first_seen_are_not_announced(followers, make_post):
    make_post(published_at=timezone.now() - timedelta(days=30))
    fediverse_round()
    assert sent_kinds(followers) == []


def test_a_server_that_is_away_is_tried_again_later(followers, make_post):
    followers.page("/inbox", "Service Unavailable", status=503)
    make_post(published_at=timezone.now())
    fediverse_round()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.WAITING
    assert delivery.attempts == 1
    assert delivery.answer.startswith("503 Service Unavailable")
    assert delivery.retry_at > timezone.now() + RETRY_DELAYS[0] - timedelta(seconds=5)
    # Not before its time.
    assert send_due() == 0
    # When it comes, and the server is back:
    followers.page("/inbox", "", status=202)
    Delivery.objects.update(retry_at=timezone.now())
    assert send_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 2


def test_a_refusal_is_final_and_recorded(followers, make_post):
    followers.page("/inbox", "Gone", status=410)
    make_post(published_at=timezone.now())
    fediverse_round()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.answer == "410 Gone: Gone"


def test_after_the_last_retry_it_has_failed(followers, make_post):
    followers.page("/inbox", "", status=500)
    make_post(published_at=timezone.now())
    fediverse_round()
    for _ in RETRY_DELAYS:
        Delivery.objects.update(retry_at=timezone.now())
        send_due()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == len(RETRY_DELAYS) + 1


def test_private_addresses_are_not_delivered_to_by_default(followers, make_post, settings):
    settings.SALON = {**settings.SALON, "REBLOG_ALLOW_PRIVATE": False}
    make_post(published_at=timezone.now())
    fediverse_round()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert "private, loopback or reserved" in delivery.answer
    assert followers.posts_to("/inbox") == []


def test_the_admin_shows_what_was_sent_and_answered(followers, make_post, admin_client):
    make_post(published_at=timezone.now())
    fediverse_round()
    activity = OutgoingActivity.objects.get()
    page = admin_client.get(f"/admin/fediverse/outgoingactivity/{activity.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert followers.url("/inbox") in text and "202 Accepted" in text
    listing = admin_client.get("/admin/fediverse/follower/").content.decode()
    assert "ann@127.0.0.1" in listing and "ben@127.0.0.1" in listing


def test_the_background_process_runs_the_deliveries(settings):
    assert "Fediverse deliveries" in [job.name for job in site_jobs(mail=False)]
    settings.SALON = {**settings.SALON, "FEDIVERSE": False}
    assert "Fediverse deliveries" not in [job.name for job in site_jobs(mail=False)]


def test_authors_as_accounts_send_their_posts_and_the_blog_boosts_them(
    followers, make_post, client
):
    from salon.fediverse.models import FediverseSettings

    FediverseSettings.objects.update_or_create(pk=1, defaults={"author_actors": True})
    followers.page("/users/cat/inbox", "", status=202)
    author_follower = follow(followers, "cat")
    author_follower.local = "author:owner"
    author_follower.save()
    RemoteActor.objects.filter(pk=author_follower.actor_id).update(shared_inbox="")
    post = make_post(published_at=timezone.now())
    fediverse_round()
    (create,) = [json.loads(r.body) for r in followers.posts_to("/users/cat/inbox")]
    assert create["type"] == "Create"
    assert create["actor"] == "http://testserver/fediverse/authors/owner/"
    assert create["object"]["attributedTo"] == create["actor"]
    (boost,) = [json.loads(r.body) for r in followers.posts_to("/inbox")]
    assert boost["type"] == "Announce" and boost["actor"] == "http://testserver/fediverse/blog/"
    assert boost["object"] == f"http://testserver/fediverse/posts/{post.pk}/"
    # The author's actor document is what signed the Create.
    author = client.get(
        create["actor"].removeprefix("http://testserver"), HTTP_ACCEPT="application/activity+json"
    ).json()
    assert author["type"] == "Person"
    request = followers.posts_to("/users/cat/inbox")[0]
    assert request.headers["Signature"].startswith(f'keyId="{author["publicKey"]["id"]}"')


def test_ld_json_with_the_activitystreams_profile_gets_the_object(client, fediverse_site, post):
    accept = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    response = client.get(post.get_absolute_url(), HTTP_ACCEPT=accept)
    assert response.json()["type"] == "Article"
