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
    comment_type: str = "comment"
    """What kind of submission the text stands for, as Akismet names it: ``comment``,
    ``message`` (a private message, like an SMS), ``contact-form`` (an e-mail)."""

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


def load_corpora(
    names: Iterable[str] = ("youtube", "sms", "spamassassin"), data_dir: Path | None = None
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
        else:
            raise ValueError(f"unknown corpus {name!r}")
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
) -> list[LabelledText]:
    """Rows of any CSV file with a text column and a label column, in file order."""
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
        }
        header = reader.fieldnames or []
        for what, column in named.items():
            if column and column not in header:
                raise ValueError(
                    f"{path}: no {what} column {column!r}; the columns are "
                    + ", ".join(repr(name) for name in header)
                )
        for record in reader:
            rows.append(
                LabelledText(
                    text=record.get(text_column) or "",
                    is_spam=(record.get(label_column) or "").strip() == spam_value,
                    author=(record.get(author_column) or "") if author_column else "",
                    url=(record.get(url_column) or "") if url_column else "",
                    email=(record.get(email_column) or "") if email_column else "",
                    title=(record.get(title_column) or "") if title_column else "",
                    permalink=(record.get(permalink_column) or "") if permalink_column else "",
                    comment_type=comment_type,
                    corpus=Path(path).stem,
                    part=Path(path).stem,
                )
            )
    return rows


def duplicate_groups(rows: Sequence[LabelledText]) -> list[int]:
    """A group number per row; rows with the same text share one (for grouped CV)."""
    numbers: dict[str, int] = {}
    return [numbers.setdefault(row.duplicate_key, len(numbers)) for row in rows]
