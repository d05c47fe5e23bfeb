"""Turning a submission into the numbers the spam model weighs.

Text is hashed (word 1–2-grams and character 3–5-grams of the content, plus tokens
for the author's website and e-mail domain, for linked domains, for the words links
are written on and for WordPress blocklist entries found), so the model is a plain
weight vector over a fixed number of columns: no vocabulary to pickle, and a site can
learn weights for words the base model never saw. A few dense columns after the
hashed ones carry evidence about links and content.

Nothing here says which corpus a text came from: the text model reads words with the
web addresses taken out (an address's characters would teach "has a link"), there is
no length column (training ham and spam differ in length from one corpus to the next,
so length taught the corpus, not spam), no "has a link" or link-count column, and
links to well-known sites (:func:`.links.well_known`) add no token and no density.
Links weigh by what they show: a shortener, an odd top-level domain, BBCode, an address
spelt to slip past filters, the share of the text that is links to ordinary domains,
the domain itself and the words the link is written on.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import hashing
from .blocklist import Blocklist
from .links import LinkSummary, anchor_texts, domain_of, find_links, well_known

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

# Only the start and end of long content reach the text model: spam shows its hand early
# (and sometimes signs off with its pitch), and reading all of a long post costs time
# for no gain. Training reads texts the same way.
MODEL_TEXT_HEAD = 1500
MODEL_TEXT_TAIL = 500

DENSE_SIGNALS: tuple[str, ...] = (
    "bbcode_link",
    "url_shortener",
    "odd_tld",
    "obfuscated_link",
    "phone_number",
    "email_in_text",
    "page_link",
    "blocklist",
)
"""``blocklist`` grows with the number of WordPress blocklist entries found.

The share of the text that is links is not a learned column: in the corpora, ham almost
never links to an ordinary domain, so the model gave any such link the weight of spam
(7.7 in log-odds per unit of the share). It is a fixed, capped weight instead (see
``checking``), and a link to an ordinary domain holds the comment for a person."""
DENSE_COLUMNS = len(DENSE_SIGNALS)
TOTAL_COLUMNS = HASHED_COLUMNS + DENSE_COLUMNS

_TAG = re.compile(r"<[^<>]{0,2000}>")
_HREF_IN_TAG = re.compile(r"(?i)<a\s[^>]{0,500}?href\s*=\s*[\"']?([^\"'\s>]{1,2000})[^>]{0,500}>")
_DIGIT = re.compile(r"\d")
_PHONE = re.compile(r"(?:\+?\d[\s().\-]{0,3}){9,15}")
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}")


def _collapse_spaces(text: str) -> str:
    """Runs of white space (``\\s``, which is what ``str.split`` splits on) as one space,
    none at either end."""
    return " ".join(text.split())


# Nine digits, each within four characters of the last: every match of _PHONE holds such
# a run (its separators and "+" are no digits), and a pattern that begins with a digit is
# searched far faster than _PHONE, which may begin with "+" and is tried at every position.
_NINE_DIGITS = re.compile(r"\d(?:\D{0,4}\d){8}")


def _has_phone(text: str) -> bool:
    """Whether ``text`` holds a phone number (``_PHONE``), searched from the first run of
    nine digits (a number begins at its first digit or at the "+" just before it)."""
    digits = _NINE_DIGITS.search(text)
    return digits is not None and _PHONE.search(text, max(digits.start() - 1, 0)) is not None


def _has_email(text: str) -> bool:
    """Whether ``text`` holds an e-mail address (``_EMAIL``; none without an "@")."""
    return "@" in text and _EMAIL.search(text) is not None


if TYPE_CHECKING:  # SciPy is needed for training only; checking works on NumPy arrays.
    import scipy.sparse as sp

WORD_NGRAMS = (1, 2)
# Character n-grams run across word boundaries, so that a phrase's shape ("k out my c",
# "s comment i") is read even when a word is spelt differently. Measured with
# ``bench/spam_quality.py``: leave-one-video-out F1 at 1.5 % of ham blocked rose from
# 0.946 (2–5-grams within words) to 0.954; dropping the 2-grams cost nothing.
CHAR_NGRAMS = (3, 5)


def _numbers(parts: TextParts) -> list[hashing.Pieces]:
    """The n-grams of the word, character and source blocks of one submission, not yet
    hashed."""
    return [
        hashing.word_ngram_numbers(parts.model_text, *WORD_NGRAMS),
        hashing.char_ngram_numbers(parts.model_text, *CHAR_NGRAMS),
        hashing.token_numbers(parts.source_tokens.split()),
    ]


def block_columns(parts: TextParts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The hashed columns of the word, character and source blocks of one submission
    (one entry per n-gram or token, so a column repeats as often as its n-grams)."""
    words, chars, sources = (hashing.columns_of(b, HASHED_COLUMNS) for b in _numbers(parts))
    return words, chars, sources


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
    text = _collapse_spaces(unicodedata.normalize("NFKC", text))
    # Drop control and unassigned characters that binary junk brings, keep letters of
    # every script. White space is no longer among them (new lines, tabs and the other
    # unprintable spaces are collapsed already, as they would be once replaced).
    if not text.isprintable():
        # A text has few distinct characters: test those, then replace them all at once.
        unwanted = {ord(ch): " " for ch in set(text) if not ch.isprintable()}
        text = _collapse_spaces(text.translate(unwanted))
    return text


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


