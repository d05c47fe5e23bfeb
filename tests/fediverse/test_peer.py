"""Salon's blog and a real, independent fediverse server (Fedify, on loopback): the peer
finds the blog by WebFinger, follows it, receives a post, replies, edits and deletes the
reply, likes the post; a forged signature is refused."""

from __future__ import annotations

import ssl

import httpx
import pytest
from django.utils import timezone

from salon.discussion.models import Comment
from salon.fediverse import inbox
from salon.fediverse.federation import fediverse_round
from salon.fediverse.models import Delivery, Follower, RemoteReply
from salon.publishing.models import Post, Tag
from tests.fediverse.peer_server import https_live_server, make_authority, running_peer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def authority(tmp_path):
    return make_authority(tmp_path)


@pytest.fixture
def salon(authority, allow_loopback):
    with https_live_server(authority) as address:
        allow_loopback.SITE_URL = address
        yield address


@pytest.fixture(params=["rfc9421", "draft-cavage-http-signatures-12"])
def peer(request, authority, salon):
    """The peer signs with RFC 9421 first (Fedify's default) or with draft-cavage (what
    Mastodon sends)."""
    with running_peer(authority, first_knock=request.param) as running:
        yield running


@pytest.fixture
def dialects(monkeypatch):
    """The signature dialects Salon's inbox verified, in order."""
    seen: list[str] = []
    real = inbox.verify

    def spy(request, found, pem, *args, **kwargs):
        seen.append(found.dialect)
        return real(request, found, pem, *args, **kwargs)

    monkeypatch.setattr(inbox, "verify", spy)
    return seen


def test_a_fedify_account_follows_receives_replies_and_likes(
    salon, peer, owner, authority, dialects
):
    host = salon.removeprefix("https://")
    handle = f"@blog@{host}"

    # 1. WebFinger, then the actor document.
    found = peer.call("lookup", handle=handle)
    assert found["id"] == f"{salon}/fediverse/blog/"
    assert found["type"] == "Organization"
    assert found["preferredUsername"] == "blog"

    # 2. Follow; Salon accepts from its background round.
    peer.call("follow", handle=handle)
    follower = Follower.objects.select_related("actor").get()
    assert follower.actor.uri == peer.alice
    assert follower.actor.handle == "alice@127.0.0.1"
    fediverse_round()
    peer.wait_for(lambda a: a["type"] == "Accept")

    # 3. A published post reaches the follower as a Create of an Article.
    post = Post.objects.create(
        title="Gardens of the fediverse",
        author=owner,
        body="<p>On letting readers answer from where they are.</p>",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    post.tags.add(Tag.objects.create(name="fediverse"))
    post.save()  # a second save before the round: still one Create
    assert "Fediverse: " in fediverse_round()
    object_id = f"{salon}/fediverse/posts/{post.pk}/"
    create = peer.wait_for(lambda a: a["type"] == "Create" and a["object"] == object_id)
    assert create["objectType"] == "Article"
    assert create["name"] == "Gardens of the fediverse"
    delivery = Delivery.objects.get(activity__kind="Create")
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.inbox == f"{peer.origin}/inbox"  # the shared inbox
    assert delivery.answer.startswith("202")

    # 4–5. A reply becomes a comment under the post, shown with the remote handle.
    reply = peer.call(
        "reply", to=handle, inReplyTo=object_id, content="<p>Replying from <em>Fedify</em>.</p>"
    )
    comment = Comment.objects.get(post=post)
    assert comment.kind == Comment.Kind.FEDIVERSE
    assert comment.status == Comment.Status.APPROVED  # no rule of the default settings holds it
    assert comment.author_name == "Alice Peer"
    assert comment.content_html == "<p>Replying from <em>Fedify</em>.</p>"
    assert RemoteReply.objects.get().note_uri == reply["id"]
    trusted = ssl.create_default_context(cafile=str(authority.ca_file))
    with httpx.Client(verify=trusted) as browser:
        page = browser.get(f"{salon}{post.get_absolute_url()}").text
    assert "Replying from <em>Fedify</em>." in page
    assert "@alice@127.0.0.1" in page and reply["url"] in page

    # 6. Editing and deleting the reply on its server edit and remove the comment.
    peer.call("edit", id=reply["id"], to=handle, content="<p>Replying, edited.</p>")
    comment.refresh_from_db()
    assert comment.content_html == "<p>Replying, edited.</p>"
    peer.call("delete", id=reply["id"], to=handle)
    assert not Comment.objects.filter(post=post).exists()

    # 7. A like counts with the post's likes.
    peer.call("like", to=handle, object=object_id)
    post.refresh_from_db()
    assert post.like_count == 1

    # Every activity the peer sent verified in the dialect it signed with first.
    first = "rfc9421" if peer.first_knock == "rfc9421" else "cavage"
    assert dialects and set(dialects) == {first}

    # A forged signature (a key alice does not publish) is refused, in both dialects.
    forged = peer.call("forged", to=handle, inReplyTo=object_id)
    assert forged["rfc9421"]["status"] == 401, forged
    assert forged["draft-cavage-http-signatures-12"]["status"] == 401, forged
    assert not Comment.objects.filter(post=post).exists()
