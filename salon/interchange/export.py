"""Moving out: the whole site as a WXR 1.2 file that WordPress's importer (and Salon's) reads.

Posts go out with their Salon ids as ``wp:post_id`` and, when they were imported, the GUID
they came with, so reading the file back into Salon (or into the site they came from) finds
them again. Comments keep their ids and parents, their moderation state and type; metadata
recorded at import (postmeta, commentmeta) goes back out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from salon.discussion.models import Comment
from salon.interchange.models import Attachment, ImportedItem
from salon.interchange.wxr import EXTERNAL_URL_META, WXR_HEAD, WXR_TAIL, cdata, element, escape
from salon.publishing.models import Category, Post, Tag

Kind = ImportedItem.Kind

WP_STATUS = {
    Post.Status.PUBLISHED: "publish",
    Post.Status.DRAFT: "draft",
    Post.Status.SCHEDULED: "future",
    Post.Status.PRIVATE: "private",
}
WP_APPROVED = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.TRASH: "trash",
}
CHUNK = 200


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _gmt(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _meta(tag: str, pairs: Iterable) -> str:
    return "".join(
        f"\t\t<wp:{tag}>{element('wp:meta_key', key, as_cdata=True)}"
        f"{element('wp:meta_value', value, as_cdata=True)}</wp:{tag}>\n"
        for key, value in pairs
    )


def _parents_first(categories: list[Category]) -> list[Category]:
    """WordPress's importer can only attach a category to a parent it has already read."""
    by_parent: dict[int | None, list[Category]] = defaultdict(list)
    known = {c.pk for c in categories}
    for category in categories:
        by_parent[category.parent_id if category.parent_id in known else None].append(category)
    ordered: list[Category] = []
    queue = list(by_parent[None])
    while queue:
        category = queue.pop(0)
        ordered.append(category)
        queue.extend(by_parent.get(category.pk, []))
    seen = {c.pk for c in ordered}
    return ordered + [c for c in categories if c.pk not in seen]  # parent loops, if any


def _records(kinds: Iterable[str], ids: Iterable[int]) -> dict[int, ImportedItem]:
    """The latest import record of each object (for GUIDs and metadata)."""
    found: dict[int, ImportedItem] = {}
    for record in ImportedItem.objects.filter(kind__in=kinds, object_id__in=list(ids)).order_by(
        "pk"
    ):
        found[record.object_id] = record
    return found


