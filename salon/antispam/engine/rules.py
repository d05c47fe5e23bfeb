"""The engine's fixed rules: signals no corpus could teach the model, one function each.

Each rule reads a :class:`Context` (the submission, its prepared text, the site's
learning, the SmokeDetector lists) and returns the :class:`Signal` s it finds. A signal
carries a weight in log-odds and a sentence for the moderator, and may say that it
*holds* the submission for a person, that it is *certain* evidence of spam, or that it
is *blatant* (spam that may be dropped unseen). :data:`RULES` lists them in the order
they run; :mod:`.checking` adds their signals to the learned model's.

The site's moderation words, disallowed words and link limit are not here: they are the
site's own rules, applied once by the comment pipeline's ``decide_status``.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import campaigns, money_scams
from .language import unlike_blog
from .verdicts import History, Submission

if TYPE_CHECKING:
    from .features import TextParts
    from .site import SiteState
    from .smokedetector import SmokeDetectorRules

# Fixed log-odds of the signals the corpora cannot teach.
WEIGHT_HONEYPOT = 8.0
WEIGHT_INSTANT = 4.0
WEIGHT_FAST_TYPING = 2.0
WEIGHT_AUTHOR_KEYWORDS = 1.5
WEIGHT_AUTHOR_LINK = 1.0
WEIGHT_FOREIGN_LANGUAGE = 1.0
WEIGHT_BLACKLIST = 5.0
WEIGHT_CAMPAIGN = 2.5
WEIGHT_SPAM_DOMAIN = 3.0
WEIGHT_ON_TOPIC = -0.5
WATCHED_HOLD_MARGIN = 2.0
"""A SmokeDetector watch-list match holds a submission whose log-odds, raised by this
much, reach the hold edge (with the shipped model: from a score of 13 % on a new site,
22 % on a settled one). Those lists watch swear words and laughter ("fuck", "hahaha") as
well as spam's products: a rude or amused reader whose words the model reads as plainly
ordinary is not held for them, and the lists, far longer than the blacklists, are not
searched for such a text."""
TYPING_CHARS_PER_SECOND = 25.0
"""Faster than a fast typist (about 15 characters a second) sustains."""
LONG_COMMENT_CHARS = 2000
"""A comment this long is unusual (about 1 % of the Stack Exchange comments and posts,
none of the YouTube or Instagram comments): it is held for a person to read."""
NO_TYPING_TYPES = frozenset({"pingback", "trackback"})

# Words that turn an author "name" into an advert.
AUTHOR_KEYWORDS = frozenset(
    """buy cheap discount casino poker loan loans payday viagra cialis pills pharmacy seo
    essay essays escort escorts replica porn sex dating forex crypto bitcoin insurance
    mortgage download free bonus promo coupon deals sale online best hack followers
    likes weight diet keto vpn rolex outlet shop store marketing backlinks""".split()
)


@dataclass
class Signal:
    """One piece of evidence about a submission."""

    signal: str
    weight: float
    message: str
    hold: bool = False
    certain: bool = False
    blatant: bool = False
    always_shown: bool = False


@dataclass
class Context:
    """What a rule may read."""

    submission: Submission
    parts: TextParts
    author: str
    author_url: str
    author_email: str
    site: SiteState | None
    smokedetector: SmokeDetectorRules | None
    cited_domains: frozenset[str] = frozenset()
    """Domains readers cite in the model's training corpora and spam never links to
    (:func:`.model.cited_domains`)."""


def text(value: object, limit: int = 2000) -> str:
    """Any field value as bounded text: bytes are decoded, ``None`` is empty."""
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        value = bytes(value[: limit * 4]).decode("utf-8", "replace")
    elif not isinstance(value, str):
        value = str(value)
    return value[:limit]


def quote(words: str, limit: int = 40) -> str:
    """A short quotation of ``words`` on one line."""
    words = " ".join(words.split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


def plural(count: int, word: str) -> str:
    """``1 link``, ``2 links``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def honeypot(context: Context) -> list[Signal]:
    """The hidden form field only bots fill in."""
    value = text(context.submission.honeypot_value, 500)
    if not value.strip():
        return []
    field_name = text(context.submission.honeypot_field_name, 100) or "hidden"
    return [
        Signal(
            "honeypot",
            WEIGHT_HONEYPOT,
            f"the hidden form field {field_name!r} was filled in, which only bots do",
            certain=True,
            blatant=True,
        )
    ]


