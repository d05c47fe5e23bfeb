"""Hashed n-gram columns: where each word or character n-gram lands in the model's rows.

The spam model has no vocabulary: every n-gram is hashed to one of a fixed number of
columns, so there is nothing to pickle, and a site can learn weights for words the
base model never saw.

Character n-grams are hashed with array arithmetic over the text's code points, all
n-grams of a length at once: each is read as a number (its code points as digits of a
large odd base, modulo 2**64) and its column is the top bits of that number times an
odd constant (multiplicative hashing). Words are hashed with MurmurHash3 (``mmh3``);
a pair of words is the number made of its two words' hashes, hashed the same way. No n-gram string is
ever built, which is most of what made one check cost a millisecond (a Python string
and a hash call for each of a comment's ~300 n-grams), and what made hashing the
training corpora take seconds.

Each kind of n-gram (words, pairs, characters, source tokens) has its own seed, so a
word and a character trigram that spell the same do not share a column.

The columns are part of the model: a model file records :data:`SCHEME` and the engine
refuses one hashed otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import mmh3
import numpy as np

SCHEME = "salon-ngram-hash-1"
"""Identifies this way of hashing; stored in model files."""

# Words are whole runs of word characters (found faster without the \b either side
# that they always have).
_TOKEN = re.compile(r"\w+")
_WHITE_SPACES = re.compile(r"\s\s+")

_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd, so distinct digits stay distinct mod 2**64
_MULTIPLIER = np.uint64(0xBF58476D1CE4E5B9)  # odd; its product's top bits are the column
_SEEDS = {"word": 0x1, "pair": 0x2, "source": 0x3, "chars": 0x4}
"""Added to an n-gram's number before it is hashed."""


def _columns(numbers: np.ndarray, seed: int, n_columns: int) -> np.ndarray:
    """Multiplicative hashing: the top bits of (number + seed) × an odd constant (modulo
    2**64: arithmetic on arrays of unsigned integers wraps around, silently)."""
    shift = np.uint64(64 - _bits(n_columns))
    numbers = numbers + np.uint64(seed)
    numbers *= _MULTIPLIER
    numbers >>= shift
    return numbers.astype(np.int64)


def _bits(n_columns: int) -> int:
    bits = n_columns.bit_length() - 1
    if n_columns != 1 << bits or bits < 1:
        raise ValueError("the number of hashed columns must be a power of two")
    return bits


def squeeze_spaces(text: str) -> str:
    """Runs of white space as one space, as character n-grams read them."""
    return _WHITE_SPACES.sub(" ", text)


Pieces = list[tuple[np.ndarray, str]]
"""Numbers of n-grams not yet hashed, each array with its kind (a key of ``_SEEDS``)."""


def char_ngram_numbers(text: str, low: int, high: int) -> Pieces:
    """The number of every character n-gram of ``text``, ``low`` to ``high`` characters
    long, across word boundaries (runs of white space count as one space), one array
    per length."""
    text = squeeze_spaces(text)
    if len(text) < low:
        return []
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    # One more than each code point, so that no n-gram's number has a zero digit and
    # n-grams of different lengths have different numbers.
    points = points.astype(np.uint64)
    points += np.uint64(1)
    numbers: Pieces = []
    # ``number`` holds the number of the n-gram starting at each position, grown by one
    # character per length (modulo 2**64, as arrays of unsigned integers wrap around).
    number = points
    for n in range(2, high + 1):
        count = len(points) - n + 1
        if count <= 0:
            break
        number = number[:count] * _BASE
        number += points[n - 1 :]
        if n >= low:
            numbers.append((number, "chars"))
    return numbers


def char_ngram_columns(text: str, low: int, high: int, n_columns: int) -> np.ndarray:
    """The column of every character n-gram of ``text``, ``low`` to ``high`` characters
    long, across word boundaries (runs of white space count as one space)."""
    return columns_of(char_ngram_numbers(text, low, high), n_columns)


