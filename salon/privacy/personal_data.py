"""Everything this site holds about an e-mail address: finding it, exporting it, erasing it.

Each app registers the kinds of data it holds (:mod:`salon.privacy.registry`); the export,
the erasure, the admin and ``salon personal_data`` go through all of them, and privacy
itself knows none of their models.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from salon.privacy.models import DataRequest
from salon.privacy.registry import PersonalDataSource, sources

__all__ = [
    "ERASURE_MODES",
    "PersonalDataSource",
    "count_personal_data",
    "email_digest",
    "erase_personal_data",
    "erasure_mode",
    "export_personal_data",
    "log_export",
    "sources",
]

ERASURE_MODES = ("anonymise", "delete")


def email_digest(email: str) -> str:
    """A keyed hash of the address: recognisable by this site only, not reversible."""
    return salted_hmac("salon.privacy.address", email.strip().lower()).hexdigest()


def export_personal_data(email: str) -> dict[str, Any]:
    """Everything held about ``email``, as JSON-ready data."""
    email = email.strip()
    data: dict[str, Any] = {
        "site": settings.SITE_URL,
        "email": email,
        "generated_at": timezone.now().isoformat(),
        "notes": {},
    }
    for source in sources:
        data[source.name] = source.export(email)
        if source.note:
            data["notes"][source.name] = source.note
    return data


def count_personal_data(email: str) -> dict[str, int]:
    """How many records of each kind ``email`` has."""
    return {source.name: len(source.export(email.strip())) for source in sources}


def erasure_mode() -> str:
    """The owner's choice for comments (SALON_ERASURE), checked."""
    mode = str(settings.SALON.get("ERASURE", "anonymise")).strip().lower()
    if mode not in ERASURE_MODES:
        raise ValueError(f"SALON_ERASURE must be 'anonymise' or 'delete', not {mode!r}.")
    return mode


def erase_personal_data(email: str, source: str, mode: str | None = None) -> dict[str, int]:
    """Erase what ``email`` has (comments by the owner's setting), log it, return the counts.

    One transaction: a failure erases nothing. ``source`` says who asked (DataRequest.Source).
    """
    email = email.strip()
    mode = mode or erasure_mode()
    if mode not in ERASURE_MODES:
        raise ValueError(f"Erasure mode must be 'anonymise' or 'delete', not {mode!r}.")
    counts: dict[str, int] = {}
    with transaction.atomic():
        for item in sorted(sources, key=lambda s: s.erase_order):
            if item.erase is not None:
                counts[item.name] = item.erase(email, mode)
        DataRequest.objects.create(
            kind=DataRequest.Kind.ERASE,
            source=source,
            counts=counts,
            erasure_mode=mode,
            email_digest=email_digest(email),
        )
    return counts


def log_export(email: str, source: str, data: dict[str, Any]) -> None:
    """Record that ``email``'s data was handed out (counts only)."""
    DataRequest.objects.create(
        kind=DataRequest.Kind.EXPORT,
        source=source,
        counts={s.name: len(data.get(s.name, [])) for s in sources},
        email_digest=email_digest(email),
    )
