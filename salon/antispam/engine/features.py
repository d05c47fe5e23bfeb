"""Turning a submission into the numbers the spam model weighs.

Text is hashed (word 1–2-grams and character 3–5-grams of the content, plus tokens
for the author's website and e-mail domain and for linked domains), so the
model is a plain weight vector over a fixed number of columns: no vocabulary to
pickle, and a site can learn weights for words the base model never saw. A few dense
columns after the hashed ones describe links and shape of the text.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from . import hashing
from .links import LinkSummary, domain_of, find_links, top_level_domain

# Words too common to tell whether a comment speaks of the post's subject.
_TITLE_STOP_WORDS = frozenset(
    """the and for are but not you your yours with from this that these those what when
    where which who whom why how all any can our out his her hers its they them their
    was were will would shall should could have has had does did just than then there
    here about into over under after before again more most some such only own same
    very one two new official video feat""".split()
)
_WORD = re.compile(r"\w+")

HASHED_COLUMNS = 2**19

# Only the start and end of very long content reach the text model: spam shows its hand
# early (and sometimes signs off with its link), and hashing 65,000 characters of
# character n-grams would cost tens of milliseconds for no gain.
MODEL_TEXT_HEAD = 6000
MODEL_TEXT_TAIL = 2000

DENSE_SIGNALS: tuple[str, ...] = (
    "has_link",
    "link_count",
    "two_or_more_links",
    "link_density",
    "bbcode_link",
    "html_link",
    "url_shortener",
    "odd_tld",
    "length",
    "shouting",
    "exclamations",
    "phone_number",
    "email_in_text",
    "author_url",
    "page_link",
    "on_topic",
    "constant",
)
"""``constant`` is always 1: with per-medium weights it gives each medium its own bias."""
DENSE_COLUMNS = len(DENSE_SIGNALS)
TOTAL_COLUMNS = HASHED_COLUMNS + DENSE_COLUMNS
CONSTANT_COLUMN = HASHED_COLUMNS + DENSE_SIGNALS.index("constant")

_TAG = re.compile(r"<[^<>]{0,2000}>")
_HREF_IN_TAG = re.compile(r"(?i)<a\s[^>]{0,500}?href\s*=\s*[\"']?([^\"'\s>]{1,2000})[^>]{0,500}>")
_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_PHONE = re.compile(r"(?:\+?\d[\s().\-]{0,3}){9,15}")
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}")

if TYPE_CHECKING:  # SciPy is needed for training only; checking works on NumPy arrays.
    import scipy.sparse as sp

WORD_NGRAMS = (1, 2)
# Character n-grams run across word boundaries, so that a phrase's shape ("k out my c",
# "s comment i") is read even when a word is spelt differently. Measured with
# ``bench/spam_quality.py``: leave-one-video-out F1 at 1.5 % of ham blocked rose from
# 0.946 (2–5-grams within words) to 0.954; dropping the 2-grams cost nothing.
CHAR_NGRAMS = (3, 5)


def block_columns(parts: TextParts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The hashed columns of the word, character and source blocks of one submission
    (one entry per n-gram or token, so a column repeats as often as its n-grams)."""
    return (
        hashing.word_ngram_columns(parts.model_text, *WORD_NGRAMS, HASHED_COLUMNS),
        hashing.char_ngram_columns(parts.model_text, *CHAR_NGRAMS, HASHED_COLUMNS),
        hashing.token_columns(parts.source_tokens.split(), HASHED_COLUMNS),
    )


def clean_text(text: str) -> str:
    """Plain text of a comment: HTML entities decoded, tags dropped but link targets kept,
    Unicode compatibility forms folded (full-width letters and the like), control
    characters removed, white space collapsed."""
    if not text:
        return ""
    text = text.replace("\x00", " ")
    text = html.unescape(text) if "&" in text else text
    if "<" in text:
        text = _HREF_IN_TAG.sub(lambda m: f" {m.group(1)} ", text)
        text = _TAG.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    # Drop control and unassigned characters that binary junk brings, keep letters of
    # every script.
    if not text.isprintable():
        # A text has few distinct characters: test those, then replace them all at once.
        unwanted = {ord(ch): " " for ch in set(text) if not ch.isprintable() and ch not in "\n\t"}
        text = text.translate(unwanted)
    return _SPACE.sub(" ", text).strip()


