"""Subscribing (with a confirmation click), confirming, and unsubscribing."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from salon.notifications.delivery import enqueue
from salon.notifications.links import Unsubscription, confirm_url, unsubscribe_url
from salon.notifications.models import MailOptOut, Subscription, Topic
from salon.prepared import prepared
from salon.publishing.models import Post


def normalise(email: str) -> str:
    """Addresses are compared without regard to case, as people type them."""
    return email.strip().lower()


def opted_out(email: str, topic: str) -> bool:
    """Whether ``email`` used an unsubscribe link to stop mail of ``topic`` (one query,
    compiled once: every comment asks it)."""
    query = prepared(
        "opted out",
        lambda v: MailOptOut.objects.filter(
            email=v("email", "\x00email\x00"), topic=v("topic", "\x00topic\x00")
        ).values_list("pk")[:1],
    )
    return query.first_row(email=normalise(email), topic=topic) is not None


def opt_outs(topic: str) -> QuerySet:
    """The addresses that stopped mail of ``topic`` with an unsubscribe link, as stored
    (normalised): ``opted_out(email, topic)`` is whether ``normalise(email)`` is one."""
    return MailOptOut.objects.filter(topic=topic)


def _subscription(email: str, topic: str, post: Post | None) -> Subscription:
    try:
        with transaction.atomic():
            return Subscription.objects.get_or_create(email=email, topic=topic, post=post)[0]
    except IntegrityError:
        # Two requests raced to create it; the other one won.
        return Subscription.objects.get(email=email, topic=topic, post=post)


def request_subscriptions(email: str, post: Post, replies: bool, new_posts: bool) -> int:
    """Record what ``email`` asked for and mail one confirmation link; return how many wait.

    Subscriptions already confirmed are left as they are and need no new mail. Someone who
    opted out of confirmation mails gets none (the form cannot be used to pester them).
    """
    email = normalise(email)
    if not email or not (replies or new_posts) or opted_out(email, Topic.CONFIRMATION):
        return 0
    wanted = []
    if replies:
        wanted.append(_subscription(email, Topic.REPLIES, post))
    if new_posts:
        wanted.append(_subscription(email, Topic.POSTS, None))
    waiting = [s for s in wanted if s.confirmed_at is None]
    if not waiting:
        return 0
    lines = []
    for sub in waiting:
        if sub.topic == Topic.REPLIES:
            lines.append(_("• new comments on “%(title)s”") % {"title": post.title})
        else:
            lines.append(_("• new posts on %(site)s") % {"site": settings.SITE_NAME})
    body = _(
        "Someone, probably you, asked %(site)s to send this address:\n\n%(what)s\n\n"
        "To confirm, open this link (it works for 7 days):\n%(confirm)s\n\n"
        "If it was not you, ignore this message: nothing will be sent without the click.\n"
        "To never receive such requests again: %(stop)s\n"
    ) % {
        "site": settings.SITE_NAME,
        "what": "\n".join(lines),
        "confirm": confirm_url(email, [s.pk for s in waiting]),
        "stop": unsubscribe_url(email, Topic.CONFIRMATION),
    }
    enqueue(
        email,
        _("Please confirm your subscription to %(site)s") % {"site": settings.SITE_NAME},
        body,
        topic=Topic.CONFIRMATION,
        unsubscribe_url=unsubscribe_url(email, Topic.CONFIRMATION),
    )
    return len(waiting)


def waiting(email: str, subscription_ids: list[int]) -> list[Subscription]:
    """The subscriptions of ``email`` a confirmation link names (confirmed or not), as they
    are now: those cancelled since are gone."""
    return list(
        Subscription.objects.filter(pk__in=subscription_ids, email=normalise(email))
        .select_related("post")
        .order_by("pk")
    )


def confirm(email: str, subscription_ids: list[int]) -> list[Subscription]:
    """Confirm the subscriptions a confirmation link names; return them."""
    subs = waiting(email, subscription_ids)
    Subscription.objects.filter(pk__in=[s.pk for s in subs], confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    return subs


def unsubscribe(stop: Unsubscription) -> int:
    """Stop what an unsubscribe link names; return how many subscriptions were removed.

    Reader subscriptions are deleted. Mail the site sends on its own account (notices to
    post authors and moderators, confirmation requests) is stopped by an opt-out record.
    """
    email = normalise(stop.email)
    if stop.topic in (Topic.REPLIES, Topic.POSTS):
        subs = Subscription.objects.filter(email=email, topic=stop.topic)
        if stop.topic == Topic.REPLIES:
            subs = subs.filter(post_id=stop.post_id)
        removed, _ = subs.delete()
        return removed
    if stop.topic not in Topic.values:
        return 0
    MailOptOut.objects.get_or_create(email=email, topic=stop.topic)
    if stop.topic == Topic.CONFIRMATION:
        removed, _ = Subscription.objects.filter(email=email, confirmed_at__isnull=True).delete()
        return removed
    return 0
