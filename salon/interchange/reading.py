"""Reading export files safely and a piece at a time, and keeping the import's tally.

Export files come from elsewhere: they are parsed with defusedxml (no DOCTYPE, no entities,
no external references, so no "billion laughs" or file disclosure), as a stream of events
whose finished records (a post, a comment) are dropped at once, so a file of gigabytes needs
the memory of one record, not of the file.

Streaming alone does not bound memory: a record, a field or a single tag can be as large as
the file, and a small ``.gz`` can expand a thousandfold. So the reader also refuses, naming
the line and the limit, elements nested deeper than any export needs, a field longer than
its limit (a comment as WordPress allows it), a record with more elements or text than a
real post and its comments have, a tag or XML comment longer than a megabyte, more
different element names than a thousand, and a compressed file that expands far more than
real exports do (:data:`LIMITS`). A refused
file is refused whole: the import runs in one transaction.
"""

from __future__ import annotations

import codecs
import gzip
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml import ExternalReferenceForbidden as ExternalForbidden
from defusedxml.ElementTree import DefusedXMLParser

CHUNK = 64 * 1024


class ImportProblem(Exception):
    """The file cannot be imported; the message says why (and where) for the person running it."""


@dataclass(frozen=True)
class Limits:
    """How large the parts of an export file may be (see the module's docstring).

    Each is far above what WordPress or Disqus write, and small enough that, together, an
    import stays under 300 MB whatever the file holds (``bench/import_wxr.py --adversarial``).
    """

    depth: int = 32  # WXR needs 6 levels (rss, channel, item, comment, commentmeta, key)
    field_chars: int = 8 * 1024 * 1024  # a post's body; named fields may have their own
    record_elements: int = 250_000  # a post with ~15,000 comments and their metadata
    record_chars: int = 24 * 1024 * 1024  # all the text of one post and its comments
    token_bytes: int = 1024 * 1024  # one tag with its attributes, or one XML comment
    names: int = 1000  # different element and attribute names (a WordPress export has ~70)
    gzip_ratio: int = 100  # real exports expand 5 to 10 times
    gzip_free_bytes: int = 4 * 1024 * 1024  # expanding this much is never refused


LIMITS = Limits()


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.0f} KB"


class _Inflating:
    """A ``.gz`` file read decompressed, refusing to expand more than ``gzip_ratio`` times.

    ``tell()`` is the position in the compressed file, so progress can be shown against
    its size.
    """

    def __init__(self, path: Path, limits: Limits) -> None:
        self.raw = path.open("rb")
        self.gzip = gzip.GzipFile(fileobj=self.raw, mode="rb")
        self.limits = limits
        self.expanded = 0
        self.name = path.name

    def read(self, size: int = CHUNK) -> bytes:
        try:
            data = self.gzip.read(size)
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            raise ImportProblem(
                f"{self.name} is not a readable .gz file ({error}). Nothing was imported."
            ) from error
        self.expanded += len(data)
        compressed = max(1, self.raw.tell())
        if (
            self.expanded > self.limits.gzip_free_bytes
            and self.expanded > self.limits.gzip_ratio * compressed
        ):
            raise ImportProblem(
                f"{self.name} expands more than {self.limits.gzip_ratio} times its compressed "
                f"size (to {_mb(self.expanded)} from the first {_mb(compressed)}); real "
                "exports expand about 10 times, so it is refused as a decompression bomb. "
                "Nothing was imported."
            )
        return data

    def tell(self) -> int:
        return self.raw.tell()

    def close(self) -> None:
        self.gzip.close()
        self.raw.close()

    def __enter__(self) -> _Inflating:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_export(path: str | Path, limits: Limits = LIMITS) -> IO[bytes]:
    """Open an export file for reading as bytes; ``.gz`` files are decompressed on the fly,
    within ``limits.gzip_ratio``."""
    path = Path(path)
    if not path.is_file():
        raise ImportProblem(f"{path}: no such file.")
    if path.suffix == ".gz":
        return _Inflating(path, limits)  # type: ignore[return-value]
    return path.open("rb")


class _Refused(Exception):
    """Raised inside the parser's callbacks; turned into an :class:`ImportProblem` with the
    line by :func:`stream_elements`."""


