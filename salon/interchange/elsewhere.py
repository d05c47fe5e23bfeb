"""Moving in from another comment system (Isso, Remark42, Commento): what the three share.

Each reader (``isso.py``, ``remark42.py``, ``commento.py``) turns its export into a stream of
:class:`ForeignComment`; :func:`import_comments` stores them, a batch at a time:

- **Pages.** A page becomes the conversation of the post of this site it was (its address is
  on this site, ``SITE_URL``, and its path is a post's address, new or old), else a
  conversation under that page elsewhere (``Post.Kind.ELSEWHERE`` keyed by its address, as
  the embed opens one on a first comment). ``--url-map OLD=NEW`` rewrites addresses first,
  so comments of a blog that moved to this site find its posts.
- **History as it was.** Dates, threading, states and likes are kept; nothing is judged
  (no spam check, no moderation rule). The text is the author's (Markdown, rendered as the
  comment form renders it; HTML from Remark42, sanitised to the same allow-list). Author
  addresses are kept only when they are http(s).
- **Deleted comments are kept, in the trash.** Their replies keep their place, the owner can
  read or restore them from the moderation screen, and the trash is emptied as usual
  (retention). The summary counts them.
- **Likes** become that many likes on the comment (anonymous: the old systems kept no
  person Salon could name).
- **Run again, nothing twice.** Each comment is recorded in :class:`ImportedItem` (source
  ``isso:<site>``, ``remark42:<site id>`` or ``commento``; its original id): a second run
  skips what is there, or with ``--update`` brings it in line.
- **Refused whole.** A malformed record or one past a limit stops the import with the line or
  the comment named; the command runs in one transaction, so nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils import timezone

from salon.discussion.counts import refresh_comment_counts
from salon.discussion.models import AUTHOR_MAX, CONTENT_MAX, EMAIL_MAX, URL_MAX, Comment, Like
from salon.discussion.rendering import clean_comment_html, render_comment
from salon.embed.addresses import AddressError, origin_of, page_address
from salon.embed.origins import is_allowed
from salon.embed.pages import NoOwner, imported_conversation
from salon.interchange.fields import imported_address, valid_ip
from salon.interchange.matching import normalised_path, post_paths
from salon.interchange.models import ImportedItem
from salon.interchange.reading import ImportProblem, Progress, Tally
from salon.publishing.models import Post

Kind = ImportedItem.Kind
BATCH = 500
# More likes than this on one comment are not real readers: they are counted no further.
MAX_LIKES = 10_000


@dataclass
class ForeignComment:
    """One comment as another system exported it, in Salon's terms."""

    source_id: str
    parent_id: str  # "" for a top-level comment
    page: str  # the page's address, or its path on the site (Isso, Commento)
    page_title: str
    author_name: str
    author_email: str
    author_url: str
    author_ip: str
    text: str
    is_html: bool  # HTML (Remark42), else Markdown
    status: str  # a Comment.Status
    created_at: datetime | None
    likes: int = 0
    where: str = ""  # "line 12", "comment 7": named in a refusal
    page_closed: bool = False  # the old system took no more comments on that page


@dataclass
class ForeignRun:
    """One import's state: where it is, what it has matched, what waits to be written."""

    system: str  # "Isso", "Remark42", "Commento"
    label: str  # the file's name
    site: str = ""  # the old site's address, for pages named by their path
    url_map: list[tuple[str, str]] = field(default_factory=list)
    update: bool = False
    tally: Tally = field(default_factory=Tally)
    pages: dict[str, int] = field(default_factory=dict)  # page address → post id
    own_paths: dict[str, int] | None = None
    batch: list[tuple[str, ForeignComment]] = field(default_factory=list)  # (source, comment)
    seen: set[tuple[str, str]] = field(default_factory=set)
    replies: list[tuple[int, str, str]] = field(default_factory=list)  # (pk, source, parent)
    touched: set[int] = field(default_factory=set)
    opened: set[int] = field(default_factory=set)  # conversations elsewhere found or opened
    deleted: int = 0
    orphans: int = 0


