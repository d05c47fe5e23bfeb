"""Reading export files safely and a piece at a time, and keeping the import's tally.

Export files come from elsewhere: they are parsed with defusedxml (no DOCTYPE, no entities,
no external references, so no "billion laughs" or file disclosure), as a stream of events
whose finished elements are dropped at once, so a file of gigabytes needs the memory of one
item, not of the file.
"""

from __future__ import annotations

import gzip
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml import ExternalReferenceForbidden as ExternalForbidden
from defusedxml.ElementTree import iterparse


class ImportProblem(Exception):
    """The file cannot be imported; the message says why (and where) for the person running it."""


def open_export(path: str | Path) -> IO[bytes]:
    """Open an export file for reading as bytes; ``.gz`` files are decompressed on the fly."""
    path = Path(path)
    if not path.is_file():
        raise ImportProblem(f"{path}: no such file.")
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def stream_elements(
    handle: IO[bytes], *, depth: int, label: str
) -> Iterator[tuple[str, Element | None]]:
    """Yield ``("start", element)`` for the root and each element of nesting ``depth`` when it
    is complete as ``("end", element)``; the element is removed from its parent afterwards.

    Raises :class:`ImportProblem` with the line and column of a malformed file, or with a clear
    refusal for a DOCTYPE, entity declaration or external reference.
    """
    level = -1
    parents: list[Element] = []
    events = iterparse(handle, events=("start", "end"), forbid_dtd=True)
    try:
        for event, element in events:
            if event == "start":
                level += 1
                parents.append(element)
                if level == 0:
                    yield "start", element
                continue
            parents.pop()
            if level == depth:
                yield "end", element
                # Dropping the finished element keeps memory flat however long the file is.
                parents[-1].remove(element)
            level -= 1
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        reason = str(error).split(":")[0]
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
    """Size of the file in bytes (of the compressed file for .gz: progress is then a guess)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
