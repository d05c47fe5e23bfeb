"""Knowing a guest again without an account: a random key in a signed cookie.

The key is set only when a guest comments or likes, never for merely reading. It lets a guest
see their own held comment and undo their own like; it holds nothing about them.
"""

from __future__ import annotations

import json
import secrets
import time

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

VISITOR_COOKIE = "salon_visitor"
IDENTITY_COOKIE = "salon_commenter"
_SALT = "salon.discussion.visitor"
_IDENTITY_SALT = "salon.discussion.identity"
_FORM_SALT = "salon.discussion.form"
YEAR = 365 * 24 * 3600


def client_ip(request: HttpRequest) -> str:
    """The reader's IP address: the connecting one, or, behind the owner's proxy
    (SALON_BEHIND_PROXY), the one that proxy appended last to X-Forwarded-For.

    Only the last entry is the proxy's own; the ones before it are whatever the client sent,
    so trusting the first would let anyone choose their address (and dodge flood and rate
    limits).
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def visitor_key(request: HttpRequest) -> str:
    """The guest's key from their signed cookie, or "" when they have none (or it was forged)."""
    cached = getattr(request, "_salon_visitor", None)
    if cached is not None:
        return cached
    key = request.get_signed_cookie(VISITOR_COOKIE, default="", salt=_SALT, max_age=YEAR)
    request._salon_visitor = key
    return key


def ensure_visitor_key(request: HttpRequest) -> str:
    """The guest's key, making one up if they have none (remembered by :func:`remember`)."""
    key = visitor_key(request)
    if not key:
        key = secrets.token_urlsafe(24)
        request._salon_visitor = key
        request._salon_new_visitor = True
    return key


def remember(request: HttpRequest, response: HttpResponse) -> None:
    """Send the visitor cookie if this request created the key."""
    if getattr(request, "_salon_new_visitor", False):
        response.set_signed_cookie(
            VISITOR_COOKIE,
            request._salon_visitor,
            salt=_SALT,
            max_age=YEAR,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )


def liker_id(request: HttpRequest, create: bool = False) -> str:
    """Who is liking: ``u:<id>`` for an account, ``g:<key>`` for a guest, "" if unknown."""
    if request.user.is_authenticated:
        return f"u:{request.user.pk}"
    key = ensure_visitor_key(request) if create else visitor_key(request)
    return f"g:{key}" if key else ""


def saved_identity(request: HttpRequest) -> dict[str, str]:
    """The name, e-mail and website a guest asked this browser to remember."""
    raw = request.get_signed_cookie(IDENTITY_COOKIE, default="", salt=_IDENTITY_SALT, max_age=YEAR)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    if not isinstance(data, dict) or not data:
        return {}
    return {k: str(data.get(k, "")) for k in ("author", "email", "url")}


def save_identity(
    request: HttpRequest, response: HttpResponse, identity: dict[str, str] | None
) -> None:
    """Remember the guest's details in their browser, or forget them when ``identity`` is None."""
    if identity is None:
        if IDENTITY_COOKIE in request.COOKIES:
            response.delete_cookie(IDENTITY_COOKIE, samesite="Lax")
        return
    response.set_signed_cookie(
        IDENTITY_COOKIE,
        json.dumps(identity),
        salt=_IDENTITY_SALT,
        max_age=YEAR,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def render_time_token() -> str:
    """A signed stamp of when the form was shown, so a submit can tell how long it took."""
    return signing.dumps(time.time(), salt=_FORM_SALT)


def seconds_since(token: str) -> float | None:
    """Seconds since :func:`render_time_token` made ``token``; None if missing, forged or stale."""
    try:
        shown = float(signing.loads(token, salt=_FORM_SALT, max_age=7 * 24 * 3600))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return max(0.0, time.time() - shown)
