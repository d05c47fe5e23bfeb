"""WordPress categories and tags: found by their nicename (recorded, or the same slug), else
created; a category's parent is linked once every category of the file exists."""

from __future__ import annotations

from django.utils.text import slugify

from salon.interchange.models import ImportedItem, latest_record
from salon.interchange.wordpress.run import WxrRun
from salon.interchange.wordpress.values import slug_from
from salon.interchange.wxr import Header, WxrItem
from salon.publishing.models import Category, Tag

Kind = ImportedItem.Kind


def term(
    run: WxrRun,
    kind: str,
    nicename: str,
    name: str,
    *,
    description: str = "",
    term_id: str = "",
) -> int | None:
    """A category or tag by its WordPress nicename: recorded, same slug, or new."""
    model = Category if kind == Kind.CATEGORY else Tag
    cache = run.categories if kind == Kind.CATEGORY else run.tags
    nicename = (nicename or "").strip() or slugify(name)
    if not nicename and not name:
        return None
    if nicename in cache:
        return cache[nicename]
    slug = slug_from(nicename, name) or "term"
    record = latest_record(
        ImportedItem.objects.filter(source=run.source, kind=kind, source_id=nicename[:100])
    )
    obj = model.objects.filter(pk=record.object_id).first() if record else None
    if obj is None:
        obj = model.objects.filter(slug=slug).first()
    values = {"name": (name or nicename)[:200]}
    if kind == Kind.CATEGORY:
        values["description"] = description
    if obj is None:
        obj = model.objects.create(slug=slug, **values)
        run.tally.add(kind, "created")
    elif run.update and any(getattr(obj, k) != v for k, v in values.items()):
        model.objects.filter(pk=obj.pk).update(**values)
        run.tally.add(kind, "updated")
    else:
        run.tally.add(kind, "skipped")
    if record is None:
        ImportedItem.objects.create(
            source=run.source,
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


def header_terms(run: WxrRun, header: Header) -> None:
    """The channel's categories (then their parents), tags, and a count of other terms."""
    parents: list[tuple[int, str]] = []
    for category in header.categories:
        nicename = category.get("wp:category_nicename", "")
        pk = term(
            run,
            Kind.CATEGORY,
            nicename,
            category.get("wp:cat_name", "") or nicename,
            description=category.get("wp:category_description", ""),
            term_id=category.get("wp:term_id", ""),
        )
        if pk and category.get("wp:category_parent"):
            parents.append((pk, category["wp:category_parent"]))
    for child_pk, parent_nicename in parents:
        parent_pk = run.categories.get(parent_nicename)
        if parent_pk:
            Category.objects.filter(pk=child_pk, parent__isnull=True).update(parent_id=parent_pk)
            if run.update:
                Category.objects.filter(pk=child_pk).update(parent_id=parent_pk)
    for tag in header.tags:
        slug = tag.get("wp:tag_slug", "")
        term(
            run,
            Kind.TAG,
            slug,
            tag.get("wp:tag_name", "") or slug,
            description=tag.get("wp:tag_description", ""),
            term_id=tag.get("wp:term_id", ""),
        )
    if header.terms:
        run.tally.add("other terms (menus, formats)", "skipped", len(header.terms))


def item_terms(run: WxrRun, item: WxrItem) -> tuple[list[int], list[int], list[list[str]]]:
    """An item's categories and tags (Salon ids), and its other terms as the file names them."""
    categories: list[int] = []
    tags: list[int] = []
    other: list[list[str]] = []
    for t in item.terms:
        domain = t.domain or "category"
        if domain == "category":
            pk = term(run, Kind.CATEGORY, t.nicename, t.name)
            if pk:
                categories.append(pk)
        elif domain in ("post_tag", "tag"):
            pk = term(run, Kind.TAG, t.nicename, t.name)
            if pk:
                tags.append(pk)
        else:
            other.append([domain, t.nicename, t.name])
    return categories, tags, other
