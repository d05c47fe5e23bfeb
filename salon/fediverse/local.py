"""Which of this site's posts or comments an address from the fediverse names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from salon.discussion.models import Comment
from salon.fediverse.documents import site
from salon.fediverse.models import RemoteReply
from salon.publishing.models import Post

_COMMENT_FRAGMENT = re.compile(r"^comment-(\d+)$")


@dataclass(frozen=True)
class Target:
    """A post of ours, and the comment on it (None: the post itself)."""

    post: Post
    comment: Comment | None = None


def _post(pk: int) -> Post | None:
    return Post.objects.live().posts().filter(pk=pk).first()


def _comment(pk: int) -> Target | None:
    comment = Comment.objects.approved().select_related("post").filter(pk=pk).first()
    if comment is None or not comment.post.is_live:
        return None
    return Target(comment.post, comment)


def resolve_target(uri: str) -> Target | None:
    """The live post, or approved comment, that ``uri`` names: our object addresses, a
    post's permalink (``#comment-N`` for a comment), or a fediverse reply we show."""
    if not isinstance(uri, str) or not uri:
        return None
    reply = (
        RemoteReply.objects.filter(note_uri=uri).select_related("comment", "comment__post").first()
    )
    if reply is not None:
        comment = reply.comment
        if comment.status == Comment.Status.APPROVED and comment.post.is_live:
            return Target(comment.post, comment)
        return None
    root = urlsplit(site())
    parts = urlsplit(uri)
    if (parts.scheme, parts.netloc.lower()) != (root.scheme, root.netloc.lower()):
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    name = f"{match.namespace}:{match.url_name}"
    if name == "fediverse:post":
        post = _post(match.kwargs["pk"])
        return Target(post) if post else None
    if name == "fediverse:comment":
        return _comment(match.kwargs["pk"])
    if name == "publishing:post":
        fragment = _COMMENT_FRAGMENT.match(parts.fragment or "")
        if fragment:
            target = _comment(int(fragment.group(1)))
            return target if target and target.post.slug == match.kwargs["slug"] else None
        post = Post.objects.live().posts().filter(slug=match.kwargs["slug"]).first()
        return Target(post) if post else None
    return None
