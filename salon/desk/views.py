"""The moderation screen's pages: the list, its actions, a moderator's reply, Quick Edit,
emptying the Spam and the Trash.

Each page works as plain HTML forms; with JavaScript (``static/desk/desk.js``) the same
requests are sent with ``Accept: application/json`` and answered with the changed rows, so
the page changes without a reload. Every view is behind the admin site's log-in (staff only)
and CSRF check, and asks for the comment permissions on top.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from salon.desk import actions, queue, rows
from salon.desk.forms import QuickEditForm, ReplyForm
from salon.discussion import moderation, visitors
from salon.discussion.deletion import delete_comments
from salon.discussion.models import Comment
from salon.discussion.pipeline import CommentRejected, CommentSubmission, submit_comment

NOTICE = "salon_desk_notice"
Status = Comment.Status

NOW = {
    Status.APPROVED: gettext_lazy("approved"),
    Status.PENDING: gettext_lazy("unapproved: it awaits moderation"),
    Status.SPAM: gettext_lazy("marked as spam"),
    Status.TRASH: gettext_lazy("moved to the Trash"),
}


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _screen_url() -> str:
    return reverse("admin:desk_comments")


def _back(request: HttpRequest) -> str:
    """Where a plain form's answer returns: the screen as the moderator left it."""
    target = request.POST.get("next", "")
    if target.startswith(_screen_url()) and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return _screen_url()


def _tab(request: HttpRequest) -> str:
    tab = request.POST.get("view", "all")
    return tab if tab in dict(queue.TABS) else "all"


def _render_rows(
    request: HttpRequest, comments: list[Comment], tab: str, before: dict[int, str] | None = None
) -> dict[str, str]:
    """Each comment's row as the screen now shows it (a short line with Undo when the comment
    has left this tab)."""
    built = rows.build(comments)
    for row in built:
        comment = row.comment
        row.moved = not queue.in_tab(comment.status, tab)
        if before and comment.pk in before:
            row.message = _("Comment by %(name)s %(now)s.") % {
                "name": comment.display_name,
                "now": NOW[comment.status],
            }
            row.undo = actions.undo_token([(comment.pk, before[comment.pk])])
    return {
        str(row.comment.pk): render_to_string(
            "desk/row.html", {"row": row, "tab": tab}, request=request
        )
        for row in built
    }


def _answer(request: HttpRequest, outcome: actions.Outcome, tab: str, **extra) -> HttpResponse:
    """JSON for the script (the changed rows, the tabs' counts, the undo), or back to the
    screen with a notice holding Undo."""
    if _wants_json(request):
        before = dict(outcome.changed)
        changed = list(
            Comment.objects.filter(pk__in=before).select_related("post", "parent").order_by()
        )
        counts = queue.tab_counts()
        gone = {
            str(pk): render_to_string("desk/gone.html", {"pk": pk, "name": name}, request=request)
            for pk, name in outcome.deleted.items()
        }
        return JsonResponse(
            {
                "message": outcome.message,
                "undo": outcome.undo,
                "rows": _render_rows(request, changed, tab, before) | gone,
                "counts": counts,
                "pending": counts[Status.PENDING],
                **extra,
            }
        )
    request.session[NOTICE] = {"message": outcome.message, "undo": outcome.undo}
    return HttpResponseRedirect(_back(request))