def _speaks_of(cleaned: str, excerpt: str, common: frozenset[str]) -> bool:
    """Whether a comment shares at least two distinctive words (four letters or more,
    neither stop nor common words) with the start of the post's body or excerpt (its
    first 500 characters, as a title is read)."""
    if not excerpt or not cleaned:
        return False
    post = {w for w in topic_words(excerpt, common) if len(w) >= 4}
    said = {w for w in _WORD.findall(cleaned[:20000].lower()) if len(w) >= 4}
    return len(post & said) >= 2


def source_tokens(
    author_url: str,
    author_email: str,
    links: LinkSummary,
    anchors: Iterable[str] = (),
    blocked: Iterable[str] = (),
) -> str:
    """Prefixed tokens for where the author comes from, where the links go, the words
    links are written on and the blocklist entries found.

    The author's name is not among them: names are one person's, so the model learnt
    nothing from them that held on another site. A name stuffed with keywords is a rule
    of its own (see ``rules``). Well-known domains get no token: a link to Wikipedia is
    no evidence either way.
    """
    tokens: list[str] = []
    site = domain_of(author_url)
    if site:
        tokens.append("u:" + site)
    if "@" in author_email:
        tokens.append("e:" + author_email.rsplit("@", 1)[-1].lower()[:100])
    for domain in links.ordinary_domains[:20]:
        tokens.append("d:" + domain)
    for anchor in anchors:
        tokens.extend("a:" + word for word in _WORD.findall(anchor.lower())[:10])
    for entry in blocked:
        tokens.append("b:" + "_".join(entry.split()))
    return " ".join(tokens)


@dataclass(frozen=True, slots=True)
class TextParts:
    """A submission's text, prepared once and shared by every signal."""

    cleaned: str
    model_text: str
    source_tokens: str
    links: LinkSummary
    dense: np.ndarray
    link_share: float = 0.0
    """The share of the text that is links to ordinary (not well-known) domains."""
    on_topic: bool = False
    """Whether the comment speaks of the post's subject (a word of its title, or two of
    its excerpt)."""
    anchors: tuple[str, ...] = ()
    """The words links are written on."""
    blocked: tuple[str, ...] = ()
    """WordPress blocklist entries found in the content."""

    def dense_value(self, name: str) -> float:
        """One dense column's value."""
        return float(self.dense[DENSE_SIGNALS.index(name)])


def _without_addresses(text: str, links: LinkSummary) -> str:
    """The text with its web addresses taken out (links to the page itself become one
    word): the text model reads what a comment says, not the characters of addresses."""
    for url in links.page_links:
        for form in dict.fromkeys((url, html.unescape(url))):
            text = text.replace(form, " thispagelink ")
    for written in links.obfuscated:
        text = text.replace(written, " ")
    for url in sorted(links.urls, key=len, reverse=True):
        for form in dict.fromkeys((url, html.unescape(url))):
            text = text.replace(form, " ")
    # Bare "www.x" and "http://" stubs that were not whole links (in a text that has
    # "://" or "www." in any case).
    if "://" in text or "www." in text.lower():
        text = _ADDRESS_LEFTOVER.sub(" ", text)
    return _collapse_spaces(text)


_ADDRESS_LEFTOVER = re.compile(r"(?i)\b(?:https?|ftp)://\S{0,200}|\bwww\.\S{1,200}")


