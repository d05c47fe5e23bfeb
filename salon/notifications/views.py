"""The pages mail links open: confirm a subscription, unsubscribe, moderate a held comment."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from salon.discussion.models import Comment
from salon.notifications import subscriptions
from salon.notifications.links import (
    BadLink,
    private_page,
    read_confirm,
    read_moderation,
    read_unsubscribe,
)
from salon.notifications.models import Topic
from salon.notifications.notices import LinkAlreadyUsed, link_used, moderate_by_link


def _page(request: HttpRequest, title: str, status: int = 200, **context: Any) -> HttpResponse:
    return private_page(
        render(request, "notifications/message.html", {"title": title, **context}, status=status)
    )


def _bad_link(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        _("This link does not work"),
        status=400,
        message=_(
            "It may have expired, or been cut short by your mail program. "
            "Copy the whole link from the message, or ask again."
        ),
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in click: GET shows what the link would start and a button (mail
    scanners open links, and must not subscribe anyone); POST starts it."""
    try:
        email, ids = read_confirm(token)
    except BadLink:
        return _bad_link(request)
    if request.method == "GET":
        subs = subscriptions.waiting(email, ids)
    else:
        subs = subscriptions.confirm(email, ids)
    if not subs:
        return _page(
            request,
            _("Nothing to confirm"),
            message=_("These subscriptions were cancelled in the meantime."),
        )
    items = []
    for sub in subs:
        if sub.topic == Topic.REPLIES and sub.post is not None:
            items.append(_("new comments on “%(title)s”") % {"title": sub.post.title})
        else:
            items.append(_("new posts on this site"))
    if request.method == "GET":
        return _page(
            request,
            _("Confirm your subscription"),
            message=_("Send e-mail to %(email)s about:") % {"email": email},
            items=items,
            button=_("Confirm"),
        )
    return _page(
        request,
        _("Subscription confirmed"),
        message=_("You will get an e-mail about:"),
        items=items,
        note=_("Every message has a link to stop it with one click."),
    )


# RFC 8058: mail programs POST to the List-Unsubscribe address without any cookie or form
# token, so this one view cannot ask for a CSRF token. It only ever stops mail.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button (link scanners must not unsubscribe people); POST: stop."""
    try:
        stop = read_unsubscribe(token)
    except BadLink:
        return _bad_link(request)
    what = Topic(stop.topic).label if stop.topic in Topic.values else stop.topic
    if request.method == "GET":
        return _page(
            request,
            _("Unsubscribe"),
            message=_("Stop e-mail about %(what)s to %(email)s?")
            % {"what": what, "email": stop.email},
            button=_("Unsubscribe"),
        )
    subscriptions.unsubscribe(stop)
    return _page(
        request,
        _("Unsubscribed"),
        message=_("You will get no more e-mail about %(what)s.") % {"what": what},
    )


@require_http_methods(["GET", "POST"])
def moderate_comment(request: HttpRequest, token: str) -> HttpResponse:
    """A moderation link from a notice: GET shows the comment and a button, POST acts once."""
    try:
        choice = read_moderation(token)
    except BadLink:
        return _bad_link(request)
    comment = Comment.objects.select_related("post").filter(pk=choice.comment_id).first()
    if comment is None:
        return _page(request, _("Comment not found"), status=404, message=_("It has been deleted."))
    labels = {
        "approve": _("Approve"),
        "spam": _("Mark as spam"),
        "trash": _("Move to Trash"),
    }
    used = link_used(choice.nonce)
    if used is None and comment.status != Comment.Status.PENDING:
        # Someone moderated it in the administration meanwhile; the link must not undo that.
        return _page(
            request,
            _("This comment was already moderated"),
            status=410,
            message=_("It is now: %(status)s.") % {"status": comment.get_status_display()},
        )
    if used is None and request.method == "POST":
        try:
            moderate_by_link(comment, choice.action, choice.nonce)
        except LinkAlreadyUsed:
            used = link_used(choice.nonce)
        else:
            comment.refresh_from_db(fields=["status"])
            return _page(
                request,
                _("Done"),
                message=_("The comment is now: %(status)s.")
                % {"status": comment.get_status_display()},
                link=comment.get_absolute_url()
                if comment.status == Comment.Status.APPROVED
                else "",
            )
    if used is not None:
        return _page(
            request,
            _("This link was already used"),
            status=410,
            message=_(
                "Someone chose “%(action)s” for this comment on %(date)s; it is now: %(status)s."
            )
            % {
                "action": labels.get(used.action, used.action),
                "date": used.used_at.strftime("%Y-%m-%d %H:%M UTC"),
                "status": comment.get_status_display(),
            },
        )
    return _page(
        request,
        labels[choice.action],
        message=_("%(name)s on “%(title)s”:")
        % {"name": comment.display_name, "title": comment.post.title},
        quote=comment.content,
        button=labels[choice.action],
    )
