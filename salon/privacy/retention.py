"""Retention: personal data is kept only as long as the privacy page says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from salon.discussion.counts import refresh_comment_counts
from salon.discussion.models import Comment


@dataclass
class RetentionReport:
    addresses_removed: int
    spam_deleted: int
    trash_deleted: int


def apply_retention() -> RetentionReport:
    """Remove IP addresses and browser strings past their time; delete old spam and trash."""
    now = timezone.now()
    limits = settings.SALON
    with transaction.atomic():
        addresses = (
            Comment.objects.filter(created_at__lt=now - timedelta(days=limits["IP_RETENTION_DAYS"]))
            .exclude(author_ip__isnull=True, user_agent="")
            .update(author_ip=None, user_agent="")
        )
        old_spam = Comment.objects.filter(
            status=Comment.Status.SPAM,
            created_at__lt=now - timedelta(days=limits["SPAM_RETENTION_DAYS"]),
        )
        old_trash = Comment.objects.filter(
            status=Comment.Status.TRASH,
            created_at__lt=now - timedelta(days=limits["TRASH_RETENTION_DAYS"]),
        )
        post_ids = set(old_spam.values_list("post_id", flat=True)) | set(
            old_trash.values_list("post_id", flat=True)
        )
        # Replies to deleted comments stay; they lose only their parent link.
        spam, _ = old_spam.delete()
        trash, _ = old_trash.delete()
        refresh_comment_counts(post_ids)
    return RetentionReport(addresses, spam, trash)