def _refuse(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    filters = queue.Filters.from_query(_query_of(_back(request)))
    return _screen(request, filters, error=message, status=status)


def _query_of(url: str) -> QueryDict:
    return QueryDict(url.partition("?")[2])


def comments(request: HttpRequest) -> HttpResponse:
    """The moderation screen: tabs, filters, a page of comments, bulk and row actions."""
    _require(request, "discussion.view_comment")
    return _screen(request, queue.Filters.from_query(request.GET))


def _screen(
    request: HttpRequest, filters: queue.Filters, error: str = "", status: int = 200
) -> HttpResponse:
    counts = queue.tab_counts()
    paginator = Paginator(queue.listed(filters), queue.PER_PAGE)
    page = paginator.get_page(filters.page)
    tabs = [
        {
            "name": name,
            "label": label,
            "count": counts[name],
            "url": f"?{filters.query(status=name)}",
            "current": name == filters.tab,
        }
        for name, label in queue.TABS
    ]
    notice = request.session.pop(NOTICE, None)
    context = {
        **admin.site.each_context(request),
        "title": _("Comments"),
        "filters": filters,
        "tabs": tabs,
        "rows": rows.build(list(page.object_list)),
        "page": page,
        "pages": [
            (n, f"?{filters.query(page=n)}")
            for n in page.paginator.get_elided_page_range(page.number)
        ]
        if paginator.num_pages > 1
        else [],
        "previous_url": f"?{filters.query(page=page.previous_page_number())}"
        if page.has_previous()
        else "",
        "next_url": f"?{filters.query(page=page.next_page_number())}" if page.has_next() else "",
        "posts": queue.posts_to_filter_by(filters.post),
        "kinds": Comment.Kind.choices,
        "bulk_actions": [
            action
            for action in actions.ACTIONS.values()
            if action.status
            or (
                filters.tab in action.offered_for  # the Spam and Trash tabs
                and request.user.has_perm("discussion.delete_comment")
            )
        ],
        "notice": notice,
        "error": error,
        "here": request.get_full_path(),
        "can_change": request.user.has_perm("discussion.change_comment"),
    }
    return TemplateResponse(request, "desk/comments.html", context, status=status)


@require_POST
def act(request: HttpRequest) -> HttpResponse:
    """Approve, unapprove, spam, not spam, trash, restore or delete one comment (a row's button,
    ``do=approve:12``) or the selected ones (``do=approve`` with ``ids``); or undo."""
    _require(request, "discussion.change_comment")
    tab = _tab(request)
    if request.POST.get("undo"):
        try:
            outcome = actions.undo(request.POST["undo"], request.user)
        except actions.UndoExpired:
            return _refuse(request, _("That can no longer be undone (an hour has passed)."))
        return _answer(request, outcome, tab)
    name, _colon, one = request.POST.get("do", "").partition(":")
    action = actions.ACTIONS.get(name)
    if action is None:
        return _refuse(request, _("Choose an action: Approve, Spam, Trash…"))
    if not action.status:
        _require(request, "discussion.delete_comment")
    try:
        ids = [int(pk) for pk in ([one] if one else request.POST.getlist("ids"))]
    except ValueError:
        return _refuse(request, _("Those are not comments."))
    if not ids:
        return _refuse(request, _("Select at least one comment first."))
    chosen = list(Comment.objects.filter(pk__in=ids).select_related("post", "parent"))
    if not chosen:
        return _refuse(request, _("Those comments no longer exist."), status=404)
    try:
        outcome = actions.apply(action, chosen, request.user)
    except actions.NothingToDelete:
        return _refuse(
            request,
            _(
                "Only spam and trashed comments can be deleted permanently; "
                "move a comment to the Trash first."
            ),
        )
    return _answer(request, outcome, tab)


@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A moderator's reply, published as a staff comment through the comment pipeline.
    Replying to a comment that waits approves it first, as WordPress's "Approve and Reply"."""
    _require(request, "discussion.change_comment")
    comment = get_object_or_404(Comment.objects.select_related("post", "parent"), pk=pk)
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if comment.status not in (Status.APPROVED, Status.PENDING):
            # Moderated meanwhile: the form comes back with the reason and the words.
            form.add_error("content", _("Only a published or waiting comment can be answered."))
        if not form.is_valid():
            if _wants_json(request):
                return JsonResponse({"error": form.errors["content"][0]}, status=400)
            return _reply_page(request, comment, form, status=400)
        changed = []
        if comment.status == Status.PENDING:
            changed = actions.apply(actions.ACTIONS["approve"], [comment], request.user).changed
        user = request.user
        try:
            answer = submit_comment(
                CommentSubmission(
                    post=comment.post,
                    content=form.cleaned_data["content"],
                    author_name=user.get_full_name() or user.get_username(),
                    author_email=user.email,
                    parent=comment,
                    user=user,
                    ip=visitors.client_ip(request) or None,
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            )
        except CommentRejected as rejected:
            if _wants_json(request):
                return JsonResponse({"error": rejected.message}, status=rejected.status)
            form.add_error("content", rejected.message)
            return _reply_page(request, comment, form, status=rejected.status)
        message = (
            _("Comment approved and your reply published.")
            if changed
            else _("Your reply is published.")
        )
        if _wants_json(request):
            tab = _tab(request)
            shown = [comment, answer] if answer is not None else [comment]
            html = _render_rows(request, shown, tab, dict(changed))
            counts = queue.tab_counts()
            return JsonResponse(
                {
                    "message": message,
                    "rows": {str(comment.pk): html[str(comment.pk)]},
                    "reply": html.get(str(answer.pk), "") if answer else "",
                    "counts": counts,
                    "pending": counts[Status.PENDING],
                }
            )
        request.session[NOTICE] = {"message": message, "undo": ""}
        return HttpResponseRedirect(_back(request))
    return _reply_page(request, comment, form)


def _reply_page(request, comment, form, status=200) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "title": _("Reply to %(name)s") % {"name": comment.display_name},
        "row": rows.build([comment])[0],
        "form": form,
        "next": _back(request) if request.method == "POST" else request.GET.get("next", ""),
    }
    return TemplateResponse(request, "desk/reply.html", context, status=status)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Quick Edit: the comment's words and its author's name, e-mail and website."""
    _require(request, "discussion.change_comment")
    comment = get_object_or_404(Comment.objects.select_related("post", "parent"), pk=pk)
    form = QuickEditForm(request.POST or None, instance=comment)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            moderation.edit(
                comment,
                content=data["content"],
                author_name=data["author_name"],
                author_email=data["author_email"],
                author_url=data["author_url"],
            )
            message = _("Comment by %(name)s updated.") % {"name": comment.display_name}
            if _wants_json(request):
                html = _render_rows(request, [comment], _tab(request))
                return JsonResponse({"message": message, "rows": html})
            request.session[NOTICE] = {"message": message, "undo": ""}
            return HttpResponseRedirect(_back(request))
        if _wants_json(request):
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            first = next(iter(errors.values()))[0]
            return JsonResponse({"error": first, "errors": errors}, status=400)
    if _wants_json(request):
        inline = QuickEditForm(instance=comment, auto_id=f"desk-qe-{comment.pk}-%s")
        fragment = render_to_string("desk/quick_edit_fields.html", {"form": inline})
        return JsonResponse({"form": fragment})
    context = {
        **admin.site.each_context(request),
        "title": _("Quick Edit: comment by %(name)s") % {"name": comment.display_name},
        "row": rows.build([comment])[0],
        "form": form,
        "next": _back(request) if request.method == "POST" else request.GET.get("next", ""),
    }
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "desk/quick_edit.html", context, status=status)


EMPTY_TITLES = {Status.SPAM: gettext_lazy("Empty Spam"), Status.TRASH: gettext_lazy("Empty Trash")}


@require_http_methods(["GET", "POST"])
def empty(request: HttpRequest) -> HttpResponse:
    """Empty Spam / Empty Trash: a page asks to confirm, naming how many; confirmed, the
    comments it counted are deleted for good. What arrived after the page was opened (a
    higher id than ``upto``) is left for the moderator to see."""
    _require(request, "discussion.change_comment")
    _require(request, "discussion.delete_comment")
    status = request.POST.get("status") if request.method == "POST" else request.GET.get("status")
    if status not in EMPTY_TITLES:
        return _refuse(request, _("Only the Spam and the Trash can be emptied."))
    back = f"{_screen_url()}?status={status}"
    listed = Comment.objects.filter(status=status)
    if request.method == "POST":
        try:
            upto = int(request.POST.get("upto", ""))
        except ValueError:
            return _refuse(request, _("Open Empty Spam or Empty Trash again and confirm."))
        deleted = delete_comments(listed.filter(pk__lte=upto))
        message = actions.ACTIONS["delete"].message(deleted)
        request.session[NOTICE] = {"message": message, "undo": ""}
        return HttpResponseRedirect(back)
    last = listed.order_by("-pk").values_list("pk", flat=True).first()
    context = {
        **admin.site.each_context(request),
        "title": EMPTY_TITLES[status],
        "status": status,
        "count": listed.count(),
        "upto": last or 0,
        "back": back,
    }
    return TemplateResponse(request, "desk/empty.html", context)
