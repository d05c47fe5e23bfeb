"""WordPress posts and pages: matched (record, GUID, or Salon's own export read back),
created with WordPress's slug when it is free, or brought up to date with ``--update``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from salon.embed.addresses import AddressError, page_address
from salon.embed.pages import imported_conversation
from salon.interchange.models import ImportedItem
from salon.interchange.wordpress.authors import author, default_author
from salon.interchange.wordpress.comments import queue_comments
from salon.interchange.wordpress.flush import FLUSH_EVERY, flush
from salon.interchange.wordpress.records import find, record
from salon.interchange.wordpress.run import WxrRun
from salon.interchange.wordpress.terms import item_terms
from salon.interchange.wordpress.values import (
    POST_KINDS,
    POST_STATUS,
    SKIPPED_POST_STATUS,
    is_page_address,
    old_path,
    rss_date,
    slug_from,
    wordpress_login,
)
from salon.interchange.wxr import EXTERNAL_URL_META, WxrItem, wordpress_date
from salon.publishing.content import clean_post_html
from salon.publishing.models import Post

Kind = ImportedItem.Kind


def post_values(run: WxrRun, item: WxrItem, kind: str) -> dict:
    """The Salon fields of a post or page as the file states them."""
    wp_status = item.get("wp:status")
    status = POST_STATUS.get(wp_status, Post.Status.DRAFT)
    creator = wordpress_login(item.get("dc:creator"))
    return {
        "title": item.get("title")[:300],
        "body": item.get("content:encoded"),
        "excerpt": item.get("excerpt:encoded"),
        "status": status,
        # A protected post stays protected by the same password (WordPress's column is 255).
        "password": item.get("wp:post_password")[:255],
        "published_at": wordpress_date(item.get("wp:post_date_gmt"))
        or wordpress_date(item.get("wp:post_date"))
        or rss_date(item.get("pubDate"))
        or timezone.now(),
        "comments_open": item.get("wp:comment_status", "open") == "open",
        "kind": kind,
        "is_sticky": item.get("wp:is_sticky") == "1",
        "author_id": author(run, creator) if creator else default_author(run),
    }


def post_extra(item: WxrItem, other_terms: list[list[str]]) -> dict:
    """What the file says about a post that Salon keeps only in its record."""
    extra: dict = {"status": item.get("wp:status")}
    if item.meta:
        extra["postmeta"] = item.meta
    if other_terms:
        extra["terms"] = other_terms
    if item.get("wp:post_parent", "0") not in ("", "0"):
        extra["parent"] = item.get("wp:post_parent")
    return extra


def import_post(run: WxrRun, item: WxrItem, kind: str) -> None:
    """One post or page of the file, then its comments."""
    wp_status = item.get("wp:status")
    if wp_status in SKIPPED_POST_STATUS:
        run.tally.add(f"{kind} ({wp_status}, not imported)", "skipped")
        return
    address = elsewhere_address(item)
    if address and kind == Kind.PAGE:
        import_conversation(run, item, address)
        return
    wp_id = item.get("wp:post_id")[:100]
    guid = item.get("guid")
    values = post_values(run, item, kind)
    if values["password"]:
        run.protected += 1
    category_ids, tag_ids, other_terms = item_terms(run, item)

    if wp_id in run.created_posts:  # the same item twice in one file
        run.tally.add(kind, "skipped")
        return
    found = None
    if run.known_posts or (guid and run.other_sources):
        found = find(run, POST_KINDS, wp_id, guid)
    post = Post.objects.filter(pk=found.object_id).first() if found else None
    if post is None and run.source == run.own_source and wp_id.isdigit():
        # Salon's own export read back into Salon: its ids are Salon's ids.
        post = Post.objects.filter(pk=int(wp_id), kind=kind, title=values["title"]).first()
    is_new = post is None
    if is_new:
        post = Post(slug=free_slug(item.get("wp:post_name"), values["title"], kind), **values)
        post.save()
        # Linked at the next flush, with other posts' (tags as negative ids).
        run.pending_terms.extend((post.pk, pk) for pk in dict.fromkeys(category_ids))
        run.pending_terms.extend((post.pk, -pk) for pk in dict.fromkeys(tag_ids))
        run.tally.add(kind, "created")
    elif run.update and update_post(post, values, category_ids, tag_ids):
        run.tally.add(kind, "updated")
    else:
        run.tally.add(kind, "skipped")

    extra = post_extra(item, other_terms)
    record_and_comments(run, item, kind, found, post, is_new, extra, old_path(item.get("link")))


def record_and_comments(
    run: WxrRun,
    item: WxrItem,
    kind: str,
    found: ImportedItem | None,
    post: Post,
    is_new: bool,
    extra: dict,
    link: str,
) -> None:
    """Record where a post came from, then queue its comments."""
    wp_id = item.get("wp:post_id")[:100]
    guid = item.get("guid")
    if found is None and is_new:
        run.created_posts[wp_id] = post.pk
        run.pending_records.append(
            ImportedItem(
                source=run.source,
                kind=kind,
                source_id=wp_id,
                guid=guid[:500],
                old_link=link,
                object_id=post.pk,
                extra=extra,
            )
        )
    else:
        record(run, found, kind, wp_id, guid, link, post.pk, extra)
    if item.comments:
        if not is_new:
            # Its comments are matched against the database: store what is queued first.
            flush(run)
        queue_comments(run, post, item.comments, is_new)
    if len(run.pending_records) + len(run.pending_terms) >= FLUSH_EVERY:
        flush(run)


def elsewhere_address(item: WxrItem) -> str | None:
    """The address of the page elsewhere this item is the conversation of (Salon's export
    writes it in the postmeta), if it is one and the address is a web page's."""
    for key, value in item.meta:
        if key == EXTERNAL_URL_META:
            try:
                return page_address(value)
            except AddressError:
                return None
    return None


def import_conversation(run: WxrRun, item: WxrItem, address: str) -> None:
    """The conversation under a page of another site, as Salon exported it: found by its
    address (or its record), else opened, then its comments."""
    wp_id = item.get("wp:post_id")[:100]
    guid = item.get("guid")
    if wp_id in run.created_posts:
        run.tally.add("conversation elsewhere", "skipped")
        return
    values = post_values(run, item, Kind.PAGE)
    found = None
    if run.known_posts or (guid and run.other_sources):
        found = find(run, POST_KINDS, wp_id, guid)
    post = Post.objects.elsewhere().filter(pk=found.object_id).first() if found else None
    is_new = False
    if post is None:
        owner = get_user_model().objects.get(pk=values["author_id"])
        post, is_new = imported_conversation(
            address, values["title"], values["published_at"], author=owner
        )
        if is_new and not values["comments_open"]:
            Post.objects.filter(pk=post.pk).update(comments_open=False)
    run.tally.add("conversation elsewhere", "created" if is_new else "skipped")
    # No old link: the page lives on its own site, and no path here should lead to it.
    record_and_comments(run, item, Kind.PAGE, found, post, is_new, post_extra(item, []), "")


def free_slug(post_name: str, title: str, kind: str) -> str:
    """WordPress's slug when it is free, so /YYYY/MM/DD/slug/ links keep working."""
    base = slug_from(post_name, title) or "item"
    slug, n = base, 2
    while Post.objects.filter(slug=slug).exists() or (
        kind == Kind.PAGE and not is_page_address(slug)
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


def update_post(post: Post, values: dict, category_ids: list[int], tag_ids: list[int]) -> bool:
    """Bring a post in line with the file; whether anything changed."""
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
