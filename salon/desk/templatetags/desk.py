"""``{% pending_badge %}``: in the site's header, a link for staff to the comments that wait."""

from django import template
from django.urls import reverse

from salon.desk import queue

register = template.Library()


@register.inclusion_tag("desk/pending_badge.html", takes_context=True)
def pending_badge(context) -> dict:
    """Nothing (and no query) for readers; for staff who moderate, how many comments wait."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {"show": False}
    if not user.has_perm("discussion.change_comment"):
        return {"show": False}
    waiting = queue.pending_count()
    return {
        "show": True,
        "count": waiting,
        "url": reverse("admin:desk_comments") + ("?status=pending" if waiting else ""),
    }
