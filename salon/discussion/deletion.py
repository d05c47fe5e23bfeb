"""Deleting comments for good, whoever deletes them: a moderator, a reader within the edit
window, an erasure request, retention.

The replies others wrote under a deleted comment stay in their thread: each moves up to the
deleted comment's nearest ancestor that stays, as WordPress moves them (a reply whose every
ancestor goes becomes a comment of its own). The posts' counts are recounted.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import QuerySet

from salon.discussion.counts import recounted_once
from salon.discussion.models import Comment


def delete_comments(comments: QuerySet[Comment]) -> int:
    """Delete ``comments`` and return how many went (their likes and notices go with them
    and are not counted)."""
    with transaction.atomic(), recounted_once():  # each post once, not once per comment
        _lift_replies(comments)
        deleted = comments.delete()[1].get(Comment._meta.label, 0)
    return deleted


def _lift_replies(comments: QuerySet[Comment]) -> None:
    doomed = comments.values("pk")
    replies = list(
        Comment.objects.filter(parent__in=doomed)
        .exclude(pk__in=doomed)
        .values_list("pk", "parent_id")
    )
    if not replies:
        return
    # Each doomed ancestor's own parent, walked up until an ancestor that stays.
    up: dict[int, int | None] = {}
    frontier = {parent for _pk, parent in replies}
    while frontier:
        found = dict(comments.filter(pk__in=frontier).values_list("pk", "parent_id"))
        up.update(found)
        frontier = {p for p in found.values() if p is not None and p not in up}

    def survivor(parent: int | None) -> int | None:
        while parent in up:
            parent = up[parent]
        return parent

    moved: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in replies:
        moved[survivor(parent)].append(pk)
    for parent, pks in moved.items():
        Comment.objects.filter(pk__in=pks).update(parent_id=parent)
