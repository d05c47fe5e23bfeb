"""Moving in from WordPress: a WXR file's authors, categories, tags, posts, pages, attachments
and comments become Salon's, and every one is recorded in :class:`ImportedItem`.

Matching rules, so an import can be run again or into a site that already has content:

- posts, pages, attachments and comments are found by (source site, WordPress id); posts,
  pages and attachments then by a GUID recorded from another source (the same blog at a new
  address, or Salon's own export read back); comments of a post that
  already existed by (author name, date), as WordPress's own importer does;
- authors by login, then by an account with the same username or e-mail (which is reused as
  it is); categories and tags by their slug.

What is found is left as it is (counted "skipped") unless ``update`` is set, in which case its
fields are brought in line with the file (counted "updated" when something changed).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.text import slugify

from salon.discussion.counts import refresh_comment_counts
from salon.discussion.models import AUTHOR_MAX, EMAIL_MAX, URL_MAX, Comment
from salon.discussion.rendering import render_comment
from salon.interchange.models import Attachment, ImportedItem, latest_record
from salon.interchange.reading import Progress, Tally, file_size, open_export
from salon.interchange.wxr import Header, WxrComment, WxrItem, read_wxr, wordpress_date
from salon.publishing.content import clean_post_html
from salon.publishing.models import Category, Post, Tag
from salon.web_addresses import web_address

Kind = ImportedItem.Kind

POST_STATUS = {
    "publish": Post.Status.PUBLISHED,
    "draft": Post.Status.DRAFT,
    "pending": Post.Status.DRAFT,
    "future": Post.Status.SCHEDULED,
    "private": Post.Status.PRIVATE,
}
# Posts in these states are not content: WordPress's own importer skips them too.
SKIPPED_POST_STATUS = {"auto-draft", "trash", "inherit"}
COMMENT_STATUS = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
COMMENT_KIND = {
    "": Comment.Kind.COMMENT,
    "comment": Comment.Kind.COMMENT,
    "pingback": Comment.Kind.PINGBACK,
    "trackback": Comment.Kind.TRACKBACK,
}
POST_KINDS = (Kind.POST, Kind.PAGE)
# Comments queued before they are written in a few large INSERTs: this many, or fewer if
# their text (and its HTML) reaches FLUSH_CHARS, since comments may be 65,525 characters.
FLUSH_EVERY = 2000
FLUSH_CHARS = 8 * 1024 * 1024
_NOT_IN_LOGIN = re.compile(r"[^A-Za-z0-9 _.\-@]")


def source_of(url: str) -> str:
    """The name a site's items are recorded under: its address without scheme or final slash,
    so a blog that moved from http:// to https:// is still the same source."""
    parts = urlsplit((url or "").strip())
    name = (parts.netloc.lower() + parts.path.rstrip("/")) or (url or "").strip()
    return name[:200] or "wordpress"


def old_path(link: str) -> str:
    """The path of an item's old address, as Django will see it in ``request.path``."""
    path = unquote(urlsplit(link or "").path)
    return "" if path in ("", "/") else path[:500]


def imported_address(text: str) -> str:
    """A web address from an export file as Salon stores it: http(s) only, else "".

    An address without a scheme ("example.com") is read as WordPress shows it, with
    ``http://``; ``javascript:`` and every other scheme are dropped, since the address
    becomes a link on the page.
    """
    return web_address(text, assume_scheme="http")


def valid_ip(text: str) -> str | None:
    """The address if it is a valid IPv4/IPv6 address (the database column insists)."""
    text = (text or "").strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def wordpress_login(text: str) -> str:
    """A login as WordPress's importer cleans it (``sanitize_user`` in strict mode), so a
    stray "themereviewteam>" in a dc:creator is the author "themereviewteam"."""
    return _NOT_IN_LOGIN.sub("", (text or "").strip())[:150]


def slug_from(nicename: str, fallback: str) -> str:
    """A Salon slug from a WordPress nicename (which may be percent-encoded Unicode)."""
    return (slugify(unquote(nicename or ""), allow_unicode=True) or slugify(fallback))[:200]


