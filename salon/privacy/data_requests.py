"""Asking for one's data by e-mail: the signed link that proves the address is yours.

A link works once, within a day of being sent (the day is for slow mail). It is a key to a
person's data, and mail is forwarded, synced and archived; a link that went on working would
open the data to whoever read the message next. Once, as WordPress's confirmation links and
the moderation links here: the page behind it asks with a button first (mail scanners open
links), and the button's request uses it up. The export page can then be downloaded as JSON
for :data:`DOWNLOAD_MAX_AGE` through a token inside that page only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from salon.notifications.delivery import absolute_url, enqueue
from salon.notifications.links import unsubscribe_url
from salon.notifications.subscriptions import opted_out
from salon.notifications.topics import Topic
from salon.privacy.models import DataLinkUse, DataRequest

LINK_MAX_AGE = 24 * 3600
DOWNLOAD_MAX_AGE = 15 * 60
_SALT = "salon.privacy.data-request"
_DOWNLOAD_SALT = "salon.privacy.data-download"


class BadRequestLink(Exception):
    """A data-request link that was tampered with or has expired."""


class UsedRequestLink(Exception):
    """A data-request link that has already been used."""


@dataclass(frozen=True)
class DataLink:
    """What a mailed link carries: whose data, what to do with it, and its one-use nonce."""

    email: str
    kind: str
    nonce: str


def request_link(email: str, kind: str) -> str:
    """The link that lets the owner of ``email`` export (or erase) its data, once, within a
    day."""
    nonce = secrets.token_urlsafe(18)
    token = signing.dumps({"e": email.strip(), "k": kind, "n": nonce}, salt=_SALT)
    return absolute_url(reverse("privacy:data-link", args=[token]))


def read_request_link(token: str) -> DataLink:
    """What a link carries; :class:`BadRequestLink` if it is forged, expired or from before
    links carried a nonce (those were sent less than a day before the upgrade)."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=LINK_MAX_AGE)
        link = DataLink(str(data["e"]), str(data["k"]), str(data["n"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadRequestLink(str(error)) from None
    if link.kind not in DataRequest.Kind.values or not link.nonce:
        raise BadRequestLink("unknown kind")
    return link


def link_used(link: DataLink) -> bool:
    """Whether the link has been used already."""
    return DataLinkUse.objects.filter(nonce=link.nonce).exists()


def use_link(link: DataLink) -> None:
    """Use the link up, or raise :class:`UsedRequestLink` if it was used before.

    Call it in the transaction that does what the link asks: if that fails, the link still
    works. Two requests racing with the same link cannot both pass (the nonce is unique).
    """
    try:
        with transaction.atomic():
            DataLinkUse.objects.create(nonce=link.nonce[:64], kind=link.kind)
    except IntegrityError:
        raise UsedRequestLink(link.nonce) from None


def download_token(link: DataLink) -> str:
    """A token, put inside the export page only, that downloads the same data as JSON for
    :data:`DOWNLOAD_MAX_AGE` after the link was used."""
    return signing.dumps({"n": link.nonce}, salt=_DOWNLOAD_SALT)


def download_allowed(link: DataLink, token: str) -> bool:
    """Whether ``token`` is this used link's download token and still fresh."""
    try:
        data = signing.loads(token, salt=_DOWNLOAD_SALT, max_age=DOWNLOAD_MAX_AGE)
    except signing.BadSignature:
        return False
    return isinstance(data, dict) and data.get("n") == link.nonce and link_used(link)


def mail_request_link(email: str, kind: str) -> None:
    """Queue the link for ``email``, whether or not the site holds anything about it.

    Sending it either way is what keeps the form from telling a stranger whether an
    address has commented here; only the address's owner sees the answer.
    """
    if opted_out(email, Topic.DATA_REQUEST):
        return
    if kind == DataRequest.Kind.ERASE:
        subject = _("Erase your data on %(site)s") % {"site": settings.SITE_NAME}
        what = _("have the data tied to this address erased")
    else:
        subject = _("Your data on %(site)s") % {"site": settings.SITE_NAME}
        what = _("get a copy of the data tied to this address")
    body = _(
        "Someone, probably you, asked to %(what)s on %(site)s.\n\n"
        "Open this link within 24 hours; it works once:\n%(link)s\n\n"
        "If it was not you, ignore this message: nothing happens without the link.\n"
    ) % {"what": what, "site": settings.SITE_NAME, "link": request_link(email, kind)}
    stop = unsubscribe_url(email.strip(), Topic.DATA_REQUEST)
    body += "\n-- \n" + _("To never receive such links again: %(url)s") % {"url": stop}
    enqueue(email.strip(), subject, body, topic=Topic.DATA_REQUEST, unsubscribe_url=stop)
