"""The files every site is asked for at its root: ``/robots.txt`` and ``/favicon.ico``."""

from __future__ import annotations

from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Pages no crawler has business in: the administration, log-in and account pages, forms'
# answers, and one-use links.
ROBOTS_DISALLOW = ["/admin/", "/accounts/", "/comments/", "/likes/", "/privacy/your-data/"]


@require_GET
@cache_control(public=True, max_age=24 * 3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", "Allow: /comments/feed/"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW] + [""]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; send them the hashed file."""
    return HttpResponsePermanentRedirect(staticfiles_storage.url("salon/favicon.ico"))
