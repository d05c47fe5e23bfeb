"""Sending activities to followers: queued as ``Delivery`` rows, sent by the background
process, retried with growing delays while a server is away (as Webmentions are).

Nothing here talks to another server during a request: the request stores the activity and
its deliveries; ``salon background`` sends them every ``SALON_FEDIVERSE_INTERVAL`` seconds.
Each delivery is claimed with a compare-and-set UPDATE, so several processes (or hosts) may
run the round at once without sending one twice.
"""

from __future__ import annotations

import http.client
import json
import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from salon.fediverse.documents import key_uri
from salon.fediverse.keys import private_key
from salon.fediverse.models import Delivery, OutgoingActivity
from salon.fediverse.signatures import sign
from salon.publishing.fetching import FetchError, fetch
from salon.publishing.models import Post

log = logging.getLogger(__name__)

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(days=1),
    timedelta(days=3),
)
"""When to try again after the first, second, … failure in a row while the server is away;
after the last, the delivery has failed (the admin shows each answer)."""
LEASE = timedelta(minutes=5)
"""How long a claimed delivery is left to the process that claimed it."""
CONTENT_TYPE = "application/activity+json"


def queue(
    kind: str,
    sender: str,
    document: dict,
    inboxes: Iterable[str],
    post: Post | None = None,
) -> OutgoingActivity:
    """Store an activity and one delivery per inbox (each once), due now."""
    now = timezone.now()
    with transaction.atomic():
        activity = OutgoingActivity.objects.create(
            uri=document["id"], kind=kind, sender=sender, post=post, document=document
        )
        Delivery.objects.bulk_create(
            Delivery(activity=activity, inbox=inbox, retry_at=now)
            for inbox in dict.fromkeys(i for i in inboxes if i)
        )
    return activity


def _answer(status: int, body: str) -> str:
    reason = http.client.responses.get(status, "")
    detail = f"{status} {reason}".strip()
    body = " ".join(body.split())[:200]
    return f"{detail}: {body}" if body else detail


def post_activity(inbox: str, activity: OutgoingActivity) -> tuple[int, str]:
    """POST the activity, signed by its sender; the status and what the server said."""
    body = json.dumps(activity.document, ensure_ascii=False).encode()
    headers = sign(
        "POST",
        inbox,
        key_uri(activity.sender),
        private_key(activity.sender),
        body=body,
        headers={"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE},
    )
    response = fetch(inbox, method="POST", data=body, headers=headers, follow_redirects=False)
    return response.status, _answer(response.status, response.text())


def _claim(delivery: Delivery, now) -> bool:
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.WAITING, retry_at=delivery.retry_at
        ).update(retry_at=now + LEASE)
    )


def send(delivery: Delivery) -> Delivery:
    """Send one claimed delivery and record the answer."""
    now = timezone.now()
    try:
        status, answer = post_activity(delivery.inbox, delivery.activity)
        transient = status >= 500 or status in (408, 429)
    except FetchError as error:
        status, answer, transient = 0, error.message[:500], error.transient
    delivery.answered_at = now
    delivery.answer = answer[:500]
    if 200 <= status < 300:
        delivery.status, delivery.retry_at = Delivery.Status.DELIVERED, None
        delivery.attempts += 1
    elif transient and delivery.attempts < len(RETRY_DELAYS):
        delivery.retry_at = now + RETRY_DELAYS[delivery.attempts]
        delivery.attempts += 1
    else:
        delivery.status, delivery.retry_at = Delivery.Status.FAILED, None
        delivery.attempts += 1
    delivery.save(update_fields=["status", "retry_at", "attempts", "answered_at", "answer"])
    log.info(
        "%s %s to %s: %s", delivery.activity.kind, delivery.activity.uri, delivery.inbox, answer
    )
    return delivery


def send_due(limit: int = 100) -> int:
    """Send the deliveries whose time has come; how many were tried."""
    now = timezone.now()
    due = (
        Delivery.objects.filter(status=Delivery.Status.WAITING, retry_at__lte=now)
        .select_related("activity")
        .order_by("retry_at", "id")[:limit]
    )
    count = 0
    for delivery in due:
        if _claim(delivery, now):
            send(delivery)
            count += 1
    return count
