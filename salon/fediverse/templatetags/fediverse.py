"""The post page's fediverse parts, pulled in by its template:

{% load fediverse %}
{% activity_link post %}    <link rel="alternate" type="application/activity+json" …>
{% render_boosts post %}    "Boosted by … on the fediverse"
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.html import format_html

from salon.fediverse import display, documents

register = template.Library()


@register.simple_tag
def activity_link(post) -> str:
    if not settings.SALON["FEDIVERSE"] or not post.is_live or post.kind != "post":
        return ""
    return format_html(
        '<link rel="alternate" type="application/activity+json" href="{}">',
        documents.post_uri(post.pk),
    )


@register.inclusion_tag("fediverse/boosts.html")
def render_boosts(post):
    shown, total = display.boosts(post) if settings.SALON["FEDIVERSE"] else ([], 0)
    return {"boosters": shown, "more": total - len(shown), "total": total}
