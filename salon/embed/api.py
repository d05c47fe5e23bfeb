"""The public JSON API (``/api/v1/…``; described by ``/api/v1/openapi.json``).

Reads are open to anyone; a browser gets an answer it may read only on the sites the owner
allowed (CORS, :mod:`salon.embed.origins`), and a page Salon has not seen gets a
conversation only there. Writes go the way the comment form's do: the same per-address rate
limits (django-ratelimit, in the shared cache), then :func:`~salon.discussion.pipeline.submit_comment`
or :func:`~salon.discussion.pipeline.resubmit_comment` (flood and duplicate guards, the spam
filter, the site's rules, notifications by signal), :func:`~salon.discussion.likes.toggle_like`
for likes. No cookie is read or set: who is writing is the ``X-Salon-Token`` header
(:mod:`salon.embed.readers`), so a page elsewhere cannot make a reader's browser write on
their behalf (no ambient credentials, nothing to forge).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage

from salon.discussion.conversation import thoughts_heading
from salon.discussion.likes import liked_by_label, toggle_like
from salon.discussion.models import Comment, DiscussionSettings, Like
from salon.discussion.pipeline import (
    CommentRejected,
    CommentSubmission,
    resubmit_comment,
    submit_comment,
    too_quickly,
)
from salon.discussion.visitors import client_ip, render_time_token, seconds_since
from salon.embed import forms, pages, readers, thread_json
from salon.embed.addresses import AddressError, normalise_origin, origin_of, page_address
from salon.embed.forms import ApiError
from salon.embed.origins import is_allowed
from salon.embed.strings import widget_settings
from salon.identity.identities import display_name
from salon.identity.ownership import author_refusal, edit_window, edited_submission
from salon.publishing import protection
from salon.publishing.models import Post

COUNTS_MAX = 100
ALLOWED_HEADERS = "Content-Type, X-Salon-Token"
PREFLIGHT_SECONDS = 24 * 3600


def json_response(data: Any, status: int = 200) -> HttpResponse:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return HttpResponse(text, status=status, content_type="application/json")


def _error(status: int, message: str, field: str | None = None, **headers: str) -> HttpResponse:
    response = json_response({"error": message, "field": field}, status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def site_base(request: HttpRequest) -> str:
    """This site's address as the reader reached it (for links and avatars in answers)."""
    return request.build_absolute_uri("/")[:-1]


def _allowed_caller(request: HttpRequest) -> str | None:
    """The ``Origin`` to answer with CORS headers; "" for a request without one (not from a
    page's script, or from this site's own pages); None when its site is not allowed."""
    given = request.headers.get("Origin")
    if given is None:
        return ""
    origin = normalise_origin(given)
    if origin is not None and origin == normalise_origin(site_base(request)):
        return ""
    if origin is None or not is_allowed(origin):
        return None
    return given


def interface_languages() -> list[str]:
    """The languages Salon's own words exist in: the site's, and each catalogue it ships."""
    found = {settings.LANGUAGE_CODE}
    for folder in settings.LOCALE_PATHS:
        found.update(p.parent.parent.name for p in Path(folder).glob("*/LC_MESSAGES/django.mo"))
    return sorted(found)


def _language(request: HttpRequest):
    """The reader's language (``lang``: the page's) when Salon speaks it, else the site's,
    so that what the widget says it speaks is what it shows."""
    wanted = request.GET.get("lang", "").strip().lower().replace("_", "-")
    available = interface_languages()
    code = settings.LANGUAGE_CODE
    for candidate in (wanted, wanted.split("-")[0]):
        if candidate in available:
            code = candidate
            break
    return translation.override(code)


