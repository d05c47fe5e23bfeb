"""Old WordPress links keep working after the move: ``/?p=ID``, ``/?page_id=ID`` and each
item's old permalink answer with a permanent redirect to the post's new address.

The middleware costs nothing on ordinary pages: it looks at the database only for a request to
``/`` carrying ``p`` or ``page_id``, or when the site was about to answer 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from salon.interchange.models import Attachment, ImportedItem, latest_record
from salon.publishing.models import Post

Kind = ImportedItem.Kind
_COMMENT_PAGE = re.compile(r"/comment-page-\d+/?$")


def _live_address(post_id: int | None) -> str | None:
    """The new address of a post a reader may see; None for drafts, private or deleted posts
    (a redirect would only tell a stranger that the post exists)."""
    if not post_id:
        return None
    post = Post.objects.live().filter(pk=post_id).first()
    return post.get_absolute_url() if post else None


def address_for_wordpress_id(wp_id: str) -> str | None:
    """Where ``/?p=wp_id`` or ``/?page_id=wp_id`` now lives (the most recent import wins when
    several WordPress sites used the same id)."""
    if not wp_id.isdigit():
        return None
    record = latest_record(
        ImportedItem.objects.filter(kind__in=(Kind.POST, Kind.PAGE), source_id=wp_id)
    )
    return _live_address(record.object_id) if record else None


def address_for_old_path(path: str) -> str | None:
    """Where an item's old permalink now lives: a post or page, or for an attachment's page,
    the post the attachment belongs to. WordPress's paged comments
    (``/2010/01/07/hello/comment-page-2/``) lead to the post: its thread is one page here."""
    path = _COMMENT_PAGE.sub("/", path)
    candidates = {path, path.rstrip("/"), path.rstrip("/") + "/"} - {"", "/"}
    if not candidates:
        return None
    record = latest_record(
        ImportedItem.objects.filter(
            kind__in=(Kind.POST, Kind.PAGE, Kind.ATTACHMENT), old_link__in=candidates
        )
    )
    if record is None:
        return None
    if record.kind == Kind.ATTACHMENT:
        attachment = Attachment.objects.filter(pk=record.object_id).first()
        return _live_address(attachment.post_id) if attachment else None
    return _live_address(record.object_id)


class OldLinkRedirects:
    """Answer old WordPress addresses with 301s to the imported posts' new ones."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            if request.path == "/" and ("p" in request.GET or "page_id" in request.GET):
                target = address_for_wordpress_id(
                    request.GET.get("p") or request.GET.get("page_id", "")
                )
                if target:
                    return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            target = address_for_old_path(request.path)
            if target and target != request.path:
                return HttpResponsePermanentRedirect(target)
        return response
