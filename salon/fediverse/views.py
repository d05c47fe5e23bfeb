"""The fediverse's ways in: WebFinger, NodeInfo, the actors and their collections, posts
and comments as objects, and the inboxes."""

from __future__ import annotations

import hashlib
import io
import json
from functools import cache
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from salon.discussion.models import Comment
from salon.discussion.visitors import client_ip
from salon.fediverse import documents, inbox, jsonld
from salon.fediverse.documents import BLOG, CONTEXT, absolute
from salon.fediverse.models import Follower, OutgoingActivity
from salon.fediverse.remote import host_of
from salon.fediverse.signatures import SignatureRefused, SignedRequest, claim
from salon.publishing import protection
from salon.publishing.models import Post

ACTIVITY_TYPE = "application/activity+json; charset=utf-8"
MAX_ACTIVITY_BYTES = 1024 * 1024
OUTBOX_ITEMS = 20


def _on() -> None:
    if not settings.SALON["FEDIVERSE"]:
        raise Http404("The fediverse is turned off on this site.")


def as_json(document: dict[str, Any], status: int = 200, content_type: str = ACTIVITY_TYPE):
    response = JsonResponse(
        document,
        status=status,
        content_type=content_type,
        json_dumps_params={"ensure_ascii": False},
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


# --- discovery ------------------------------------------------------------------------------


def webfinger(request: HttpRequest) -> HttpResponse:
    """``/.well-known/webfinger?resource=acct:blog@host`` (or an actor's address)."""
    _on()
    resource = request.GET.get("resource", "").strip()
    if not resource:
        return _text("The “resource” parameter is required.", 400)
    name = None
    if resource.startswith(("https://", "http://")):
        name = documents.local_actor_for_uri(resource)
        if name is None and resource.rstrip("/") == documents.site():
            name = BLOG
    else:
        account = resource.removeprefix("acct:").lstrip("@")
        username, _sep, host = account.rpartition("@")
        if username and host.lower() == documents.site_host():
            name = documents.local_actor_for_username(username)
    if name is None:
        return _text("No such account here.", 404)
    return as_json(documents.webfinger(name), content_type="application/jrd+json; charset=utf-8")


def nodeinfo_links(request: HttpRequest) -> HttpResponse:
    _on()
    return as_json(
        {
            "links": [
                {
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                    "href": absolute(reverse("fediverse:nodeinfo")),
                }
            ]
        },
        content_type="application/json",
    )


def nodeinfo(request: HttpRequest) -> HttpResponse:
    _on()
    return as_json(
        documents.nodeinfo(),
        content_type='application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"',
    )


# --- actors ---------------------------------------------------------------------------------


def _author(username: str) -> str:
    name = documents.local_actor_for_username(username)
    if name is None or name == BLOG:
        raise Http404("No such author here.")
    return name


def blog(request: HttpRequest) -> HttpResponse:
    _on()
    return as_json(documents.actor_document(BLOG))


def author(request: HttpRequest, username: str) -> HttpResponse:
    _on()
    return as_json(documents.actor_document(_author(username)))


def _outbox(name: str) -> dict[str, Any]:
    posts = Post.objects.live().posts().select_related("author").prefetch_related("tags")
    if name != BLOG:
        posts = posts.filter(author__username=name.split(":", 1)[1])
    items = [
        {
            "id": f"{documents.post_uri(post.pk)}#create",
            "type": "Create",
            "actor": documents.actor_uri(name),
            "published": post.published_at.isoformat(),
            "to": [documents.PUBLIC],
            "cc": [documents.followers_uri(name)],
            "object": {k: v for k, v in documents.article(post, name).items() if k != "@context"},
        }
        for post in posts.order_by("-published_at", "-id")[:OUTBOX_ITEMS]
    ]
    return {
        "@context": CONTEXT,
        "id": f"{documents.actor_uri(name)}outbox/",
        "type": "OrderedCollection",
        "totalItems": posts.count(),
        "orderedItems": items,
    }


def blog_outbox(request: HttpRequest) -> HttpResponse:
    _on()
    return as_json(_outbox(BLOG))


def author_outbox(request: HttpRequest, username: str) -> HttpResponse:
    _on()
    return as_json(_outbox(_author(username)))


def _followers(name: str) -> dict[str, Any]:
    # The count only: who follows the blog is theirs to tell, not the blog's.
    return {
        "@context": documents.AS_CONTEXT,
        "id": documents.followers_uri(name),
        "type": "OrderedCollection",
        "totalItems": Follower.objects.filter(local=name).count(),
    }


def blog_followers(request: HttpRequest) -> HttpResponse:
    _on()
    return as_json(_followers(BLOG))


def author_followers(request: HttpRequest, username: str) -> HttpResponse:
    _on()
    return as_json(_followers(_author(username)))


@cache
def _icon_png(seed: str) -> bytes:
    """The blog's avatar: a 5×5 pattern drawn from the site's name, as a PNG (the fediverse
    shows no SVG avatars)."""
    from PIL import Image, ImageDraw

    digest = hashlib.sha256(seed.encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    image = Image.new("RGB", (420, 420), "#f0f0f0")
    draw = ImageDraw.Draw(image)
    colour = f"hsl({hue}, 55%, 45%)"
    for row in range(5):
        for col in range(3):
            if digest[2 + row * 3 + col] % 2:
                for x in {col, 4 - col}:
                    draw.rectangle(
                        [35 + x * 70, 35 + row * 70, 104 + x * 70, 104 + row * 70], fill=colour
                    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def blog_icon(request: HttpRequest) -> HttpResponse:
    _on()
    response = HttpResponse(_icon_png(settings.SITE_NAME), content_type="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


# --- objects --------------------------------------------------------------------------------


def _live_post(pk: int) -> Post:
    return get_object_or_404(Post.objects.live().posts().select_related("author"), pk=pk)


def post_object(request: HttpRequest, pk: int) -> HttpResponse:
    """A post as an ``Article``; a browser is sent to the post's page."""
    _on()
    post = _live_post(pk)
    if not wants_activity(request):
        return redirect(post.get_absolute_url())
    return as_json(documents.article(post))


def post_replies(request: HttpRequest, pk: int) -> HttpResponse:
    _on()
    return as_json(documents.replies_collection(_live_post(pk)))


def comment_object(request: HttpRequest, pk: int) -> HttpResponse:
    _on()
    comment = get_object_or_404(
        Comment.objects.approved().select_related("post"),
        pk=pk,
        post__in=protection.without_protected(Post.objects.live()),
    )
    if not wants_activity(request):
        return redirect(comment.get_absolute_url())
    return as_json(documents.comment_note(comment))


def activity_object(request: HttpRequest, key: str) -> HttpResponse:
    _on()
    sent = get_object_or_404(
        OutgoingActivity, uri=absolute(reverse("fediverse:activity", args=[key]))
    )
    if sent.kind not in ("Create", "Update", "Announce"):
        raise Http404("No such activity.")
    return as_json(sent.document)


def wants_activity(request: HttpRequest) -> bool:
    """Whether the request asks for ActivityStreams JSON rather than a page."""
    accept = request.headers.get("Accept", "").lower()
    return "application/activity+json" in accept or (
        "application/ld+json" in accept and "activitystreams" in accept
    )


# --- inboxes --------------------------------------------------------------------------------


def _too_many(request: HttpRequest, key: str) -> bool:
    return is_ratelimited(
        request,
        group="fediverse-inbox",
        key=lambda _group, _request: key,
        rate=settings.SALON["FEDIVERSE_INBOX_RATE"],
        method="POST",
        increment=True,
    )


@csrf_exempt  # other servers post here; the HTTP signature is the credential
def inbox_view(request: HttpRequest, username: str | None = None) -> HttpResponse:
    """Receive an activity: 401 unless signed by its actor, 202 once acted on (or ignored)."""
    _on()
    if request.method != "POST":
        return _text("Activities are POSTed here.", 405)
    if username is not None:
        _author(username)
    body = request.body
    if len(body) > MAX_ACTIVITY_BYTES:
        return _text("The activity is too large.", 413)
    headers = dict(request.headers)
    headers.setdefault("Host", request.get_host())
    signed = SignedRequest(
        method=request.method,
        url=documents.site() + request.get_full_path(),
        headers=headers,
        body=body,
    )
    try:
        found = claim(signed)
    except SignatureRefused as refused:
        return _text(refused.args[0], 401)
    host = host_of(found.key_id)
    if not host:
        return _text("The signature's key has no usable address.", 401)
    # Counted per address before the signature is checked (what checking costs is bounded),
    # and per remote server once it is (a forged key id cannot use up a server's share).
    if _too_many(request, f"ip:{client_ip(request)}"):
        return _text("Too many activities from your address; try again in a minute.", 429)
    if inbox.is_blocked(host):
        return _text("This blog does not take activities from your server.", 403)
    try:
        document = jsonld.compact(json.loads(body))
    except (ValueError, jsonld.NotJsonLd):
        return _text("The body is not an ActivityStreams JSON document.", 400)
    try:
        actor = inbox.authenticate(signed, found)
    except SignatureRefused as refused:
        if "Delete" in jsonld.types(document) and jsonld.ref(document.get("object")) == jsonld.ref(
            document.get("actor")
        ):
            # An account deleted on its server: its key is gone with it, and Salon never
            # heard of it (or it would have its key).
            return _text("Ignored: no such account here.", 202)
        return _text(refused.args[0], 401)
    if jsonld.ref(document.get("actor")) != actor.uri:
        return _text("The activity's actor is not the one who signed it.", 401)
    if _too_many(request, f"host:{actor.host}"):
        return _text(f"Too many activities from {actor.host}; try again in a minute.", 429)
    if inbox.is_blocked(actor.uri, actor):
        return _text("This blog does not take activities from you.", 403)
    outcome = inbox.receive(document, actor)
    return _text(outcome.message, outcome.status)