def typing_speed(context: Context) -> list[Signal]:
    """Sent sooner after the page loaded than a person reads and writes."""
    seconds = context.submission.seconds_to_submit
    kind = text(context.submission.comment_type, 50).strip().lower() or "comment"
    if not (
        isinstance(seconds, int | float)
        and math.isfinite(seconds)
        and seconds >= 0
        and kind not in NO_TYPING_TYPES
    ):
        return []
    typed = len(context.parts.cleaned)
    if seconds < 2.0 and typed > 0:
        return [
            Signal(
                "too_fast",
                WEIGHT_INSTANT,
                f"submitted {seconds:.1f} s after the page loaded; nobody reads and writes that fast",
            )
        ]
    if seconds < 60 and typed / max(seconds, 0.1) > TYPING_CHARS_PER_SECOND and typed > 80:
        return [
            Signal(
                "too_fast",
                WEIGHT_FAST_TYPING,
                f"{typed} characters written in {seconds:.0f} s, faster than a person types",
            )
        ]
    return []


_LETTERS = re.compile(r"[^\W\d_]+")
_ADDRESS_IN_NAME = re.compile(r"(?i)https?://|www\.|\.(?:com|net|org|ru|info|xyz)\b")


def author_name(context: Context) -> list[Signal]:
    """A name stuffed with keywords, or a web address given as a name."""
    author = context.author
    words = _LETTERS.findall(author.lower())
    keywords = sorted({w for w in words if w in AUTHOR_KEYWORDS})
    if keywords and (len(words) >= 2 or len(author) > 12):
        return [
            Signal(
                "author_keywords",
                WEIGHT_AUTHOR_KEYWORDS,
                f"the author name {quote(author)!r} is stuffed with keywords ({', '.join(keywords[:4])})",
            )
        ]
    if _ADDRESS_IN_NAME.search(author):
        return [
            Signal(
                "author_keywords",
                WEIGHT_AUTHOR_LINK,
                f"the author name {quote(author)!r} is a web address, not a name",
            )
        ]
    return []


def language(context: Context) -> list[Signal]:
    """Written in a language clearly unlike the blog's."""
    blog_lang = text(context.submission.blog_lang, 100)
    foreign = unlike_blog(context.parts.cleaned, blog_lang)
    if not foreign:
        return []
    return [
        Signal(
            "language",
            WEIGHT_FOREIGN_LANGUAGE,
            f"written in {foreign!r}, unlike the blog ({blog_lang!r})",
        )
    ]


def history(context: Context) -> list[Signal]:
    """How this site judged the author's earlier submissions."""
    past = context.submission.history
    past = past if isinstance(past, History) else History()
    found = []
    if past.marked_spam > 0:
        found.append(
            Signal(
                "history_spam",
                min(1.5 + math.log2(past.marked_spam), 5.0),
                f"this author's e-mail, IP or website was marked spam {plural(past.marked_spam, 'time')} before",
            )
        )
    if past.approved > 0:
        found.append(
            Signal(
                "history_approved",
                -min(1.0 + math.log2(past.approved), 4.0),
                f"this author has {plural(past.approved, 'approved submission')} on this site",
            )
        )
    return found


def _smokedetector_text(context: Context) -> str:
    content = text(context.submission.content, 100_000)
    return "\n".join(
        [
            context.parts.cleaned if "<" in content else content,
            context.author,
            context.author_url,
            context.author_email,
        ]
    )


def smokedetector(context: Context) -> list[Signal]:
    """SmokeDetector's blacklists: certain spam."""
    if context.smokedetector is None:
        return []
    black = context.smokedetector.match(_smokedetector_text(context), watched=False)
    found = []
    if black:
        first = black[0]
        found.append(
            Signal(
                "smokedetector_blacklist",
                WEIGHT_BLACKLIST + min(len(black) - 1, 2),
                f"contains {quote(first.matched)!r}, on SmokeDetector's {first.list_name.replace('_', ' ')} list",
                certain=True,
                blatant=True,
            )
        )
    return found


def smokedetector_watched(context: Context) -> list[Signal]:
    """SmokeDetector's watch lists: held for a person. Not in :data:`RULES`: the engine
    asks only when the score is within :data:`WATCHED_HOLD_MARGIN` of the hold edge and
    nothing else holds the submission (see ``checking``)."""
    if context.smokedetector is None:
        return []
    watched = context.smokedetector.match(_smokedetector_text(context), limit=1, blacklists=False)
    if not watched:
        return []
    first = watched[0]
    return [
        Signal(
            "smokedetector_watched",
            0.0,
            f"contains {quote(first.matched)!r}, on SmokeDetector's {first.list_name.replace('_', ' ')} list; held for a person to check",
            hold=True,
        )
    ]


