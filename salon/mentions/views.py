"""The Webmention endpoint (``POST /webmention/``) and the pingback server (``/xmlrpc/``)."""

from __future__ import annotations

import logging
import xmlrpc.client

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from salon.discussion.models import Comment
from salon.discussion.visitors import client_ip
from salon.mentions.receiving import (
    ACCESS_DENIED,
    ALREADY_REGISTERED,
    MentionRefused,
    receive,
)

MAX_CALL_BYTES = 64 * 1024  # a pingback call is two addresses; anything larger is not one

log = logging.getLogger(__name__)


def _too_many(request: HttpRequest) -> bool:
    rate = settings.SALON.get("MENTION_RATE", "30/m")
    return is_ratelimited(
        request, group="mention", key="ip", rate=rate, method="POST", increment=True
    )


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt  # other sites post here; there is no session to protect
@require_POST
def webmention(request: HttpRequest) -> HttpResponse:
    """Receive a Webmention (form-encoded ``source`` and ``target``).

    The source is fetched and checked before answering: 202 Accepted once the mention has
    gone through the comment pipeline (it may still wait for a moderator), 400 with the reason
    when it cannot be used, 429 when the sender is too quick.
    """
    if _too_many(request):
        return _text("Too many mentions from your address; try again in a minute.", 429)
    source = request.POST.get("source", "").strip()
    target = request.POST.get("target", "").strip()
    if not source or not target:
        return _text("Both “source” and “target” are required.", 400)
    try:
        result = receive(
            source,
            target,
            kind=Comment.Kind.WEBMENTION,
            ip=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except MentionRefused as refused:
        return _text(refused.message, 409 if refused.status == 409 else 400)
    if result.action == "removed":
        return _text("Accepted: the source no longer links here, so its mention was removed.", 202)
    return _text(f"Accepted: the mention was {result.action} ({result.status_text}).", 202)


def _xmlrpc_answer(value) -> HttpResponse:
    if isinstance(value, xmlrpc.client.Fault):
        body = xmlrpc.client.dumps(value, methodresponse=True)
    else:
        body = xmlrpc.client.dumps((value,), methodresponse=True)
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


@csrf_exempt
def xmlrpc_endpoint(request: HttpRequest) -> HttpResponse:
    """An XML-RPC server with one method, ``pingback.ping(source, target)``."""
    if request.method != "POST":
        return _text("XML-RPC server accepts POST requests only.", 405)
    if len(request.body) > MAX_CALL_BYTES:
        return _xmlrpc_answer(xmlrpc.client.Fault(-32700, "parse error: the call is too large"))
    try:
        params, method = xmlrpc.client.loads(request.body)
    except Exception as error:
        # The standard library's XML-RPC reader answers hostile input with whatever its
        # code trips on (ExpatError, IndexError, LookupError, ValueError, TypeError,
        # ResponseError, binascii.Error …), none of which is our fault: all are a bad call.
        log.warning(
            "malformed XML-RPC call from %s (%d bytes): %s: %s",
            client_ip(request) or "an unknown address",
            len(request.body),
            type(error).__name__,
            error,
        )
        return _xmlrpc_answer(xmlrpc.client.Fault(-32700, "parse error: not XML-RPC"))
    if method == "system.listMethods":
        return _xmlrpc_answer(["pingback.ping", "system.listMethods"])
    if method != "pingback.ping":
        return _xmlrpc_answer(xmlrpc.client.Fault(-32601, f"method {method} does not exist"))
    if len(params) != 2 or not all(isinstance(p, str) for p in params):
        return _xmlrpc_answer(
            xmlrpc.client.Fault(-32602, "pingback.ping takes two strings: source and target")
        )
    if _too_many(request):
        return _xmlrpc_answer(xmlrpc.client.Fault(ACCESS_DENIED, "Too many pingbacks; slow down."))
    source, target = params
    try:
        result = receive(
            source,
            target,
            kind=Comment.Kind.PINGBACK,
            ip=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except MentionRefused as refused:
        return _xmlrpc_answer(xmlrpc.client.Fault(refused.fault, refused.message))
    if result.action == "updated":
        # The pingback specification's answer to a repeat; its excerpt was refreshed anyway.
        return _xmlrpc_answer(
            xmlrpc.client.Fault(ALREADY_REGISTERED, "The pingback has already been registered.")
        )
    if result.action == "removed":
        return _xmlrpc_answer("The source no longer links here; its pingback was removed.")
    return _xmlrpc_answer(f"Pingback from {source} to {target} registered. Keep the web talking!")