def endpoint(*methods: str) -> Callable:
    """An API view: CORS for the allowed sites (403 for the others, before anything else),
    the preflight, 405 for other methods, the reader's token (401 when it is not valid),
    the language, and :class:`ApiError` turned into its JSON answer."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            caller = _allowed_caller(request)
            if caller is None:
                return _error(
                    403, _("This site does not show its conversation on that site's pages.")
                )
            if request.method == "OPTIONS":
                response = HttpResponse(status=204)
                response["Access-Control-Allow-Methods"] = ", ".join((*methods, "OPTIONS"))
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = str(PREFLIGHT_SECONDS)
            elif request.method not in methods:
                response = _error(405, _("This address does not accept %s.") % request.method)
                response["Allow"] = ", ".join((*methods, "OPTIONS"))
            else:
                try:
                    with _language(request):
                        request.reader = readers.reader_of(request)
                        response = view(request, *args, **kwargs)
                except readers.BadToken as bad:
                    response = _error(401, str(bad), readers.HEADER)
                except ApiError as refused:
                    response = _error(refused.status, refused.message, refused.field)
                    for name, value in refused.headers.items():
                        response[name] = value
            if caller:
                response["Access-Control-Allow-Origin"] = caller
                response["Access-Control-Expose-Headers"] = "Retry-After"
            response["Vary"] = "Origin, X-Salon-Token, Accept-Language"
            return response

        return run

    return wrap


def _too_many(request: HttpRequest, group: str, rate: str, message: str) -> None:
    """Count this write against the reader's address; 429 with ``Retry-After`` over the
    limit. POSTs are counted with the comment form's own (one budget for both)."""
    # By the reader's address as the form counts it; a request that came without one
    # (a Unix socket with no proxy header) is counted with every other such request.
    key = "ip" if client_ip(request) else (lambda _group, _request: "unknown")
    usage = get_usage(
        request, group=group, key=key, rate=rate, method=request.method, increment=True
    )
    if usage is not None and usage["should_limit"]:
        wait = max(1, int(usage["time_left"]))
        raise ApiError(429, message, None, {"Retry-After": str(wait)})