def parse_time(text: str | float | int | None) -> datetime | None:
    """An ISO 8601 date (``Z`` or an offset; Go writes nanoseconds) or a Unix time, as an
    aware datetime; None when missing or unreadable."""
    if text is None or text == "":
        return None
    if isinstance(text, int | float):
        try:
            return datetime.fromtimestamp(text, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    value = str(text).strip().replace("Z", "+00:00")
    if "." in value:  # Python reads at most microseconds
        head, _, rest = value.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        value = f"{head}.{rest[:digits][:6]}{rest[digits:]}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.year < 1971:  # Go's zero time, "0001-01-01T00:00:00Z"
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def import_comments(
    run: ForeignRun, comments: Iterable[tuple[str, ForeignComment]], progress: Progress
) -> Tally:
    """Store a stream of ``(source, comment)``; return the tally. Call inside a transaction."""
    for source, comment in comments:
        if (source, comment.source_id) in run.seen:
            run.tally.add("comment (twice in the file)", "skipped")
            continue
        run.seen.add((source, comment.source_id))
        if len(comment.text) > CONTENT_MAX:
            raise ImportProblem(
                f"{run.label}, {comment.where}: the comment is longer than {CONTENT_MAX:,} "
                "characters, the most a comment may hold. Nothing was imported."
            )
        run.batch.append((source, comment))
        progress.step()
        if len(run.batch) >= BATCH:
            store_batch(run)
    store_batch(run)
    link_replies(run)
    ids = sorted(run.touched)
    for start in range(0, len(ids), 500):
        refresh_comment_counts(ids[start : start + 500])
    if run.deleted:
        run.tally.notes.append(
            f"{run.deleted} comment(s) deleted in {run.system} were kept in the trash, so "
            "their replies keep their place; the moderation screen shows them."
        )
    elsewhere = {origin_of(a) for a, pk in run.pages.items() if pk in run.opened}
    waiting = sorted(o for o in elsewhere if not is_allowed(o))
    if waiting:
        run.tally.notes.append(
            "The widget shows these conversations once their sites are allowed "
            f"(SALON_EMBED_ORIGINS, or the admin): {', '.join(waiting)}."
        )
    if run.orphans:
        run.tally.notes.append(
            f"{run.orphans} comment(s) replied to a comment missing from the file or under "
            "another page; they were imported as top-level comments."
        )
    return run.tally


# ---------------------------------------------------------------------------------- pages


def address_of(run: ForeignRun, comment: ForeignComment) -> str:
    """The page's normalised address (``--url-map`` applied, a path joined to the site)."""
    text = comment.page.strip()
    for old, new in run.url_map:
        if text.startswith(old):
            text = new + text[len(old) :]
            break
    if not urlsplit(text).scheme:
        if not run.site:
            raise ImportProblem(
                f"{run.label}, {comment.where}: the page is named by its path ({text!r}); "
                "give the address of the site it was on with --site https://…"
            )
        text = urljoin(run.site.rstrip("/") + "/", text.lstrip("/"))
    try:
        return page_address(text)
    except AddressError as error:
        raise ImportProblem(f"{run.label}, {comment.where}: {error} ({text[:200]!r})") from None


def post_for(run: ForeignRun, comment: ForeignComment) -> int:
    """The post whose conversation the comment's page is: found or opened once per page."""
    address = address_of(run, comment)
    if address in run.pages:
        return run.pages[address]
    post_id = None
    if origin_of(address) == origin_of(page_address(settings.SITE_URL)):
        if run.own_paths is None:
            run.own_paths = post_paths()
        post_id = run.own_paths.get(normalised_path(address))
        if post_id:
            run.tally.add("page (a post of this site)", "skipped")
    if post_id is None:
        try:
            post, opened = imported_conversation(address, comment.page_title, comment.created_at)
            if opened and comment.page_closed:
                Post.objects.filter(pk=post.pk).update(comments_open=False)
        except NoOwner as error:
            raise ImportProblem(
                f"{error} A conversation needs an owner; nothing was imported."
            ) from None
        run.tally.add("page (elsewhere)", "created" if opened else "skipped")
        post_id = post.pk
        run.opened.add(post_id)
    run.pages[address] = post_id
    return post_id


# ------------------------------------------------------------------------------- comments


def _values(comment: ForeignComment, post_id: int) -> dict:
    text = comment.text or ""
    return {
        "post_id": post_id,
        "author_name": (comment.author_name or "").strip()[:AUTHOR_MAX],
        "author_email": (comment.author_email or "").strip()[:EMAIL_MAX],
        "author_url": imported_address(comment.author_url or "")[:URL_MAX],
        "author_ip": valid_ip(comment.author_ip or ""),
        "content": text,
        "content_html": clean_comment_html(text) if comment.is_html else render_comment(text),
        "status": comment.status,
        "created_at": comment.created_at or timezone.now(),
    }


def store_batch(run: ForeignRun) -> None:
    """Write a batch: skip or update what an earlier run stored, create the rest with their
    records and likes in a few INSERTs."""
    if not run.batch:
        return
    batch, run.batch = run.batch, []
    records = {
        (r.source, r.source_id): r.object_id
        for r in ImportedItem.objects.filter(
            kind=Kind.COMMENT,
            source__in={source for source, _ in batch},
            source_id__in=[c.source_id for _, c in batch],
        )
    }
    existing = set(
        Comment.objects.filter(pk__in=[pk for pk in records.values() if pk]).values_list(
            "pk", flat=True
        )
    )
    new: list[tuple[str, ForeignComment, Comment]] = []
    for source, foreign in batch:
        post_id = post_for(run, foreign)
        values = _values(foreign, post_id)
        pk = records.get((source, foreign.source_id))
        if pk in existing:
            if run.update and _update(pk, values):
                run.touched.add(post_id)
                run.tally.add("comment", "updated")
            else:
                run.tally.add("comment", "skipped")
            continue
        if foreign.status == Comment.Status.TRASH:
            run.deleted += 1
        likes = max(0, min(int(foreign.likes or 0), MAX_LIKES))
        new.append((source, foreign, Comment(like_count=likes, **values)))
    if not new:
        return
    # A record whose comment was deleted here is replaced: the comment comes back.
    ImportedItem.objects.filter(
        kind=Kind.COMMENT,
        source__in={source for source, _, _ in new},
        source_id__in=[f.source_id for _, f, _ in new],
    ).delete()
    Comment.objects.bulk_create([c for _, _, c in new], batch_size=BATCH)
    ImportedItem.objects.bulk_create(
        [
            ImportedItem(
                source=source,
                kind=Kind.COMMENT,
                source_id=foreign.source_id,
                object_id=comment.pk,
                extra={"page": foreign.page[:500], "parent": foreign.parent_id}
                if foreign.parent_id
                else {"page": foreign.page[:500]},
            )
            for source, foreign, comment in new
        ],
        batch_size=BATCH,
    )
    Like.objects.bulk_create(
        [
            Like(
                post_id=comment.post_id,
                comment=comment,
                liker=f"imported:{n}",
                created_at=comment.created_at,
            )
            for _, _, comment in new
            for n in range(1, comment.like_count + 1)
        ],
        batch_size=BATCH,
    )
    for source, foreign, comment in new:
        run.touched.add(comment.post_id)
        if foreign.parent_id and foreign.parent_id != foreign.source_id:
            run.replies.append((comment.pk, source, foreign.parent_id))
    run.tally.add("comment", "created", len(new))


def _update(pk: int, values: dict) -> bool:
    current = Comment.objects.filter(pk=pk).values(*values).first()
    if current is None or all(current[k] == v for k, v in values.items()):
        return False
    Comment.objects.filter(pk=pk).update(**values)
    return True


def link_replies(run: ForeignRun) -> None:
    """Attach replies to their parents, now that every comment of the file is stored (a
    reply may come before its parent). A reply whose parent is missing, or under another
    page, stays top-level and is counted."""
    for start in range(0, len(run.replies), BATCH):
        chunk = run.replies[start : start + BATCH]
        parents = {
            (r.source, r.source_id): r.object_id
            for r in ImportedItem.objects.filter(
                kind=Kind.COMMENT,
                source__in={source for _, source, _ in chunk},
                source_id__in={parent for _, _, parent in chunk},
            )
        }
        posts = dict(
            Comment.objects.filter(
                pk__in=[pk for pk in parents.values() if pk] + [pk for pk, _, _ in chunk]
            ).values_list("pk", "post_id")
        )
        linked = []
        for pk, source, parent in chunk:
            parent_pk = parents.get((source, parent))
            if parent_pk and posts.get(parent_pk) == posts.get(pk):
                linked.append(Comment(pk=pk, parent_id=parent_pk))
            else:
                run.orphans += 1
        Comment.objects.bulk_update(linked, ["parent"], batch_size=BATCH)


def command_run(
    system: str,
    label: str,
    *,
    site: str = "",
    url_map: list[tuple[str, str]] | None = None,
    update: bool = False,
) -> ForeignRun:
    """A run's state, the site's address checked."""
    if site:
        try:
            site = origin_of(page_address(site)) + urlsplit(page_address(site)).path.rstrip("/")
        except AddressError as error:
            raise ImportProblem(f"--site: {error}") from None
    return ForeignRun(system=system, label=label, site=site, url_map=url_map or [], update=update)
