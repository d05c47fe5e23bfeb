"""Editing and deleting one's own comment, within the edit window."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from salon.discussion.deletion import delete_comments
from salon.discussion.models import Comment
from salon.discussion.pipeline import resubmit_comment, too_quickly
from salon.identity.forms import EditCommentForm
from salon.identity.ownership import edited_submission, minutes_left, refusal


def _refused(request: HttpRequest, comment: Comment, message: str) -> HttpResponse:
    """The refusal page; an edit sent too late (or too often) is shown back to be copied."""
    typed = request.POST.get("comment", "") if request.method == "POST" else ""
    return render(
        request,
        "identity/comment_refused.html",
        {"comment": comment, "message": message, "typed": typed},
        status=403,
    )


@require_http_methods(["GET", "POST"])
def edit_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one's comment for editing, or save the edit; 403 for others or after the window."""
    comment = get_object_or_404(Comment.objects.select_related("post", "parent", "user"), pk=pk)
    message = refusal(request, comment)
    if message:
        return _refused(request, comment, message)
    if request.method == "POST":
        if is_ratelimited(
            request,
            group="comment",
            key="ip",
            rate=settings.SALON["COMMENT_RATE"],
            method="POST",
            increment=True,
        ):
            return _refused(request, comment, too_quickly())
        form = EditCommentForm(request.POST)
        if form.is_valid():
            resubmit_comment(
                comment, edited_submission(comment, form.cleaned_data["comment"], request)
            )
            return HttpResponseRedirect(comment.get_absolute_url())
        status = 400
    else:
        form = EditCommentForm(initial={"comment": comment.content})
        status = 200
    return render(
        request,
        "identity/comment_edit.html",
        {"comment": comment, "form": form, "minutes_left": minutes_left(comment)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def delete_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to confirm, then delete one's comment; 403 for others or after the window."""
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=pk)
    message = refusal(request, comment)
    if message:
        return _refused(request, comment, message)
    if request.method == "POST":
        post_url = comment.post.get_absolute_url()
        delete_comments(Comment.objects.filter(pk=comment.pk))  # replies stay, moved up
        return HttpResponseRedirect(f"{post_url}#comments")
    return render(
        request,
        "identity/comment_delete.html",
        {"comment": comment, "minutes_left": minutes_left(comment)},
    )
