"""The conversation under a post: showing it, joining it, liking it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from salon.discussion import visitors
from salon.discussion.avatars import avatar_url, identicon_svg
from salon.discussion.display import date_formatter
from salon.discussion.forms import CommentForm
from salon.discussion.likes import liked_by_label, toggle_like
from salon.discussion.models import Comment, DiscussionSettings, Like
from salon.discussion.pipeline import CommentRejected, CommentSubmission, submit_comment
from salon.discussion.threads import SHOWN_COLUMNS, ThreadEntry, arrange
from salon.publishing.models import Post
from salon.publishing.views import render_post_page

# Other apps act on the answer to a freshly stored comment (identity records who wrote it
# and lets its author edit it for a while). Each gets the request, the response, the comment.
comment_posted: list[Callable[[HttpRequest, HttpResponse, Comment], None]] = []


def thoughts_heading(count: int, title: str) -> str:
    """ "One thought on “title”" / "N thoughts on “title”"."""
    return ngettext("One thought on “%(title)s”", "%(count)s thoughts on “%(title)s”", count) % {
        "count": f"{count:,}",
        "title": title,
    }


def _own_pending(request: HttpRequest) -> Q | None:
    """The reader's own held comments (they alone see them), or None for a stranger."""
    own = Q()
    key = visitors.visitor_key(request)
    if key:
        own |= Q(visitor_key=key)
    if request.user.is_authenticated:
        own |= Q(user=request.user)
    return (own & Q(status=Comment.Status.PENDING)) if own else None


def _render_thread(post: Post, options: DiscussionSettings, own_pending: Q | None) -> str:
    """The thread's HTML: one query for the comments this reader may see, one render.

    Like buttons are rendered unpressed; :func:`_press_likes` marks the reader's own.
    """
    visible = Q(status=Comment.Status.APPROVED)
    if own_pending is not None:
        visible |= own_pending
    rows = post.comments.filter(visible).order_by().values(*SHOWN_COLUMNS)
    entries = arrange((ThreadEntry(**row) for row in rows), options.thread_depth)
    if not entries:
        return ""

    avatar_prefix = reverse("discussion:avatar", args=["0" * 24])[: -len("0" * 24 + ".svg")]
    format_date = date_formatter()
    anonymous = _("Anonymous")
    for e in entries:
        e.name = e.author_name or anonymous
        e.avatar = avatar_url(e.author_email, e.author_name, prefix=avatar_prefix)
        e.likes_label = liked_by_label(e.like_count)
        e.awaiting = e.status == Comment.Status.PENDING
        e.iso_date = e.created_at.isoformat()
        e.date_text = format_date(e.created_at)
    return render_to_string(
        "discussion/comment_list.html",
        {
            "entries": entries,
            # Absolute, because the page is also shown at /comments/post/ with form errors.
            "post_url": post.get_absolute_url(),
            "awaiting_text": _("Your comment is awaiting moderation."),
            "reply_text": _("Reply"),
            "reply_label": _("Reply to"),
            "like_text": _("Like"),
            "mention_text": _("mentioned this post"),
        },
        using="jinja2",
    )


def _press_likes(thread_html: str, liked: set[int | None]) -> str:
    """Mark the reader's liked comments in a rendered thread (one small replace per like)."""
    like, liked_text = escape(_("Like")), escape(_("Liked"))
    for comment_id in liked:
        if comment_id is None:
            continue
        thread_html = thread_html.replace(
            f'value="{comment_id}" class="like-button" aria-pressed="false">{like}<',
            f'value="{comment_id}" class="like-button" aria-pressed="true">{liked_text}<',
            1,
        )
    return thread_html


def conversation_context(request: HttpRequest, post: Post, overrides: dict[str, Any]) -> dict:
    """What the post page shows of the conversation: threads, likes, and the form.

    The rendered thread is the same for every reader except for their own held comments and
    which Like buttons are pressed. It is cached under the post's conversation version
    (bumped by every change) and used for everyone with no held comment here; the reader's
    likes are then pressed in the cached HTML.
    """
    options = DiscussionSettings.current()
    liker = visitors.liker_id(request)
    liked: set[int | None] = set()
    if liker:
        liked = set(
            Like.objects.filter(post=post, liker=liker).values_list("comment_id", flat=True)
        )

    own_pending = _own_pending(request)
    if own_pending is not None and not post.comments.filter(own_pending).exists():
        own_pending = None
    cache_key = (
        f"salon:thread:{post.pk}:{post.conversation_version}:{options.thread_depth}:"
        f"{get_language()}:{int(settings.SALON['EXTERNAL_AVATARS'])}"
    )
    thread_html = cache.get(cache_key) if own_pending is None else None
    if thread_html is None:
        thread_html = _render_thread(post, options, own_pending)
        if own_pending is None:
            cache.set(cache_key, thread_html, 24 * 3600)
    thread_html = _press_likes(thread_html, liked)

    reply_to = None
    bound = overrides.get("form")
    raw_reply = (
        str(bound.data.get("parent", ""))
        if bound is not None
        else request.GET.get("replytocom", "")
    )
    if raw_reply.isdigit():
        reply_to = (
            post.comments.approved().filter(pk=int(raw_reply)).only("id", "author_name").first()
        )

    form = overrides.get("form")
    logged_in = request.user.is_authenticated
    if form is None:
        initial = {"post": post.pk, "parent": reply_to.pk if reply_to else None}
        saved = visitors.saved_identity(request)
        if saved and not logged_in:
            initial.update(saved, save_identity=True)
        initial["shown"] = visitors.render_time_token()
        form = CommentForm(
            initial=initial,
            require_name_email=options.require_name_email,
            logged_in=logged_in,
        )
    return {
        "thread_html": mark_safe(thread_html),  # rendered by Jinja2 with autoescaping
        "thoughts": thoughts_heading(post.comment_count, post.title) if post.comment_count else "",
        "comment_form": form,
        "comment_error": overrides.get("comment_error", ""),
        "reply_to": reply_to,
        "post_liked": None in liked,
        "post_likes_label": liked_by_label(post.like_count),
        "comments_feed_url": f"{post.get_absolute_url()}feed/",
        "require_name_email": options.require_name_email,
        # Where comments go to be judged, when not on this server (SALON_AKISMET_URL).
        "spam_service": urlsplit(settings.SALON.get("AKISMET_URL", "")).hostname or "",
        "thread_depth": options.thread_depth,
    }


