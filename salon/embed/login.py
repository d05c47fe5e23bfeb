"""Logging in from the widget: a pop-up window on this site that hands a token back.

The widget opens ``/embed/login/?origin=<its page's site>`` in a pop-up. There the reader
logs in as on this site (a site account or any social log-in the owner configured); the
last page sends an account token (:func:`salon.embed.readers.account_token`) to the window
that opened it with ``postMessage``, addressed to that site alone, and closes. The token then
lives in the page's ``localStorage``: nothing depends on this site's cookies reaching a
page elsewhere.

The pop-up must keep its link to the page that opened it, which a page sent with
``Cross-Origin-Opener-Policy: same-origin`` (Django's default) would cut. So the first page
of the pop-up sets a short-lived cookie, and while it is there this site's pages are sent
with ``unsafe-none`` (:class:`salon.embed.middleware.PopupKeepsOpener`); the last page
removes it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from salon.embed.addresses import normalise_origin
from salon.embed.origins import is_allowed
from salon.embed.readers import account_token
from salon.identity.identities import current_identity

POPUP_COOKIE = "salon_embed_popup"
POPUP_SECONDS = 30 * 60
OPENER_POLICY = "unsafe-none"


def page_facts(request: HttpRequest) -> dict[str, Any]:
    """For the privacy page: how long the log-in pop-up's cookie lasts."""
    return {"embed_popup_minutes": POPUP_SECONDS // 60}


@never_cache
@require_GET
def login_popup(request: HttpRequest) -> HttpResponse:
    """Log in (if need be), then give the opening page its token."""
    origin = normalise_origin(request.GET.get("origin", ""))
    if origin is None or not is_allowed(origin):
        response = render(request, "embed/login_refused.html", status=403)
        response["Cross-Origin-Opener-Policy"] = OPENER_POLICY
        return response
    identity = current_identity(request)
    if identity is None:
        login = f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
        response: HttpResponse = HttpResponseRedirect(login)
        response.set_cookie(
            POPUP_COOKIE,
            "1",
            max_age=POPUP_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    else:
        message = {
            "salon": "login",
            "token": account_token(request.user, identity.provider),
            "name": identity.name,
            "avatar": request.build_absolute_uri(identity.avatar),
            "provider": identity.provider_name,
        }
        response = render(
            request,
            "embed/login_done.html",
            {"message": message, "target": origin, "identity": identity},
        )
        response.delete_cookie(POPUP_COOKIE, samesite="Lax")
    response["Cross-Origin-Opener-Policy"] = OPENER_POLICY
    return response
