"""What the records of imported comments hold about a person, told to privacy in
``InterchangeConfig.ready``.

An imported comment's record keeps what its old site said about it beyond Salon's own
fields: WordPress's commentmeta (plugins' notes, such as an avatar address or the moderation
history) and a Disqus author's user name. They go with the person's data.
"""

from __future__ import annotations

from typing import Any

from salon.discussion.personal_data import comments_of
from salon.interchange.models import ImportedItem
from salon.privacy.registry import PersonalDataSource

# The parts of a comment's record that speak of its author; the rest (thread, parent, type)
# only places the comment.
PERSONAL_KEYS = ("commentmeta", "username")


def _records(email: str):
    return ImportedItem.objects.filter(
        kind=ImportedItem.Kind.COMMENT,
        object_id__in=comments_of(email).values("pk"),
    ).order_by("pk")


def _export(email: str) -> list[dict[str, Any]]:
    return [
        {
            "comment": record.object_id,
            "from": record.source,
            "original_id": record.source_id,
            **{key: record.extra[key] for key in PERSONAL_KEYS if key in record.extra},
        }
        for record in _records(email)
        if any(key in record.extra for key in PERSONAL_KEYS)
    ]


def _erase(email: str, mode: str) -> int:
    changed = []
    for record in _records(email):
        if any(key in record.extra for key in PERSONAL_KEYS):
            record.extra = {k: v for k, v in record.extra.items() if k not in PERSONAL_KEYS}
            changed.append(record)
    ImportedItem.objects.bulk_update(changed, ["extra"], batch_size=500)
    return len(changed)


SOURCES = [
    PersonalDataSource(
        "imported_records",
        "What the old site kept about imported comments",
        _export,
        _erase,
        note=(
            "For comments imported from WordPress or Disqus: what the old site kept beside "
            "them (WordPress's comment notes, the Disqus user name)."
        ),
        # Before the comments themselves, which are found by their address.
        erase_order=80,
    ),
]
