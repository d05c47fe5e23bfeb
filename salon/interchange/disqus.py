"""Moving comments in from Disqus: each Disqus thread is matched to a post by its address, and
its posts become that post's comments, with their replies, deletions and spam flags.

The file is read twice, both times as a stream: first the threads (one small record each),
then the comments, so a thread may appear anywhere in the file. A thread is matched, in order:
by ``--url-map`` rewriting, by the path of a post's address or of an imported item's old
permalink, by a WordPress post id in the thread's identifier (the WordPress plugin writes
"123 http://…/?p=123"), and by a /YYYY/MM/DD/slug/ ending whatever came before it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

from salon.discussion.counts import refresh_comment_counts
from salon.discussion.models import AUTHOR_MAX, CONTENT_MAX, EMAIL_MAX, URL_MAX, Comment
from salon.discussion.rendering import render_comment
from salon.interchange.fields import imported_address, valid_ip, with_status_since
from salon.interchange.matching import normalised_path, post_paths
from salon.interchange.models import ImportedItem, latest_record
from salon.interchange.reading import (
    ImportProblem,
    Limits,
    Progress,
    Tally,
    file_size,
    local_name,
    open_export,
    stream_elements,
    text_of,
)
from salon.publishing.models import Post

DISQUS = "http://disqus.com"
INTERNALS = "{http://disqus.com/disqus-internals}id"
SOURCE = "disqus"
Kind = ImportedItem.Kind

# Disqus writes short fields (names, addresses, dates) and the comment's HTML, which may be
# as long as a comment here.
LIMITS = Limits(field_chars=64 * 1024)
FIELD_LIMITS = {"message": CONTENT_MAX}

_DATED_SLUG = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/([^/]+)/?$")
_WORDPRESS_ID = re.compile(r"^(\d+) https?://")


@dataclass
class Thread:
    """A Disqus thread: a page of the old site that had comments."""

    dsq_id: str
    link: str
    title: str
    identifier: str
    post_id: int | None = None
    comments: int = 0


@dataclass
class DisqusReport:
    """What a Disqus import found and did."""

    tally: Tally = field(default_factory=Tally)
    categories: int = 0
    threads: int = 0
    posts: int = 0
    replies: int = 0
    deleted: int = 0
    spam: int = 0
    unmatched: list[Thread] = field(default_factory=list)
    orphans: int = 0  # comments whose thread is not in the file
    parentless: int = 0  # replies whose parent is not in the file: imported top-level

    def lines(self) -> list[str]:
        """The summary printed at the end of an import."""
        out = [
            f"Read {self.categories} categories, {self.threads} threads and {self.posts} "
            f"comments ({self.replies} replies, {self.deleted} deleted, {self.spam} spam).",
            *self.tally.lines(),
        ]
        if self.unmatched:
            out.append(
                f"{len(self.unmatched)} thread(s) match no post; their comments were not imported:"
            )
            for thread in self.unmatched:
                out.append(
                    f"  thread {thread.dsq_id}: {thread.link or '(no link)'}"
                    f"{' “' + thread.title + '”' if thread.title else ''}, "
                    f"{thread.comments} comment(s)"
                )
        if self.orphans:
            out.append(f"{self.orphans} comment(s) belong to a thread missing from the file.")
        if self.parentless:
            out.append(
                f"{self.parentless} comment(s) replied to a comment missing from the file; "
                "they were imported as top-level comments."
            )
        return out


def _fields(element) -> dict[str, str]:
    return {local_name(child.tag)[1]: text_of(child) for child in element if len(child) == 0}


def _child(element, name: str):
    return element.find(f"{{{DISQUS}}}{name}")


def _date(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class DisqusImport:
    """One run of ``salon import_disqus``; call :meth:`run` inside a transaction."""

    def __init__(
        self,
        *,
        url_map: list[tuple[str, str]] | None = None,
        update: bool = False,
        write: Callable[[str], None] | None = None,
    ) -> None:
        self.url_map = url_map or []
        self.update = update
        self.write = write
        self.report = DisqusReport()
        self._addresses: dict[str, int] | None = None

    def run(self, path: str | Path) -> DisqusReport:
        """Import the Disqus export at ``path``; return the report."""
        label = Path(path).name
        threads: dict[str, Thread] = {}
        with open_export(path, LIMITS) as handle:
            # The first reading and the matching take a while on a big export: show them too.
            progress = Progress(handle, file_size(path), self.write)
            for event, element in self._stream(handle, label):
                if event == "start":
                    self._check_root(element, label)
                    continue
                progress.step()
                name = local_name(element.tag)[1]
                if name == "category":
                    self.report.categories += 1
                elif name == "thread":
                    values = _fields(element)
                    dsq_id = element.get(INTERNALS, "")
                    # Every thread is kept until its comments are read: only as much of
                    # it as matching and the report need.
                    threads[dsq_id] = Thread(
                        dsq_id=dsq_id,
                        link=values.get("link", "").strip()[:2000],
                        title=values.get("title", "").strip()[:300],
                        identifier=values.get("id", "").strip()[:500],
                    )
            self.report.threads = len(threads)
            for thread in threads.values():
                thread.post_id = self._match(thread)
                self._record_thread(thread)
                progress.step(0)
        progress.write(
            f"  {len(threads):,} threads read and matched in "
            f"{time.monotonic() - progress.started:.1f} s"
        )

        touched: set[int] = set()
        parents: list[tuple[int, str]] = []  # (Salon comment, Disqus parent id), resolved last
        with open_export(path, LIMITS) as handle:
            progress = Progress(handle, file_size(path), self.write)
            for event, element in self._stream(handle, label):
                if event == "end" and local_name(element.tag)[1] == "post":
                    self._post(element, threads, touched, parents)
                    progress.step()
            progress.finish()
        self._link_parents(parents)
        self.report.unmatched = [t for t in threads.values() if t.post_id is None]
        ids = sorted(touched)
        for start in range(0, len(ids), 500):
            refresh_comment_counts(ids[start : start + 500])
        return self.report

    @staticmethod
    def _stream(handle, label: str):
        return stream_elements(
            handle, depth=1, label=label, field_limits=FIELD_LIMITS, limits=LIMITS
        )

    @staticmethod
    def _check_root(element, label: str) -> None:
        uri, name = local_name(element.tag)
        if name != "disqus" or uri != DISQUS:
            raise ImportProblem(
                f"{label} is not a Disqus export: its root element is <{name}>"
                f"{' in ' + uri if uri else ''}, not <disqus> in {DISQUS}."
            )

    # ------------------------------------------------------------------------------- threads

    def _post_addresses(self) -> dict[str, int]:
        """Every post's path, new and old, to match thread links against."""
        if self._addresses is None:
            self._addresses = post_paths()
        return self._addresses

    def _match(self, thread: Thread) -> int | None:
        link = thread.link
        for old, new in self.url_map:
            if link.startswith(old):
                link = new + link[len(old) :]
                break
        if link:
            found = self._post_addresses().get(normalised_path(link))
            if found:
                return found
        wordpress = _WORDPRESS_ID.match(thread.identifier)
        if wordpress:
            record = latest_record(
                ImportedItem.objects.filter(
                    kind__in=(Kind.POST, Kind.PAGE), source_id=wordpress.group(1)
                )
            )
            if record and record.object_id:
                return record.object_id
        dated = _DATED_SLUG.search(normalised_path(link)) if link else None
        if dated:
            year, month, day, slug = dated.groups()
            post = Post.objects.filter(slug=unquote(slug), kind=Post.Kind.POST).first()
            if post:
                parts = post.permalink_parts()
                if (parts["year"], parts["month"], parts["day"]) == (year, month, day):
                    return post.pk
        return None

    def _record_thread(self, thread: Thread) -> None:
        record = latest_record(
            ImportedItem.objects.filter(
                source=SOURCE, kind=Kind.DISQUS_THREAD, source_id=thread.dsq_id[:100]
            )
        )
        extra = {"link": thread.link, "title": thread.title, "identifier": thread.identifier}
        if record is None:
            ImportedItem.objects.create(
                source=SOURCE,
                kind=Kind.DISQUS_THREAD,
                source_id=thread.dsq_id[:100],
                object_id=thread.post_id,
                extra=extra,
            )
            self.report.tally.add("thread", "created")
        elif record.object_id != thread.post_id:
            record.object_id = thread.post_id
            record.save(update_fields=["object_id"])
            self.report.tally.add("thread", "updated")
        else:
            self.report.tally.add("thread", "skipped")

    # ----------------------------------------------------------------------------- comments

    def _post(
        self,
        element,
        threads: dict[str, Thread],
        touched: set[int],
        parents: list[tuple[int, str]],
    ) -> None:
        report = self.report
        report.posts += 1
        dsq_id = element.get(INTERNALS, "")[:100]
        values = _fields(element)
        author = _fields(_child(element, "author")) if _child(element, "author") is not None else {}
        thread_ref = _child(element, "thread")
        parent_ref = _child(element, "parent")
        thread_id = thread_ref.get(INTERNALS, "") if thread_ref is not None else ""
        parent_id = parent_ref.get(INTERNALS, "") if parent_ref is not None else ""
        deleted = values.get("isDeleted", "").strip() == "true"
        spam = values.get("isSpam", "").strip() == "true"
        report.replies += bool(parent_id)
        report.deleted += deleted
        report.spam += spam

        thread = threads.get(thread_id)
        if thread is None:
            report.orphans += 1
            report.tally.add("comment (thread missing)", "skipped")
            return
        thread.comments += 1
        if thread.post_id is None:
            report.tally.add("comment (thread unmatched)", "skipped")
            return

        message = values.get("message", "")
        status = (
            Comment.Status.TRASH
            if deleted
            else Comment.Status.SPAM
            if spam
            else Comment.Status.APPROVED
        )
        fields = {
            "author_name": author.get("name", "")[:AUTHOR_MAX]
            or author.get("username", "")[:AUTHOR_MAX],
            "author_email": author.get("email", "")[:EMAIL_MAX],
            "author_url": imported_address(author.get("url", ""))[:URL_MAX],
            "author_ip": valid_ip(values.get("ipAddress", "")),
            "content": message,
            "content_html": render_comment(message),
            "status": status,
            "created_at": _date(values.get("createdAt", "")) or datetime.now(UTC),
        }
        record = latest_record(
            ImportedItem.objects.filter(source=SOURCE, kind=Kind.DISQUS_POST, source_id=dsq_id)
        )
        existing = Comment.objects.filter(pk=record.object_id).first() if record else None
        if existing is not None:
            if self.update and any(getattr(existing, k) != v for k, v in fields.items()):
                Comment.objects.filter(pk=existing.pk).update(
                    **with_status_since(fields, existing.status)
                )
                touched.add(existing.post_id)
                report.tally.add("comment", "updated")
            else:
                report.tally.add("comment", "skipped")
            return
        comment = Comment.objects.bulk_create([Comment(post_id=thread.post_id, **fields)])[0]
        touched.add(thread.post_id)
        report.tally.add("comment", "created")
        extra = {"thread": thread_id, "username": author.get("username", "")}
        if record is None:
            ImportedItem.objects.create(
                source=SOURCE,
                kind=Kind.DISQUS_POST,
                source_id=dsq_id,
                object_id=comment.pk,
                extra=extra,
            )
        else:
            record.object_id = comment.pk
            record.save(update_fields=["object_id"])
        if parent_id:
            parents.append((comment.pk, parent_id[:100]))

    def _link_parents(self, parents: list[tuple[int, str]]) -> None:
        """Attach replies to their parents, now that every comment of the file exists (a
        reply may come before its parent in the file)."""
        if not parents:
            return
        records = dict(
            ImportedItem.objects.filter(
                source=SOURCE,
                kind=Kind.DISQUS_POST,
                source_id__in={parent for _, parent in parents},
            ).values_list("source_id", "object_id")
        )
        posts = dict(
            Comment.objects.filter(
                pk__in=[pk for _, pk in records.items()] + [pk for pk, _ in parents]
            ).values_list("pk", "post_id")
        )
        for pk, parent in parents:
            parent_pk = records.get(parent)
            # A reply stays top-level if its parent is missing or under another post.
            if parent_pk and posts.get(parent_pk) == posts.get(pk):
                Comment.objects.filter(pk=pk).update(parent_id=parent_pk)
            else:
                self.report.parentless += 1
