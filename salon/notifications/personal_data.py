"""What mail holds about a person (subscriptions, opt-outs, messages), and how long:
registered with privacy in ``NotificationsConfig.ready``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from salon.notifications.delivery import KEEP_SENT_DAYS, forget_old_mail, mail_configured
from salon.notifications.links import CONFIRM_MAX_AGE
from salon.notifications.models import MailOptOut, OutgoingMail, Subscription
from salon.privacy.registry import PersonalDataSource, RetentionTask


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _export_subscriptions(email: str) -> list[dict[str, Any]]:
    rows = [
        {
            "topic": s.topic,
            "post": s.post.title if s.post else None,
            "asked": _iso(s.created_at),
            "confirmed": _iso(s.confirmed_at),
        }
        for s in Subscription.objects.filter(email__iexact=email).select_related("post")
    ]
    rows += [
        {"topic": f"no mail about: {o.topic}", "post": None, "asked": _iso(o.created_at)}
        for o in MailOptOut.objects.filter(email__iexact=email)
    ]
    return rows


def _erase_subscriptions(email: str, mode: str) -> int:
    subs, _ = Subscription.objects.filter(email__iexact=email).delete()
    opt_outs, _ = MailOptOut.objects.filter(email__iexact=email).delete()
    return subs + opt_outs


def _export_mail(email: str) -> list[dict[str, Any]]:
    return [
        {
            "subject": m.subject,
            "queued": _iso(m.created_at),
            "sent": _iso(m.sent_at),
            "body": m.body,
        }
        for m in OutgoingMail.objects.filter(to__iexact=email)
    ]


def _erase_mail(email: str, mode: str) -> int:
    # Notices about this person's comments (to post authors, moderators) quote their name,
    # address and words: they go too, sent or not.
    about = Q(comment__author_email__iexact=email) | Q(comment__user__email__iexact=email)
    count, _ = OutgoingMail.objects.filter(Q(to__iexact=email) | about).delete()
    return count


def _forget_unconfirmed(now: datetime) -> int:
    # Never confirmed, and the link can no longer confirm it: the address was perhaps
    # typed by someone else, so it is not kept.
    deleted, _ = Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - timedelta(seconds=CONFIRM_MAX_AGE)
    ).delete()
    return deleted


def page_facts(request: HttpRequest) -> dict[str, Any]:
    """What the privacy page says about mail: whether it is on, and how long it is kept."""
    return {
        "mail": mail_configured(),
        "mail_kept_days": KEEP_SENT_DAYS,
        "confirm_days": CONFIRM_MAX_AGE // (24 * 3600),
    }


SOURCES = [
    PersonalDataSource(
        "subscriptions",
        "Mail subscriptions",
        _export_subscriptions,
        _erase_subscriptions,
        note="Subscriptions to follow-up comments or new posts, and requests to stop mail.",
    ),
    PersonalDataSource(
        "mail",
        "Mail to this address",
        _export_mail,
        _erase_mail,
        note="Messages waiting to be sent, or sent in the last few days.",
    ),
]

RETENTION = [
    RetentionTask("mail", forget_old_mail, "%(count)d old messages deleted"),
    RetentionTask(
        "unconfirmed", _forget_unconfirmed, "%(count)d unconfirmed subscriptions deleted"
    ),
]
