"""``{% shared_part "name" %}…{% endshared_part %}``: a part of a post's page that every
reader sees alike (its header, its body, the site's header and footer), rendered once and
then taken from the shared cache by every reader, known or new, until anything it could show
changes (see :func:`salon.publishing.page_cache.shared_fragment`).

What is inside must depend only on the post, the site's configuration, and rows that bump
the post's state or the site's generation: nothing of the reader's (no CSRF token, no user,
no cookie). Outside a post's page (no ``post`` in the context) it is rendered as usual.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from salon.publishing import page_cache

register = template.Library()


class SharedPartNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList) -> None:
        self.name, self.nodelist = name, nodelist

    def render(self, context: template.Context) -> str:
        post, request = context.get("post"), context.get("request")
        if post is None or request is None or not getattr(post, "pk", None):
            return self.nodelist.render(context)
        # Whether the post is live moves with the clock, not with its row.
        name = f"{self.name}:{int(post.is_live)}"
        return mark_safe(
            page_cache.shared_fragment(
                request, name, post, lambda: str(self.nodelist.render(context))
            )
        )


@register.tag
def shared_part(parser: template.base.Parser, token: template.base.Token) -> SharedPartNode:
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('usage: {% shared_part "name" %}')
    nodelist = parser.parse(("endshared_part",))
    parser.delete_first_token()
    return SharedPartNode(bits[1][1:-1], nodelist)