def _address(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ApiError(400, _("Give the page's address."), "url")
    try:
        return page_address(raw)
    except AddressError as error:
        raise ApiError(400, str(error), "url") from None


def _allowed_page(address: str) -> None:
    if not is_allowed(origin_of(address)):
        raise ApiError(
            403,
            _("This site does not hold conversations for pages of %(site)s.")
            % {"site": origin_of(address)},
            "url",
        )


def _integer(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ApiError(
            400,
            _("This must be a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            name,
        )
    return value


@endpoint("GET")
def config(request: HttpRequest) -> HttpResponse:
    """What the widget needs besides a thread: its words in the reader's language, the
    form's rules, and where the privacy page and the log-in pop-up are."""
    response = json_response(widget_settings(request, site_base(request)))
    response["Cache-Control"] = "public, max-age=300"
    return response


def _empty_thread(address: str, offset: int, limit: int, open_: bool) -> dict[str, Any]:
    return {
        "url": address,
        "thread": None,
        "title": "",
        "open": open_,
        "count": 0,
        "heading": "",
        "threads": 0,
        "offset": offset,
        "limit": limit,
        "next_offset": None,
        "shown": render_time_token(),
        "comments": [],
    }


@endpoint("GET")
def thread(request: HttpRequest) -> HttpResponse:
    """The conversation under a page, one page of top-level comments at a time."""
    address = _address(request.GET.get("url"))
    offset = _integer(request, "offset", 0, 0, 10**6)
    limit = _integer(request, "limit", thread_json.PAGE_DEFAULT, 1, thread_json.PAGE_MAX)
    _allowed_page(address)
    post = pages.find(address)
    if post is None or not post.is_live or protection.is_locked_for(post, None):
        # The widget carries no cookies: a password-protected conversation stays hidden.
        response = json_response(_empty_thread(address, offset, limit, post is None))
    else:
        options = DiscussionSettings.current()
        view = thread_json.reader_view(post, request.reader)
        rendered = thread_json.rendered(post, options, site_base(request), view, request.reader)
        total, next_offset = thread_json.page_bounds(rendered, offset, limit)
        head = {
            "url": address,
            "thread": post.pk,
            "title": post.title,
            "open": post.comments_open,
            "count": post.comment_count,
            "heading": thoughts_heading(post.comment_count, post.title)
            if post.comment_count
            else "",
            "threads": total,
            "offset": offset,
            "limit": limit,
            "next_offset": next_offset,
            "shown": render_time_token(),
        }
        comments = thread_json.comments_json(rendered, view, offset, limit)
        response = json_response(
            json.dumps(head, ensure_ascii=False)[:-1] + f',"comments":{comments}}}'
        )
    response["Cache-Control"] = "no-cache"
    return response


@endpoint("GET")
def counts(request: HttpRequest) -> HttpResponse:
    """How many approved comments each page has (pages without a conversation: 0)."""
    given = request.GET.getlist("url")
    if not given:
        raise ApiError(400, _("Give at least one page address (url=…)."), "url")
    if len(given) > COUNTS_MAX:
        raise ApiError(
            400, _("Ask for at most %(limit)d pages at once.") % {"limit": COUNTS_MAX}, "url"
        )
    addresses = {raw: _address(raw) for raw in given}
    found = dict(
        Post.objects.elsewhere()
        .live()
        .filter(external_url__in=set(addresses.values()))
        .values_list("external_url", "comment_count")
    )
    labels: dict[int, str] = {}
    result = {}
    for raw, address in addresses.items():
        n = found.get(address, 0)
        if n not in labels:
            labels[n] = ngettext("%(count)s comment", "%(count)s comments", n) % {"count": f"{n:,}"}
        result[raw] = {"count": n, "label": labels[n]}
    response = json_response({"counts": result})
    response["Cache-Control"] = "public, max-age=30"
    return response


def _answer(
    request: HttpRequest, comment: Comment, reader: readers.Reader, status: int, new_token: str
) -> HttpResponse:
    # A new comment has no likes yet; an edited one keeps its own.
    liked = status != 201 and Like.objects.filter(comment=comment, liker=reader.liker).exists()
    until = comment.created_at + edit_window() if not author_refusal(comment) else None
    body = thread_json.one_comment(comment, site_base(request), liked, until)
    state = "published" if comment.status == Comment.Status.APPROVED else "awaiting"
    head = {"status": state, "token": new_token or None}
    return json_response(json.dumps(head)[:-1] + f',"comment":{body}}}', status)


@endpoint("POST")
def comments(request: HttpRequest) -> HttpResponse:
    """A new comment or reply, through the comment form's pipeline."""
    data = forms.json_body(request)
    _too_many(
        request,
        "comment",
        settings.SALON["COMMENT_RATE"],
        too_quickly(),
    )
    reader: readers.Reader = request.reader
    address = _address(data.get("url"))
    options = DiscussionSettings.current()
    fields = forms.new_comment(data, options.require_name_email, reader.user is not None)
    _allowed_page(address)
    try:
        post = pages.open_conversation(address, data.get("title") or "")
    except pages.PageMissing as missing:
        raise ApiError(404, str(missing), "url") from None
    except pages.NoOwner as no_owner:
        raise ApiError(503, str(no_owner)) from None
    if not post.is_live:
        raise ApiError(403, _("Comments are closed on this post."))
    if protection.is_locked_for(post, None):
        raise ApiError(403, str(protection.LOCKED_CONVERSATION))

    parent = None
    if fields.get("parent"):
        parent = post.comments.filter(pk=fields["parent"], status=Comment.Status.APPROVED).first()
        if parent is None:
            raise ApiError(400, _("The comment you are replying to does not exist."), "parent")

    new_token = ""
    if not reader.known:
        reader = readers.new_guest()
        new_token = reader.token
    user = reader.user
    submission = CommentSubmission(
        post=post,
        content=fields["comment"],
        author_name=display_name(user) if user else fields["author"],
        author_email=user.email if user else fields["email"],
        author_url="" if user else fields["url"],
        parent=parent,
        user=user,
        ip=client_ip(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        referrer=request.META.get("HTTP_REFERER", "") or address,
        visitor_key="" if user else reader.key,
        honeypot_value=fields.get("nickname", ""),
        seconds_to_submit=seconds_since(fields.get("shown", "")),
        notify_replies=fields.get("notify_replies", False),
        notify_posts=fields.get("notify_posts", False),
    )
    try:
        comment = submit_comment(submission)
    except CommentRejected as rejected:
        headers = {}
        if rejected.status == 429:
            headers["Retry-After"] = str(max(1, settings.SALON["FLOOD_SECONDS"]))
        raise ApiError(rejected.status, rejected.message, None, headers) from None
    if comment is None:
        # Blatant spam, discarded unseen; its sender learns no more than the form tells.
        return json_response(
            {"status": "awaiting", "token": new_token or None, "comment": None}, 202
        )
    if user is not None and reader.provider:
        Comment.objects.filter(pk=comment.pk).update(identity_provider=reader.provider)
    return _answer(request, comment, reader, 201, new_token)


ID_MAX = 2**63 - 1


def _comment_id(raw: str, message: str) -> int:
    """A comment id from the address; 404 for anything that cannot be one."""
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= ID_MAX:
        raise ApiError(404, message, "id")
    return int(raw)


def _own_comment(request: HttpRequest, raw_id: str) -> Comment:
    pk = _comment_id(raw_id, _("There is no such comment."))
    comment = (
        Comment.objects.select_related("post", "parent", "user")
        .filter(pk=pk, post__kind=Post.Kind.ELSEWHERE)
        .first()
    )
    if comment is None:
        raise ApiError(404, _("There is no such comment."), "id")
    if not request.reader.wrote(comment):
        raise ApiError(403, _("Only the person who wrote this comment can edit or delete it."))
    refusal = author_refusal(comment)
    if refusal:
        raise ApiError(403, refusal)
    return comment


@endpoint("PATCH", "DELETE")
def comment(request: HttpRequest, pk: str) -> HttpResponse:
    """Edit (judged again by the pipeline) or delete one's own comment within the window."""
    if request.method == "PATCH":
        data = forms.json_body(request)
        _too_many(
            request,
            "comment",
            settings.SALON["COMMENT_RATE"],
            too_quickly(),
        )
        text = forms.edited_text(data)
        own = _own_comment(request, pk)
        edited = resubmit_comment(own, edited_submission(own, text, request))
        return _answer(request, edited, request.reader, 200, "")
    own = _own_comment(request, pk)
    own.delete()  # replies stay, moved up a level (Comment.parent is SET_NULL)
    return HttpResponse(status=204)


@endpoint("POST")
def like(request: HttpRequest, pk: str) -> HttpResponse:
    """Like a comment, or take the like back (the same toggle as the page's button)."""
    _too_many(
        request,
        "like",
        settings.SALON["LIKE_RATE"],
        _("You are liking too quickly. Try again in a minute."),
    )
    comment_id = _comment_id(pk, _("There is nothing to like there."))
    target = (
        Comment.objects.select_related("post")
        .filter(pk=comment_id, status=Comment.Status.APPROVED, post__kind=Post.Kind.ELSEWHERE)
        .filter(post__in=protection.without_protected(Post.objects.live()))
        .first()
    )
    if target is None:
        raise ApiError(404, _("There is nothing to like there."), "id")
    reader: readers.Reader = request.reader
    new_token = ""
    if not reader.known:
        reader = readers.new_guest()
        new_token = reader.token
    liked, count = toggle_like(target.post, target, reader.liker, reader.user)
    return json_response(
        {
            "liked": liked,
            "likes": count,
            "likes_label": liked_by_label(count),
            "token": new_token or None,
        }
    )
