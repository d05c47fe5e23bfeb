"""The inbox: signed activities from a remote account (a real HTTP server on loopback serves
its actor document) become followers, comments, likes and boosts; anything else is refused
or ignored, and nothing is half-stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from salon.discussion.models import Comment, Like
from salon.fediverse.delivery import send_due
from salon.fediverse.models import (
    Delivery,
    FediverseSettings,
    Follower,
    Reaction,
    RemoteActor,
    RemoteReply,
)
from tests.fediverse.conftest import deliver, new_key

pytestmark = pytest.mark.django_db

BLOG = "http://testserver/fediverse/blog/"


def article_id(post) -> str:
    return f"http://testserver/fediverse/posts/{post.pk}/"


def test_a_follow_is_kept_and_accepted(client, alice):
    response = deliver(client, alice.activity("Follow", BLOG), alice)
    assert response.status_code == 202, response.content
    follower = Follower.objects.get()
    assert follower.actor.uri == alice.uri and follower.local == "blog"
    assert follower.actor.handle == "alice@127.0.0.1"
    # The Accept leaves with the background round, signed, to the follower's own inbox.
    assert send_due() == 1
    (accept,) = alice.server.posts_to("/users/alice/inbox")
    assert b'"type": "Accept"' in accept.body
    assert accept.headers["Signature"].startswith(
        'keyId="http://testserver/fediverse/blog/#main-key"'
    )
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED
    # Undo ends it.
    undo = alice.activity(
        "Undo", {"id": follower.follow_uri, "type": "Follow", "actor": alice.uri, "object": BLOG}
    )
    assert deliver(client, undo, alice).status_code == 202
    assert not Follower.objects.exists()


def test_a_reply_becomes_a_comment_shown_with_its_handle(client, alice, post):
    note = alice.note(
        article_id(post),
        '<p><span class="h-card"><a href="http://testserver/fediverse/blog/" class="u-url mention">'
        '@<span>blog</span></a></span> So *true*, ask <span class="h-card"><a href="https://m.example/@bob" '
        'class="u-url mention">@<span>bob</span></a></span> <a href="https://m.example/tags/web" class="mention hashtag">#<span>web</span></a></p>',
        tag=[{"type": "Mention", "href": "https://m.example/@bob", "name": "@bob@m.example"}],
    )
    response = deliver(client, alice.activity("Create", note), alice)
    assert response.status_code == 202, response.content
    comment = Comment.objects.get()
    assert comment.kind == Comment.Kind.FEDIVERSE
    assert comment.status == Comment.Status.APPROVED
    assert comment.author_name == "Alice Remote"
    assert comment.author_email == "" and comment.author_ip is None
    # The blog's own mention is dropped; other mentions and hashtags are text, not links;
    # the Markdown-looking asterisks stay as written.
    assert comment.content_html == "<p>So *true*, ask @bob #web</p>"
    assert RemoteReply.objects.get().comment == comment
    page = client.get(post.get_absolute_url()).content.decode()
    assert "@alice@127.0.0.1" in page
    assert f'href="{note["url"]}"' in page
    # A second delivery of the same Create stores nothing new.
    assert deliver(client, alice.activity("Create", note), alice).status_code == 202
    assert Comment.objects.count() == 1


def test_a_reply_to_a_comment_is_threaded_under_it(client, alice, post, comment_form, post_comment):
    post_comment(post)
    parent = Comment.objects.get()
    note = alice.note(
        f"http://testserver{post.get_absolute_url()}#comment-{parent.pk}", "<p>Agreed.</p>"
    )
    assert deliver(client, alice.activity("Create", note), alice).status_code == 202
    reply = Comment.objects.exclude(pk=parent.pk).get()
    assert reply.parent == parent
    # And a reply to that reply, by its fediverse address.
    answer = alice.note(note["id"], "<p>Me again.</p>")
    assert deliver(client, alice.activity("Create", answer), alice).status_code == 202
    assert Comment.objects.get(content__contains="Me again").parent == reply


def test_the_owner_can_hold_every_reply_or_take_none(client, alice, post):
    FediverseSettings.objects.update_or_create(pk=1, defaults={"replies": "hold"})
    deliver(client, alice.activity("Create", alice.note(article_id(post), "<p>Held?</p>")), alice)
    held = Comment.objects.get()
    assert held.status == Comment.Status.PENDING
    assert held.spam_reasons[-1]["signal"] == "hold_channel"
    FediverseSettings.objects.filter(pk=1).update(replies="off")
    response = deliver(
        client, alice.activity("Create", alice.note(article_id(post), "<p>Off?</p>")), alice
    )
    assert response.status_code == 202
    assert "does not take replies" in response.content.decode()
    assert Comment.objects.count() == 1


def test_moderation_words_apply_to_replies(client, alice, post):
    from salon.discussion.models import DiscussionSettings

    DiscussionSettings.objects.update_or_create(pk=1, defaults={"moderation_words": "casino"})
    deliver(
        client, alice.activity("Create", alice.note(article_id(post), "<p>casino night</p>")), alice
    )
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_edits_and_deletions_follow_the_original(client, alice, post):
    note = alice.note(article_id(post), "<p>First thought.</p>")
    deliver(client, alice.activity("Create", note), alice)
    edited = {**note, "content": "<p>Second thought.</p>"}
    assert deliver(client, alice.activity("Update", edited), alice).status_code == 202
    assert Comment.objects.get().content_html == "<p>Second thought.</p>"
    # Someone else cannot edit or delete it.
    mallory = type(alice)(alice.server, username="mallory", name="Mallory")
    mallory.publish()
    forged = mallory.activity("Delete", note["id"])
    assert deliver(client, forged, mallory).status_code == 403
    assert Comment.objects.count() == 1
    tombstone = {"id": note["id"], "type": "Tombstone"}
    assert deliver(client, alice.activity("Delete", tombstone), alice).status_code == 202
    assert not Comment.objects.exists() and not RemoteReply.objects.exists()
    post.refresh_from_db()
    assert post.comment_count == 0


def test_likes_and_boosts_count_and_can_be_undone(client, alice, post):
    like = alice.activity("Like", article_id(post))
    assert deliver(client, like, alice).status_code == 202
    post.refresh_from_db()
    assert post.like_count == 1
    assert Like.objects.get().liker.startswith("ap:")
    boost = alice.activity("Announce", article_id(post))
    assert deliver(client, boost, alice).status_code == 202
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Boosted on the fediverse by" in page and "Alice Remote" in page
    assert deliver(client, alice.activity("Undo", like), alice).status_code == 202
    post.refresh_from_db()
    assert post.like_count == 0
    assert deliver(client, alice.activity("Undo", boost), alice).status_code == 202
    assert not Reaction.objects.exists()


def test_a_known_reader_sees_each_boost_its_undoing_and_the_booster_s_new_name(
    client, alice, post, django_user_model
):
    """The boosts line is kept for every reader, known ones too: nothing it shows may be
    stale for them."""
    reader = Client()
    reader.force_login(django_user_model.objects.create_user("reader", "reader@example.net"))
    url = post.get_absolute_url()
    assert "Boosted on the fediverse by" not in reader.get(url).content.decode()
    boost = alice.activity("Announce", article_id(post))
    assert deliver(client, boost, alice).status_code == 202
    assert "Alice Remote" in reader.get(url).content.decode()
    actor = RemoteActor.objects.get()
    actor.name = "Alice Renamed"
    actor.save()
    page = reader.get(url).content.decode()
    assert "Alice Renamed" in page and "Alice Remote" not in page
    assert deliver(client, alice.activity("Undo", boost), alice).status_code == 202
    assert "Boosted on the fediverse by" not in reader.get(url).content.decode()


def test_unsigned_or_wrongly_signed_activities_get_401(client, alice, post):
    create = alice.activity("Create", alice.note(article_id(post), "<p>Hi</p>"))
    unsigned = client.post("/fediverse/inbox/", create, content_type="application/activity+json")
    assert unsigned.status_code == 401
    forged = deliver(client, create, alice, key=new_key())
    assert forged.status_code == 401
    assert "does not match" in forged.content.decode()
    # A body other than the one signed.
    tampered = deliver(client, create, alice, body=b'{"type": "Create"}')
    assert tampered.status_code in (400, 401)
    # A date outside the window.
    stale = deliver(client, create, alice, now=datetime.now(UTC) - timedelta(minutes=30))
    assert stale.status_code == 401 and "seconds from this server's clock" in stale.content.decode()
    # Signed by alice but claiming to be someone else.
    impostor = {**create, "actor": "http://127.0.0.1:1/users/bob"}
    assert deliver(client, impostor, alice).status_code == 401
    assert not Comment.objects.exists()


def test_a_changed_key_is_fetched_again_once(client, alice, post):
    deliver(client, alice.activity("Follow", BLOG), alice)
    assert RemoteActor.objects.count() == 1
    fetched = len([r for r in alice.server.requests if r.method == "GET"])
    alice.key = new_key()
    alice.publish()
    create = alice.activity("Create", alice.note(article_id(post), "<p>New key</p>"))
    assert deliver(client, create, alice).status_code == 202
    assert len([r for r in alice.server.requests if r.method == "GET"]) == fetched + 1
    # With the cache fresh and the key right, nothing is fetched.
    deliver(client, alice.activity("Like", article_id(post)), alice)
    assert len([r for r in alice.server.requests if r.method == "GET"]) == fetched + 1


def test_activities_about_other_things_are_ignored(client, alice, post):
    elsewhere = alice.note("https://elsewhere.example/notes/1", "<p>Not about you</p>")
    response = deliver(client, alice.activity("Create", elsewhere), alice)
    assert response.status_code == 202 and "Ignored" in response.content.decode()
    private = alice.note(article_id(post), "<p>Just between us</p>", to=[BLOG], cc=[])
    assert deliver(client, alice.activity("Create", private), alice).status_code == 202
    assert (
        deliver(client, alice.activity("Like", "https://elsewhere.example/x"), alice).status_code
        == 202
    )
    assert not Comment.objects.exists() and not Like.objects.exists()


def test_blocked_servers_and_people_are_refused(client, alice, post):
    FediverseSettings.objects.update_or_create(pk=1, defaults={"blocked": "127.0.0.1"})
    response = deliver(client, alice.activity("Follow", BLOG), alice)
    assert response.status_code == 403
    FediverseSettings.objects.filter(pk=1).update(blocked="@alice@127.0.0.1")
    assert deliver(client, alice.activity("Follow", BLOG), alice).status_code == 403
    assert not Follower.objects.exists()


def test_the_inbox_is_rate_limited_per_remote_host(client, alice, settings):
    settings.SALON = {**settings.SALON, "FEDIVERSE_INBOX_RATE": "2/m"}
    codes = [deliver(client, alice.activity("Follow", BLOG), alice).status_code for _ in range(3)]
    assert codes == [202, 202, 429]


def test_a_deleted_account_takes_what_it_left(client, alice, post):
    deliver(client, alice.activity("Follow", BLOG), alice)
    deliver(client, alice.activity("Create", alice.note(article_id(post), "<p>Bye</p>")), alice)
    deliver(client, alice.activity("Like", article_id(post)), alice)
    assert deliver(client, alice.activity("Delete", alice.uri), alice).status_code == 202
    assert not RemoteActor.objects.exists()
    assert not Comment.objects.exists() and not Like.objects.exists()
    post.refresh_from_db()
    assert post.like_count == 0


def test_comments_closed_refuses_the_reply(client, alice, make_post):
    closed = make_post(comments_open=False)
    response = deliver(
        client, alice.activity("Create", alice.note(article_id(closed), "<p>Hi</p>")), alice
    )
    assert response.status_code == 403
    assert not Comment.objects.exists() and not RemoteReply.objects.exists()


def test_a_reply_shows_an_identicon_unless_outside_avatars_are_allowed(
    client, alice, post, settings
):
    deliver(client, alice.activity("Create", alice.note(article_id(post), "<p>Hi</p>")), alice)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "files.example/alice.png" not in page  # the remote server learns nothing
    assert 'class="avatar" src="/avatar/' in page
    settings.SALON = {**settings.SALON, "EXTERNAL_AVATARS": True}
    RemoteActor.objects.update(icon_url="https://files.example/alice.png")
    post.refresh_from_db()
    assert "https://files.example/alice.png" in client.get(post.get_absolute_url()).content.decode()


def test_moderating_a_reply_sends_nothing_back_unless_asked(client, alice, post, admin_client):
    from salon.discussion.moderation import moderate
    from salon.fediverse.models import OutgoingActivity

    deliver(client, alice.activity("Create", alice.note(article_id(post), "<p>Hi</p>")), alice)
    comment = Comment.objects.get()
    moderate([comment], Comment.Status.SPAM)
    assert not OutgoingActivity.objects.exists()
    reply = RemoteReply.objects.get()
    admin_client.post(
        "/admin/fediverse/remotereply/",
        {"action": "send_reject", "_selected_action": [reply.pk]},
    )
    sent = OutgoingActivity.objects.get()
    assert sent.kind == "Reject" and sent.document["object"] == reply.note_uri
    assert sent.deliveries.get().inbox == alice.server.url("/users/alice/inbox")


def test_a_profile_update_is_fetched_again(client, alice):
    deliver(client, alice.activity("Follow", BLOG), alice)
    alice.name = "Alice Renamed"
    alice.publish()
    assert deliver(client, alice.activity("Update", alice.uri), alice).status_code == 202
    assert RemoteActor.objects.get().name == "Alice Renamed"


def test_the_inbox_takes_only_posts(client, fediverse_site):
    assert client.get("/fediverse/inbox/").status_code == 405


def test_a_forged_key_id_cannot_use_up_a_servers_share(client, alice, settings):
    """The per-server count starts once the signature holds: requests naming alice's server
    in a forged signature, from elsewhere, do not lock alice out."""
    settings.SALON = {**settings.SALON, "FEDIVERSE_INBOX_RATE": "2/m"}
    for n in range(3):
        forged = alice.activity("Follow", BLOG)
        client.post(
            "/fediverse/inbox/",
            forged,
            content_type="application/activity+json",
            HTTP_SIGNATURE=f'keyId="{alice.key_id}",headers="date",signature="AAAA"',
            REMOTE_ADDR=f"192.0.2.{n + 1}",
        )
    assert deliver(client, alice.activity("Follow", BLOG), alice).status_code == 202


def test_an_actor_cannot_put_a_script_in_the_links_to_it(client, alice, post):
    """A hostile server's actor document names javascript: as its profile page and avatar:
    the reply and the boost link to the actor's own http(s) address instead."""
    import json

    document = json.loads(alice.server.pages[f"/users/{alice.username}"].body)
    document["url"] = "javascript:alert(document.domain)"
    document["icon"] = {"type": "Image", "url": "javascript:alert(1)"}
    alice.server.page(
        f"/users/{alice.username}", json.dumps(document), content_type="application/activity+json"
    )

    reply = alice.activity("Create", alice.note(article_id(post), "<p>Hi</p>"))
    assert deliver(client, reply, alice).status_code == 202
    assert deliver(client, alice.activity("Announce", article_id(post)), alice).status_code == 202

    actor = RemoteActor.objects.get()
    assert (actor.profile_url, actor.icon_url) == (alice.uri, "")
    assert Comment.objects.get().author_url == alice.uri
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Boosted on the fediverse by" in page
    assert "javascript:" not in page