def model_text(cleaned: str) -> str:
    """The part of cleaned content the text model reads, lower-cased with digits folded
    (so "call 0800 123" and "call 0900 456" share n-grams)."""
    if len(cleaned) > MODEL_TEXT_HEAD + MODEL_TEXT_TAIL:
        cleaned = cleaned[:MODEL_TEXT_HEAD] + " " + cleaned[-MODEL_TEXT_TAIL:]
    return _DIGIT.sub("0", cleaned.lower())


COMMON_WORD_SHARE = 0.02
"""A word found in at least this share of the training texts is common: it says nothing
of what a post is about (in the shipped corpora: "love", "way", "video", … 446 words)."""


def common_words(texts: Iterable[str], share: float = COMMON_WORD_SHARE) -> frozenset[str]:
    """The words (lower case) found in at least ``share`` of ``texts``."""
    frequency: Counter[str] = Counter()
    total = 0
    for text in texts:
        total += 1
        frequency.update(set(_WORD.findall((text or "")[:20000].lower())))
    return (
        frozenset(w for w, n in frequency.items() if n >= share * total) if total else frozenset()
    )


def topic_words(text: str, common: frozenset[str] = frozenset()) -> frozenset[str]:
    """The words of a title that say what it is about (lower case; neither stop words nor
    ``common`` words)."""
    return frozenset(
        w
        for w in _WORD.findall(unicodedata.normalize("NFKC", text or "").lower()[:500])
        if (len(w) >= 3 or not w.isascii())
        and not w.isdigit()
        and w not in _TITLE_STOP_WORDS
        and w not in common
    )


def on_topic(cleaned: str, topic: frozenset[str]) -> bool:
    """Whether a comment names something the post is about (one of its ``topic`` words)."""
    if not topic:
        return False
    return any(w in topic for w in _WORD.findall(cleaned[:20000].lower()))


TOPIC_TOKEN = "posttopic"
"""What the text model reads in place of a word of the post's title.

Measured with ``bench/spam_quality.py`` (with the obfuscated-link change of the same
day): YouTube 10-fold F1 0.965 → 0.976; leave one video out F1 0.962 → 0.962, ham
blocked 1.3 % → 1.2 %. Without leaving the common words out the figures were within
0.001 of these; they are left out because "love" or "way" in a title says nothing of
what a comment under it is about."""


@lru_cache(maxsize=512)
def _topic_pattern(words: frozenset[str]) -> re.Pattern[str]:
    # Longest first, so that a word is not cut short by one of its prefixes. Digits are
    # folded as in the model's text.
    folded = sorted({_DIGIT.sub("0", w) for w in words}, key=lambda w: (-len(w), w))
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, folded)) + r")(?!\w)")


def mark_topic(text: str, words: frozenset[str]) -> str:
    """Lower-case model text with each word of the post's title replaced by
    :data:`TOPIC_TOKEN`: the model learns how comments speak of a post's subject, on
    every post alike, instead of learning the names of the posts it was trained on."""
    if not words:
        return text
    return _topic_pattern(words).sub(TOPIC_TOKEN, text)


def source_tokens(author_url: str, author_email: str, links: LinkSummary) -> str:
    """Prefixed tokens for where the author comes from and where the links go.

    The author's name is not among them: names are one person's, so the model learnt
    nothing from them that held on another site (with name tokens, leave-one-video-out
    F1 at 1.5 % of ham blocked was 0.954; without, 0.959). A name stuffed with keywords
    is a rule of its own (see ``checking``).
    """
    tokens: list[str] = []
    site = domain_of(author_url)
    if site:
        tokens.append("u:" + site)
        tokens.append("ut:" + top_level_domain(site))
    if "@" in author_email:
        tokens.append("e:" + author_email.rsplit("@", 1)[-1].lower()[:100])
    for domain in links.domains[:20]:
        tokens.append("d:" + domain)
        tokens.append("dt:" + top_level_domain(domain))
    return " ".join(tokens)


