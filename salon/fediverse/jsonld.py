"""Reading other servers' documents as JSON-LD, with the contexts kept in ``data/contexts``.

ActivityPub documents are JSON-LD: the same property may arrive as ``inReplyTo``,
``as:inReplyTo`` or its full address, a value as a string or a one-item list, depending on
the server. PyLD compacts every incoming document against Salon's own context, so the code
reads one spelling. No context is ever fetched: the known ones are on disk, an unknown one
is read as empty (its terms are dropped).
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

from salon.fediverse.documents import AS_CONTEXT, CONTEXT, PUBLIC

log = logging.getLogger(__name__)
CONTEXTS = Path(__file__).resolve().parent / "data" / "contexts"


class NotJsonLd(ValueError):
    """A document that cannot be read as JSON-LD."""


@cache
def _known() -> dict[str, Any]:
    index = json.loads((CONTEXTS / "index.json").read_text(encoding="utf-8"))
    return {
        url: json.loads((CONTEXTS / name).read_text(encoding="utf-8"))
        for url, name in index.items()
    }


def _load(url: str, options: dict | None = None) -> dict[str, Any]:
    known = _known()
    document = known.get(url) or known.get(url.rstrip("/")) or known.get(url.split("#")[0])
    if document is None:
        log.info("Unknown JSON-LD context %s: read as empty", url)
        document = {"@context": {}}
    return {"contextUrl": None, "documentUrl": url, "document": document}


def compact(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` compacted against Salon's context (what :mod:`inbox` reads)."""
    if not isinstance(document, dict):
        raise NotJsonLd("not a JSON object")
    if "@context" not in document:
        document = {"@context": AS_CONTEXT, **document}  # plain JSON: read as ActivityStreams
    try:
        result = jsonld.compact(document, {"@context": CONTEXT}, {"documentLoader": _load})
    except Exception as error:  # PyLD's errors, and what hostile input makes it raise
        raise NotJsonLd(str(error)) from None
    result.pop("@context", None)
    return result


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def ref(value: Any) -> str:
    """The address a property points to, whether given as a string or an embedded object."""
    if isinstance(value, dict):
        value = value.get("id", "")
    return value if isinstance(value, str) else ""


def first_ref(value: Any) -> str:
    return next((ref(item) for item in as_list(value) if ref(item)), "")


def text(value: Any) -> str:
    """A plain string property (one value; a language map picks its first)."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("@value", "")
    return value if isinstance(value, str) else ""


def is_public(document: dict[str, Any]) -> bool:
    """Whether the object is addressed to everyone (public or unlisted)."""
    audience = as_list(document.get("to")) + as_list(document.get("cc"))
    return any(ref(a) in (PUBLIC, "as:Public", "Public") for a in audience)


def types(document: dict[str, Any]) -> list[str]:
    return [t for t in as_list(document.get("type")) if isinstance(t, str)]
