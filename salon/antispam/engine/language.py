"""A light guess at the language of a submission, to notice text unlike the blog's.

Scripts (Cyrillic, Han, Arabic…) decide most cases; among Latin-script languages a
handful of very common words does. No dictionary or model is needed, and the guess
abstains on short or mixed text rather than risk a false alarm.
"""

from __future__ import annotations

import re
from collections import Counter

STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and is are was were you your this that with for have not but what of to it in".split()
    ),
    "de": frozenset(
        "der die das und ist nicht ich sie mit auf für ein eine den dem sich auch wir".split()
    ),
    "fr": frozenset(
        "le la les et est pas je vous avec pour une des du que qui dans sur nous ce".split()
    ),
    "es": frozenset(
        "el la los las y es no que con para una por del pero muy como está este yo".split()
    ),
    "it": frozenset(
        "il lo la gli le e è non che con per una del della sono questo ma anche".split()
    ),
    "pt": frozenset("o a os as e é não que com para uma do da em um por muito mas você".split()),
    "nl": frozenset("de het een en is niet ik je met voor van dat op zijn maar ook wij".split()),
    "id": frozenset("yang dan di ini itu dengan untuk tidak ada saya dari ke akan bisa".split()),
}

# Languages identified by their script alone (code → test on a character).
SCRIPTS: tuple[tuple[str, str], ...] = (
    ("ru", "\u0400-\u04ff"),
    ("zh", "\u4e00-\u9fff"),
    ("ja", "\u3040-\u30ff"),
    ("ko", "\uac00-\ud7af"),
    ("ar", "\u0600-\u06ff"),
    ("he", "\u0590-\u05ff"),
    ("el", "\u0370-\u03ff"),
    ("th", "\u0e00-\u0e7f"),
    ("hi", "\u0900-\u097f"),
)
_SCRIPT_PATTERNS = [(code, re.compile(f"[{chars}]")) for code, chars in SCRIPTS]
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD = re.compile(r"[^\W\d_]+")

# Languages that share a script: text in one is not "foreign" to a blog in another
# by script alone.
SCRIPT_FAMILY: dict[str, str] = {
    "ru": "cyrillic",
    "uk": "cyrillic",
    "bg": "cyrillic",
    "sr": "cyrillic",
    "zh": "han",
    "ja": "han",
}


def guess_language(text: str) -> str | None:
    """An ISO 639-1 code for the text's language, or ``None`` when unsure."""
    sample = text[:3000]
    # An ASCII text holds no character of another script, and its words are the same
    # lower-cased one by one or all at once.
    ascii_only = sample.isascii()
    if not ascii_only:
        letters = _LATIN.findall(sample)
        best_script, best_count = None, 0
        for code, pattern in _SCRIPT_PATTERNS:
            count = len(pattern.findall(sample))
            if count > best_count:
                best_script, best_count = code, count
        if best_script and best_count >= 10 and best_count > len(letters):
            return best_script
    if ascii_only:
        words = _WORD.findall(sample.lower())
    else:
        words = [w.lower() for w in _WORD.findall(sample)]
    if len(words) < 6:
        return None
    counts = Counter(words)
    scores = {
        code: sum(counts[w] for w in stop.intersection(counts)) for code, stop in STOPWORDS.items()
    }
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (top, top_score), (_, second_score) = ranked[0], ranked[1]
    # Demand a clear lead: short Latin-script words are shared between languages.
    if top_score >= 3 and top_score >= 2 * second_score and top_score / len(words) >= 0.1:
        return top
    return None


def unlike_blog(text: str, blog_lang: str) -> str | None:
    """The guessed language when it clearly differs from the blog's, else ``None``.

    ``blog_lang`` may be a list such as ``"en, fr_CA"`` as Akismet accepts.
    """
    if not blog_lang or not text:
        return None
    wanted = {part.strip().lower().replace("_", "-").split("-")[0] for part in blog_lang.split(",")}
    wanted.discard("")
    if not wanted:
        return None
    guessed = guess_language(text)
    if guessed is None or guessed in wanted:
        return None
    family = SCRIPT_FAMILY.get(guessed)
    if family and any(SCRIPT_FAMILY.get(w) == family for w in wanted):
        return None
    return guessed
