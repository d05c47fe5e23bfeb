"""Recognising spam campaigns: the same text posted again with small changes.

Each spam a site's moderators confirm is summarised by a MinHash signature of its
word 3-shingles (or character 5-shingles for short texts). A new submission whose
signature agrees with a remembered one on most positions is a near-duplicate of it.
Signatures are small (64 integers), deterministic (CRC-32, not Python's salted hash)
and kept per site, most recent first.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

import numpy as np

SIGNATURE_SIZE = 64
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20240517)  # fixed: signatures must match across processes
_A = _rng.integers(1, (1 << 31) - 1, size=SIGNATURE_SIZE, dtype=np.uint64)
_B = _rng.integers(0, (1 << 31) - 1, size=SIGNATURE_SIZE, dtype=np.uint64)
_A_COLUMN, _B_COLUMN = _A[:, None], _B[:, None]
_SHIFT = np.uint64(61)
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
_ASCII_WORD = re.compile(rb"\w+")
_ASCII_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0000000000")
MAX_SHINGLES = 2000
MIN_SHINGLES = 4


def shingles(text: str) -> list[str]:
    """Overlapping word 3-grams of the text (character 5-grams when it is short)."""
    return _shingled(_WORD.findall(_DIGIT.sub("0", text.lower()[:20000])), " ")


def _shingled(words: list, space: str | bytes) -> list:
    """:func:`shingles` of a text's words (strings, or bytes with a bytes ``space``)."""
    if len(words) >= 6:
        count = min(len(words) - 2, MAX_SHINGLES)
        return list(map(space.join, zip(words[:count], words[1:], words[2:], strict=False)))
    joined = space.join(words)
    return [joined[i : i + 5] for i in range(min(max(len(joined) - 4, 0), MAX_SHINGLES))]


def _encoded_shingles(text: str) -> tuple[int, Iterable[bytes]]:
    """How many distinct shingles a text has, and each of them in UTF-8."""
    lowered = text.lower()[:20000]
    if lowered.isascii():
        # In ASCII text, words (\w: letters, digits and "_") and digits (0-9) are the
        # same read as bytes, and bytes need no encoding afterwards.
        words = _ASCII_WORD.findall(lowered.encode("ascii").translate(_ASCII_DIGITS_AS_ZERO))
        encoded = set(_shingled(words, b" "))
        return len(encoded), encoded
    pieces = set(shingles(text))
    # Shingles hold words and spaces only: joined by new lines, they are encoded at once.
    return len(pieces), "\n".join(pieces).encode("utf-8", "replace").split(b"\n")


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature of a text, or ``None`` when it is too short to compare."""
    count, encoded = _encoded_shingles(text)
    if count < MIN_SHINGLES:
        return None
    hashes = np.fromiter(map(zlib.crc32, encoded), dtype=np.uint64, count=count)
    # a·h + b stays below 2**64 (a, b < 2**31 and h < 2**32); one row per hash function.
    mixed = _A_COLUMN * hashes
    mixed += _B_COLUMN
    # x mod p for p = 2**61 - 1 without a division: r = (x & p) + (x >> 61) is x mod p
    # or that plus p, and then r - p wraps around to a number above any r.
    reduced = mixed & _PRIME
    mixed >>= _SHIFT
    reduced += mixed
    np.minimum(reduced, reduced - _PRIME, out=reduced)
    return reduced.min(axis=1).astype(np.uint32)


def similarities(sig: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of ``sig`` to each row of ``known``."""
    if known.size == 0:
        return np.zeros(0)
    # A sum of booleans over the row's length: the mean, exactly, without its overhead.
    return (known == sig).sum(axis=1) / known.shape[1]
