"""Mail's part of the comment form: ``{% load mail %}{% subscription_choices form %}``."""

from __future__ import annotations

from django import template

from salon.notifications.delivery import mail_configured

register = template.Library()


@register.inclusion_tag("notifications/subscription_choices.html")
def subscription_choices(form):
    """The "Notify me…" checkboxes, offered only when this site can send mail."""
    return {"offer": mail_configured(), "form": form}
