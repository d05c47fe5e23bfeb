"""Reading the labelled spam corpora Salon trains on (see ``data/spam/PROVENANCE.md``)."""

from __future__ import annotations

import csv
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

YOUTUBE_VIDEOS: tuple[str, ...] = (
    "Youtube01-Psy",
    "Youtube02-KatyPerry",
    "Youtube03-LMFAO",
    "Youtube04-Eminem",
)

# The page each YouTube file's comments were posted under: the video's address and
# title as YouTube shows them (the collection names each video by its id). A comment
# form tells the engine the same two things about its post.
YOUTUBE_PAGES: dict[str, tuple[str, str]] = {
    "Youtube01-Psy": (
        "https://www.youtube.com/watch?v=9bZkp7q19f0",
        "PSY - GANGNAM STYLE (강남스타일) M/V",
    ),
    "Youtube02-KatyPerry": ("https://www.youtube.com/watch?v=CevxZvSJLk8", "Katy Perry - Roar"),
    "Youtube03-LMFAO": (
        "https://www.youtube.com/watch?v=KQ6zr6kCPj8",
        "LMFAO - Party Rock Anthem ft. Lauren Bennett, GoonRock",
    ),
    "Youtube04-Eminem": (
        "https://www.youtube.com/watch?v=uelHwf8o7_U",
        "Eminem - Love The Way You Lie ft. Rihanna",
    ),
}


@dataclass(frozen=True, slots=True)
class LabelledText:
    """One labelled example: a submission's text fields and whether it is spam."""

    text: str
    is_spam: bool
    author: str = ""
    url: str = ""
    email: str = ""
    corpus: str = ""
    part: str = ""
    permalink: str = ""
    """The page the text was posted on, when known."""
    title: str = ""
    """That page's title, when known."""
    excerpt: str = ""
    """That page's body or excerpt, when known."""
    comment_type: str = "comment"
    """What kind of submission the text stands for, as Akismet names it: ``comment``,
    ``message`` (a private message, like an SMS), ``contact-form`` (an e-mail)."""
    order: str = ""
    """Where the row stands in its source's own order (a date or an id), for replaying a
    source as its comments arrived; empty keeps the file's order."""

    @property
    def source(self) -> str:
        """Where the text was posted (one video, one corpus): what benchmarks leave out."""
        return (
            f"{self.corpus}/{self.part}" if self.part and self.part != self.corpus else self.corpus
        )

    @property
    def duplicate_key(self) -> str:
        """Same for texts that differ only in case and spacing: duplicates share a fold."""
        folded = re.sub(r"\s+", " ", self.text.lower()).strip()
        return hashlib.blake2b(folded.encode("utf-8", "replace"), digest_size=8).hexdigest()


