"""This site as the fediverse sees it: its actors, posts as ``Article`` objects, comments
as ``Note`` objects, collections, WebFinger and NodeInfo answers.

Every address here is absolute and built on ``SITE_URL``, the public address other servers
reach; ids never change once given (a post's object is ``/fediverse/posts/<id>/``, whatever
its permalink becomes).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from salon.discussion.models import Comment
from salon.fediverse.keys import key_for
from salon.fediverse.models import FediverseSettings, RemoteReply
from salon.publishing import protection
from salon.publishing.models import Post

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
ACTIVITY_JSON = "application/activity+json"
CONTEXT = [
    AS_CONTEXT,
    SECURITY_CONTEXT,
    {
        "Hashtag": "as:Hashtag",
        "sensitive": "as:sensitive",
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "toot": "http://joinmastodon.org/ns#",
        "discoverable": "toot:discoverable",
        "indexable": "toot:indexable",
    },
]
BLOG = "blog"
"""The blog's actor, by its internal name; an author's is ``author:<user name>``."""
SUMMARY_WORDS = 55


def site() -> str:
    return settings.SITE_URL.rstrip("/")


def absolute(path: str) -> str:
    return f"{site()}{path}"


def site_host() -> str:
    """The host part of handles: the site's host, with its port if it has one."""
    return urlsplit(site()).netloc.lower()


def blog_username() -> str:
    return settings.SALON["FEDIVERSE_USERNAME"]


# --- actors ---------------------------------------------------------------------------------


def author_name(user) -> str:
    return f"author:{user.get_username()}"


def actor_uri(name: str) -> str:
    if name == BLOG:
        return absolute(reverse("fediverse:blog"))
    return absolute(reverse("fediverse:author", args=[name.split(":", 1)[1]]))


def key_uri(name: str) -> str:
    return f"{actor_uri(name)}#main-key"


def followers_uri(name: str) -> str:
    return f"{actor_uri(name)}followers/"


def shared_inbox_uri() -> str:
    return absolute(reverse("fediverse:shared-inbox"))


def handle(name: str) -> str:
    username = blog_username() if name == BLOG else name.split(":", 1)[1]
    return f"{username}@{site_host()}"


def local_actor_for_username(username: str) -> str | None:
    """The actor a WebFinger user name names: the blog, or (when the owner allows) an
    author with posts; None if none."""
    if username.lower() == blog_username().lower():
        return BLOG
    if not FediverseSettings.current().author_actors:
        return None
    user = get_user_model().objects.filter(username__iexact=username).first()
    if user is None or not Post.objects.filter(author=user).exists():
        return None
    return author_name(user)


def local_actor_for_uri(uri: str) -> str | None:
    """Which of this site's actors ``uri`` is (its id or its key's id), if any."""
    uri = uri.split("#", 1)[0]
    if uri == actor_uri(BLOG):
        return BLOG
    prefix = absolute("/fediverse/authors/")
    if uri.startswith(prefix):
        username = uri[len(prefix) :].strip("/")
        return local_actor_for_username(username) if "/" not in username else None
    return None


def actor_document(name: str) -> dict[str, Any]:
    """The actor: an ``Organization`` for the blog, a ``Person`` for an author."""
    options = FediverseSettings.current()
    uri = actor_uri(name)
    if name == BLOG:
        kind, display = "Organization", settings.SITE_NAME
        summary = options.summary or settings.SITE_TAGLINE
        icon = absolute(reverse("fediverse:blog-icon"))
    else:
        username = name.split(":", 1)[1]
        user = get_user_model().objects.get(username=username)
        kind = "Person"
        display = user.get_full_name() or username
        summary = f"Writes on {settings.SITE_NAME}."
        icon = absolute(reverse("fediverse:blog-icon"))
    return {
        "@context": CONTEXT,
        "id": uri,
        "type": kind,
        "preferredUsername": handle(name).split("@", 1)[0],
        "name": display,
        "summary": f"<p>{_escape(summary)}</p>",
        "url": absolute("/"),
        "icon": {"type": "Image", "mediaType": "image/png", "url": icon},
        "inbox": f"{uri}inbox/",
        "outbox": f"{uri}outbox/",
        "followers": followers_uri(name),
        "endpoints": {"sharedInbox": shared_inbox_uri()},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "indexable": True,
        "publicKey": {
            "id": key_uri(name),
            "owner": uri,
            "publicKeyPem": key_for(name).public_key_pem,
        },
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webfinger(name: str) -> dict[str, Any]:
    uri = actor_uri(name)
    return {
        "subject": f"acct:{handle(name)}",
        "aliases": [uri],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": uri},
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": absolute("/"),
            },
        ],
    }


def nodeinfo() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        salon_version = version("salon")
    except PackageNotFoundError:
        salon_version = "0"
    authors = Post.objects.values("author").distinct().count()
    return {
        "version": "2.1",
        "software": {"name": "salon", "version": salon_version},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["rss2.0"]},
        "openRegistrations": False,
        "usage": {
            "users": {"total": max(1, authors)},
            "localPosts": Post.objects.live().exclude(kind=Post.Kind.ELSEWHERE).count(),
        },
        "metadata": {"nodeName": settings.SITE_NAME, "nodeDescription": settings.SITE_TAGLINE},
    }