@dataclass(frozen=True, slots=True)
class TextParts:
    """A submission's text, prepared once and shared by every signal."""

    cleaned: str
    model_text: str
    source_tokens: str
    links: LinkSummary
    dense: np.ndarray
    unmarked_text: str = ""
    """``model_text`` before the words of the post's title were replaced by
    :data:`TOPIC_TOKEN`; empty when the comment uses none of them."""

    def without_topic(self) -> TextParts:
        """The same submission read as if the post had no title: what the model would say
        without knowing that the comment names the post's subject."""
        if not self.unmarked_text:
            return self
        dense = self.dense.copy()
        dense[DENSE_SIGNALS.index("on_topic")] = 0.0
        return replace(self, model_text=self.unmarked_text, dense=dense, unmarked_text="")


def prepare(
    content: str,
    author_url: str = "",
    author_email: str = "",
    permalink: str = "",
    title: str = "",
    common: frozenset[str] = frozenset(),
) -> TextParts:
    """Clean the content, find its links and compute the dense columns.

    ``permalink`` and ``title`` describe the page the submission was made on: links to
    that page are not counted as links elsewhere, and naming the page's subject is
    a sign of a real reader. ``common`` are the words that never count as the subject
    (the model's :attr:`~.model.BaseModel.common_words`).
    """
    raw = content or ""
    cleaned = clean_text(raw)
    # Links are read from the raw content too: an anchor's target is in the markup.
    links = find_links(raw if "<a" in raw.lower() or "[url" in raw.lower() else cleaned, permalink)
    text_for_model = cleaned
    for url in links.page_links:
        # The model reads "a link to this page", not the address's n-grams.
        for form in dict.fromkeys((url, html.unescape(url))):
            text_for_model = text_for_model.replace(form, " thispagelink ")
    topic = topic_words(title, common)
    length = max(len(cleaned), 1)
    head = cleaned[:5000]
    letters = sum(map(str.isalpha, head))
    upper = sum(map(str.isupper, head))
    dense = np.array(
        [
            1.0 if links.count else 0.0,
            min(math.log1p(links.count) / 2.0, 2.0),
            1.0 if links.count >= 2 else 0.0,
            min(links.link_chars / length, 1.0),
            1.0 if links.bbcode_links else 0.0,
            1.0 if links.html_links else 0.0,
            1.0 if links.shorteners else 0.0,
            1.0 if links.odd_tlds else 0.0,
            min(math.log1p(length) / 10.0, 1.2),
            (upper / letters) if letters >= 10 else 0.0,
            min(cleaned.count("!"), 5) / 5.0,
            1.0 if _PHONE.search(cleaned[:20000]) else 0.0,
            1.0 if _EMAIL.search(cleaned[:20000]) else 0.0,
            1.0 if domain_of(author_url) else 0.0,
            1.0 if links.page_links else 0.0,
            1.0 if on_topic(cleaned, topic) else 0.0,
            1.0,
        ],
        dtype=np.float32,
    )
    unmarked = model_text(text_for_model)
    marked = mark_topic(unmarked, topic)
    return TextParts(
        cleaned=cleaned,
        model_text=marked,
        unmarked_text=unmarked if marked != unmarked else "",
        source_tokens=source_tokens(author_url or "", author_email or "", links),
        links=links,
        dense=dense,
    )


def _log_tf_idf(matrix: sp.csr_matrix, idf: np.ndarray | None) -> sp.csr_matrix:
    """Sub-linear term frequency, inverse document frequency, then unit length per row."""
    import scipy.sparse as sp

    matrix = matrix.tocsr(copy=True)
    matrix.sum_duplicates()
    np.log1p(matrix.data, out=matrix.data)
    if idf is not None:
        matrix.data *= idf[matrix.indices]
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sp.diags(1.0 / norms).dot(matrix)
    return matrix.tocsr()