def spam_data_dir() -> Path:
    """Where the corpora and the shipped model live.

    ``SALON_SPAM_DATA`` overrides the default, the repository's ``data/spam``.
    """
    override = os.environ.get("SALON_SPAM_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "data" / "spam"


def read_youtube(path: Path) -> list[LabelledText]:
    """One YouTube Spam Collection file. The DATE column is deliberately never read:
    in the Eminem file it alone gives the label away."""
    rows: list[LabelledText] = []
    permalink, title = YOUTUBE_PAGES.get(path.stem, ("", ""))
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            rows.append(
                LabelledText(
                    text=record["CONTENT"],
                    is_spam=record["CLASS"].strip() == "1",
                    author=record["AUTHOR"],
                    corpus="youtube",
                    part=path.stem,
                    permalink=permalink,
                    title=title,
                )
            )
    return rows


def read_sms(path: Path) -> list[LabelledText]:
    """The SMS Spam Collection: ``label<TAB>text`` per line."""
    rows: list[LabelledText] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            label, _, text = line.rstrip("\n").partition("\t")
            if label in ("ham", "spam"):
                rows.append(
                    LabelledText(
                        text=text,
                        is_spam=label == "spam",
                        corpus="sms",
                        part="sms",
                        comment_type="message",
                    )
                )
    return rows


def read_spamassassin(path: Path) -> list[LabelledText]:
    """The SpamAssassin public corpus as a CSV of ``id,group,label,text``."""
    rows: list[LabelledText] = []
    with path.open(encoding="utf-8", newline="", errors="replace") as handle:
        for record in csv.DictReader(handle):
            rows.append(
                LabelledText(
                    text=record["text"],
                    is_spam=record["label"].strip() == "1",
                    corpus="spamassassin",
                    part=record["group"],
                    comment_type="contact-form",
                )
            )
    return rows


def _csv_records(path: Path) -> Iterable[dict[str, str]]:
    csv.field_size_limit(10_000_000)  # a few Stack Exchange posts are long
    with path.open(encoding="utf-8", newline="", errors="replace") as handle:
        yield from csv.DictReader(handle)


def read_instagram(path: Path) -> list[LabelledText]:
    """ScamSpot's Instagram comments (``text,label,number,msg_length``). The text was
    lower-cased by its collector; ``msg_length`` is only ``len(text)`` and is not read."""
    return [
        LabelledText(
            text=record["text"],
            is_spam=record["label"].strip() in ("1", "spam"),
            corpus="instagram",
            part="instagram",
            order=f"{int(record.get('number') or 0):08d}",
        )
        for record in _csv_records(path)
    ]


def read_stackexchange(path: Path, corpus: str) -> list[LabelledText]:
    """Stack Exchange posts and comments (Markdown source), spam or ham as labelled. The
    site is kept as the row's part, so that a benchmark can hold a site out; the post's
    address is not given to the engine (it would name the site)."""
    rows = []
    for record in _csv_records(path):
        order = record.get("date") or record.get("list_date") or ""
        post = record.get("post_id") or ""
        rows.append(
            LabelledText(
                text=record["text"],
                is_spam=record["label"].strip() in ("1", "spam"),
                corpus=corpus,
                part=record.get("site") or corpus,
                order=f"{order} {int(post):09d}" if post.isdigit() else order,
            )
        )
    return rows


CORPORA: tuple[str, ...] = (
    "youtube",
    "instagram",
    "stackexchange-spam",
    "stackexchange-ham",
    "sms",
    "spamassassin",
)
"""Every labelled corpus the base model is trained on (``data/spam/PROVENANCE.md``)."""

COMMENT_CORPORA: tuple[str, ...] = CORPORA[:4]
"""Those whose texts are public comments or posts on a web page."""


def load_corpora(
    names: Iterable[str] = CORPORA, data_dir: Path | None = None
) -> list[LabelledText]:
    """All rows of the named corpora, in a fixed order."""
    base = data_dir or spam_data_dir()
    rows: list[LabelledText] = []
    for name in names:
        if name == "youtube":
            for video in YOUTUBE_VIDEOS:
                rows.extend(read_youtube(base / "youtube" / f"{video}.csv"))
        elif name == "sms":
            rows.extend(read_sms(base / "sms" / "SMSSpamCollection"))
        elif name == "spamassassin":
            rows.extend(read_spamassassin(base / "spamassassin" / "spamassassin.csv"))
        elif name == "instagram":
            rows.extend(read_instagram(base / "scamspot-instagram" / "scamspot-instagram.csv"))
        elif name == "stackexchange-spam":
            rows.extend(
                read_stackexchange(
                    base / "stackexchange-spam" / "stackexchange-spam.csv", "stackexchange-spam"
                )
            )
        elif name == "stackexchange-ham":
            rows.extend(
                read_stackexchange(
                    base / "stackexchange-meta-ham" / "stackexchange-meta-ham.csv",
                    "stackexchange-ham",
                )
            )
        else:
            raise ValueError(f"unknown corpus {name!r}; known: {', '.join(CORPORA)}")
    return rows


def read_labelled_csv(
    path: Path,
    text_column: str = "text",
    label_column: str = "label",
    spam_value: str = "1",
    author_column: str | None = None,
    url_column: str | None = None,
    email_column: str | None = None,
    title_column: str | None = None,
    permalink_column: str | None = None,
    comment_type: str = "comment",
    excerpt_column: str | None = None,
    date_column: str | None = None,
    type_column: str | None = None,
) -> list[LabelledText]:
    """Rows of any CSV file with a text column and a label column.

    The other columns are optional, as a blog's export has them: the comment's author,
    website and e-mail; the post's title, address and body or excerpt; the comment's date
    (rows are then returned oldest first, as they arrived; dates compare as text, so use
    a sortable form such as ISO 8601) and type (``comment``, ``pingback``, ``trackback``…;
    empty cells take ``comment_type``).
    """
    rows: list[LabelledText] = []
    with Path(path).open(encoding="utf-8", newline="", errors="replace") as handle:
        reader = csv.DictReader(handle)
        named = {
            "text": text_column,
            "label": label_column,
            "author": author_column,
            "URL": url_column,
            "e-mail": email_column,
            "title": title_column,
            "permalink": permalink_column,
            "excerpt": excerpt_column,
            "date": date_column,
            "type": type_column,
        }
        header = reader.fieldnames or []
        for what, column in named.items():
            if column and column not in header:
                raise ValueError(
                    f"{path}: no {what} column {column!r}; the columns are "
                    + ", ".join(repr(name) for name in header)
                )

        def cell(record: dict[str, str], column: str | None) -> str:
            return (record.get(column) or "") if column else ""

        for record in reader:
            rows.append(
                LabelledText(
                    text=cell(record, text_column),
                    is_spam=cell(record, label_column).strip() == spam_value,
                    author=cell(record, author_column),
                    url=cell(record, url_column),
                    email=cell(record, email_column),
                    title=cell(record, title_column),
                    permalink=cell(record, permalink_column),
                    excerpt=cell(record, excerpt_column),
                    comment_type=cell(record, type_column).strip() or comment_type,
                    order=cell(record, date_column).strip(),
                    corpus=Path(path).stem,
                    part=Path(path).stem,
                )
            )
    if date_column:
        rows.sort(key=lambda row: row.order)
    return rows


def duplicate_groups(rows: Sequence[LabelledText]) -> list[int]:
    """A group number per row; rows with the same text share one (for grouped CV)."""
    numbers: dict[str, int] = {}
    return [numbers.setdefault(row.duplicate_key, len(numbers)) for row in rows]