# --- posts and comments ---------------------------------------------------------------------


def post_uri(post_id: int) -> str:
    return absolute(reverse("fediverse:post", args=[post_id]))


def comment_uri(comment_id: int) -> str:
    return absolute(reverse("fediverse:comment", args=[comment_id]))


def sender_of(post: Post) -> str:
    """Who speaks for a post: its author when authors are actors, else the blog."""
    if FediverseSettings.current().author_actors:
        return author_name(post.author)
    return BLOG


def _absolute_html(html: str, base: str) -> str:
    """Post HTML with every link and image address made absolute (other servers show it)."""
    if not html.strip():
        return ""
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    fragment.make_links_absolute(base, resolve_base_href=False)
    return _escape(fragment.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in fragment
    )


def post_content(post: Post) -> str:
    page = post.public_url()
    if protection.is_locked_for(post, None):
        # The fediverse sees what a reader without the password sees: the way to the form.
        return (
            f"<p>{_escape(str(protection.FORM_PROMPT))}</p>"
            f'<p><a href="{_escape(page)}">{_escape(page)}</a></p>'
        )
    html = _absolute_html(post.body, page)
    if post.is_reblog:
        html += (
            f'<blockquote cite="{_escape(post.reblog_url)}">'
            f"{_absolute_html(post.reblog_excerpt, page)}</blockquote>"
            f'<p>via <a href="{_escape(post.reblog_url)}">{_escape(post.reblog_title)}</a>'
            f" — © {_escape(post.reblog_site)}</p>"
        )
    return html


def hashtag(name: str) -> str:
    return "#" + "".join(word[:1].upper() + word[1:] for word in name.split())


def article(post: Post, sender: str | None = None) -> dict[str, Any]:
    """The post as an ``Article``."""
    sender = sender or sender_of(post)
    uri = post_uri(post.pk)
    if protection.is_locked_for(post, None):
        summary = str(protection.NO_EXCERPT)
    else:
        summary = post.excerpt.strip() or Truncator(strip_tags(post.body)).words(SUMMARY_WORDS)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": uri,
        "type": "Article",
        "name": post.title,
        "content": post_content(post),
        "summary": _escape(summary) if summary else None,
        "url": post.public_url(),
        "published": post.published_at.isoformat(),
        "updated": post.updated_at.isoformat(),
        "attributedTo": actor_uri(sender),
        "to": [PUBLIC],
        "cc": [followers_uri(sender)],
        "tag": [
            {"type": "Hashtag", "href": absolute(tag.get_absolute_url()), "name": hashtag(tag.name)}
            for tag in post.tags.all()
        ],
        "replies": f"{uri}replies/",
        "sensitive": False,
    }
    if document["summary"] is None:
        del document["summary"]
    return document


def comment_note(comment: Comment) -> dict[str, Any]:
    """A comment made on this site, as a ``Note`` the fediverse may answer."""
    in_reply_to = post_uri(comment.post_id)
    if comment.parent_id:
        remote = RemoteReply.objects.filter(comment_id=comment.parent_id).first()
        in_reply_to = remote.note_uri if remote else comment_uri(comment.parent_id)
    name = _escape(comment.display_name)
    return {
        "@context": CONTEXT,
        "id": comment_uri(comment.pk),
        "type": "Note",
        "attributedTo": actor_uri(BLOG),
        "inReplyTo": in_reply_to,
        "content": f"<p><strong>{name}</strong>:</p>{comment.content_html}",
        "url": absolute(comment.get_absolute_url()),
        "published": comment.created_at.isoformat(),
        "to": [PUBLIC],
    }


def replies_collection(post: Post) -> dict[str, Any]:
    """The post's approved direct replies: ours as comment Notes, the fediverse's by their
    own addresses."""
    comments: list[int] = []
    if not protection.is_locked_for(post, None):
        comments = list(
            post.comments.approved()
            .filter(parent=None)
            .order_by("created_at", "id")
            .values_list("id", flat=True)
        )
    remote = dict(
        RemoteReply.objects.filter(comment_id__in=comments).values_list("comment_id", "note_uri")
    )
    items = [remote.get(pk) or comment_uri(pk) for pk in comments]
    return {
        "@context": AS_CONTEXT,
        "id": f"{post_uri(post.pk)}replies/",
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }


def new_activity_uri() -> str:
    return absolute(reverse("fediverse:activity", args=[uuid.uuid4().hex]))


def activity(kind: str, sender: str, obj: Any, **extra: Any) -> dict[str, Any]:
    """An activity of ``kind`` by ``sender`` about ``obj`` (a document or an address)."""
    document = {
        "@context": CONTEXT,
        "id": new_activity_uri(),
        "type": kind,
        "actor": actor_uri(sender),
        "object": obj,
    }
    document.update(extra)
    return document