# Relative weight of each hashed block once each is normalised to unit length.
WORD_BLOCK = 1.0
CHAR_BLOCK = 1.0
META_BLOCK = 0.5


def raw_counts(parts: list[TextParts]) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    """Hashed counts of the word, character and source blocks."""
    import scipy.sparse as sp

    counted = [[hashing.counts(c) for c in block_columns(p)] for p in parts]
    return tuple(  # type: ignore[return-value]
        sp.csr_matrix(
            _csr_parts([row[block] for row in counted]), shape=(len(parts), HASHED_COLUMNS)
        )
        for block in range(3)
    )


def _csr_parts(
    rows: list[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Many texts' :func:`hashing.counts` as CSR parts ``(data, indices, indptr)``."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(columns) for columns, _ in rows], out=indptr[1:])
    if not rows:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64), indptr
    return (
        np.concatenate([times for _, times in rows]),
        np.concatenate([columns for columns, _ in rows]),
        indptr,
    )


def document_frequencies(counts: tuple[sp.csr_matrix, ...]) -> np.ndarray:
    """How many documents hold each hashed column (for inverse document frequency)."""
    df = np.zeros(HASHED_COLUMNS, dtype=np.float64)
    for block in counts:
        block = block.tocsr()
        block.sum_duplicates()
        df += np.bincount(block.indices, minlength=HASHED_COLUMNS)
    return df


def inverse_document_frequency(df: np.ndarray, n_documents: int) -> np.ndarray:
    """Smoothed IDF, as scikit-learn's TfidfTransformer computes it."""
    return (np.log((1.0 + n_documents) / (1.0 + df)) + 1.0).astype(np.float32)


def weigh(
    counts: tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix],
    dense: np.ndarray,
    idf: np.ndarray | None,
) -> sp.csr_matrix:
    """The model's input rows from hashed counts: weighted blocks, then dense columns."""
    import scipy.sparse as sp

    words, chars, meta = counts
    hashed = (
        _log_tf_idf(words, idf) * WORD_BLOCK
        + _log_tf_idf(chars, idf) * CHAR_BLOCK
        + _log_tf_idf(meta, idf) * META_BLOCK
    )
    return sp.hstack([hashed, sp.csr_matrix(dense)], format="csr", dtype=np.float32)


def vectorise(parts: list[TextParts], idf: np.ndarray | None) -> sp.csr_matrix:
    """The model's input rows for prepared texts."""
    return weigh(raw_counts(parts), np.vstack([p.dense for p in parts]), idf)


_BLOCK_SCALES = np.array([WORD_BLOCK, CHAR_BLOCK, META_BLOCK], dtype=np.float32)


def single_row(parts: TextParts, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One submission's feature row as (column indices, values), without scipy overhead.

    Gives the same values as :func:`vectorise`. Checking one comment is a few dozen
    array operations in all: the three blocks are counted together (a block's columns
    offset by its number of ``HASHED_COLUMNS``), weighed, normalised per block, then
    columns that several blocks share are added up, as in the sparse sum, so that
    per-site learning sees each column once.
    """
    words, chars, sources = block_columns(parts)
    keys, times = np.unique(
        np.concatenate([words, chars + HASHED_COLUMNS, sources + 2 * HASHED_COLUMNS]),
        return_counts=True,
    )
    block, columns = np.divmod(keys, HASHED_COLUMNS)
    values = np.log1p(times.astype(np.float32)) * idf[columns]
    norms = np.sqrt(np.bincount(block, weights=values * values, minlength=3))
    scales = np.divide(_BLOCK_SCALES, norms, out=np.zeros(3), where=norms > 0)
    values = (values * scales[block]).astype(np.float32)
    unique, inverse = np.unique(columns, return_inverse=True)
    merged = np.bincount(inverse, weights=values, minlength=len(unique)).astype(np.float32)
    nonzero = np.flatnonzero(parts.dense)
    return (
        np.concatenate([unique, HASHED_COLUMNS + nonzero]),
        np.concatenate([merged, parts.dense[nonzero].astype(np.float32)]),
    )
