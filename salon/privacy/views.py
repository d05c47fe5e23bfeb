"""The privacy page, written from the live settings so it can never drift from the truth."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from salon.discussion.models import DiscussionSettings


def privacy(request: HttpRequest) -> HttpResponse:
    """How a comment's data is processed on this site: what is stored, how long, who sees it."""
    options = DiscussionSettings.current()
    context = {
        "external_avatars": settings.SALON["EXTERNAL_AVATARS"],
        "ip_retention_days": settings.SALON["IP_RETENTION_DAYS"],
        "spam_retention_days": settings.SALON["SPAM_RETENTION_DAYS"],
        "require_name_email": options.require_name_email,
        "site_url": settings.SITE_URL,
    }
    return render(request, "privacy/privacy.html", context)
