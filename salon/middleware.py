"""Requests refused before any view reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


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
