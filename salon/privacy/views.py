"""The privacy page, written from the live settings so it can never drift from the truth; and
the pages where a person gets or erases their data."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from salon.notifications.delivery import mail_configured
from salon.privacy.data_requests import (
    LINK_MAX_AGE,
    BadRequestLink,
    mail_request_link,
    read_request_link,
)
from salon.privacy.forms import DataRequestForm
from salon.privacy.models import DataRequest
from salon.privacy.personal_data import (
    erase_personal_data,
    erasure_mode,
    export_personal_data,
    log_export,
    sources,
)
from salon.privacy.registry import page_facts, page_sections

# Requests per IP address: enough for a person who mistyped, too few to probe addresses.
DATA_REQUEST_RATE = "5/h"


def _spam_checks() -> dict[str, object]:
    """Where comments are checked for spam, from the setting the pipeline itself uses."""
    path = settings.SALON.get("SPAM_FILTER", "")
    remote = settings.SALON.get("AKISMET_URL", "") if ".remote." in f".{path}." else ""
    return {
        "spam_filter_on": bool(path),
        "spam_service": urlsplit(remote).hostname or remote if remote else "",
    }


def privacy(request: HttpRequest) -> HttpResponse:
    """How a comment's data is processed on this site: what is stored, how long, who sees it."""
    context = {
        "external_avatars": settings.SALON["EXTERNAL_AVATARS"],
        "ip_retention_days": settings.SALON["IP_RETENTION_DAYS"],
        "spam_retention_days": settings.SALON["SPAM_RETENTION_DAYS"],
        "trash_retention_days": settings.SALON["TRASH_RETENTION_DAYS"],
        "site_url": settings.SITE_URL,
        # With no log-in service registered, the page says none is enabled.
        "login_providers": [],
        "erasure_deletes": erasure_mode() == "delete",
        "data_sources": sources,
        "send_mentions": settings.SALON.get("SEND_MENTIONS", False),
        "page_sections": [section.template for section in page_sections],
        **_spam_checks(),
    }
    for facts in page_facts:
        context.update(facts(request))
    return render(request, "privacy/privacy.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def data_request(request: HttpRequest) -> HttpResponse:
    """Ask for a copy of one's data, or its erasure: a link is mailed to the address.

    The answer is the same whether or not the address has data here, so the form cannot be
    used to find out who commented.
    """
    mail = mail_configured()
    form = DataRequestForm(request.POST or None)
    context = {"form": form, "mail": mail, "link_hours": LINK_MAX_AGE // 3600}
    if request.method == "POST" and mail:
        if is_ratelimited(
            request,
            group="privacy-request",
            key="ip",
            rate=DATA_REQUEST_RATE,
            method="POST",
            increment=True,
        ):
            context["error"] = _("Too many requests from your address. Try again in an hour.")
            return render(request, "privacy/data_request.html", context, status=429)
        if form.is_valid():
            mail_request_link(form.cleaned_data["email"], form.cleaned_data["kind"])
            context["sent_to"] = form.cleaned_data["email"]
        else:
            return render(request, "privacy/data_request.html", context, status=400)
    return render(request, "privacy/data_request.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def data_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the mail: the data as a page or JSON file, or the erasure button."""
    try:
        email, kind = read_request_link(token)
    except BadRequestLink:
        response = render(request, "privacy/data_link_invalid.html", status=400)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    if kind == DataRequest.Kind.EXPORT:
        data = export_personal_data(email)
        log_export(email, DataRequest.Source.LINK, data)
        if request.GET.get("format") == "json":
            response = HttpResponse(
                json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        else:
            response = render(
                request,
                "privacy/data_export.html",
                {"data": data, "sections": [(s, data[s.name]) for s in sources]},
            )
    else:
        context = {"email": email, "deletes": erasure_mode() == "delete"}
        if request.method == "POST":
            context["counts"] = erase_personal_data(email, DataRequest.Source.LINK)
        else:
            data = export_personal_data(email)
            context["sections"] = [(s, len(data[s.name])) for s in sources]
        response = render(request, "privacy/data_erase.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
