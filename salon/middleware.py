"""Requests answered or refused before the site's page middleware reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.gzip import GZipMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import resolve
from django.utils import translation

AKISMET_API_PREFIXES = ("/1.1/", "/1.2/")
AKISMET_API_URLS = "salon.antispam.urls"


class RefuseNulBytes:
    """Answer 400 to a path or query string holding a NUL byte (``%00``).

    No address or parameter of the site has a use for one, and PostgreSQL refuses text that
    holds one, so it would otherwise reach a query and fail there as a server error. The JSON
    API (``/api/``) answers its own errors, in the form its description gives.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if request.path.startswith("/api/"):
            return self.get_response(request)
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return HttpResponseBadRequest(
                "The address holds a NUL byte (%00), which no address here has.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class AkismetApi:
    """The Akismet-compatible API (``/1.1/…``, ``/1.2/…``) answered without the page middleware.

    Its callers are other servers (a WordPress plugin, an Akismet client library), one
    request each, with the key in the request: none of sessions, CSRF (every view of it is
    exempt), the reader's language, the page cache, log-ins, messages or the fediverse's and
    Webmention's page headers applies to them, and running that middleware cost about as
    much as the rest of a comment-check outside the spam engine (bench/akismet_api.py). What
    still applies is kept, by Django's own middleware: the host check (``ALLOWED_HOSTS``), the
    security and frame headers, gzip for a long answer, and the length of every answer. Answers are in the site's language
    (the API's texts are English; nothing in it follows a reader's).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.answer = GZipMiddleware(SecurityMiddleware(XFrameOptionsMiddleware(self._view)))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(AKISMET_API_PREFIXES):
            return self.get_response(request)
        request.get_host()  # a host not in ALLOWED_HOSTS is refused, as for every page
        translation.activate(settings.LANGUAGE_CODE)
        response = self.answer(request)
        if not response.streaming and not response.has_header("Content-Length"):
            # As CommonMiddleware sets it: the connection can then be kept for the next one.
            response.headers["Content-Length"] = str(len(response.content))
        return response

    @staticmethod
    def _view(request: HttpRequest) -> HttpResponse:
        match = resolve(request.path_info, urlconf=AKISMET_API_URLS)
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)
