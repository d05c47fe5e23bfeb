"""The privacy page, written from the live settings so it can never drift from the truth; and
the pages where a person gets or erases their data."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from salon.notifications.delivery import mail_configured
from salon.notifications.links import private_page
from salon.privacy.data_requests import (
    DOWNLOAD_MAX_AGE,
    LINK_MAX_AGE,
    BadRequestLink,
    DataLink,
    UsedRequestLink,
    download_allowed,
    download_token,
    link_used,
    mail_request_link,
    read_request_link,
    use_link,
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


def _link_refused(request: HttpRequest, used: bool) -> HttpResponse:
    return private_page(
        render(
            request,
            "privacy/data_link_invalid.html",
            {"used": used, "link_hours": LINK_MAX_AGE // 3600},
            status=410 if used else 400,
        )
    )


def _json_file(data: dict) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


def _export(request: HttpRequest, link: DataLink) -> HttpResponse:
    """The export: a button first, then (using the link up) the data as a page or a file."""
    if request.method == "GET":
        return render(request, "privacy/data_export.html", {"ask": True, "email": link.email})
    with transaction.atomic():
        use_link(link)
        data = export_personal_data(link.email)
        log_export(link.email, DataRequest.Source.LINK, data)
    if request.POST.get("format") == "json":
        return _json_file(data)
    return render(
        request,
        "privacy/data_export.html",
        {
            "data": data,
            "sections": [(s, data[s.name]) for s in sources],
            "download": download_token(link),
            "download_minutes": DOWNLOAD_MAX_AGE // 60,
        },
    )


def _erase(request: HttpRequest, link: DataLink) -> HttpResponse:
    """The erasure: what is held and a button, then (using the link up) the erasure."""
    context: dict[str, object] = {"email": link.email, "deletes": erasure_mode() == "delete"}
    if request.method == "POST":
        with transaction.atomic():
            use_link(link)
            context["counts"] = erase_personal_data(link.email, DataRequest.Source.LINK)
    else:
        data = export_personal_data(link.email)
        context["sections"] = [(s, len(data[s.name])) for s in sources]
    return render(request, "privacy/data_erase.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def data_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the mail: it works once (see ``data_requests``).

    Opening it shows a button (or, for erasure, what is held and a button); pressing it uses
    the link up and shows the data, gives it as a JSON file, or erases it. A used, expired or
    forged link gets a page saying so and how to ask for a new one.
    """
    try:
        link = read_request_link(token)
    except BadRequestLink:
        return _link_refused(request, used=False)
    if (
        request.method == "POST"
        and link.kind == DataRequest.Kind.EXPORT
        and download_allowed(link, request.POST.get("download", ""))
    ):
        # The JSON download offered on the export page, within its few minutes.
        data = export_personal_data(link.email)
        log_export(link.email, DataRequest.Source.LINK, data)
        return private_page(_json_file(data))
    if link_used(link):
        return _link_refused(request, used=True)
    try:
        if link.kind == DataRequest.Kind.EXPORT:
            response = _export(request, link)
        else:
            response = _erase(request, link)
    except UsedRequestLink:  # used by another request in the meantime
        return _link_refused(request, used=True)
    return private_page(response)