def _rss_date(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError):
        return None


class WordPressImport:
    """One run of ``salon import_wxr``; call :meth:`run` inside a transaction."""

    def __init__(
        self,
        *,
        update: bool = False,
        default_author: str | None = None,
        write: Callable[[str], None] | None = None,
    ) -> None:
        self.update = update
        self.default_author_name = default_author
        self.write = write
        self.tally = Tally()
        self.source = "wordpress"
        self.own_source = source_of(settings.SITE_URL)
        self.users_by_login: dict[str, int] = {}
        self.users_by_wp_id: dict[str, int] = {}
        self.categories: dict[str, int] = {}
        self.tags: dict[str, int] = {}
        self.touched_posts: set[int] = set()
        # Comments (with the key of a parent stored in the same flush), records and
        # category/tag links waiting for the next flush.
        self._pending: list[tuple[tuple[int, str], Comment, dict, tuple[int, str] | None]] = []
        self._pending_records: list[ImportedItem] = []
        self._pending_terms: list[tuple[int, int]] = []
        self._pending_chars = 0
        self._default_author: int | None = None
        self._other_sources = True
        self._known_comments = True
        self._known_posts = True
        # Posts and pages created in this run (WordPress id → Salon id): their records wait
        # for the next flush, and a first import asks the database nothing about them.
        self._created_posts: dict[str, int] = {}
        self._protected = 0
        self._orphans = 0

    # ----------------------------------------------------------------------------------------

    def run(self, path: str | Path) -> Tally:
        """Import the WXR file at ``path``; return the tally of what was created and found."""
        label = Path(path).name
        with open_export(path) as handle:
            progress = Progress(handle, file_size(path), self.write)
            for record in read_wxr(handle, label):
                if isinstance(record, Header):
                    self._header(record)
                else:
                    self._item(record)
                    progress.step()
            progress.finish()
        self._flush()
        self._attach_attachments()
        ids = sorted(self.touched_posts)
        for start in range(0, len(ids), 500):
            refresh_comment_counts(ids[start : start + 500])
        if connection.vendor == "postgresql" and self.tally.get("comment", "created") > 10_000:
            # The tables grew by far more than autovacuum has seen yet; fresh statistics keep
            # the next import's (and the site's) query plans on their indexes.
            with connection.cursor() as cursor:
                for model in (ImportedItem, Comment, Post):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        if self._protected:
            self.tally.notes.append(
                f"{self._protected} password-protected post(s) imported as private: Salon has "
                "no post passwords, and publishing them would show what the password hid."
            )
        if self._orphans:
            self.tally.notes.append(
                f"{self._orphans} comment(s) replied to a comment missing from the file; "
                "they were imported as top-level comments."
            )
        return self.tally

    # ---------------------------------------------------------------------------- the header

    def _header(self, header: Header) -> None:
        self.source = source_of(
            header.fields.get("wp:base_blog_url") or header.fields.get("link", "")
        )
        # Two lookups per item are skipped on a first import into a site with no records.
        self._other_sources = ImportedItem.objects.exclude(source=self.source).exists()
        self._known_comments = ImportedItem.objects.filter(
            source=self.source, kind=Kind.COMMENT
        ).exists()
        self._known_posts = ImportedItem.objects.filter(
            source=self.source, kind__in=(Kind.POST, Kind.PAGE)
        ).exists()
        for author in header.authors:
            self._author(
                author.get("wp:author_login", ""),
                email=author.get("wp:author_email", ""),
                display_name=author.get("wp:author_display_name", ""),
                first_name=author.get("wp:author_first_name", ""),
                last_name=author.get("wp:author_last_name", ""),
                wp_id=author.get("wp:author_id", ""),
            )
        parents: list[tuple[int, str]] = []
        for category in header.categories:
            nicename = category.get("wp:category_nicename", "")
            pk = self._term(
                Kind.CATEGORY,
                nicename,
                category.get("wp:cat_name", "") or nicename,
                description=category.get("wp:category_description", ""),
                term_id=category.get("wp:term_id", ""),
            )
            if pk and category.get("wp:category_parent"):
                parents.append((pk, category["wp:category_parent"]))
        for child_pk, parent_nicename in parents:
            parent_pk = self.categories.get(parent_nicename)
            if parent_pk:
                Category.objects.filter(pk=child_pk, parent__isnull=True).update(
                    parent_id=parent_pk
                )
                if self.update:
                    Category.objects.filter(pk=child_pk).update(parent_id=parent_pk)
        for tag in header.tags:
            slug = tag.get("wp:tag_slug", "")
            self._term(
                Kind.TAG,
                slug,
                tag.get("wp:tag_name", "") or slug,
                description=tag.get("wp:tag_description", ""),
                term_id=tag.get("wp:term_id", ""),
            )
        if header.terms:
            self.tally.add("other terms (menus, formats)", "skipped", len(header.terms))

    def _author(
        self,
        login: str,
        *,
        email: str = "",
        display_name: str = "",
        first_name: str = "",
        last_name: str = "",
        wp_id: str = "",
    ) -> int:
        """The account for a WordPress login: recorded, an existing one, or a new one."""
        User = get_user_model()
        login = wordpress_login(login) or "wordpress"
        known = self.users_by_login.get(login.lower())
        if known:
            return known
        record = latest_record(
            ImportedItem.objects.filter(source=self.source, kind=Kind.AUTHOR, source_id=login)
        )
        user = User.objects.filter(pk=record.object_id).first() if record else None
        if user is None:
            user = User.objects.filter(username__iexact=login).first()
        if user is None and email:
            user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is not None:
            self.tally.add("author", "skipped")
        else:
            if not (first_name or last_name) and display_name and display_name != login:
                first_name = display_name
            # A new account cannot log in until the owner activates it and sets a password:
            # the export carries no passwords, and an import must not open accounts by itself.
            user = User(
                username=login,
                email=email[:254],
                first_name=first_name[:150],
                last_name=last_name[:150],
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
            self.tally.add("author", "created")
        if record is None:
            ImportedItem.objects.create(
                source=self.source,
                kind=Kind.AUTHOR,
                source_id=login,
                object_id=user.pk,
                extra={"wp_id": wp_id} if wp_id else {},
            )
        elif record.object_id != user.pk:
            record.object_id = user.pk
            record.save(update_fields=["object_id"])
        self.users_by_login[login.lower()] = user.pk
        if wp_id:
            self.users_by_wp_id[wp_id] = user.pk
        elif record is not None and record.extra.get("wp_id"):
            self.users_by_wp_id[record.extra["wp_id"]] = user.pk
        return user.pk

    def _default_author_pk(self) -> int:
        """Who a post without an author is credited to (``--default-author``, else the first
        superuser, else an inactive "wordpress" account)."""
        if self._default_author is None:
            User = get_user_model()
            user = None
            if self.default_author_name:
                user = User.objects.get(username=self.default_author_name)
            if user is None:
                user = User.objects.filter(is_superuser=True).order_by("pk").first()
            self._default_author = user.pk if user else self._author("wordpress")
        return self._default_author

    def _term(
        self, kind: str, nicename: str, name: str, *, description: str = "", term_id: str = ""
    ) -> int | None:
        """A category or tag by its WordPress nicename: recorded, same slug, or new."""
        model = Category if kind == Kind.CATEGORY else Tag
        cache = self.categories if kind == Kind.CATEGORY else self.tags
        nicename = (nicename or "").strip() or slugify(name)
        if not nicename and not name:
            return None
        if nicename in cache:
            return cache[nicename]
        slug = slug_from(nicename, name) or "term"
        record = latest_record(
            ImportedItem.objects.filter(source=self.source, kind=kind, source_id=nicename[:100])
        )
        obj = model.objects.filter(pk=record.object_id).first() if record else None
        if obj is None:
            obj = model.objects.filter(slug=slug).first()
        values = {"name": (name or nicename)[:200]}
        if kind == Kind.CATEGORY:
            values["description"] = description
        if obj is None:
            obj = model.objects.create(slug=slug, **values)
            self.tally.add(kind, "created")
        elif self.update and any(getattr(obj, k) != v for k, v in values.items()):
            model.objects.filter(pk=obj.pk).update(**values)
            self.tally.add(kind, "updated")
        else:
            self.tally.add(kind, "skipped")
        if record is None:
            ImportedItem.objects.create(
                source=self.source,
                kind=kind,
                source_id=nicename[:100],
                object_id=obj.pk,
                extra={"term_id": term_id} if term_id else {},
            )
        elif record.object_id != obj.pk:
            record.object_id = obj.pk
            record.save(update_fields=["object_id"])
        cache[nicename] = obj.pk
        return obj.pk

    # ------------------------------------------------------------------------------ the items

    def _item(self, item: WxrItem) -> None:
        post_type = item.get("wp:post_type") or "post"
        if post_type in (Kind.POST, Kind.PAGE):
            self._post(item, post_type)
        elif post_type == Kind.ATTACHMENT:
            self._attachment(item)
        else:
            self.tally.add(f"{post_type} (not imported)", "skipped")

    def _find(self, kinds: Iterable[str], wp_id: str, guid: str) -> ImportedItem | None:
        """This source's record of an item; else another source's record with the same GUID
        (the same WordPress post exported from another address, or Salon's own export)."""
        record = latest_record(
            ImportedItem.objects.filter(source=self.source, kind__in=kinds, source_id=wp_id)
        )
        if record is None and guid and self._other_sources:
            # Only another source's record: within one site, two items may share a GUID
            # (WordPress keeps it when a post is duplicated) and are still two items.
            record = latest_record(
                ImportedItem.objects.filter(kind__in=kinds, guid=guid[:500])
                .exclude(source=self.source)
                .exclude(object_id=None)
            )
        return record

    def _post(self, item: WxrItem, kind: str) -> None:
        wp_status = item.get("wp:status")
        if wp_status in SKIPPED_POST_STATUS:
            self.tally.add(f"{kind} ({wp_status}, not imported)", "skipped")
            return
        wp_id = item.get("wp:post_id")[:100]
        guid = item.get("guid")
        status = POST_STATUS.get(wp_status, Post.Status.DRAFT)
        password = item.get("wp:post_password")
        if password and status != Post.Status.DRAFT:
            status = Post.Status.PRIVATE
            self._protected += 1
        published_at = (
            wordpress_date(item.get("wp:post_date_gmt"))
            or wordpress_date(item.get("wp:post_date"))
            or _rss_date(item.get("pubDate"))
            or timezone.now()
        )
        creator = wordpress_login(item.get("dc:creator"))
        author_id = self._author(creator) if creator else self._default_author_pk()
        values = {
            "title": item.get("title")[:300],
            "body": item.get("content:encoded"),
            "excerpt": item.get("excerpt:encoded"),
            "status": status,
            "published_at": published_at,
            "comments_open": item.get("wp:comment_status", "open") == "open",
            "kind": kind,
            "is_sticky": item.get("wp:is_sticky") == "1",
            "author_id": author_id,
        }
        category_ids, tag_ids, other_terms = self._item_terms(item)

        if wp_id in self._created_posts:  # the same item twice in one file
            self.tally.add(kind, "skipped")
            return
        record = None
        if self._known_posts or (guid and self._other_sources):
            record = self._find(POST_KINDS, wp_id, guid)
        post = Post.objects.filter(pk=record.object_id).first() if record else None
        if post is None and self.source == self.own_source and wp_id.isdigit():
            # Salon's own export read back into Salon: its ids are Salon's ids.
            post = Post.objects.filter(pk=int(wp_id), kind=kind, title=values["title"]).first()
        is_new = post is None
        if is_new:
            post = Post(slug=self._slug(item.get("wp:post_name"), values["title"], kind), **values)
            post.save()
            # Linked at the next flush, with other posts' (tags as negative ids).
            self._pending_terms.extend((post.pk, pk) for pk in dict.fromkeys(category_ids))
            self._pending_terms.extend((post.pk, -pk) for pk in dict.fromkeys(tag_ids))
            self.tally.add(kind, "created")
        elif self.update and self._update_post(post, values, category_ids, tag_ids):
            self.tally.add(kind, "updated")
        else:
            self.tally.add(kind, "skipped")

        extra: dict = {"status": wp_status}
        if item.meta:
            extra["postmeta"] = item.meta
        if other_terms:
            extra["terms"] = other_terms
        if item.get("wp:post_parent", "0") not in ("", "0"):
            extra["parent"] = item.get("wp:post_parent")
        if password:
            extra["password"] = password
        if record is None and is_new:
            self._created_posts[wp_id] = post.pk
            self._pending_records.append(
                ImportedItem(
                    source=self.source,
                    kind=kind,
                    source_id=wp_id,
                    guid=guid[:500],
                    old_link=old_path(item.get("link")),
                    object_id=post.pk,
                    extra=extra,
                )
            )
        else:
            self._record(record, kind, wp_id, guid, old_path(item.get("link")), post.pk, extra)
        if item.comments:
            if not is_new:
                # Its comments are matched against the database: store what is queued first.
                self._flush()
            self._comments(post, item.comments, is_new)
        if len(self._pending_records) + len(self._pending_terms) >= FLUSH_EVERY:
            self._flush()

    def _record(
        self,
        record: ImportedItem | None,
        kind: str,
        wp_id: str,
        guid: str,
        link: str,
        object_id: int,
        extra: dict,
    ) -> None:
        """Create this source's record of an item, or bring an existing one up to date."""
        if record is not None and record.source == self.source and record.source_id == wp_id:
            changed = (record.object_id, record.guid, record.old_link) != (
                object_id,
                guid[:500],
                link,
            )
            if changed or (self.update and record.extra != extra):
                record.object_id, record.guid, record.old_link = object_id, guid[:500], link
                record.extra = extra
                record.save()
            return
        ImportedItem.objects.create(
            source=self.source,
            kind=kind,
            source_id=wp_id,
            guid=guid[:500],
            old_link=link,
            object_id=object_id,
            extra=extra,
        )

    def _slug(self, post_name: str, title: str, kind: str) -> str:
        """WordPress's slug when it is free, so /YYYY/MM/DD/slug/ links keep working."""
        base = slug_from(post_name, title) or "item"
        slug, n = base, 2
        while Post.objects.filter(slug=slug).exists() or (
            kind == Kind.PAGE and not _is_page_address(slug)
        ):
            slug, n = f"{base}-{n}", n + 1
        return slug

    def _item_terms(self, item: WxrItem) -> tuple[list[int], list[int], list[list[str]]]:
        categories: list[int] = []
        tags: list[int] = []
        other: list[list[str]] = []
        for term in item.terms:
            domain = term.domain or "category"
            if domain == "category":
                pk = self._term(Kind.CATEGORY, term.nicename, term.name)
                if pk:
                    categories.append(pk)
            elif domain in ("post_tag", "tag"):
                pk = self._term(Kind.TAG, term.nicename, term.name)
                if pk:
                    tags.append(pk)
            else:
                other.append([domain, term.nicename, term.name])
        return categories, tags, other

    def _update_post(
        self, post: Post, values: dict, category_ids: list[int], tag_ids: list[int]
    ) -> bool:
        changed = False
        # Saving cleans the HTML: compare with what would be stored, not what the file said.
        values = {**values, "body": clean_post_html(values["body"])}
        for name, value in values.items():
            if getattr(post, name) != value:
                setattr(post, name, value)
                changed = True
        if changed:
            post.save()
        if set(post.categories.values_list("pk", flat=True)) != set(category_ids):
            post.categories.set(category_ids)
            changed = True
        if set(post.tags.values_list("pk", flat=True)) != set(tag_ids):
            post.tags.set(tag_ids)
            changed = True
        return changed

    # --------------------------------------------------------------------------- the comments

    def _comments(self, post: Post, comments: list[WxrComment], post_is_new: bool) -> None:
        """Queue one post's comments for the next flush; match those already imported."""
        by_id: dict[str, WxrComment] = {}
        for comment in comments:
            by_id.setdefault(comment.get("comment_id")[:100], comment)
        records = {}
        if self._known_comments or not post_is_new:
            records = {
                r.source_id: r
                for r in ImportedItem.objects.filter(
                    source=self.source, kind=Kind.COMMENT, source_id__in=list(by_id)
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
        natural: dict[tuple[str, datetime], int] = {}
        if not post_is_new:
            # WXR dates carry whole seconds: a comment written here has microseconds.
            natural = {
                (name, created.replace(microsecond=0)): pk
                for pk, name, created in Comment.objects.filter(post=post).values_list(
                    "pk", "author_name", "created_at"
                )
            }

        salon_ids: dict[str, int] = {}  # WordPress comment id → Salon comment id, if stored
        new: list[tuple[str, Comment, dict]] = []
        for wp_id, wxr in by_id.items():
            values = self._comment_values(post, wxr)
            extra: dict = {}
            if wxr.meta:
                extra["commentmeta"] = wxr.meta
            raw_type = wxr.get("comment_type")
            if raw_type not in COMMENT_KIND:
                extra["type"] = raw_type
            record = records.get(wp_id)
            if record is not None and record.object_id in existing:
                salon_ids[wp_id] = record.object_id
                if self.update and self._update_comment(record.object_id, _rendered(values)):
                    self.touched_posts.add(post.pk)
                    self.tally.add("comment", "updated")
                else:
                    self.tally.add("comment", "skipped")
                continue
            found = natural.get(
                (values["author_name"], values["created_at"].replace(microsecond=0))
            )
            if found:
                salon_ids[wp_id] = found
                self._pending_records.append(self._comment_record(wp_id, found, extra))
                self.tally.add("comment", "skipped")
                continue
            new.append((wp_id, Comment(**_rendered(values)), extra))

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
                self._orphans += 1
                extra["parent_missing"] = parent
                parent_key = None
            self._pending.append(((post.pk, wp_id), comment, extra, parent_key))
            self._pending_chars += len(comment.content) + len(comment.content_html)
        if new:
            self.tally.add("comment", "created", len(new))
            self.touched_posts.add(post.pk)
        if len(self._pending) >= FLUSH_EVERY or self._pending_chars >= FLUSH_CHARS:
            self._flush()

    def _flush(self) -> None:
        """Store the queued comments, their parents and records, and the queued category and
        tag links: a few large INSERTs instead of several small ones per post."""
        if self._pending:
            # Parents before children: each level is one INSERT (a handful per flush, as
            # deep as the deepest thread), which is cheaper than updating parents afterwards.
            depth: dict[tuple[int, str], int] = {}
            waiting = list(self._pending)
            levels: list[list] = []
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
                    while len(levels) <= depth[key]:
                        levels.append([])
                    levels[depth[key]].append(entry)
                if len(later) == len(waiting):  # a loop of replies: break it at the first
                    later[0] = (*later[0][:3], None)
                waiting = later
            pks: dict[tuple[int, str], int] = {}
            for level in levels:
                for _key, comment, _extra, parent_key in level:
                    if parent_key is not None:
                        comment.parent_id = pks[parent_key]
                Comment.objects.bulk_create([entry[1] for entry in level], batch_size=500)
                pks.update((key, comment.pk) for key, comment, _, _ in level)
            self._pending_records.extend(
                self._comment_record(key[1], pks[key], extra) for key, _, extra, _ in self._pending
            )
            self._pending = []
            self._pending_chars = 0
        if self._pending_records:
            ImportedItem.objects.bulk_create(self._pending_records, batch_size=500)
            self._pending_records = []
        if self._pending_terms:
            Post.categories.through.objects.bulk_create(
                [
                    Post.categories.through(post_id=post_id, category_id=pk)
                    for post_id, pk in self._pending_terms
                    if pk > 0
                ],
                batch_size=500,
                ignore_conflicts=True,
            )
            Post.tags.through.objects.bulk_create(
                [
                    Post.tags.through(post_id=post_id, tag_id=-pk)
                    for post_id, pk in self._pending_terms
                    if pk < 0
                ],
                batch_size=500,
                ignore_conflicts=True,
            )
            self._pending_terms = []

    def _comment_record(self, wp_id: str, pk: int, extra: dict) -> ImportedItem:
        return ImportedItem(
            source=self.source, kind=Kind.COMMENT, source_id=wp_id, object_id=pk, extra=extra
        )

    def _comment_values(self, post: Post, wxr: WxrComment) -> dict:
        content = wxr.get("comment_content")
        user_id = wxr.get("comment_user_id", "0")
        return {
            "post": post,
            "user_id": self.users_by_wp_id.get(user_id) if user_id not in ("", "0") else None,
            "author_name": wxr.get("comment_author")[:AUTHOR_MAX],
            "author_email": wxr.get("comment_author_email")[:EMAIL_MAX],
            "author_url": imported_address(wxr.get("comment_author_url"))[:URL_MAX],
            "author_ip": valid_ip(wxr.get("comment_author_IP")),
            "content": content,
            "status": COMMENT_STATUS.get(wxr.get("comment_approved"), Comment.Status.PENDING),
            "kind": COMMENT_KIND.get(wxr.get("comment_type"), Comment.Kind.COMMENT),
            "created_at": wordpress_date(wxr.get("comment_date_gmt"))
            or wordpress_date(wxr.get("comment_date"))
            or post.published_at,
        }

    def _update_comment(self, pk: int, values: dict) -> bool:
        fields = {k: v for k, v in values.items() if k not in ("post", "user_id")}
        current = Comment.objects.filter(pk=pk).values(*fields).first()
        if current is None or all(current[k] == v for k, v in fields.items()):
            return False
        # update(), not save(): the counts are recounted once per post at the end.
        Comment.objects.filter(pk=pk).update(**fields)
        return True

    # ------------------------------------------------------------------------- attachments

    def _attachment(self, item: WxrItem) -> None:
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
        record = self._find([Kind.ATTACHMENT], wp_id, guid)
        attachment = Attachment.objects.filter(pk=record.object_id).first() if record else None
        if attachment is None:
            attachment = Attachment.objects.create(source=self.source, source_id=wp_id, **values)
            self.tally.add("attachment", "created")
        elif self.update and any(getattr(attachment, k) != v for k, v in values.items()):
            Attachment.objects.filter(pk=attachment.pk).update(**values)
            self.tally.add("attachment", "updated")
        else:
            self.tally.add("attachment", "skipped")
        extra = {"postmeta": item.meta} if item.meta else {}
        self._record(
            record, Kind.ATTACHMENT, wp_id, guid, old_path(item.get("link")), attachment.pk, extra
        )

    def _attach_attachments(self) -> None:
        """Link attachments to their posts, now that every post of the file exists."""
        waiting = list(
            Attachment.objects.filter(source=self.source, post__isnull=True)
            .exclude(parent_source_id="")
            .values_list("pk", "parent_source_id")
        )
        if not waiting:
            return
        posts = dict(
            ImportedItem.objects.filter(
                source=self.source,
                kind__in=POST_KINDS,
                source_id__in={parent for _, parent in waiting},
            ).values_list("source_id", "object_id")
        )
        for pk, parent in waiting:
            if posts.get(parent) and Post.objects.filter(pk=posts[parent]).exists():
                Attachment.objects.filter(pk=pk).update(post_id=posts[parent])


def _rendered(values: dict) -> dict:
    """Comment values with the HTML rendered as the comment form renders it; done only for
    comments about to be stored, since rendering is the dearest step of an import."""
    return {**values, "content_html": render_comment(values["content"])}


def _is_page_address(slug: str) -> bool:
    """Whether /slug/ reaches the page view, not another of the site's routes (/feed/ …)."""
    try:
        return resolve(f"/{slug}/").url_name == "page"
    except Resolver404:
        return False
