"""Retention: personal data is kept only as long as the privacy page says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from salon.discussion.counts import refresh_comment_counts
from salon.discussion.models import Comment
from salon.notifications.delivery import forget_old_mail
from salon.notifications.links import CONFIRM_MAX_AGE
from salon.notifications.models import Subscription


@dataclass
class RetentionReport:
    addresses_removed: int
    spam_deleted: int
    trash_deleted: int
    mail_deleted: int = 0
    unconfirmed_deleted: int = 0


def apply_retention() -> RetentionReport:
    """Remove IP addresses and browser strings past their time; delete old spam and trash,
    sent mail, and subscriptions whose confirmation link has expired unclicked."""
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
        # delete() counts cascaded rows too (likes, queued notices); report comments only.
        spam = old_spam.delete()[1].get(Comment._meta.label, 0)
        trash = old_trash.delete()[1].get(Comment._meta.label, 0)
        refresh_comment_counts(post_ids)
        mail = forget_old_mail(now)
        # Never confirmed, and the link can no longer confirm it: the address was perhaps
        # typed by someone else, so it is not kept.
        unconfirmed, _ = Subscription.objects.filter(
            confirmed_at__isnull=True,
            created_at__lt=now - timedelta(seconds=CONFIRM_MAX_AGE),
        ).delete()
    return RetentionReport(addresses, spam, trash, mail, unconfirmed)


def retention_round() -> str:
    """Apply retention once and say what it did (a job for the background loop)."""
    report = apply_retention()
    return (
        f"Retention: addresses removed from {report.addresses_removed} comments, "
        f"{report.spam_deleted} spam and {report.trash_deleted} trashed comments deleted; "
        f"{report.mail_deleted} old messages and {report.unconfirmed_deleted} unconfirmed "
        "subscriptions deleted."
    )
