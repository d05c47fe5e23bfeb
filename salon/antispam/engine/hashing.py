"""Hashed n-gram counts: the columns the spam model's text weights are indexed by.

The columns are those of scikit-learn's ``HashingVectorizer`` with
``alternate_sign=False`` (word n-grams over ``\\b\\w+\\b`` tokens, character n-grams
with runs of white space squeezed, each token's signed 32-bit MurmurHash3 of its UTF-8
bytes with seed 0, absolute value modulo the number of columns), so a model trained
with either reads the other's columns. They are computed here, with ``mmh3``, because
importing scikit-learn's text module costs about 70 MB and a second at start-up, and
its per-call overhead is most of the time of checking one short comment. A test
keeps the two in step.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import mmh3
import numpy as np

_TOKEN = re.compile(r"(?u)\b\w+\b")
_WHITE_SPACES = re.compile(r"\s\s+")
_MOST_NEGATIVE = -(2**31)


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """Word n-grams from ``low`` to ``high`` words, joined by single spaces."""
    words = _TOKEN.findall(text)
    grams = list(words) if low == 1 else []
    for n in range(max(low, 2), min(high, len(words)) + 1):
        grams.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return grams


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams from ``low`` to ``high`` characters, across word boundaries."""
    text = _WHITE_SPACES.sub(" ", text)
    grams: list[str] = []
    for n in range(low, min(high, len(text)) + 1):
        grams.extend(text[i : i + n] for i in range(len(text) - n + 1))
    return grams


def column(token_hash: int, n_columns: int) -> int:
    """The column of a token's hash."""
    if token_hash == _MOST_NEGATIVE:
        # abs() of the most negative 32-bit value overflows in C; scikit-learn maps it so.
        return (2**31 - 1 - (n_columns - 1)) % n_columns
    return abs(token_hash) % n_columns


def counts(tokens: Iterable[str], n_columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct columns of the tokens and how many tokens fell in each."""
    tally: dict[int, int] = {}
    # Counting the hashes first (in C) leaves one Python step per distinct token.
    for token_hash, times in Counter(map(mmh3.hash, tokens)).items():
        where = column(token_hash, n_columns)
        tally[where] = tally.get(where, 0) + times
    return (
        np.fromiter(tally.keys(), dtype=np.int64, count=len(tally)),
        np.fromiter(tally.values(), dtype=np.float32, count=len(tally)),
    )


def count_rows(
    rows: Sequence[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Many texts' :func:`counts` as CSR parts ``(data, indices, indptr)``."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(columns) for columns, _ in rows], out=indptr[1:])
    if not rows:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64), indptr
    return (
        np.concatenate([times for _, times in rows]),
        np.concatenate([columns for columns, _ in rows]),
        indptr,
    )
