"""The widget's words, in the reader's language, and the rules its form follows.

The widget carries no text of its own: every word it shows comes from here, through Django's
translation catalogue, so it speaks every language Salon's own pages speak (the same
messages as the post page's form, where they are the same words). The rules (required
fields, lengths, the edit window, whether mail can be offered) are the site's current ones.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from salon.discussion.models import AUTHOR_MAX, CONTENT_MAX, EMAIL_MAX, URL_MAX, DiscussionSettings
from salon.notifications.delivery import mail_configured


def words() -> dict[str, str]:
    """Every text the widget shows, by the name the widget uses."""
    return {
        "region": _("Comments"),
        "leave_reply": _("Leave a Reply"),
        "leave_reply_to": _("Leave a Reply to %s"),
        "cancel_reply": _("Cancel reply"),
        "comment": _("Comment"),
        "name": _("Name"),
        "email": _("Email"),
        "website": _("Website"),
        "required": _("Required fields are marked *"),
        "email_note": _("Your email address will not be published."),
        "honeypot": _("Leave this field empty"),
        "submit": _("Post Comment"),
        "sending": _("Sending…"),
        "reply": _("Reply"),
        "reply_to": _("Reply to"),
        "like": _("Like"),
        "liked": _("Liked"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "confirm_delete": _("Delete this comment? This cannot be undone."),
        "deleted": _("Your comment was deleted."),
        "awaiting": _("Your comment is awaiting moderation."),
        "mentioned": _("mentioned this post"),
        "fediverse": _("replied on the fediverse"),
        "more": _("Load more comments"),
        "closed": _("Comments are closed."),
        "first": _("No comments yet. Be the first to say something."),
        "log_in": _("Log in"),
        "log_in_note": _("Fill in your details below or log in:"),
        "log_out": _("Log out"),
        "commenting_as": _("You are commenting as %s."),
        "popup_blocked": _("Allow pop-up windows for this page to log in."),
        "notify_replies": _("Notify me of follow-up comments by email."),
        "notify_posts": _("Notify me of new posts by email."),
        "save_identity": _(
            "Save my name, email, and website in this browser for the next time I comment."
        ),
        "unreachable": _("The comments could not be reached. Try again in a moment."),
        "retry_in": _("Try again in %s seconds."),
        "privacy": _("Learn how your comment data is processed."),
    }


def spam_notice() -> str:
    """What the form says about spam checks (the same words as the post page's)."""
    service = urlsplit(settings.SALON.get("AKISMET_URL", "")).hostname or ""
    if service:
        return _("This site sends comments to %(service)s to filter spam.") % {"service": service}
    return _("This site filters spam on its own server.")


def widget_settings(request: HttpRequest, base: str) -> dict[str, Any]:
    """Everything the widget needs besides a conversation."""
    options = DiscussionSettings.current()
    return {
        "language": get_language(),
        "site_name": settings.SITE_NAME,
        "strings": words(),
        "spam_notice": spam_notice(),
        "privacy_url": base + reverse("privacy:privacy"),
        "login_url": base + reverse("embed:login"),
        "mail": mail_configured(),
        "require_name_email": options.require_name_email,
        "edit_minutes": settings.SALON["EDIT_WINDOW_MINUTES"],
        "limits": {"text": CONTENT_MAX, "name": AUTHOR_MAX, "email": EMAIL_MAX, "website": URL_MAX},
    }
