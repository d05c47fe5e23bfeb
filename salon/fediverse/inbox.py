"""The inbox: who sent an activity (its HTTP signature), and what it means here.

:func:`authenticate` finds the signer's key (cached, fetched through the guarded fetcher,
fetched again once if it does not verify) and checks the signature, digest and date.
:func:`receive` then acts on a verified activity from that actor:

- ``Follow`` of one of our actors: a follower, answered with an ``Accept``; ``Undo`` of it
  ends the follow;
- ``Create`` of a ``Note`` answering one of our posts or comments: a comment, through the
  comment pipeline; ``Update`` and ``Delete`` of that Note edit or remove it;
- ``Like`` and ``Announce`` of a post: a like counted with the others, a boost shown as
  "boosted by"; ``Undo`` takes them back;
- ``Delete`` of the actor itself: everything it left here goes;
- anything else, or about something not ours: ignored, answered 202.

Each activity is acted on in one transaction: nothing is half-stored.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from salon.discussion.counts import refresh_comment_counts, refresh_like_count
from salon.discussion.models import Comment, Like
from salon.fediverse import jsonld, remote
from salon.fediverse.delivery import queue
from salon.fediverse.documents import activity, local_actor_for_uri
from salon.fediverse.local import resolve_target
from salon.fediverse.models import (
    FediverseSettings,
    Follower,
    Reaction,
    RemoteActor,
    RemoteReply,
)
from salon.fediverse.remote import RemoteError, host_of
from salon.fediverse.replies import Outcome, delete_note, receive_note, update_note
from salon.fediverse.signatures import (
    Claim,
    SignatureRefused,
    SignedRequest,
    verify,
)
from salon.publishing.models import Post

IGNORED = Outcome(202, "Ignored: nothing here is about that.")


# --- who sent it ----------------------------------------------------------------------------


def authenticate(request: SignedRequest, found: Claim) -> RemoteActor:
    """The actor whose key signed ``request``; :class:`SignatureRefused` if none did.

    The key comes from the cache; if the signature does not verify with it (the actor may
    have a new key), it is fetched again, once.
    """
    try:
        actor, fresh = remote.actor_for_key(found.key_id)
    except RemoteError as error:
        raise SignatureRefused(f"The signer's key could not be had: {error.message}") from None
    try:
        verify(request, found, actor.public_key_pem)
    except SignatureRefused:
        if fresh:
            raise
        try:
            actor, _fresh = remote.actor_for_key(found.key_id, refresh=True)
        except RemoteError as error:
            raise SignatureRefused(f"The signer's key could not be had: {error.message}") from None
        verify(request, found, actor.public_key_pem)
    return actor


def is_blocked(uri_or_host: str, actor: RemoteActor | None = None) -> bool:
    """Whether the owner blocked this server (or one of its parent domains) or actor."""
    entries = FediverseSettings.current().blocked_entries()
    if not entries:
        return False
    host = host_of(uri_or_host) if "://" in uri_or_host else uri_or_host.lower()
    names = set()
    if actor is not None:
        names = {actor.uri.lower(), actor.handle.lower(), f"@{actor.handle.lower()}"}
        names |= {actor.profile_url.lower()} if actor.profile_url else set()
    for entry in entries:
        if entry in names:
            return True
        domain = entry.lstrip("@").lstrip("*.")
        if (
            "/" not in entry
            and "@" not in entry
            and (host == domain or host.endswith(f".{domain}"))
        ):
            return True
    return False


# --- what it means --------------------------------------------------------------------------


def _object(document: dict[str, Any]) -> Any:
    return document.get("object")


def receive(document: dict[str, Any], actor: RemoteActor) -> Outcome:
    """Act on a verified activity sent by ``actor``."""
    kinds = set(jsonld.types(document))
    handlers = [
        ("Follow", _follow),
        ("Undo", _undo),
        ("Create", _create),
        ("Update", _update),
        ("Delete", _delete),
        ("Like", _like),
        ("Announce", _announce),
    ]
    for kind, handler in handlers:
        if kind in kinds:
            return handler(document, actor)
    return Outcome(202, "Ignored: this server does nothing with that kind of activity.")


def _follow(document: dict[str, Any], actor: RemoteActor) -> Outcome:
    local = local_actor_for_uri(jsonld.ref(_object(document)))
    follow_uri = jsonld.ref(document)
    if local is None:
        return IGNORED
    if not follow_uri:
        return Outcome(400, "The Follow has no id.")
    accept = activity(
        "Accept",
        local,
        {
            "id": follow_uri,
            "type": "Follow",
            "actor": actor.uri,
            "object": jsonld.ref(_object(document)),
        },
    )
    with transaction.atomic():
        Follower.objects.update_or_create(
            actor=actor, local=local, defaults={"follow_uri": follow_uri}
        )
        queue("Accept", local, accept, [actor.inbox])
    return Outcome(202, "Accepted: you follow this blog now.")


def _undo(document: dict[str, Any], actor: RemoteActor) -> Outcome:
    undone = _object(document)
    uri = jsonld.ref(undone)
    kinds = set(jsonld.types(undone)) if isinstance(undone, dict) else set()
    with transaction.atomic():
        follows = Follower.objects.filter(actor=actor, follow_uri=uri)
        if "Follow" in kinds and isinstance(undone, dict):
            local = local_actor_for_uri(jsonld.ref(undone.get("object")))
            follows = Follower.objects.filter(Q(actor=actor) & (Q(follow_uri=uri) | Q(local=local)))
        if follows.delete()[0]:
            return Outcome(202, "Accepted: you no longer follow this blog.")
        reactions = Reaction.objects.filter(actor=actor, activity_uri=uri)
        if not reactions.exists() and kinds & {"Like", "Announce"} and isinstance(undone, dict):
            target = resolve_target(jsonld.ref(undone.get("object")))
            kind = Reaction.Kind.LIKE if "Like" in kinds else Reaction.Kind.BOOST
            if target is not None:
                reactions = Reaction.objects.filter(actor=actor, post=target.post, kind=kind)
        removed = _remove_reactions(reactions)
    return Outcome(202, "Accepted: undone.") if removed else IGNORED


def _remove_reactions(reactions) -> int:
    rows = list(reactions.select_related("like"))
    for reaction in rows:
        like = reaction.like
        reaction.delete()
        if like is not None:
            like.delete()
            refresh_like_count(like.post_id, like.comment_id)
    if rows:
        Post.objects.filter(pk__in={r.post_id for r in rows}).update(
            conversation_version=F("conversation_version") + 1
        )
    return len(rows)


def _note_of(document: dict[str, Any], actor: RemoteActor) -> dict[str, Any] | None:
    """The activity's object as a document: embedded, or fetched from its own server."""
    obj = _object(document)
    if isinstance(obj, dict) and len(obj) > 2:
        return obj
    uri = jsonld.ref(obj)
    if not uri or host_of(uri) != actor.host:
        return None
    try:
        return remote.fetch_document(uri)
    except RemoteError:
        return None