def prepare(
    content: str,
    author_url: str = "",
    author_email: str = "",
    permalink: str = "",
    title: str = "",
    common: frozenset[str] = frozenset(),
    blocklist: Blocklist | None = None,
    excerpt: str = "",
) -> TextParts:
    """Clean the content, find its links and compute the dense columns.

    ``permalink`` and ``title`` describe the page the submission was made on: links to
    that page are not counted as links elsewhere, and whether the comment names the
    page's subject is noted (``on_topic``; a rule weighs it, not the model, which saw
    titles only on YouTube). ``common`` are the words that never count as the subject
    (the model's :attr:`~.model.BaseModel.common_words`). ``blocklist`` is searched in
    the content (less the addresses of well-known sites) and the author's website. ``excerpt``, the post's body or excerpt when
    known, counts as the post's subject too when a comment shares two of its words.
    """
    raw = content or ""
    cleaned = clean_text(raw)
    # Links are read from the raw content too: an anchor's target is in the markup.
    lowered = raw.lower()
    marked_up = "<a" in lowered or "[url" in lowered
    links = find_links(raw if marked_up else cleaned, permalink)
    anchors = tuple(anchor_texts(raw)) if "[" in raw or marked_up else ()
    text_for_model = _without_addresses(cleaned, links)
    # The blocklist reads the words and the addresses of ordinary domains, not those of
    # well-known sites ("/en." is on it, for Wikipedia's address).
    ordinary_urls = [u for u in links.urls if (d := domain_of(u)) and not well_known(d)]
    searched = "\n".join([text_for_model, *ordinary_urls, author_url or ""])
    blocked = tuple(blocklist.matches(searched)) if blocklist else ()
    topic = topic_words(title, common)
    length = max(len(cleaned), 1)
    ordinary_chars = sum(len(url) for url in ordinary_urls)
    dense = np.array(
        [
            1.0 if links.bbcode_links else 0.0,
            1.0 if links.shorteners else 0.0,
            1.0 if links.odd_tlds else 0.0,
            1.0 if links.obfuscated else 0.0,
            # Not in web addresses: a status or order number is no one's phone.
            1.0 if _has_phone(text_for_model[:20000]) else 0.0,
            1.0 if _has_email(cleaned[:20000]) else 0.0,
            1.0 if links.page_links else 0.0,
            min(math.log1p(len(blocked)) / math.log(4), 1.5),
        ],
        dtype=np.float32,
    )
    return TextParts(
        cleaned=cleaned,
        model_text=model_text(text_for_model),
        link_share=min(ordinary_chars / length, 1.0),
        on_topic=on_topic(cleaned, topic) or _speaks_of(cleaned, excerpt, common),
        source_tokens=source_tokens(author_url or "", author_email or "", links, anchors, blocked),
        links=links,
        dense=dense,
        anchors=anchors,
        blocked=blocked,
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


_SCALES = np.array([WORD_BLOCK, CHAR_BLOCK, META_BLOCK], dtype=np.float32).tolist()
"""The blocks' weights as the sparse sum reads them (single precision)."""


def source_contributions(
    parts: TextParts, idf: np.ndarray, weights: np.ndarray
) -> dict[str, float]:
    """The raw score each kind of source token adds (``u``: the author's website, ``e``:
    e-mail domain, ``d``: linked domains, ``a``: words links are written on, ``b``:
    blocklist entries), read as :func:`single_row` weighs the source block."""
    if not parts.source_tokens:  # most submissions: no website, e-mail or link
        return {}
    tokens = Counter(parts.source_tokens.split())
    names = list(tokens)
    columns = hashing.token_columns(names, HASHED_COLUMNS)
    values = np.log1p(np.array([tokens[n] for n in names], dtype=np.float32)) * idf[columns]
    norm = float(np.sqrt(np.dot(values, values)))
    if norm == 0:
        return {}
    values = values * (META_BLOCK / norm)
    found: dict[str, float] = {}
    for name, column, value in zip(names, columns.tolist(), values.tolist(), strict=True):
        prefix = name.split(":", 1)[0]
        found[prefix] = found.get(prefix, 0.0) + float(weights[column]) * value
    return found


def single_row(parts: TextParts, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One submission's feature row as (column indices, values), without scipy overhead.

    Gives the same values as :func:`vectorise`. Checking one comment is a few dozen
    array operations in all: the n-grams of the three blocks are sorted together once,
    by column and then block (each column carries its block in two low bits), counted,
    weighed and normalised per block, then columns that several blocks share are added
    up, as in the sparse sum, so that per-site learning sees each column once. Every sum
    adds the same numbers in the same order as the sparse sum: a block's columns in
    ascending order, a column's blocks in order.
    """
    keys = hashing.tagged_columns(_numbers(parts), HASHED_COLUMNS)
    nonzero = np.flatnonzero(parts.dense)
    if not len(keys):
        return HASHED_COLUMNS + nonzero, parts.dense[nonzero].astype(np.float32)
    keys.sort()
    # Where each distinct (column, block) begins, and how many n-grams it counts.
    count = len(keys)
    change = np.empty(count + 1, dtype=bool)
    change[0] = change[count] = True
    np.not_equal(keys[1:], keys[:-1], out=change[1:count])
    bounds = np.flatnonzero(change)
    times = bounds[1:] - bounds[:-1]
    keys = keys[bounds[:-1]]
    columns, block = keys >> 2, keys & 3
    values = np.log1p(times.astype(np.float32)) * idf[columns]
    # Each block's scale over its length (in double precision, as the sparse sum);
    # three numbers, divided faster one by one than as arrays.
    squares = np.bincount(block, weights=values * values, minlength=3).tolist()
    scales = np.array(
        [scale / math.sqrt(q) if q > 0 else 0.0 for scale, q in zip(_SCALES, squares, strict=True)]
    )
    values = (values * scales[block]).astype(np.float32)
    shared = columns[1:] == columns[:-1]
    if shared.any():
        first = np.concatenate(([True], ~shared))
        values = np.bincount(np.cumsum(first) - 1, weights=values).astype(np.float32)
        columns = columns[first]
    else:
        # No column in two blocks (the usual case); adding +0.0 is what the sum does
        # to a lone value (it turns -0.0 into 0.0).
        values += np.float32(0.0)
    if not len(nonzero):
        return columns, values
    dense = parts.dense[nonzero].astype(np.float32)
    return np.concatenate([columns, HASHED_COLUMNS + nonzero]), np.concatenate([values, dense])