class _BoundedBuilder:
    """ElementTree's TreeBuilder, counting as it builds and stopping at the first limit.

    It also notes where in the input the last event was, so a tag or XML comment that grows
    without end (the parser holds it whole) is seen while it grows.
    """

    def __init__(self, limits: Limits, depth: int, field_limits: Mapping[str, int]) -> None:
        self.tree = TreeBuilder()
        self.limits = limits
        self.record_depth = depth
        self.field_limits = field_limits
        self.level = -1
        self.chars = 0  # text since the last tag
        self.chars_limit = limits.field_chars
        self.field = ""
        self.record_elements = 0
        self.record_chars = 0
        # (event, element, its parent): what the next feed completed, for stream_elements.
        self.events: list[tuple[str, Element, Element | None]] = []
        self.parents: list[Element] = []
        self.position: Callable[[], int] = lambda: 0
        self.last_event_at = 0
        # The XML parser keeps every element and attribute name it has seen for the whole file.
        self.names: set[str] = set()

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.last_event_at = self.position()
        self.level += 1
        if self.level >= self.limits.depth:
            raise _Refused(
                f"elements are nested more than {self.limits.depth} deep, which no export needs"
            )
        if self.level == self.record_depth:
            self.record_elements = self.record_chars = 0
        elif self.level > self.record_depth:
            self.record_elements += 1
            if self.record_elements > self.limits.record_elements:
                raise _Refused(
                    f"one record holds more than {self.limits.record_elements:,} elements"
                )
        if tag not in self.names or (attrs and not self.names.issuperset(attrs)):
            self.names.add(tag)
            self.names.update(attrs)
            if len(self.names) > self.limits.names:
                raise _Refused(
                    f"the file uses more than {self.limits.names:,} different element and "
                    "attribute names"
                )
        self.field = local_name(tag)[1]
        self.chars = 0
        self.chars_limit = self.field_limits.get(self.field, self.limits.field_chars)
        element = self.tree.start(tag, attrs)
        self.parents.append(element)
        if self.level == 0:
            self.events.append(("start", element, None))
        return element

    def data(self, text: str) -> None:
        self.last_event_at = self.position()
        self.chars += len(text)
        if self.chars > self.chars_limit:
            raise _Refused(
                f"the text of <{self.field}> is longer than {self.chars_limit:,} characters"
            )
        if self.level >= self.record_depth:
            self.record_chars += len(text)
            if self.record_chars > self.limits.record_chars:
                raise _Refused(
                    f"one record holds more than {self.limits.record_chars:,} characters of text"
                )
        self.tree.data(text)

    def end(self, tag: str) -> Element:
        self.last_event_at = self.position()
        element = self.tree.end(tag)
        self.parents.pop()
        if self.level == self.record_depth:
            self.events.append(("end", element, self.parents[-1] if self.parents else None))
        self.level -= 1
        # Text after an end tag belongs to the parent: the general limit applies.
        self.chars = 0
        self.chars_limit = self.limits.field_chars
        self.field = local_name(self.parents[-1].tag)[1] if self.parents else ""
        return element

    def comment(self, text: str) -> None:  # XML comments are read past, not kept
        self.last_event_at = self.position()

    def pi(self, target: str, text: str) -> None:  # so are processing instructions
        self.last_event_at = self.position()

    def close(self) -> Element:
        return self.tree.close()


def stream_elements(
    handle: IO[bytes],
    *,
    depth: int,
    label: str,
    field_limits: Mapping[str, int] | None = None,
    limits: Limits = LIMITS,
) -> Iterator[tuple[str, Element | None]]:
    """Yield ``("start", element)`` for the root and each element of nesting ``depth`` when it
    is complete as ``("end", element)``; the element is removed from its parent afterwards.

    ``field_limits`` gives some elements (by local name) a tighter limit on their text
    than ``limits.field_chars``.

    Raises :class:`ImportProblem` with the line and column of a malformed file, with a clear
    refusal for a DOCTYPE, entity declaration or external reference, and with the line and
    the limit for a file that goes beyond ``limits``.
    """
    builder = _BoundedBuilder(limits, depth, field_limits or {})
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    expat = parser.parser
    builder.position = lambda: expat.CurrentByteIndex
    fed = 0
    # The file's first bytes (its declared encoding) and the last chunks fed: where an
    # encoding error may be.
    head = chunk = recent = b""
    try:
        while True:
            recent = recent[-CHUNK:] + chunk
            chunk = handle.read(CHUNK)
            head = head or chunk[:200]
            if chunk:
                parser.feed(chunk)
                fed += len(chunk)
                if fed - builder.last_event_at > limits.token_bytes:
                    raise _Refused(
                        f"a single tag or XML comment is longer than {_mb(limits.token_bytes)}"
                    )
            else:
                parser.close()
            for event, element, parent in builder.events:
                yield event, element
                if parent is not None:
                    # Dropping the finished record keeps memory flat however long the file is.
                    parent.remove(element)
            builder.events.clear()
            if not chunk:
                return
    except _Refused as refusal:
        line = expat.CurrentLineNumber
        raise ImportProblem(
            f"{label}, line {line:,}: {refusal}. The file is refused, so that no file can "
            "make an import use unbounded memory; nothing was imported."
        ) from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        reason = str(error).split(":")[0]
        byte = _not_utf8(head, recent + chunk, expat.ErrorByteIndex - (fed - len(recent)))
        if byte is not None:
            raise ImportProblem(
                f"{label} is not UTF-8, the encoding its XML declaration gives (or XML "
                "assumes without one): the byte "
                f"0x{byte:02X} at line {line}, column {column + 1} is not UTF-8. It was probably "
                "saved in another encoding (Windows-1252 or Latin-1); convert it, e.g. "
                f"`iconv -f WINDOWS-1252 -t UTF-8 {label} > utf8-{label}`, and import that. "
                "Nothing was imported."
            ) from error
        if not chunk:  # the parser was still waiting for the rest when the file ended
            raise ImportProblem(
                f"{label} is empty. Nothing was imported."
                if not fed
                else f"{label} ends at line {line} before its XML is complete ({reason}): it "
                "was cut short, e.g. by an interrupted download or an export that stopped "
                "midway. Export it again. Nothing was imported."
            ) from error
        raise ImportProblem(
            f"{label} is not well-formed XML: {reason} at line {line}, column {column + 1}. "
            "Nothing was imported."
        ) from error
    except DTDForbidden as error:
        raise ImportProblem(
            f"{label} declares a DOCTYPE ({error.name}). Export files never need one, and a "
            "DOCTYPE can define entities that read local files or exhaust memory, so the file "
            "is refused. Nothing was imported."
        ) from error
    except (EntitiesForbidden, ExternalForbidden) as error:
        raise ImportProblem(
            f"{label} declares an entity or external reference, which could read local files "
            "or exhaust memory; the file is refused. Nothing was imported."
        ) from error
    except DefusedXmlException as error:  # any other refusal defusedxml may add
        raise ImportProblem(f"{label} is refused as unsafe XML: {error}.") from error


