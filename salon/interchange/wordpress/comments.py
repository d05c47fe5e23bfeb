"""A post's WordPress comments: matched to those already here (by record, then for a post
that existed by author name and date), the rest queued for the next flush with their parents.
Stored as they were: an import judges nothing."""

from __future__ import annotations

from datetime import datetime

from salon.discussion.models import AUTHOR_MAX, EMAIL_MAX, URL_MAX, Comment
from salon.discussion.rendering import render_comment
from salon.interchange.fields import imported_address, valid_ip, with_status_since
from salon.interchange.models import ImportedItem
from salon.interchange.wordpress.flush import FLUSH_CHARS, FLUSH_EVERY, comment_record, flush
from salon.interchange.wordpress.run import WxrRun
from salon.interchange.wordpress.values import COMMENT_KIND, COMMENT_STATUS, comment_text
from salon.interchange.wxr import WxrComment, wordpress_date
from salon.publishing.models import Post

Kind = ImportedItem.Kind


def comment_values(run: WxrRun, post: Post, wxr: WxrComment) -> dict:
    """The Salon fields of a comment as the file states them (without its HTML)."""
    user_id = wxr.get("comment_user_id", "0")
    content = wxr.get("comment_content")
    return {
        "post": post,
        "user_id": run.users_by_wp_id.get(user_id) if user_id not in ("", "0") else None,
        "author_name": wxr.get("comment_author")[:AUTHOR_MAX],
        "author_email": wxr.get("comment_author_email")[:EMAIL_MAX],
        "author_url": imported_address(wxr.get("comment_author_url"))[:URL_MAX],
        "author_ip": valid_ip(wxr.get("comment_author_IP")),
        "content": content if run.markdown_comments else comment_text(content),
        "status": COMMENT_STATUS.get(wxr.get("comment_approved"), Comment.Status.PENDING),
        "kind": COMMENT_KIND.get(wxr.get("comment_type"), Comment.Kind.COMMENT),
        "created_at": wordpress_date(wxr.get("comment_date_gmt"))
        or wordpress_date(wxr.get("comment_date"))
        or post.published_at,
    }


def rendered(values: dict) -> dict:
    """Comment values with the HTML rendered as the comment form renders it; done only for
    comments about to be stored, since rendering is the dearest step of an import."""
    return {**values, "content_html": render_comment(values["content"])}


# Akismet's copy of the submission it checked: the commenter's e-mail, IP address, browser
# and referrer. Salon keeps the IP address and browser in the comment, for the retention
# period the privacy page states; this copy would outlive it, so it is not kept.
UNKEPT_META = {"akismet_as_submitted"}


def comment_extra(wxr: WxrComment) -> dict:
    """What the file says about a comment that Salon keeps only in its record."""
    extra: dict = {}
    meta = [pair for pair in wxr.meta if pair[0] not in UNKEPT_META]
    if meta:
        extra["commentmeta"] = meta
    raw_type = wxr.get("comment_type")
    if raw_type not in COMMENT_KIND:
        extra["type"] = raw_type
    return extra


def _records(run: WxrRun, wp_ids: list[str], post_is_new: bool) -> tuple[dict, set[int]]:
    """This source's records of these comments, and which of them still have their comment
    (records whose comment was deleted here are dropped, so it is imported again)."""
    records = {}
    if run.known_comments or not post_is_new:
        records = {
            r.source_id: r
            for r in ImportedItem.objects.filter(
                source=run.source, kind=Kind.COMMENT, source_id__in=wp_ids
            )
        }
    existing = set(
        Comment.objects.filter(
            pk__in=[r.object_id for r in records.values() if r.object_id]
        ).values_list("pk", flat=True)
    )
    stale = [r.pk for r in records.values() if r.object_id not in existing]
    if stale:
        ImportedItem.objects.filter(pk__in=stale).delete()
    return records, existing


def _by_name_and_date(post: Post) -> dict[tuple[str, datetime], int]:
    """The post's comments by (author name, date), as WordPress's own importer matches them."""
    # WXR dates carry whole seconds: a comment written here has microseconds.
    return {
        (name, created.replace(microsecond=0)): pk
        for pk, name, created in Comment.objects.filter(post=post).values_list(
            "pk", "author_name", "created_at"
        )
    }


def update_comment(pk: int, values: dict) -> bool:
    """Bring a comment in line with the file; whether anything changed."""
    fields = {k: v for k, v in values.items() if k not in ("post", "user_id")}
    current = Comment.objects.filter(pk=pk).values(*fields).first()
    if current is None or all(current[k] == v for k, v in fields.items()):
        return False
    # update(), not save(): the counts are recounted once per post at the end.
    Comment.objects.filter(pk=pk).update(**with_status_since(fields, current.get("status", "")))
    return True


def queue_comments(run: WxrRun, post: Post, comments: list[WxrComment], post_is_new: bool) -> None:
    """Queue one post's comments for the next flush; match those already imported."""
    by_id: dict[str, WxrComment] = {}
    for comment in comments:
        by_id.setdefault(comment.get("comment_id")[:100], comment)
    records, existing = _records(run, list(by_id), post_is_new)
    natural = {} if post_is_new else _by_name_and_date(post)

    salon_ids: dict[str, int] = {}  # WordPress comment id → Salon comment id, if stored
    new: list[tuple[str, Comment, dict]] = []
    for wp_id, wxr in by_id.items():
        values = comment_values(run, post, wxr)
        extra = comment_extra(wxr)
        found = records.get(wp_id)
        if found is not None and found.object_id in existing:
            salon_ids[wp_id] = found.object_id
            if run.update and update_comment(found.object_id, rendered(values)):
                run.touched_posts.add(post.pk)
                run.tally.add("comment", "updated")
            else:
                run.tally.add("comment", "skipped")
            continue
        same = natural.get((values["author_name"], values["created_at"].replace(microsecond=0)))
        if same:
            salon_ids[wp_id] = same
            run.pending_records.append(comment_record(run, wp_id, same, extra))
            run.tally.add("comment", "skipped")
            continue
        new.append((wp_id, Comment(**rendered(values)), extra))

    new_ids = {wp_id for wp_id, _, _ in new}
    for wp_id, comment, extra in new:
        parent = by_id[wp_id].get("comment_parent", "0")
        if parent in ("", "0") or parent == wp_id:
            parent_key = None
        elif parent in salon_ids:
            comment.parent_id = salon_ids[parent]
            parent_key = None
        elif parent in new_ids:
            parent_key = (post.pk, parent)  # stored in the same flush; linked after it
        else:
            run.orphans += 1
            extra["parent_missing"] = parent
            parent_key = None
        run.pending.append(((post.pk, wp_id), comment, extra, parent_key))
        run.pending_chars += len(comment.content) + len(comment.content_html)
    if new:
        run.tally.add("comment", "created", len(new))
        run.touched_posts.add(post.pk)
    if len(run.pending) >= FLUSH_EVERY or run.pending_chars >= FLUSH_CHARS:
        flush(run)
