"""What follows a post's change on the fediverse: its followers get a ``Create`` when it
goes live, an ``Update`` when it is edited, a ``Delete`` when it is taken back or deleted.

:func:`sync_post` compares the post with what its followers were last told
(``FederatedPost``) and queues what is due; it runs after every save of a post (a
``post_save`` receiver, after commit) and in the background round (which catches scheduled
posts whose time has come, as the mentions app does by ``updated_at``). Deleting a post
queues its ``Delete`` before the row goes (``pre_delete``).

Posts first seen long after they were published (imports, the demo) are recorded without
telling anyone: an import must not flood followers' timelines.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from salon.fediverse import delivery
from salon.fediverse.documents import (
    BLOG,
    PUBLIC,
    activity,
    article,
    followers_uri,
    post_uri,
    sender_of,
)
from salon.fediverse.models import FederatedPost, Follower
from salon.publishing.models import Post

log = logging.getLogger(__name__)

RECENT = timedelta(days=7)


def inboxes(local: str) -> list[str]:
    """Where to deliver to ``local``'s followers: each server's shared inbox once, else each
    follower's own."""
    rows = Follower.objects.filter(local=local).select_related("actor")
    return list(dict.fromkeys(f.actor.delivery_inbox for f in rows))


def _send(kind: str, post: Post | None, sender: str, obj, uri: str) -> None:
    """Queue ``kind`` about ``obj`` to the sender's followers (and, for an author's post,
    the blog's followers: an Announce of a new post, the Update or Delete itself)."""
    to = {"to": [PUBLIC], "cc": [followers_uri(sender)]}
    targets = inboxes(sender)
    if targets:
        delivery.queue(kind, sender, activity(kind, sender, obj, **to), targets, post)
    if sender == BLOG:
        return
    blog_targets = [i for i in inboxes(BLOG) if i not in targets]
    if not blog_targets:
        return
    if kind == "Create":
        boost = activity("Announce", BLOG, uri, to=[PUBLIC], cc=[followers_uri(BLOG)])
        delivery.queue("Announce", BLOG, boost, blog_targets, post)
    else:
        delivery.queue(kind, sender, activity(kind, sender, obj, **to), blog_targets, post)


def _is_shared(post: Post) -> bool:
    return post.kind == Post.Kind.POST and post.is_live


def sync_post(post: Post) -> str:
    """Queue what the post's change means for its followers; "" if nothing, else the kind."""
    if not settings.SALON["FEDIVERSE"]:
        return ""
    with transaction.atomic():
        record, created = FederatedPost.objects.select_for_update().get_or_create(
            object_uri=post_uri(post.pk), defaults={"post": post, "sender": sender_of(post)}
        )
        shared = _is_shared(post)
        if shared and not record.published:
            old = created and post.published_at < timezone.now() - RECENT
            record.published, record.post_updated_at = True, post.updated_at
            record.sender = sender_of(post)
            record.save()
            if old:
                return ""
            _send("Create", post, record.sender, article(post, record.sender), record.object_uri)
            return "Create"
        if shared and record.post_updated_at != post.updated_at:
            record.post_updated_at = post.updated_at
            record.save(update_fields=["post_updated_at"])
            _send("Update", post, record.sender, article(post, record.sender), record.object_uri)
            return "Update"
        if not shared and record.published:
            record.published, record.post_updated_at = False, post.updated_at
            record.save(update_fields=["published", "post_updated_at"])
            _send("Delete", post, record.sender, _tombstone(record.object_uri), record.object_uri)
            return "Delete"
    return ""


def _tombstone(uri: str) -> dict:
    return {"id": uri, "type": "Tombstone"}


def post_saved(sender, instance: Post, **kwargs) -> None:
    """``post_save`` receiver: what the change means for followers, once it is committed."""
    pk = instance.pk
    transaction.on_commit(lambda: _sync_by_pk(pk))


def _sync_by_pk(pk: int) -> None:
    post = Post.objects.filter(pk=pk).select_related("author").first()
    if post is not None:
        try:
            sync_post(post)
        except Exception:  # the post is saved; the background round will try again
            log.exception("Could not queue the fediverse activities of post %s", pk)


def post_deleted(sender, instance: Post, **kwargs) -> None:
    """``pre_delete`` receiver: a deleted post's followers are told it is gone."""
    record = FederatedPost.objects.filter(post=instance, published=True).first()
    if record is None or not settings.SALON["FEDIVERSE"]:
        return
    record.published = False
    record.save(update_fields=["published"])
    _send("Delete", None, record.sender, _tombstone(record.object_uri), record.object_uri)


def due_posts():
    """Posts whose followers have not heard of their last change: live posts not yet
    announced or edited since, and announced posts no longer live."""
    told = FederatedPost.objects.filter(
        post=OuterRef("pk"), published=True, post_updated_at=OuterRef("updated_at")
    )
    published = FederatedPost.objects.filter(post=OuterRef("pk"), published=True)
    live = Post.objects.live().posts()
    return (
        live.filter(~Exists(told))
        | Post.objects.exclude(pk__in=live.values("pk")).filter(Exists(published))
    ).order_by("published_at", "pk")


def fediverse_round() -> str:
    """A job for the background loop: queue what posts' changes (and scheduled posts going
    live) mean for followers, then send what is due."""
    changed = [kind for post in due_posts()[:50] if (kind := sync_post(post))]
    sent = delivery.send_due()
    parts = []
    if changed:
        parts.append(f"{len(changed)} post change(s) queued")
    if sent:
        parts.append(f"{sent} delivery attempt(s)")
    return f"Fediverse: {', '.join(parts)}." if parts else ""
