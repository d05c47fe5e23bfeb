"""The conversation for any page's template (the shape of django-contrib-comments'
``{% render_comment_list for object %}``): the post's own template pulls the conversation
in, so the post's view knows nothing of comments.

    {% load discussion %}
    {% render_post_likes post %}     the post's Like button and "Liked by N people"
    {% render_conversation post %}   "N thoughts on", the thread and the comment form
    {% comments_feed_url post %}     the address of the post's comments feed
"""

from __future__ import annotations

from django import template

from salon.discussion import conversation

register = template.Library()


@register.inclusion_tag("discussion/conversation.html", takes_context=True)
def render_conversation(context, post):
    """The conversation under ``post``, for the reader of ``context['request']``.

    When the comment view shows the page again after a bad submission, it puts the bound
    form and the error in the page's context as ``comment_form`` and ``comment_error``.
    """
    return conversation.conversation(
        context["request"],
        post,
        form=context.get("comment_form"),
        error=context.get("comment_error", ""),
    )


@register.inclusion_tag("discussion/post_likes.html", takes_context=True)
def render_post_likes(context, post):
    """The post's Like button, pressed if this reader liked it, and its count."""
    return conversation.post_likes(context["request"], post)


@register.simple_tag
def comments_feed_url(post) -> str:
    """The post's comments feed (RSS), for the page's ``<link rel="alternate">``."""
    return f"{post.get_absolute_url()}feed/"
