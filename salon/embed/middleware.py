"""Keeping the embed's log-in pop-up tied to the page that opened it (see :mod:`.login`)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from salon.embed.login import OPENER_POLICY, POPUP_COOKIE


class PopupKeepsOpener:
    """While a log-in started from the widget goes on (its cookie is there), answer with
    ``Cross-Origin-Opener-Policy: unsafe-none`` instead of Django's ``same-origin``, which
    would sever the pop-up from the page waiting for its token. Other readers' pages keep
    ``same-origin``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if POPUP_COOKIE in request.COOKIES:
            response.headers.setdefault("Cross-Origin-Opener-Policy", OPENER_POLICY)
        return response
