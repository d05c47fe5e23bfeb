"""How fediverse replies and boosts look on the post page."""

from __future__ import annotations

from django.conf import settings

from salon.discussion.avatars import avatar_url
from salon.discussion.models import Comment
from salon.discussion.threads import ThreadEntry
from salon.fediverse.models import Reaction, RemoteReply
from salon.publishing.models import Post

BOOSTERS_SHOWN = 10


def decorate_entries(entries: list[ThreadEntry], **signal) -> None:
    """Receives ``thread_arranged``: give each fediverse reply in a thread its author's handle, avatar and the link to
    the original (one query for the whole thread). The remote avatar is shown only when the
    owner allows outside avatars (``SALON_EXTERNAL_AVATARS``): loading it tells the other
    server who reads the page. Otherwise it is an identicon of the handle, drawn here."""
    ids = [e.id for e in entries if e.kind == Comment.Kind.FEDIVERSE]
    if not ids:
        return
    replies = {
        r.comment_id: r
        for r in RemoteReply.objects.filter(comment_id__in=ids).select_related("actor")
    }
    external = settings.SALON["EXTERNAL_AVATARS"]
    for entry in entries:
        reply = replies.get(entry.id)
        if reply is None:
            continue
        actor = reply.actor
        entry.handle = f"@{actor.handle}" if actor.handle else ""
        entry.original_url = reply.url or reply.note_uri
        if external and actor.icon_url.startswith("https://"):
            entry.avatar = actor.icon_url
        else:
            entry.avatar = avatar_url("", actor.handle or actor.uri)


def boosts(post: Post) -> tuple[list[dict[str, str]], int]:
    """Who boosted the post (the first few, newest first), and how many did."""
    rows = list(
        Reaction.objects.filter(post=post, kind=Reaction.Kind.BOOST)
        .select_related("actor")
        .order_by("-created_at")[: BOOSTERS_SHOWN + 1]
    )
    total = len(rows)
    if total > BOOSTERS_SHOWN:
        total = Reaction.objects.filter(post=post, kind=Reaction.Kind.BOOST).count()
    shown = [
        {
            "name": r.actor.name or r.actor.handle,
            "handle": f"@{r.actor.handle}" if r.actor.handle else "",
            "url": r.actor.profile_url,
        }
        for r in rows[:BOOSTERS_SHOWN]
    ]
    return shown, total
