"""Where an item came from: finding this source's record of it, and writing it."""

from __future__ import annotations

from collections.abc import Iterable

from salon.interchange.models import ImportedItem, latest_record
from salon.interchange.wordpress.run import WxrRun


def find(run: WxrRun, kinds: Iterable[str], wp_id: str, guid: str) -> ImportedItem | None:
    """This source's record of an item; else another source's record with the same GUID
    (the same WordPress post exported from another address, or Salon's own export)."""
    record = latest_record(
        ImportedItem.objects.filter(source=run.source, kind__in=kinds, source_id=wp_id)
    )
    if record is None and guid and run.other_sources:
        # Only another source's record: within one site, two items may share a GUID
        # (WordPress keeps it when a post is duplicated) and are still two items.
        record = latest_record(
            ImportedItem.objects.filter(kind__in=kinds, guid=guid[:500])
            .exclude(source=run.source)
            .exclude(object_id=None)
        )
    return record


def record(
    run: WxrRun,
    found: ImportedItem | None,
    kind: str,
    wp_id: str,
    guid: str,
    link: str,
    object_id: int,
    extra: dict,
) -> None:
    """Create this source's record of an item, or bring an existing one up to date."""
    if found is not None and found.source == run.source and found.source_id == wp_id:
        changed = (found.object_id, found.guid, found.old_link) != (object_id, guid[:500], link)
        if changed or (run.update and found.extra != extra):
            found.object_id, found.guid, found.old_link = object_id, guid[:500], link
            found.extra = extra
            found.save()
        return
    ImportedItem.objects.create(
        source=run.source,
        kind=kind,
        source_id=wp_id,
        guid=guid[:500],
        old_link=link,
        object_id=object_id,
        extra=extra,
    )