def _token_hashes(tokens: Iterable[str]) -> np.ndarray:
    """MurmurHash3 (seed 0, unsigned 32-bit) of each token's UTF-8 bytes."""
    # mmh3.hash's own defaults (seed 0, a signed result) let map call it without a
    # Python function in between; the signed results are read back as unsigned.
    signed = np.fromiter(map(mmh3.hash, tokens), dtype=np.int32)
    return signed.view(np.uint32).astype(np.uint64)


def word_ngram_numbers(text: str, low: int, high: int) -> Pieces:
    """The number of every word n-gram of ``text`` (``\\w+`` words), for ``low`` and
    ``high`` of 1 or 2: a word's hash, and a pair's two hashes side by side."""
    if not 1 <= low <= high <= 2:
        raise ValueError("word n-grams are single words and pairs of words")
    hashes = _token_hashes(_TOKEN.findall(text))
    pieces: Pieces = []
    if low == 1:
        pieces.append((hashes, "word"))
    if high == 2 and len(hashes) >= 2:
        pairs = hashes[:-1] << np.uint64(32)
        pairs |= hashes[1:]
        pieces.append((pairs, "pair"))
    return pieces


def word_ngram_columns(text: str, low: int, high: int, n_columns: int) -> np.ndarray:
    """The column of every word n-gram of ``text`` (``\\w+`` words), for ``low`` and
    ``high`` of 1 or 2."""
    return columns_of(word_ngram_numbers(text, low, high), n_columns)


def token_numbers(tokens: Iterable[str]) -> Pieces:
    """The number of each token (source tokens: ``u:example.org`` and the like)."""
    return [(_token_hashes(tokens), "source")]


def token_columns(tokens: Iterable[str], n_columns: int) -> np.ndarray:
    """The column of each token (source tokens: ``u:example.org`` and the like)."""
    return columns_of(token_numbers(tokens), n_columns)


def columns_of(pieces: Pieces, n_columns: int) -> np.ndarray:
    """The column of every n-gram of ``pieces``, piece after piece."""
    if not pieces:
        return np.zeros(0, dtype=np.int64)
    kinds = {kind for _, kind in pieces}
    if len(kinds) == 1:
        numbers = pieces[0][0] if len(pieces) == 1 else np.concatenate([n for n, _ in pieces])
        return _columns(numbers, _SEEDS[kinds.pop()], n_columns)
    return np.concatenate([_columns(numbers, _SEEDS[kind], n_columns) for numbers, kind in pieces])


def tagged_columns(blocks: list[Pieces], n_columns: int) -> np.ndarray:
    """The columns of several blocks of n-grams at once, each times four plus the number
    of its block (0 to 3): for block ``k``, the entries of ``columns_of(blocks[k]) * 4 + k``,
    all in one array (in no particular order). The n-grams of every kind are hashed
    together, in a few array operations rather than a few per kind."""
    if len(blocks) > 4:
        raise ValueError("at most four blocks are tagged in two bits")
    bits = _bits(n_columns)
    arrays = []
    # Runs of consecutive n-grams of one kind and block: (seed, tag, start, end).
    runs: list[list[int]] = []
    end = 0
    for tag, pieces in enumerate(blocks):
        for numbers, kind in pieces:
            if not len(numbers):
                continue
            arrays.append(numbers)
            seed, start, end = _SEEDS[kind], end, end + len(numbers)
            if runs and runs[-1][:2] == [seed, tag]:
                runs[-1][3] = end
            else:
                runs.append([seed, tag, start, end])
    if not arrays:
        return np.zeros(0, dtype=np.int64)
    numbers = np.concatenate(arrays)  # a new array: the pieces are left as they are
    for seed, _, start, end in runs:
        run = numbers[start:end]
        run += np.uint64(seed)
    numbers *= _MULTIPLIER
    # The column's bits two places higher than _columns leaves them, then the tag below.
    numbers >>= np.uint64(64 - bits - 2)
    numbers &= ~np.uint64(3)
    for _, tag, start, end in runs:
        if tag:
            run = numbers[start:end]
            run |= np.uint64(tag)
    return numbers.view(np.int64)


def counts(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct columns (ascending) and how many n-grams fell in each."""
    if len(columns) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    unique, times = np.unique(columns, return_counts=True)
    return unique, times.astype(np.float32)
