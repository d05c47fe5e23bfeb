"""A post written in Markdown, rendered to the HTML the site stores and shows.

The one function, :func:`render_markdown`, serves the post's save and the editor's live
preview, so the preview is the page. CommonMark with tables, strikethrough, typographic
quotes and bare links made links; raw HTML is allowed (an author may need a ``<figure>``),
and the result is sanitised like any post body (``content.clean_post_html``). Headings start
at ``<h2>``, since the post's title is the page's ``<h1>``. An image uploaded through the
editor is written with its resized copies (``srcset``), its size and lazy loading, looked up
in one query for all the images of the text (``models.Media.responsive``).
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token

from salon.publishing.content import clean_post_html


def _heading_one_level_down(self, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return self.renderToken(tokens, idx, options, env)


def _image(self, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    sizes = env.get("images", {}).get(token.attrGet("src") or "")
    if sizes:
        for name, value in sizes.items():
            if not token.attrGet(name):
                token.attrSet(name, value)
    token.attrSet("loading", "lazy")
    # markdown-it renders the alt text from the children; keep its own rule for that.
    return self.image(tokens, idx, options, env)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": True}).enable(
        ["linkify", "table", "strikethrough", "replacements", "smartquotes"]
    )
    md.add_render_rule("heading_open", _heading_one_level_down)
    md.add_render_rule("heading_close", _heading_one_level_down)
    md.add_render_rule("image", _image)
    return md


_markdown = _parser()


def _image_sources(tokens: list[Token]) -> set[str]:
    found = set()
    for token in tokens:
        for child in token.children or ():
            if child.type == "image" and child.attrGet("src"):
                found.add(str(child.attrGet("src")))
    return found


def render_markdown(
    text: str, image_attributes: Callable[[set[str]], dict[str, dict[str, str]]] | None = None
) -> str:
    """The sanitised HTML of a post written in Markdown. ``image_attributes`` gives, for the
    image addresses of the text, the attributes to add to each (``Media.responsive``)."""
    env: dict = {}
    tokens = _markdown.parse(text or "", env)
    sources = _image_sources(tokens)
    env["images"] = image_attributes(sources) if image_attributes and sources else {}
    html = _markdown.renderer.render(tokens, _markdown.options, env)
    return clean_post_html(html).strip()
