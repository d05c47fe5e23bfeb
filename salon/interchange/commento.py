"""Moving in from Commento (and Commento++): the JSON export of a domain (Dashboard →
Export data), read as it is, or gzipped as Commento mails it.

The export is one object: ``version`` (1), ``comments`` (``commentHex``, ``domain``, ``url``:
the page's path, ``commenterHex``, ``markdown``, ``html``, ``parentHex`` — "root" at the top,
``score``, ``state`` approved / unapproved / flagged, ``creationDate``, ``deleted``) and
``commenters`` (``commenterHex``, ``email``, ``name``, ``link``). It is a single JSON
document, so it is read whole, within :data:`MAX_FILE`. Unapproved and flagged comments are
held for moderation (flagged means a spam filter doubted them: not certainly spam). See
:mod:`salon.interchange.elsewhere` for what becomes of each comment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from salon.discussion.models import Comment
from salon.interchange.elsewhere import ForeignComment, parse_time
from salon.interchange.reading import CHUNK, ImportProblem

VERSION = 1
SOURCE = "commento"
MAX_FILE = 256 * 1024 * 1024
STATE_STATUS = {
    "approved": Comment.Status.APPROVED,
    "unapproved": Comment.Status.PENDING,
    "flagged": Comment.Status.PENDING,
}


def load(handle: IO[bytes], label: str) -> dict:
    """The export as an object; refused past :data:`MAX_FILE` or if it is not JSON."""
    parts, size = [], 0
    while chunk := handle.read(CHUNK):
        size += len(chunk)
        if size > MAX_FILE:
            raise ImportProblem(
                f"{label} is larger than {MAX_FILE // 1024 // 1024} MB; a Commento export is "
                "one JSON document read whole, so it is refused. Nothing was imported."
            )
        parts.append(chunk)
    try:
        data = json.loads(b"".join(parts))
    except UnicodeDecodeError:
        raise ImportProblem(f"{label} is not UTF-8 text. Nothing was imported.") from None
    except json.JSONDecodeError as error:
        raise ImportProblem(
            f"{label}, line {error.lineno:,}: not JSON ({error.msg}). Nothing was imported."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("comments"), list):
        raise ImportProblem(
            f'{label} is not a Commento export: it has no "comments" list. Nothing was imported.'
        )
    if data.get("version") != VERSION:
        raise ImportProblem(
            f"{label}: Commento export version {data.get('version')!r}; Salon reads version "
            f"{VERSION}. Nothing was imported."
        )
    return data


def read_commento(handle: IO[bytes], label: str) -> Iterator[tuple[str, ForeignComment]]:
    """``(source, comment)`` for each comment of a Commento export."""
    data = load(handle, label)
    commenters = {
        c.get("commenterHex"): c
        for c in data.get("commenters") or []
        if isinstance(c, dict) and c.get("commenterHex")
    }
    for n, record in enumerate(data["comments"], start=1):
        if not isinstance(record, dict) or not record.get("commentHex"):
            raise ImportProblem(
                f'{label}, comment {n:,}: a comment must be an object with a "commentHex". '
                "Nothing was imported."
            )
        author = commenters.get(record.get("commenterHex"), {})
        name = author.get("name") or (
            "Anonymous" if record.get("commenterHex") == "anonymous" else ""
        )
        parent = record.get("parentHex") or "root"
        text = record.get("markdown") or ""
        is_html = not text and bool(record.get("html"))
        domain = str(record.get("domain") or "")
        path = str(record.get("url") or "/")
        deleted = record.get("deleted") is True
        score = record.get("score")
        yield (
            SOURCE,
            ForeignComment(
                source_id=str(record["commentHex"])[:100],
                parent_id="" if parent == "root" else str(parent)[:100],
                page=path
                if not domain or "://" in path
                else f"https://{domain}/{path.lstrip('/')}",
                page_title="",
                author_name=str(name),
                author_email=str(author.get("email") or ""),
                author_url=str(author.get("link") or ""),
                author_ip="",
                text=str(record.get("html") or "") if is_html else str(text),
                is_html=is_html,
                status=Comment.Status.TRASH
                if deleted
                else STATE_STATUS.get(record.get("state"), Comment.Status.PENDING),
                created_at=parse_time(record.get("creationDate")),
                likes=score if isinstance(score, int) and score > 0 else 0,
                where=f"comment {n:,} ({str(record['commentHex'])[:12]}…)",
            ),
        )
