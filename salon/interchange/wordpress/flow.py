"""The WXR import from start to end: ``salon import_wxr`` calls :func:`import_wxr` inside
a transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import connection

from salon.discussion.counts import refresh_comment_counts
from salon.discussion.models import Comment
from salon.interchange.models import ImportedItem
from salon.interchange.reading import Progress, Tally, file_size, open_export
from salon.interchange.wordpress.attachments import attach_attachments, import_attachment
from salon.interchange.wordpress.authors import header_authors
from salon.interchange.wordpress.flush import flush, reset_comment_ids
from salon.interchange.wordpress.posts import import_post
from salon.interchange.wordpress.run import WxrRun
from salon.interchange.wordpress.terms import header_terms
from salon.interchange.wordpress.values import POST_KINDS, source_of
from salon.interchange.wxr import Header, WxrItem, read_wxr
from salon.publishing.models import Post

Kind = ImportedItem.Kind


def import_wxr(
    path: str | Path,
    *,
    update: bool = False,
    default_author: str | None = None,
    write: Callable[[str], None] | None = None,
) -> Tally:
    """Import the WXR file at ``path``; return the tally of what was created and found."""
    run = WxrRun(update=update, default_author_name=default_author, write=write)
    with open_export(path) as handle:
        progress = Progress(handle, file_size(path), write)
        for record in read_wxr(handle, Path(path).name):
            if isinstance(record, Header):
                read_header(run, record)
            else:
                import_item(run, record)
                progress.step()
        progress.finish()
    flush(run)
    attach_attachments(run)
    finish(run)
    return run.tally


def read_header(run: WxrRun, header: Header) -> None:
    """The channel: which site this is, then its authors, categories and tags."""
    run.source = source_of(header.fields.get("wp:base_blog_url") or header.fields.get("link", ""))
    run.markdown_comments = header.fields.get("generator", "").endswith("/?salon")
    # Two lookups per item are skipped on a first import into a site with no records.
    run.other_sources = ImportedItem.objects.exclude(source=run.source).exists()
    run.known_comments = ImportedItem.objects.filter(source=run.source, kind=Kind.COMMENT).exists()
    run.known_posts = ImportedItem.objects.filter(source=run.source, kind__in=POST_KINDS).exists()
    header_authors(run, header.authors)
    header_terms(run, header)


def import_item(run: WxrRun, item: WxrItem) -> None:
    """One ``<item>``: a post, a page, an attachment, or something Salon does not import."""
    post_type = item.get("wp:post_type") or "post"
    if post_type in POST_KINDS:
        import_post(run, item, post_type)
    elif post_type == Kind.ATTACHMENT:
        import_attachment(run, item)
    else:
        run.tally.add(f"{post_type} (not imported)", "skipped")


def finish(run: WxrRun) -> None:
    """Recount the touched posts' comments, refresh the planner's statistics after a big
    import, and add the notes the summary ends with."""
    ids = sorted(run.touched_posts)
    for start in range(0, len(ids), 500):
        refresh_comment_counts(ids[start : start + 500])
    if connection.vendor == "postgresql" and run.tally.get("comment", "created") > 10_000:
        # The tables grew by far more than autovacuum has seen yet; fresh statistics keep
        # the next import's (and the site's) query plans on their indexes.
        with connection.cursor() as cursor:
            for model in (ImportedItem, Comment, Post):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    if run.kept_ids or run.renumbered:
        reset_comment_ids()
    if run.renumbered:
        run.tally.notes.append(
            f"{run.renumbered} comment(s) got a new number because this site already had a "
            "comment with theirs: old links to them (#comment-N) land on their post's page."
        )
    if run.protected:
        run.tally.notes.append(
            f"{run.protected} password-protected post(s) imported with their passwords: "
            "readers see their titles and a password form, as on WordPress."
        )
    if run.orphans:
        run.tally.notes.append(
            f"{run.orphans} comment(s) replied to a comment missing from the file; "
            "they were imported as top-level comments."
        )