def _create(document: dict[str, Any], actor: RemoteActor) -> Outcome:
    note = _note_of(document, actor)
    if note is None:
        return IGNORED
    return receive_note(note, actor)


def _update(document: dict[str, Any], actor: RemoteActor) -> Outcome:
    obj = _object(document)
    if jsonld.ref(obj) == actor.uri:
        try:
            remote.actor(actor.uri, refresh=True)
        except RemoteError as error:
            return Outcome(202, f"Accepted, but the profile could not be fetched: {error.message}")
        return Outcome(202, "Accepted: the profile was refreshed.")
    note = _note_of(document, actor)
    if note is None:
        return IGNORED
    return update_note(note, actor)


def _delete(document: dict[str, Any], actor: RemoteActor) -> Outcome:
    uri = jsonld.ref(_object(document))
    if uri == actor.uri:
        forget_actor(actor)
        return Outcome(202, "Accepted: everything this account left here was removed.")
    return delete_note(uri, actor)


def forget_actor(actor: RemoteActor, anonymise: bool = False) -> int:
    """Remove all an actor left here: follows, likes and boosts, and its replies (deleted,
    or with ``anonymise`` kept as "Anonymous"). Returns how many records changed."""
    with transaction.atomic():
        count = _remove_reactions(Reaction.objects.filter(actor=actor))
        count += Follower.objects.filter(actor=actor).delete()[0]
        comment_ids = list(
            RemoteReply.objects.filter(actor=actor).values_list("comment_id", flat=True)
        )
        comments = Comment.objects.filter(pk__in=comment_ids)
        post_ids = set(comments.values_list("post_id", flat=True))
        if anonymise:
            count += comments.update(author_name="", author_url="", user_agent="", author_ip=None)
            RemoteReply.objects.filter(actor=actor).delete()
        else:
            count += comments.count()
            comments.delete()
        Like.objects.filter(liker=f"ap:{actor.pk}").delete()
        actor.delete()
        refresh_comment_counts(post_ids)
    return count


def _like(document: dict[str, Any], actor: RemoteActor) -> Outcome:
    target = resolve_target(jsonld.ref(_object(document)))
    uri = jsonld.ref(document)
    if target is None:
        return IGNORED
    if not uri:
        return Outcome(400, "The Like has no id.")
    comment = target.comment
    try:
        with transaction.atomic():
            like, _created = Like.objects.get_or_create(
                post=target.post,
                comment=comment,
                liker=f"ap:{actor.pk}",
            )
            if not Reaction.objects.filter(actor=actor, post=target.post, kind="like").exists():
                Reaction.objects.create(
                    activity_uri=uri,
                    kind=Reaction.Kind.LIKE,
                    actor=actor,
                    post=target.post,
                    like=like,
                )
            refresh_like_count(target.post.pk, comment.pk if comment else None)
    except IntegrityError:
        return Outcome(202, "Accepted: already liked.")
    return Outcome(202, "Accepted: liked.")


def _announce(document: dict[str, Any], actor: RemoteActor) -> Outcome:
    target = resolve_target(jsonld.ref(_object(document)))
    uri = jsonld.ref(document)
    if target is None or target.comment is not None:
        return IGNORED
    if not uri:
        return Outcome(400, "The Announce has no id.")
    try:
        with transaction.atomic():
            Reaction.objects.get_or_create(
                actor=actor,
                post=target.post,
                kind=Reaction.Kind.BOOST,
                defaults={"activity_uri": uri},
            )
            Post.objects.filter(pk=target.post.pk).update(
                conversation_version=F("conversation_version") + 1
            )
    except IntegrityError:
        return Outcome(202, "Accepted: already boosted.")
    return Outcome(202, "Accepted: boosted.")
