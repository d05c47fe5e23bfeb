"""Joining the conversation under a post: the comment form's answer, likes, avatars.

The conversation itself is shown by the post page's template (``salon.discussion.conversation``
through the ``discussion`` template tags).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from salon.discussion import signals, visitors
from salon.discussion.avatars import identicon_svg
from salon.discussion.forms import CommentForm
from salon.discussion.likes import liked_by_label, toggle_like
from salon.discussion.models import Comment, DiscussionSettings
from salon.discussion.pipeline import (
    CommentRejected,
    CommentSubmission,
    submit_comment,
    too_quickly,
)
from salon.prepared import prepared
from salon.publishing import protection
from salon.publishing.models import Post
from salon.publishing.views import render_post_page


def _too_many(request: HttpRequest, group: str, rate: str) -> bool:
    return is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True)


def _live_post(pk: int) -> Post:
    """The live post ``pk`` with its author (one query, compiled once: every comment asks)."""
    query = prepared(
        "live post with its author",
        lambda v: (
            Post.objects.live(v("now", _EPOCH, _PUBLISHED_AT))
            .select_related("author")
            .filter(pk=v("post", -7_070_707))
        ),
    )
    found = query.objects(post=pk, now=timezone.now())
    if not found:
        raise Post.DoesNotExist
    return found[0]


_EPOCH = datetime(1901, 1, 1, tzinfo=UTC)  # stands for the moment the query is run
_PUBLISHED_AT = Post._meta.get_field("published_at")


@require_POST
def post_comment(request: HttpRequest) -> HttpResponse:
    """Receive the comment form; redirect to the new comment, or show the page with errors."""
    try:
        post = _live_post(int(request.POST.get("post", "")))
    except (ValueError, Post.DoesNotExist):
        raise Http404(_("That post does not exist or is not published.")) from None

    if protection.is_locked_for(post, request):
        return render_post_page(
            request,
            post,
            status=403,
            password_error=protection.LOCKED_CONVERSATION,
            kept_words=request.POST.get("comment", ""),
        )
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
            comment_form=form,
            comment_error=too_quickly(),
        )
    if not form.is_valid():
        return render_post_page(request, post, status=400, comment_form=form)

    data = form.cleaned_data
    parent = None
    if data.get("parent"):
        parent = Comment.objects.filter(pk=data["parent"], post=post).first()
        if parent is None or parent.status != Comment.Status.APPROVED:
            return render_post_page(
                request,
                post,
                status=400,
                comment_form=form,
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
        comment = submit_comment(submission, options)
    except CommentRejected as rejected:
        return render_post_page(
            request, post, status=rejected.status, comment_form=form, comment_error=rejected.message
        )

    target = post.get_absolute_url()
    target += f"#comment-{comment.pk}" if comment else "#respond"
    response = HttpResponseRedirect(target)
    visitors.remember(request, response)
    if comment is not None:
        signals.send(signals.comment_answered, comment=comment, request=request, response=response)
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
    if protection.is_locked_for(post, request):
        message = str(protection.LOCKED_CONVERSATION)
        if wants_json:
            return JsonResponse({"error": message}, status=403)
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")

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
