"""The post page's fediverse parts, pulled in by its template:

{% load fediverse %}
{% activity_link post %}    <link rel="alternate" type="application/activity+json" …>
{% render_boosts post %}    "Boosted by … on the fediverse"
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from salon.fediverse import display, documents
from salon.publishing import page_cache

register = template.Library()


@register.simple_tag
def activity_link(post) -> str:
    if not settings.SALON["FEDIVERSE"] or not post.is_live or post.kind != "post":
        return ""
    return format_html(
        '<link rel="alternate" type="application/activity+json" href="{}">',
        documents.post_uri(post.pk),
    )


@register.simple_tag(takes_context=True)
def render_boosts(context, post) -> str:
    """Who boosted the post: the same for every reader, so kept for all of them (a boost, or
    its undoing, bumps the post's conversation version; an actor's new name, the site's
    generation)."""

    def render() -> str:
        shown, total = display.boosts(post) if settings.SALON["FEDIVERSE"] else ([], 0)
        return render_to_string(
            "fediverse/boosts.html", {"boosters": shown, "more": total - len(shown), "total": total}
        )

    request = context.get("request")
    if request is None:
        return mark_safe(render())
    return mark_safe(page_cache.shared_fragment(request, "boosts", post, render))