def export_wxr(out: IO[str], progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Write every post, page, attachment, author, category, tag and comment as WXR 1.2.

    Returns how many of each were written. Memory holds one chunk of posts at a time.
    """
    site = settings.SITE_URL
    counts = {"authors": 0, "categories": 0, "tags": 0, "posts": 0, "attachments": 0}
    counts["comments"] = 0
    w = out.write
    w(WXR_HEAD)
    w(f"\t{element('title', settings.SITE_NAME)}\n\t{element('link', site)}\n")
    w(f"\t{element('description', settings.SITE_TAGLINE)}\n")
    w(f"\t{element('pubDate', format_datetime(timezone.now().astimezone(UTC), usegmt=True))}\n")
    w(f"\t{element('language', settings.LANGUAGE_CODE)}\n")
    w("\t<wp:wxr_version>1.2</wp:wxr_version>\n")
    w(f"\t{element('wp:base_site_url', site)}\n\t{element('wp:base_blog_url', site)}\n\n")

    User = get_user_model()
    for user in User.objects.filter(posts__isnull=False).distinct().order_by("pk"):
        w(
            "\t<wp:author>"
            f"{element('wp:author_id', user.pk)}"
            f"{element('wp:author_login', user.get_username(), as_cdata=True)}"
            f"{element('wp:author_email', user.email, as_cdata=True)}"
            f"{element('wp:author_display_name', user.get_full_name() or user.get_username(), as_cdata=True)}"
            f"{element('wp:author_first_name', user.first_name, as_cdata=True)}"
            f"{element('wp:author_last_name', user.last_name, as_cdata=True)}"
            "</wp:author>\n"
        )
        counts["authors"] += 1

    categories = list(Category.objects.select_related("parent").order_by("pk"))
    for category in _parents_first(categories):
        w(
            "\t<wp:category>"
            f"{element('wp:term_id', category.pk)}"
            f"{element('wp:category_nicename', category.slug, as_cdata=True)}"
            f"{element('wp:category_parent', category.parent.slug if category.parent else '', as_cdata=True)}"
            f"{element('wp:cat_name', category.name, as_cdata=True)}"
            f"{element('wp:category_description', category.description, as_cdata=True)}"
            "</wp:category>\n"
        )
        counts["categories"] += 1
    for tag in Tag.objects.order_by("pk"):
        w(
            "\t<wp:tag>"
            f"{element('wp:term_id', tag.pk)}"
            f"{element('wp:tag_slug', tag.slug, as_cdata=True)}"
            f"{element('wp:tag_name', tag.name, as_cdata=True)}"
            "</wp:tag>\n"
        )
        counts["tags"] += 1
    w(f"\n\t<generator>{site}/?salon</generator>\n\n")

    post_ids = list(Post.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(post_ids), CHUNK):
        ids = post_ids[start : start + CHUNK]
        posts = (
            Post.objects.filter(pk__in=ids)
            .select_related("author")
            .prefetch_related("categories", "tags")
            .order_by("pk")
        )
        comments: dict[int, list[Comment]] = defaultdict(list)
        for comment in Comment.objects.filter(post_id__in=ids).order_by("created_at", "pk"):
            comments[comment.post_id].append(comment)
        post_records = _records((Kind.POST, Kind.PAGE), ids)
        comment_records = _records(
            (Kind.COMMENT, Kind.DISQUS_POST), [c.pk for cs in comments.values() for c in cs]
        )
        for post in posts:
            w(_post_item(post, post_records.get(post.pk), comments[post.pk], comment_records))
            counts["posts"] += 1
            counts["comments"] += len(comments[post.pk])
        if progress:
            progress(counts["posts"])

    # Attachments take ids above every post's: WordPress's ids are shared by all kinds.
    offset = (post_ids[-1] if post_ids else 0) + 1_000_000
    for attachment in Attachment.objects.order_by("pk").iterator(chunk_size=500):
        w(_attachment_item(attachment, offset))
        counts["attachments"] += 1
    w(WXR_TAIL)
    return counts


def _post_item(
    post: Post,
    record: ImportedItem | None,
    comments: list[Comment],
    comment_records: dict[int, ImportedItem],
) -> str:
    site = settings.SITE_URL
    guid = record.guid if record and record.guid else f"{site}/?p={post.pk}"
    link = site + post.get_absolute_url()
    kind, status = post.kind, WP_STATUS.get(post.status, "draft")
    meta = list(record.extra.get("postmeta", [])) if record else []
    if post.kind == Post.Kind.ELSEWHERE:
        # The conversation under a page of another site. WordPress knows no such thing: it
        # becomes a private page (its comments kept, nothing shown) whose link is that page;
        # Salon reads it back as the conversation, from the address in its postmeta.
        link, kind, status = post.external_url, Post.Kind.PAGE, "private"
        guid = record.guid if record and record.guid else post.external_url
        meta = [(k, v) for k, v in meta if k != EXTERNAL_URL_META]
        meta.append((EXTERNAL_URL_META, post.external_url))
    parts = [
        "\t<item>\n",
        f"\t\t{element('title', post.title)}\n",
        f"\t\t{element('link', link)}\n",
        f"\t\t{element('pubDate', format_datetime(post.published_at.astimezone(UTC), usegmt=True))}\n",
        f"\t\t{element('dc:creator', post.author.get_username(), as_cdata=True)}\n",
        f'\t\t<guid isPermaLink="false">{escape(guid)}</guid>\n',
        "\t\t<description></description>\n",
        f"\t\t{element('content:encoded', post.body, as_cdata=True)}\n",
        f"\t\t{element('excerpt:encoded', post.excerpt, as_cdata=True)}\n",
        f"\t\t{element('wp:post_id', post.pk)}\n",
        f"\t\t{element('wp:post_date', _local(post.published_at), as_cdata=True)}\n",
        f"\t\t{element('wp:post_date_gmt', _gmt(post.published_at), as_cdata=True)}\n",
        f"\t\t{element('wp:post_modified', _local(post.updated_at), as_cdata=True)}\n",
        f"\t\t{element('wp:post_modified_gmt', _gmt(post.updated_at), as_cdata=True)}\n",
        f"\t\t{element('wp:comment_status', 'open' if post.comments_open else 'closed', as_cdata=True)}\n",
        f"\t\t{element('wp:ping_status', 'closed', as_cdata=True)}\n",
        f"\t\t{element('wp:post_name', post.slug, as_cdata=True)}\n",
        f"\t\t{element('wp:status', status, as_cdata=True)}\n",
        "\t\t<wp:post_parent>0</wp:post_parent>\n",
        "\t\t<wp:menu_order>0</wp:menu_order>\n",
        f"\t\t{element('wp:post_type', kind, as_cdata=True)}\n",
        f"\t\t{element('wp:post_password', post.password, as_cdata=True)}\n",
        f"\t\t{element('wp:is_sticky', 1 if post.is_sticky else 0)}\n",
    ]
    for category in post.categories.all():
        parts.append(
            f'\t\t<category domain="category" nicename="{escape(category.slug)}">'
            f"{cdata(category.name)}</category>\n"
        )
    for tag in post.tags.all():
        parts.append(
            f'\t\t<category domain="post_tag" nicename="{escape(tag.slug)}">'
            f"{cdata(tag.name)}</category>\n"
        )
    if meta:
        parts.append(_meta("postmeta", meta))
    for comment in comments:
        comment_record = comment_records.get(comment.pk)
        parts.append(
            "\t\t<wp:comment>\n"
            f"\t\t\t{element('wp:comment_id', comment.pk)}\n"
            f"\t\t\t{element('wp:comment_author', comment.author_name, as_cdata=True)}\n"
            f"\t\t\t{element('wp:comment_author_email', comment.author_email, as_cdata=True)}\n"
            f"\t\t\t{element('wp:comment_author_url', comment.author_url)}\n"
            f"\t\t\t{element('wp:comment_author_IP', comment.author_ip or '', as_cdata=True)}\n"
            f"\t\t\t{element('wp:comment_date', _local(comment.created_at), as_cdata=True)}\n"
            f"\t\t\t{element('wp:comment_date_gmt', _gmt(comment.created_at), as_cdata=True)}\n"
            f"\t\t\t{element('wp:comment_content', comment.content, as_cdata=True)}\n"
            f"\t\t\t{element('wp:comment_approved', WP_APPROVED.get(comment.status, '0'), as_cdata=True)}\n"
            f"\t\t\t{element('wp:comment_type', comment.kind, as_cdata=True)}\n"
            f"\t\t\t{element('wp:comment_parent', comment.parent_id or 0)}\n"
            f"\t\t\t{element('wp:comment_user_id', comment.user_id or 0)}\n"
        )
        if comment_record and comment_record.extra.get("commentmeta"):
            parts.append(_meta("commentmeta", comment_record.extra["commentmeta"]))
        parts.append("\t\t</wp:comment>\n")
    parts.append("\t</item>\n")
    return "".join(parts)


def _attachment_item(attachment: Attachment, offset: int) -> str:
    wp_id = offset + attachment.pk
    guid = attachment.guid or attachment.url
    return (
        "\t<item>\n"
        f"\t\t{element('title', attachment.title)}\n"
        f"\t\t{element('link', attachment.url)}\n"
        f"\t\t{element('dc:creator', '', as_cdata=True)}\n"
        f'\t\t<guid isPermaLink="false">{escape(guid)}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t{element('content:encoded', attachment.description, as_cdata=True)}\n"
        f"\t\t{element('excerpt:encoded', attachment.caption, as_cdata=True)}\n"
        f"\t\t{element('wp:post_id', wp_id)}\n"
        f"\t\t{element('wp:post_date', _local(attachment.uploaded_at), as_cdata=True)}\n"
        f"\t\t{element('wp:post_date_gmt', _gmt(attachment.uploaded_at), as_cdata=True)}\n"
        f"\t\t{element('wp:post_name', '', as_cdata=True)}\n"
        f"\t\t{element('wp:status', 'inherit', as_cdata=True)}\n"
        f"\t\t{element('wp:post_parent', attachment.post_id or 0)}\n"
        f"\t\t{element('wp:post_type', 'attachment', as_cdata=True)}\n"
        f"\t\t{element('wp:attachment_url', attachment.url, as_cdata=True)}\n"
        f"\t</item>\n"
    )
