"""Advertising the Webmention and pingback endpoints on post pages, in HTTP headers."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class AdvertiseEndpoints:
    """Add ``Link: <…/webmention/>; rel="webmention"`` and ``X-Pingback`` to post pages.

    Senders look at the headers first (Webmention discovery, then pingback's), so they need
    not parse the page at all. The page's <head> says the same for those that do.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            match is not None
            and match.namespace == "publishing"
            and match.url_name in ("post", "page")
            and response.status_code == 200
        ):
            webmention = request.build_absolute_uri(reverse("mentions:webmention"))
            link = f'<{webmention}>; rel="webmention"'
            existing = response.headers.get("Link")
            response.headers["Link"] = f"{existing}, {link}" if existing else link
            response.headers["X-Pingback"] = request.build_absolute_uri(reverse("mentions:xmlrpc"))
        return response
