"""Everything this site holds about an e-mail address: finding it, exporting it, erasing it.

Each kind of data is a :class:`PersonalDataSource` in :data:`sources`. Salon's own are
registered below; a later app (accounts from social log-in, say) appends its own, and the
export, the erasure, the admin and ``salon personal_data`` all pick it up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from salon.discussion.counts import refresh_comment_counts, refresh_like_count
from salon.discussion.models import Comment, Like
from salon.notifications.models import MailOptOut, OutgoingMail, Subscription
from salon.privacy.models import DataRequest

ERASURE_MODES = ("anonymise", "delete")


@dataclass(frozen=True)
class PersonalDataSource:
    """One kind of personal data, and how to export and erase it for an address."""

    name: str
    title: str
    export: Callable[[str], list[dict[str, Any]]]
    # (email, mode) -> records changed; None when this kind is kept (``note`` says why).
    erase: Callable[[str, str], int] | None = None
    note: str = ""
    # Lower runs first on erasure: likes are found through comments, so comments go last.
    erase_order: int = 50


sources: list[PersonalDataSource] = []


def email_digest(email: str) -> str:
    """A keyed hash of the address: recognisable by this site only, not reversible."""
    return salted_hmac("salon.privacy.address", email.strip().lower()).hexdigest()


def _iso(value) -> str | None:
    return value.isoformat() if value else None


# Comments ---------------------------------------------------------------------------------


def _accounts(email: str):
    return get_user_model().objects.filter(email__iexact=email)


def _comments(email: str):
    return Comment.objects.filter(Q(author_email__iexact=email) | Q(user__email__iexact=email))


def _export_comments(email: str) -> list[dict[str, Any]]:
    rows = []
    for c in _comments(email).select_related("post").order_by("created_at", "id"):
        rows.append(
            {
                "id": c.pk,
                "post": c.post.title,
                "post_url": c.post.public_url(),
                "in_reply_to": c.parent_id,
                "date": _iso(c.created_at),
                "status": c.status,
                "name": c.author_name,
                "email": c.author_email,
                "website": c.author_url,
                "ip_address": c.author_ip,
                "browser": c.user_agent,
                "text": c.content,
                "spam_score": c.spam_score,
            }
        )
    return rows


def _erase_comments(email: str, mode: str) -> int:
    comments = _comments(email)
    post_ids = set(comments.values_list("post_id", flat=True))
    if mode == "delete":
        # Replies by other people stay; they lose only their parent link.
        count = comments.count()
        comments.delete()
    else:
        count = comments.update(
            author_name="",  # shown as "Anonymous"
            author_email="",
            author_url="",
            author_ip=None,
            user_agent="",
            user=None,
            visitor_key="",
            identity_provider="",
        )
    # Recounting bumps each post's conversation version, so no cached thread shows the name.
    refresh_comment_counts(post_ids)
    return count


# Likes ------------------------------------------------------------------------------------


def _likes(email: str):
    """Likes of accounts with this address, and guest likes from the browsers its comments
    came from (a guest's likes and comments carry the same random cookie key)."""
    account_ids = list(_accounts(email).values_list("pk", flat=True))
    guest_keys = {
        k for k in _comments(email).exclude(visitor_key="").values_list("visitor_key", flat=True)
    }
    likers = [f"u:{pk}" for pk in account_ids] + [f"g:{key}" for key in guest_keys]
    return Like.objects.filter(Q(user_id__in=account_ids) | Q(liker__in=likers))


def _export_likes(email: str) -> list[dict[str, Any]]:
    return [
        {
            "post": like.post.title,
            "post_url": like.post.public_url(),
            "comment": like.comment_id,
            "date": _iso(like.created_at),
            "as": "account" if like.liker.startswith("u:") else "guest (browser cookie)",
        }
        for like in _likes(email).select_related("post").order_by("created_at", "id")
    ]


def _erase_likes(email: str, mode: str) -> int:
    likes = _likes(email)
    targets = set(likes.values_list("post_id", "comment_id"))
    count, _ = likes.delete()
    for post_id, comment_id in targets:
        refresh_like_count(post_id, comment_id)
    return count


# Mail -------------------------------------------------------------------------------------


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
    about = Q(comment__in=_comments(email).values("pk"))
    count, _ = OutgoingMail.objects.filter(Q(to__iexact=email) | about).delete()
    return count


# Accounts ---------------------------------------------------------------------------------


def _export_accounts(email: str) -> list[dict[str, Any]]:
    return [
        {
            "username": u.get_username(),
            "first_name": u.first_name,
            "last_name": u.last_name,
            "email": u.email,
            "joined": _iso(u.date_joined),
            "last_login": _iso(u.last_login),
            "staff": u.is_staff,
        }
        for u in _accounts(email)
    ]


sources += [
    PersonalDataSource(
        "comments",
        "Comments",
        _export_comments,
        _erase_comments,
        note="Comments written under this address, or by an account that has it.",
        erase_order=90,
    ),
    PersonalDataSource(
        "likes",
        "Likes",
        _export_likes,
        _erase_likes,
        note=(
            "Likes of accounts with this address. A guest's likes are kept under a random key "
            "in a browser cookie, not under an e-mail address: they are found only when they "
            "came from the same browser as one of these comments."
        ),
    ),
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
    PersonalDataSource(
        "accounts",
        "Accounts",
        _export_accounts,
        None,
        note=(
            "Accounts are not deleted by an erasure request (their owner may still need to "
            "log in); an administrator deletes an account on request."
        ),
    ),
]


def export_personal_data(email: str) -> dict[str, Any]:
    """Everything held about ``email``, as JSON-ready data."""
    email = email.strip()
    data: dict[str, Any] = {
        "site": settings.SITE_URL,
        "email": email,
        "generated_at": timezone.now().isoformat(),
        "notes": {},
    }
    for source in sources:
        data[source.name] = source.export(email)
        if source.note:
            data["notes"][source.name] = source.note
    return data


def count_personal_data(email: str) -> dict[str, int]:
    """How many records of each kind ``email`` has."""
    return {source.name: len(source.export(email.strip())) for source in sources}


def erasure_mode() -> str:
    """The owner's choice for comments (SALON_ERASURE), checked."""
    mode = str(settings.SALON.get("ERASURE", "anonymise")).strip().lower()
    if mode not in ERASURE_MODES:
        raise ValueError(f"SALON_ERASURE must be 'anonymise' or 'delete', not {mode!r}.")
    return mode


def erase_personal_data(email: str, source: str, mode: str | None = None) -> dict[str, int]:
    """Erase what ``email`` has (comments by the owner's setting), log it, return the counts.

    One transaction: a failure erases nothing. ``source`` says who asked (DataRequest.Source).
    """
    email = email.strip()
    mode = mode or erasure_mode()
    if mode not in ERASURE_MODES:
        raise ValueError(f"Erasure mode must be 'anonymise' or 'delete', not {mode!r}.")
    counts: dict[str, int] = {}
    with transaction.atomic():
        for item in sorted(sources, key=lambda s: s.erase_order):
            if item.erase is not None:
                counts[item.name] = item.erase(email, mode)
        DataRequest.objects.create(
            kind=DataRequest.Kind.ERASE,
            source=source,
            counts=counts,
            erasure_mode=mode,
            email_digest=email_digest(email),
        )
    return counts


def log_export(email: str, source: str, data: dict[str, Any]) -> None:
    """Record that ``email``'s data was handed out (counts only)."""
    DataRequest.objects.create(
        kind=DataRequest.Kind.EXPORT,
        source=source,
        counts={s.name: len(data.get(s.name, [])) for s in sources},
        email_digest=email_digest(email),
    )
