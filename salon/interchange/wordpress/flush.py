"""Writing what an import queued: comments (parents before replies), records, and posts'
categories and tags, in a few large INSERTs instead of several small ones per post."""

from __future__ import annotations

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from salon.discussion.models import Comment
from salon.interchange.models import ImportedItem
from salon.interchange.wordpress.run import PendingComment, WxrRun
from salon.publishing.models import Post

# Comments queued before they are written in a few large INSERTs: this many, or fewer if
# their text (and its HTML) reaches FLUSH_CHARS, since comments may be 65,525 characters.
FLUSH_EVERY = 2000
FLUSH_CHARS = 8 * 1024 * 1024


def comment_record(run: WxrRun, wp_id: str, pk: int, extra: dict) -> ImportedItem:
    """The (unsaved) record of an imported comment."""
    return ImportedItem(
        source=run.source,
        kind=ImportedItem.Kind.COMMENT,
        source_id=wp_id,
        object_id=pk,
        extra=extra,
    )


def levels(pending: list[PendingComment]) -> list[list[PendingComment]]:
    """Queued comments by depth in their thread within the queue: parents before replies.
    A loop of replies (a file may hold one) is broken at its first comment."""
    depth: dict[tuple[int, str], int] = {}
    waiting = list(pending)
    out: list[list[PendingComment]] = []
    while waiting:
        later = []
        for entry in waiting:
            key, _comment, _extra, parent_key = entry
            if parent_key is None:
                depth[key] = 0
            elif parent_key in depth:
                depth[key] = depth[parent_key] + 1
            else:
                later.append(entry)
                continue
            while len(out) <= depth[key]:
                out.append([])
            out[depth[key]].append(entry)
        if len(later) == len(waiting):
            later[0] = (*later[0][:3], None)
        waiting = later
    return out


def number_comments(run: WxrRun) -> None:
    """Give each queued comment its WordPress id as its Salon id when that id is free, so a
    WordPress ``#comment-123`` link still lands on it (Salon's anchors are ``comment-<id>``
    too). A comment whose id another comment here already has gets a number above every id
    stored or queued, so it takes no later comment's number either."""
    wanted: dict[int, Comment] = {}
    for key, comment, _, _ in run.pending:
        if key[1].isdigit() and 0 < int(key[1]) < 2**62:
            wanted.setdefault(int(key[1]), comment)
    taken = set(Comment.objects.filter(pk__in=list(wanted)).values_list("pk", flat=True))
    for pk, comment in wanted.items():
        if pk not in taken:
            comment.pk = pk
    run.kept_ids += len(wanted) - len(taken)
    others = [comment for _, comment, _, _ in run.pending if comment.pk is None]
    if not others:
        return
    run.renumbered += len(others)
    highest = Comment.objects.aggregate(highest=Max("pk"))["highest"] or 0
    next_pk = max([highest, *wanted]) + 1
    for comment in others:
        comment.pk, next_pk = next_pk, next_pk + 1


def _store_comments(run: WxrRun) -> None:
    number_comments(run)
    # Each level is one INSERT (a handful per flush, as deep as the deepest thread), which
    # is cheaper than updating parents afterwards.
    pks: dict[tuple[int, str], int] = {}
    for level in levels(run.pending):
        for _key, comment, _extra, parent_key in level:
            if parent_key is not None:
                comment.parent_id = pks[parent_key]
        Comment.objects.bulk_create([entry[1] for entry in level], batch_size=500)
        pks.update((key, comment.pk) for key, comment, _, _ in level)
    run.pending_records.extend(
        comment_record(run, key[1], pks[key], extra) for key, _, extra, _ in run.pending
    )
    run.pending = []
    run.pending_chars = 0


def _store_terms(run: WxrRun) -> None:
    Post.categories.through.objects.bulk_create(
        [
            Post.categories.through(post_id=post_id, category_id=pk)
            for post_id, pk in run.pending_terms
            if pk > 0
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    Post.tags.through.objects.bulk_create(
        [
            Post.tags.through(post_id=post_id, tag_id=-pk)
            for post_id, pk in run.pending_terms
            if pk < 0
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    run.pending_terms = []


def reset_comment_ids() -> None:
    """Let the database's next comment id follow the highest stored one (PostgreSQL keeps a
    sequence that rows stored with their own id do not move; SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
            cursor.execute(sql)


def flush(run: WxrRun) -> None:
    """Store the queued comments, their records, and the queued category and tag links."""
    if run.pending:
        _store_comments(run)
    if run.pending_records:
        ImportedItem.objects.bulk_create(run.pending_records, batch_size=500)
        run.pending_records = []
    if run.pending_terms:
        _store_terms(run)
