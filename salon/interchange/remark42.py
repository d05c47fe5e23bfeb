"""Moving in from Remark42: its backup (``remark42 backup``, or the automatic daily
``backup-<site>-<date>.gz``), read as a stream.

A backup is a header ``{"version": 1, "users": […], "posts": […]}`` and then one JSON
object per comment: ``id``, ``pid`` (the parent's id, "" at the top), ``text`` (HTML, as
Remark42 rendered it), ``user`` (``name``, ``id``, ``ip`` — a hash, not an address),
``locator`` (``site``, ``url``: the page), ``score``, ``votes`` (voter → up or down),
``time``, ``delete``, ``title``. Values are read one after another however the lines are
broken (Remark42 writes one a line; its own tests put the header and the first comment on
one line), a record at a time within :data:`MAX_RECORD`. See
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
# A comment may hold 65,525 characters; as HTML, escaped in JSON, with its metadata, a
# record stays far below this.
MAX_RECORD = 4 * 1024 * 1024


def json_values(handle: IO[bytes], label: str) -> Iterator[tuple[int, object]]:
    """``(line, value)`` for each JSON value in the file, in order."""
    decoder = json.JSONDecoder()
    buffer = ""
    line = 1
    pending = b""
    ended = False
    while True:
        stripped = buffer.lstrip()
        line += buffer.count("\n", 0, len(buffer) - len(stripped))
        buffer = stripped
        if buffer:
            try:
                value, end = decoder.raw_decode(buffer)
            except json.JSONDecodeError as error:
                if ended or len(buffer) > MAX_RECORD:
                    if len(buffer) > MAX_RECORD:
                        raise ImportProblem(
                            f"{label}, line {line:,}: a record is longer than "
                            f"{MAX_RECORD // 1024 // 1024} MB, which no comment needs; the "
                            "file is refused and nothing was imported."
                        ) from None
                    raise ImportProblem(
                        f"{label}, line {line:,}: not JSON ({error.msg}, at the record's "
                        f"line {error.lineno}, column {error.colno}). Nothing was imported."
                    ) from None
            else:
                yield line, value
                line += buffer.count("\n", 0, end)
                buffer = buffer[end:]
                continue
        elif ended:
            return
        chunk = handle.read(CHUNK)
        if not chunk:
            ended = True
            if pending:
                raise ImportProblem(f"{label} ends inside a UTF-8 character. Nothing was imported.")
            continue
        data = pending + chunk
        try:
            text = data.decode("utf-8")
            pending = b""
        except UnicodeDecodeError as error:
            if error.start < len(data) - 3:
                raise ImportProblem(
                    f"{label}, line {line + buffer.count(chr(10)):,}: not UTF-8 text. "
                    "Nothing was imported."
                ) from None
            text, pending = data[: error.start].decode("utf-8"), data[error.start :]
        buffer += text


def _likes(record: dict) -> int:
    votes = record.get("votes")
    if isinstance(votes, dict) and votes:
        return sum(1 for up in votes.values() if up is True)
    score = record.get("score")
    return score if isinstance(score, int) and score > 0 else 0


def read_remark42(handle: IO[bytes], label: str) -> Iterator[tuple[str, ForeignComment]]:
    """``(source, comment)`` for each comment of a Remark42 backup."""
    values = json_values(handle, label)
    first = next(values, None)
    if first is None:
        raise ImportProblem(f"{label} is empty. Nothing was imported.")
    line, header = first
    # A Commento export is one object with a version too, but with its comments inside.
    if not isinstance(header, dict) or "version" not in header or "comments" in header:
        raise ImportProblem(
            f"{label}, line {line}: a Remark42 backup starts with its header "
            '({"version": 1, …}); this file does not. Nothing was imported.'
        )
    if header["version"] != VERSION:
        raise ImportProblem(
            f"{label}, line {line}: backup version {header['version']!r}; Salon reads "
            f"version {VERSION}. Nothing was imported."
        )
    # Pages the site had made read-only: their conversations here are closed too.
    posts = header.get("posts") if isinstance(header.get("posts"), list) else []
    read_only = {
        str(p.get("url")) for p in posts if isinstance(p, dict) and p.get("read_only") is True
    }
    for line, record in values:
        if not isinstance(record, dict):
            raise ImportProblem(f"{label}, line {line:,}: a comment must be a JSON object.")
        comment_id = record.get("id")
        locator = record.get("locator") if isinstance(record.get("locator"), dict) else {}
        user = record.get("user") if isinstance(record.get("user"), dict) else {}
        text = record.get("text")
        if not isinstance(comment_id, str) or not comment_id or not locator.get("url"):
            raise ImportProblem(
                f'{label}, line {line:,}: a comment needs an "id" and a page '
                '("locator": {"url": …}). Nothing was imported.'
            )
        if not isinstance(text, str):
            text = ""
        deleted = record.get("delete") is True
        site = str(locator.get("site") or "remark42")[:100]
        yield (
            f"remark42:{site}"[:200],
            ForeignComment(
                source_id=comment_id[:100],
                parent_id=str(record.get("pid") or "")[:100],
                page=str(locator["url"]),
                page_title=str(record.get("title") or ""),
                author_name=str(user.get("name") or ""),
                author_email="",  # Remark42 keeps no e-mail address in a backup
                author_url="",
                author_ip="",  # a hash of the address, not one
                text=text,
                is_html=True,
                status=Comment.Status.TRASH if deleted else Comment.Status.APPROVED,
                created_at=parse_time(record.get("time")),
                likes=_likes(record),
                where=f"line {line:,}",
                page_closed=str(locator["url"]) in read_only,
            ),
        )
