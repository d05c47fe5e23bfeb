"""What the fediverse app holds about people of other servers, and how long: registered with
privacy in ``FediverseConfig.ready``.

A fediverse user has no e-mail address here; they are found by their handle
(``someone@server``, which the export and erasure forms take like an address) or by their
account's address.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest

from salon.fediverse.documents import BLOG
from salon.fediverse.documents import handle as local_handle
from salon.fediverse.inbox import forget_actor
from salon.fediverse.models import (
    Follower,
    OutgoingActivity,
    Reaction,
    RemoteActor,
    RemoteReply,
)
from salon.privacy.registry import PageSection, PersonalDataSource, RetentionTask


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def actors_of(identifier: str):
    """The remote accounts ``identifier`` names: a handle (with or without "@"), or the
    address of the account or its profile."""
    value = identifier.strip()
    if not value:
        return RemoteActor.objects.none()
    if value.startswith(("https://", "http://")):
        return RemoteActor.objects.filter(Q(uri=value) | Q(profile_url=value))
    return RemoteActor.objects.filter(handle__iexact=value.lstrip("@"))


def _export(identifier: str) -> list[dict[str, Any]]:
    rows = []
    for actor in actors_of(identifier):
        rows.append(
            {
                "account": actor.uri,
                "handle": actor.handle,
                "display_name": actor.name,
                "profile": actor.profile_url,
                "avatar": actor.icon_url,
                "inbox": actor.inbox,
                "public_key": actor.public_key_pem,
                "fetched_from_your_server": _iso(actor.fetched_at),
                "follows": [
                    {"follows": f.local, "since": _iso(f.created_at)}
                    for f in Follower.objects.filter(actor=actor)
                ],
                "replies": [
                    {
                        "original": r.note_uri,
                        "comment": r.comment_id,
                        "post_url": r.comment.post.public_url(),
                        "status": r.comment.status,
                        "text": r.comment.content,
                        "received": _iso(r.received_at),
                    }
                    for r in RemoteReply.objects.filter(actor=actor).select_related(
                        "comment", "comment__post"
                    )
                ],
                "likes_and_boosts": [
                    {"kind": r.kind, "post_url": r.post.public_url(), "date": _iso(r.created_at)}
                    for r in Reaction.objects.filter(actor=actor).select_related("post")
                ],
            }
        )
    return rows


def _erase(identifier: str, mode: str) -> int:
    count = 0
    for actor in list(actors_of(identifier)):
        count += forget_actor(actor, anonymise=mode != "delete") + 1
    return count


def _forget_old_deliveries(now: datetime) -> int:
    """Sent activities (and what each server answered) go after the retention period."""
    cutoff = now - timedelta(days=settings.SALON["FEDIVERSE_RETENTION_DAYS"])
    deleted = OutgoingActivity.objects.filter(created_at__lt=cutoff).delete()[1]
    return deleted.get(OutgoingActivity._meta.label, 0)


def _forget_idle_actors(now: datetime) -> int:
    """Accounts that left nothing here (no follow, reply, like or boost) are forgotten once
    their cached profile is older than the retention period."""
    cutoff = now - timedelta(days=settings.SALON["FEDIVERSE_RETENTION_DAYS"])
    idle = RemoteActor.objects.filter(fetched_at__lt=cutoff).filter(
        ~Exists(Follower.objects.filter(actor=OuterRef("pk"))),
        ~Exists(RemoteReply.objects.filter(actor=OuterRef("pk"))),
        ~Exists(Reaction.objects.filter(actor=OuterRef("pk"))),
    )
    return idle.delete()[1].get(RemoteActor._meta.label, 0)


def page_facts(request: HttpRequest) -> dict[str, Any]:
    return {
        "fediverse": settings.SALON["FEDIVERSE"],
        "fediverse_handle": local_handle(BLOG),
        "fediverse_retention_days": settings.SALON["FEDIVERSE_RETENTION_DAYS"],
        "fediverse_cache_hours": settings.SALON["FEDIVERSE_ACTOR_CACHE_HOURS"],
    }


SOURCES = [
    PersonalDataSource(
        "fediverse",
        "Fediverse account",
        _export,
        _erase,
        note=(
            "Found by a fediverse handle (someone@server) or account address, not an e-mail "
            "address: the account's public profile as its server gave it, its follow, its "
            "replies (comments) and its likes and boosts."
        ),
        erase_order=80,
    ),
]

RETENTION = [
    RetentionTask(
        "fediverse_deliveries",
        _forget_old_deliveries,
        "%(count)d sent fediverse activities forgotten",
    ),
    RetentionTask(
        "fediverse_accounts", _forget_idle_actors, "%(count)d idle fediverse accounts forgotten"
    ),
]

SECTION = PageSection("fediverse/privacy.html")
