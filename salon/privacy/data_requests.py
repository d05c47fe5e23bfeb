"""Asking for one's data by e-mail: the signed, expiring link that proves the address is yours."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from salon.notifications.delivery import absolute_url, enqueue
from salon.notifications.links import unsubscribe_url
from salon.notifications.subscriptions import opted_out
from salon.notifications.topics import Topic
from salon.privacy.models import DataRequest

LINK_MAX_AGE = 24 * 3600
_SALT = "salon.privacy.data-request"


class BadRequestLink(Exception):
    """A data-request link that was tampered with or has expired."""


def request_link(email: str, kind: str) -> str:
    """The link that lets the owner of ``email`` export (or erase) its data for a day."""
    token = signing.dumps({"e": email.strip(), "k": kind}, salt=_SALT)
    return absolute_url(reverse("privacy:data-link", args=[token]))


def read_request_link(token: str) -> tuple[str, str]:
    """The address and the kind of request a link carries."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=LINK_MAX_AGE)
        email, kind = str(data["e"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadRequestLink(str(error)) from None
    if kind not in DataRequest.Kind.values:
        raise BadRequestLink("unknown kind")
    return email, kind


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
        "Open this link within 24 hours:\n%(link)s\n\n"
        "If it was not you, ignore this message: nothing happens without the link.\n"
    ) % {"what": what, "site": settings.SITE_NAME, "link": request_link(email, kind)}
    stop = unsubscribe_url(email.strip(), Topic.DATA_REQUEST)
    body += "\n-- \n" + _("To never receive such links again: %(url)s") % {"url": stop}
    enqueue(email.strip(), subject, body, topic=Topic.DATA_REQUEST, unsubscribe_url=stop)