def _not_utf8(head: bytes, data: bytes, at: int) -> int | None:
    """The byte at ``at`` in ``data`` when no UTF-8 character starts there, in a file whose
    first bytes ``head`` declare UTF-8 or nothing (the parser calls it an "invalid token")."""
    if not 0 <= at < len(data) or data[at] < 0x80 or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    declared = _ENCODING.search(head)
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return None  # another encoding, read as such: its error is another
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[at : at + 4], final=False)
    except UnicodeDecodeError:
        return data[at]
    return None


_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']"""
)


def local_name(tag: str) -> tuple[str, str]:
    """Split an ElementTree tag ``{uri}name`` into ``(uri, name)``."""
    if tag.startswith("{"):
        uri, _, name = tag[1:].partition("}")
        return uri, name
    return "", tag


def text_of(element: Element | None) -> str:
    """The text of an element, "" when it is missing or empty."""
    if element is None:
        return ""
    return element.text or ""


@dataclass
class Tally:
    """Per kind of thing: how many were created, updated and skipped (already there)."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, kind: str, outcome: str, n: int = 1) -> None:
        """Count ``n`` things of ``kind`` with ``outcome`` (created, updated or skipped)."""
        row = self.counts.setdefault(kind, {"created": 0, "updated": 0, "skipped": 0})
        row[outcome] = row.get(outcome, 0) + n

    def get(self, kind: str, outcome: str) -> int:
        """How many things of ``kind`` had ``outcome``."""
        return self.counts.get(kind, {}).get(outcome, 0)

    def lines(self) -> list[str]:
        """The summary printed at the end of an import."""
        width = max([len(kind) for kind in self.counts] + [4])
        out = [f"{'':{width}}  {'created':>8}  {'updated':>8}  {'skipped':>8}"]
        for kind, row in self.counts.items():
            out.append(
                f"{kind:{width}}  {row['created']:>8,}  {row['updated']:>8,}  {row['skipped']:>8,}"
            )
        out.extend(self.notes)
        return out


class Progress:
    """Prints "N items (P %)" to a stream every few seconds while a long import runs."""

    def __init__(
        self,
        handle: IO[bytes],
        total_bytes: int,
        write: Callable[[str], None] | None = None,
        every: float = 2.0,
    ) -> None:
        self.handle = handle
        self.total = total_bytes
        self.write = write or (lambda text: print(text, file=sys.stderr, flush=True))
        self.every = every
        self.count = 0
        self.started = time.monotonic()
        self.last = self.started

    def step(self, n: int = 1) -> None:
        """Count ``n`` more items and print a line if enough time has passed."""
        self.count += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self.write(self._line(now))

    def _line(self, now: float) -> str:
        done = ""
        try:
            if self.total:
                done = f" ({min(100.0, 100 * self.handle.tell() / self.total):.0f} % of the file)"
        except (OSError, ValueError):
            pass
        return f"  … {self.count:,} items{done}, {now - self.started:.0f} s"

    def finish(self) -> None:
        """Print the final count."""
        now = time.monotonic()
        self.write(f"  {self.count:,} items read in {now - self.started:.1f} s")


def file_size(path: str | Path) -> int:
    """Size of the file in bytes (of the compressed file for .gz, whose handle tells its
    position in the compressed file too)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