def _too_many(request: HttpRequest, group: str, rate: str) -> bool:
    return is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True)


@require_POST
def post_comment(request: HttpRequest) -> HttpResponse:
    """Receive the comment form; redirect to the new comment, or show the page with errors."""
    try:
        post = (
            Post.objects.live().select_related("author").get(pk=int(request.POST.get("post", "")))
        )
    except (ValueError, Post.DoesNotExist):
        raise Http404(_("That post does not exist or is not published.")) from None

    options = DiscussionSettings.current()
    form = CommentForm(
        request.POST,
        require_name_email=options.require_name_email,
        logged_in=request.user.is_authenticated,
    )
    if _too_many(request, "comment", settings.SALON["COMMENT_RATE"]):
        return render_post_page(
            request,
            post,
            status=429,
            form=form,
            comment_error=_("You are posting comments too quickly. Slow down."),
        )
    if not form.is_valid():
        return render_post_page(request, post, status=400, form=form)

    data = form.cleaned_data
    parent = None
    if data.get("parent"):
        parent = Comment.objects.filter(pk=data["parent"], post=post).first()
        if parent is None or parent.status != Comment.Status.APPROVED:
            return render_post_page(
                request,
                post,
                status=400,
                form=form,
                comment_error=_("The comment you are replying to does not exist."),
            )

    user = request.user if request.user.is_authenticated else None
    key = "" if user else visitors.ensure_visitor_key(request)
    submission = CommentSubmission(
        post=post,
        content=data["comment"],
        author_name=(user.get_full_name() or user.get_username()) if user else data["author"],
        author_email=user.email if user else data["email"],
        author_url="" if user else data["url"],
        parent=parent,
        user=user,
        ip=visitors.client_ip(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        referrer=request.META.get("HTTP_REFERER", ""),
        visitor_key=key,
        honeypot_value=data.get("nickname", ""),
        seconds_to_submit=visitors.seconds_since(data.get("shown", "")),
        notify_replies=data.get("notify_replies", False),
        notify_posts=data.get("notify_posts", False),
    )
    try:
        comment = submit_comment(submission)
    except CommentRejected as rejected:
        return render_post_page(
            request, post, status=rejected.status, form=form, comment_error=rejected.message
        )

    target = post.get_absolute_url()
    target += f"#comment-{comment.pk}" if comment else "#respond"
    response = HttpResponseRedirect(target)
    visitors.remember(request, response)
    if comment is not None:
        for hook in comment_posted:
            hook(request, response, comment)
    if not user:
        identity = {"author": data["author"], "email": data["email"], "url": data["url"]}
        visitors.save_identity(request, response, identity if data.get("save_identity") else None)
    return response


@require_POST
def like(request: HttpRequest) -> HttpResponse:
    """Toggle a like on a post or comment; JSON for scripts, a redirect back otherwise."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    if _too_many(request, "like", settings.SALON["LIKE_RATE"]):
        message = _("You are liking too quickly. Try again in a minute.")
        if wants_json:
            return JsonResponse({"error": message}, status=429)
        return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    try:
        post = Post.objects.live().get(pk=int(request.POST.get("post", "")))
        comment_id = request.POST.get("comment")
        comment = post.comments.approved().get(pk=int(comment_id)) if comment_id else None
    except (ValueError, Post.DoesNotExist, Comment.DoesNotExist):
        raise Http404(_("There is nothing to like there.")) from None

    user = request.user if request.user.is_authenticated else None
    liker = visitors.liker_id(request, create=True)
    liked, count = toggle_like(post, comment, liker, user)
    if wants_json:
        response: HttpResponse = JsonResponse(
            {"liked": liked, "count": count, "label": liked_by_label(count)}
        )
    else:
        anchor = f"#comment-{comment.pk}" if comment else "#likes"
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = post.get_absolute_url()
        response = HttpResponseRedirect(back.split("#")[0] + anchor)
    visitors.remember(request, response)
    return response


@require_GET
@cache_control(public=True, max_age=365 * 24 * 3600, immutable=True)
def avatar(request: HttpRequest, key: str) -> HttpResponse:
    """An identicon drawn for ``key``; it never changes, so browsers keep it for a year."""
    return HttpResponse(identicon_svg(key), content_type="image/svg+xml")