def campaign(context: Context) -> list[Signal]:
    """A near-duplicate of spam this site's moderators have confirmed."""
    if context.site is None or not context.site.remembers_spam:
        return []
    match = context.site.closest_campaign(campaigns.signature(context.parts.cleaned))
    if match is None:
        return []
    weight = (
        WEIGHT_CAMPAIGN + min(math.log2(match.times_seen), 3.0) + 2.0 * (match.similarity - 0.5)
    )
    days = max(0.0, (time.time() - match.last_seen) / 86400.0)
    when = "today" if days < 1 else f"{int(days)} days ago"
    return [
        Signal(
            "campaign",
            weight,
            f"text resembles spam seen {plural(match.times_seen, 'time')} on this site "
            f"({match.similarity:.0%} alike, last {when})",
            certain=match.times_seen >= 2 and match.similarity >= 0.7,
            blatant=match.times_seen >= 5 and match.similarity >= 0.8,
        )
    ]


def linked_domains(context: Context) -> list[Signal]:
    """Links to ordinary domains: held while the domain is newly seen, and counted
    against the submission when the site's moderators marked it spam.

    A domain is newly seen when this site's moderators have neither approved nor marked
    spam a submission linking to it, and it is not one readers cite in the training
    comment corpora (linked from two or more of their ordinary comments, from no spam,
    and on no blocklist; see :func:`.model.cited_domains`): a link to a dictionary or a comic that readers elsewhere
    cite is not held for it. Its share of the text still weighs (see ``checking``)."""
    domains = context.parts.links.ordinary_domains
    if not domains:
        return []
    site = context.site
    counts = {d: site.domain_counts(d) if site is not None else (0, 0) for d in domains}
    found = []
    spammed = [d for d, (approved, spam) in counts.items() if spam > approved]
    if spammed:
        times = max(counts[d][1] for d in spammed)
        found.append(
            Signal(
                "spam_domain",
                WEIGHT_SPAM_DOMAIN + min(math.log2(times), 3.0),
                f"links to {', '.join(spammed[:3])}, marked spam by this site's moderators "
                f"{plural(times, 'time')}",
                certain=times >= 2 and all(counts[d][0] == 0 for d in spammed),
                always_shown=True,
            )
        )
    unseen = [d for d, (approved, spam) in counts.items() if approved == 0 and spam == 0]
    cited = [d for d in unseen if d in context.cited_domains]
    if cited:
        unseen = [d for d in unseen if d not in context.cited_domains]
        found.append(
            Signal(
                "cited_domain",
                0.0,
                f"links to {', '.join(cited[:3])}{' and more' if len(cited) > 3 else ''}, "
                "which readers cite in the training corpora and their spam never links to; "
                "not held for it",
                always_shown=True,
            )
        )
    if unseen:
        found.append(
            Signal(
                "new_domain",
                0.0,
                f"links to {', '.join(unseen[:3])}"
                f"{' and more' if len(unseen) > 3 else ''}, not approved on this site before; "
                "held for a person to check",
                hold=True,
            )
        )
    return found


def on_topic(context: Context) -> list[Signal]:
    """Speaks of what the post is about: a word of its title (or two of its excerpt).

    A fixed, small weight: spam names a post's subject too, to look relevant, and the
    corpora cannot teach how much (only YouTube's have titles, and there spam names the
    singer as often as readers do)."""
    if not context.parts.on_topic:
        return []
    return [Signal("on_topic", WEIGHT_ON_TOPIC, "speaks of what the post is about")]


def long_comment(context: Context) -> list[Signal]:
    """An unusually long text: held for a person to read (its length is no evidence
    of spam, and does not move the score)."""
    length = len(context.parts.cleaned)
    if length < LONG_COMMENT_CHARS:
        return []
    return [
        Signal(
            "long_comment",
            0.0,
            f"a long comment ({length:,} characters, {LONG_COMMENT_CHARS:,} or more is unusual); held for a person to read",
            hold=True,
        )
    ]


def money_scam(context: Context) -> list[Signal]:
    """The money-testimonial scam and its relatives, by their structure (money made,
    credited to a handle to write to; see :mod:`.money_scams`): held for a person. Its
    weight is nil, so it never makes spam by itself: a reader telling how an investment
    went can read the same way."""
    found = money_scams.find(context.parts.cleaned)
    if found is None:
        return []
    return [Signal("money_scam", 0.0, f"{found.describe()}; held for a person to check", hold=True)]


RULES: tuple[Callable[[Context], list[Signal]], ...] = (
    honeypot,
    typing_speed,
    author_name,
    language,
    history,
    smokedetector,
    campaign,
    linked_domains,
    on_topic,
    long_comment,
    money_scam,
)
"""Every fixed rule, in the order it runs."""
