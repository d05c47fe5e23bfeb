"""Likes belong to identities: a guest who logs in brings their likes into the account."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from salon.discussion.counts import refresh_like_count
from salon.discussion.models import Like


def merge_guest_likes(guest_key: str, user: AbstractBaseUser) -> int:
    """Move the likes of guest ``g:<guest_key>`` to ``u:<user id>``; return how many moved.

    A post or comment both identities liked keeps one like (the account's), so nothing is
    counted twice; every touched count is recounted afterwards.
    """
    if not guest_key:
        return 0
    guest, account = f"g:{guest_key}", f"u:{user.pk}"
    likes = list(Like.objects.filter(liker=guest).values_list("pk", "post_id", "comment_id"))
    if not likes:
        return 0
    moved = 0
    with transaction.atomic():
        owned = set(
            Like.objects.filter(liker=account, post_id__in={p for _, p, _ in likes}).values_list(
                "post_id", "comment_id"
            )
        )
        for pk, post_id, comment_id in likes:
            row = Like.objects.filter(pk=pk)
            if (post_id, comment_id) in owned:
                row.delete()
                continue
            try:
                # One savepoint per like: if the account liked the same thing a moment ago
                # (another tab), the unique constraint refuses the move and the guest's
                # duplicate is dropped instead.
                with transaction.atomic():
                    moved += row.update(liker=account, user=user)
            except IntegrityError:
                row.delete()
    for post_id, comment_id in {(p, c) for _, p, c in likes}:
        refresh_like_count(post_id, comment_id)
    return moved
