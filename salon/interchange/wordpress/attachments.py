"""WordPress attachments: their URLs and descriptions (the files stay where they were),
linked to their posts once every post of the file exists."""

from __future__ import annotations

from salon.interchange.fields import imported_address
from salon.interchange.models import Attachment, ImportedItem
from salon.interchange.wordpress.records import find, record
from salon.interchange.wordpress.run import WxrRun
from salon.interchange.wordpress.values import POST_KINDS, old_path
from salon.interchange.wxr import WxrItem, wordpress_date
from salon.publishing.models import Post

Kind = ImportedItem.Kind


def import_attachment(run: WxrRun, item: WxrItem) -> None:
    """One attachment item of the file."""
    wp_id = item.get("wp:post_id")[:100]
    guid = item.get("guid")
    parent = item.get("wp:post_parent", "0")
    values = {
        "title": item.get("title")[:300],
        "url": imported_address(item.get("wp:attachment_url") or guid)[:1000],
        "guid": guid[:500],
        "caption": item.get("excerpt:encoded"),
        "description": item.get("content:encoded"),
        "uploaded_at": wordpress_date(item.get("wp:post_date_gmt"))
        or wordpress_date(item.get("wp:post_date")),
        "parent_source_id": "" if parent in ("", "0") else parent[:100],
    }
    found = find(run, [Kind.ATTACHMENT], wp_id, guid)
    attachment = Attachment.objects.filter(pk=found.object_id).first() if found else None
    if attachment is None:
        attachment = Attachment.objects.create(source=run.source, source_id=wp_id, **values)
        run.tally.add("attachment", "created")
    elif run.update and any(getattr(attachment, k) != v for k, v in values.items()):
        Attachment.objects.filter(pk=attachment.pk).update(**values)
        run.tally.add("attachment", "updated")
    else:
        run.tally.add("attachment", "skipped")
    extra = {"postmeta": item.meta} if item.meta else {}
    record(
        run, found, Kind.ATTACHMENT, wp_id, guid, old_path(item.get("link")), attachment.pk, extra
    )


def attach_attachments(run: WxrRun) -> None:
    """Link attachments to their posts, now that every post of the file exists."""
    waiting = list(
        Attachment.objects.filter(source=run.source, post__isnull=True)
        .exclude(parent_source_id="")
        .values_list("pk", "parent_source_id")
    )
    if not waiting:
        return
    posts = dict(
        ImportedItem.objects.filter(
            source=run.source,
            kind__in=POST_KINDS,
            source_id__in={parent for _, parent in waiting},
        ).values_list("source_id", "object_id")
    )
    for pk, parent in waiting:
        if posts.get(parent) and Post.objects.filter(pk=posts[parent]).exists():
            Attachment.objects.filter(pk=pk).update(post_id=posts[parent])
