"""The spam engine: judge a submission, learn from a moderator's decision.

One logistic model combines every signal in log-odds. The learned part (text n-grams,
author and link tokens, link counts and density, the site's own correction) comes
from training and from the site's moderators; signals the corpora cannot teach
(honeypot, typing speed, language, campaigns, the site's word lists and history,
SmokeDetector's lists) add fixed weights chosen from what each signal means. Each
signal that moves the score becomes a :class:`~.verdicts.Reason`.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import campaigns, features
from .corpora import spam_data_dir
from .language import unlike_blog
from .model import MODEL_FILENAME, BaseModel, medium_index
from .site import SiteState
from .smokedetector import SmokeDetectorRules
from .verdicts import SPAM_THRESHOLDS, History, Reason, Sensitivity, Submission, Verdict

MAX_CONTENT_CHARS = 100_000
"""Content beyond this is not read at all (Akismet's own limit is 65,525 characters)."""

AKISMET_SPAM_AUTHORS = frozenset({"akismet-guaranteed-spam", "viagra-test-123"})
AKISMET_SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
NO_TYPING_TYPES = frozenset({"pingback", "trackback"})

# Words that turn an author "name" into an advert.
AUTHOR_KEYWORDS = frozenset(
    """buy cheap discount casino poker loan loans payday viagra cialis pills pharmacy seo
    essay essays escort escorts replica porn sex dating forex crypto bitcoin insurance
    mortgage download free bonus promo coupon deals sale online best hack followers
    likes weight diet keto vpn rolex outlet shop store marketing backlinks""".split()
)

# Fixed log-odds of the signals the corpora cannot teach.
WEIGHT_HONEYPOT = 8.0
WEIGHT_INSTANT = 4.0
WEIGHT_FAST_TYPING = 2.0
WEIGHT_AUTHOR_KEYWORDS = 1.5
WEIGHT_AUTHOR_LINK = 1.0
WEIGHT_FOREIGN_LANGUAGE = 1.0
WEIGHT_DISALLOWED = 8.0
WEIGHT_BLACKLIST = 5.0
WEIGHT_WATCHED = 0.0
WEIGHT_CAMPAIGN = 2.5
# Link habits the corpora barely show (BBCode is forum spam; shorteners, cheap domains
# and addresses spelt to slip past filters hide the destination): a prior on top of
# whatever the model learned.
PRIOR_BBCODE = 1.0
PRIOR_SHORTENER = 1.0
PRIOR_ODD_TLD = 0.75
PRIOR_OBFUSCATED = 1.0
WEIGHT_SHOWN_TEXT_MODEL = 0.25
"""Reasons with a smaller absolute weight than this are left out of the verdict."""

DISCARD_SCORE = 0.995
TYPING_CHARS_PER_SECOND = 25.0
"""Faster than a fast typist (about 15 characters a second) sustains."""


@dataclass
class _Signal:
    signal: str
    weight: float
    message: str
    hold: bool = False
    blatant: bool = False
    always_shown: bool = False


def _text(value: object, limit: int = 2000) -> str:
    """Any field value as bounded text: bytes are decoded, ``None`` is empty."""
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        value = bytes(value[: limit * 4]).decode("utf-8", "replace")
    elif not isinstance(value, str):
        value = str(value)
    return value[:limit]


def _word_list(words: object) -> list[str]:
    """A site's word list, given as a sequence or as text with one entry a line."""
    if not words:
        return []
    if isinstance(words, str):
        words = words.splitlines()
    try:
        entries = [_text(w, 200).strip() for w in words]  # type: ignore[union-attr]
    except TypeError:
        return []
    return [w for w in entries if w][:5000]


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _sensitivity(value: object) -> Sensitivity:
    """The named sensitivity; an unknown or missing name means balanced."""
    try:
        return Sensitivity(str(value).lower()) if value else Sensitivity.BALANCED
    except ValueError:
        return Sensitivity.BALANCED


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-min(z, 700.0)))
    return math.exp(max(z, -700.0)) / (1.0 + math.exp(max(z, -700.0)))


@dataclass
class _Reading:
    """Everything computed once about a submission (shared by check and learn)."""

    content: str
    author: str
    author_email: str
    author_url: str
    parts: features.TextParts
    indices: np.ndarray
    values: np.ndarray
    medium: int
    base_raw: float
    base_logit: float
    topic_raw: float | None = None
    """How much naming the post's subject moved the raw score, when the comment does."""


class SpamEngine:
    """A loaded base model plus the SmokeDetector rules; thread-safe for checking."""

    def __init__(self, model: BaseModel, rules: SmokeDetectorRules | None = None) -> None:
        self.model = model
        self.rules = rules

    @classmethod
    def load(cls, data_dir: Path | None = None, with_smokedetector: bool = True) -> SpamEngine:
        """Load the shipped model (``data/spam/model.npz``) and SmokeDetector lists."""
        base = Path(data_dir) if data_dir is not None else spam_data_dir()
        model = BaseModel.load(base / MODEL_FILENAME)
        rules = None
        if with_smokedetector and (base / "smokedetector").is_dir():
            rules = SmokeDetectorRules.load(
                base / "smokedetector", base / "smokedetector-index.json"
            )
        return cls(model, rules)

    # -- reading -------------------------------------------------------------------------

    def _read(self, submission: Submission) -> _Reading:
        content = _text(submission.content, MAX_CONTENT_CHARS)
        author = _text(submission.author, 500)
        author_email = _text(submission.author_email, 500)
        author_url = _text(submission.author_url, 2000)
        parts = features.prepare(
            content,
            author_url=author_url,
            author_email=author_email,
            permalink=_text(submission.permalink, 2000),
            title=_text(submission.post_title, 500),
            common=self.model.common_words,
        )
        indices, values = features.single_row(parts, self.model.idf)
        medium = medium_index(_text(submission.comment_type, 50))
        weights = self.model.weights[medium]
        base_raw = float(np.dot(weights[indices], values)) + self.model.intercept
        topic_raw = None
        if parts.unmarked_text:
            # Naming the post's subject is read by the n-grams around it as well as by
            # its own column: its say is the difference from the text read without it.
            plain_indices, plain_values = features.single_row(parts.without_topic(), self.model.idf)
            topic_raw = base_raw - (
                float(np.dot(weights[plain_indices], plain_values)) + self.model.intercept
            )
        # The constant column is the base model's per-medium bias; a site learns its own
        # bias separately, so the site sees the row without it.
        keep = indices != features.CONSTANT_COLUMN
        indices, values = indices[keep], values[keep]
        return _Reading(
            content=content,
            author=author,
            author_email=author_email,
            author_url=author_url,
            parts=parts,
            indices=indices,
            values=values,
            medium=medium,
            base_raw=base_raw,
            base_logit=float(self.model.calibrated_logit(base_raw, medium)),
            topic_raw=topic_raw,
        )

    # -- judging -------------------------------------------------------------------------

    def check(
        self,
        submission: Submission,
        site: SiteState | None = None,
        sensitivity: Sensitivity | str | None = None,
    ) -> Verdict:
        """Judge one submission for a site (``None``: the base model alone).

        Never raises: should anything unexpected fail, the submission is held for a
        person to decide, and the reason says so.
        """
        chosen = _sensitivity(sensitivity or (site.sensitivity if site else None))
        try:
            return self._check(submission, site, chosen)
        except Exception as error:  # noqa: BLE001 - a spam check must not break posting
            return Verdict(
                spam=False,
                score=0.5,
                hold=True,
                reasons=[
                    Reason(
                        "engine_error",
                        0.0,
                        f"the spam check failed ({type(error).__name__}); held for a person to decide",
                    )
                ],
                sensitivity=chosen.value,
                model_version=self.model.version,
            )

    def _check(
        self, submission: Submission, site: SiteState | None, sensitivity: Sensitivity
    ) -> Verdict:
        author = _text(submission.author, 500).strip()
        email = _text(submission.author_email, 500).strip().lower()
        version = self.model.version
        if author.lower() in AKISMET_SPAM_AUTHORS or email == AKISMET_SPAM_EMAIL:
            which = (
                f"author {author!r}"
                if author.lower() in AKISMET_SPAM_AUTHORS
                else f"e-mail {email!r}"
            )
            return Verdict(
                spam=True,
                score=1.0,
                reasons=[
                    Reason(
                        "akismet_test",
                        50.0,
                        f"the {which} is Akismet's test value for guaranteed spam",
                    )
                ],
                sensitivity=sensitivity.value,
                model_version=version,
            )
        if _text(submission.user_role, 100).strip().lower() == "administrator":
            return Verdict(
                spam=False,
                score=0.0,
                reasons=[
                    Reason(
                        "administrator", -50.0, "written by a site administrator, who is never spam"
                    )
                ],
                sensitivity=sensitivity.value,
                model_version=version,
            )

        reading = self._read(submission)
        signals = self._model_signals(reading, site)
        signals.extend(self._rule_signals(submission, reading, site))

        logit = sum(s.weight for s in signals)
        score = _sigmoid(logit)
        learned = self.model.threshold(reading.medium, sensitivity.value)
        threshold = learned if learned is not None else SPAM_THRESHOLDS[sensitivity]
        hold_rules = [s for s in signals if s.hold]
        forced = any(s.signal == "disallowed_words" for s in signals)
        spam = score >= threshold or forced
        blatant = any(s.blatant for s in signals)
        discard = spam and blatant and score >= DISCARD_SCORE
        hold = not spam and bool(hold_rules)
        shown = [
            s
            for s in signals
            if s.hold or s.always_shown or abs(s.weight) >= WEIGHT_SHOWN_TEXT_MODEL
        ]
        shown.sort(key=lambda s: -abs(s.weight))
        return Verdict(
            spam=spam,
            score=score,
            discard=discard,
            hold=hold,
            reasons=[Reason(s.signal, round(s.weight, 4), s.message) for s in shown],
            sensitivity=sensitivity.value,
            model_version=version,
        )

    def _model_signals(self, reading: _Reading, site: SiteState | None) -> list[_Signal]:
        """The learned part of the score, split into moderator-readable pieces."""
        model = self.model
        parts = reading.parts
        links = parts.links
        slope = float(model.platt_slopes[reading.medium])
        dense_start = features.HASHED_COLUMNS
        dense_weights = model.weights[reading.medium, dense_start:]
        contribution = {
            name: slope * float(dense_weights[k]) * float(parts.dense[k])
            for k, name in enumerate(features.DENSE_SIGNALS)
        }
        link_names = ("has_link", "link_count", "two_or_more_links", "link_density", "html_link")
        link_weight = sum(contribution[n] for n in link_names)
        signals: list[_Signal] = []
        if links.count:
            density = int(
                round(100 * float(parts.dense[features.DENSE_SIGNALS.index("link_density")]))
            )
            signals.append(
                _Signal(
                    "links",
                    link_weight,
                    f"{_plural(links.count, 'link')}, {density}% of the text is links",
                    always_shown=True,
                )
            )
        if links.bbcode_links:
            signals.append(
                _Signal(
                    "bbcode_links",
                    contribution["bbcode_link"] + PRIOR_BBCODE,
                    f"{_plural(links.bbcode_links, 'BBCode link')} ([url=…]), a forum-spam habit",
                    always_shown=True,
                )
            )
        if links.shorteners:
            signals.append(
                _Signal(
                    "url_shortener",
                    max(contribution["url_shortener"], 0.0) + PRIOR_SHORTENER,
                    f"links through a URL shortener ({', '.join(sorted(set(links.shorteners))[:3])}) hide where they lead",
                    always_shown=True,
                )
            )
        if links.odd_tlds:
            signals.append(
                _Signal(
                    "odd_tld",
                    max(contribution["odd_tld"], 0.0) + PRIOR_ODD_TLD,
                    f"links to domains under top-level domains favoured by spam ({', '.join(sorted(set(links.odd_tlds))[:3])})",
                    always_shown=True,
                )
            )
        if links.obfuscated:
            signals.append(
                _Signal(
                    "obfuscated_link",
                    PRIOR_OBFUSCATED,
                    f"a web address written to slip past link filters ({_quote(links.obfuscated[0])!r})",
                    always_shown=True,
                )
            )
        shape = sum(contribution[n] for n in ("length", "shouting", "exclamations", "constant"))
        other_dense = (
            contribution["phone_number"]
            + contribution["email_in_text"]
            + contribution["author_url"]
        )
        if contribution["phone_number"]:
            signals.append(
                _Signal(
                    "phone_number",
                    contribution["phone_number"],
                    "contains a phone number",
                    always_shown=True,
                )
            )
            other_dense -= contribution["phone_number"]
        if parts.links.page_links:
            signals.append(
                _Signal(
                    "page_link",
                    contribution["page_link"],
                    f"{_plural(len(parts.links.page_links), 'link')} to this very page, which promotes nothing",
                    always_shown=True,
                )
            )
        # The say of the post's subject, from its column and from the n-grams around it
        # (which the text model's weight then leaves out).
        topic_weight = (
            slope * reading.topic_raw if reading.topic_raw is not None else contribution["on_topic"]
        )
        if topic_weight:
            signals.append(
                _Signal(
                    "on_topic",
                    topic_weight,
                    "speaks of what the post is about (a word of its title)"
                    if topic_weight < 0
                    else "names the post's subject (a word of its title) the way spam does to look relevant",
                )
            )
        dense_total = sum(contribution.values())
        text_weight = reading.base_logit - dense_total - (topic_weight - contribution["on_topic"])
        # The calibrated intercept and the text's shape are part of the text model's say.
        text_weight_all = text_weight + shape + other_dense
        probability = _sigmoid(reading.base_logit)
        # The learned model's verdict counts the links too; say so when the wording and
        # the model as a whole disagree, so the two numbers do not seem to contradict.
        besides = "apart from its links, " if links.count else ""
        if text_weight_all >= 0:
            message = f"{besides}the wording resembles spam in the training corpora"
        else:
            message = f"{besides}the wording reads like ordinary comments"
        message += (
            f" (learned model{', links included' if links.count else ''}: {probability:.0%} spam)"
        )
        signals.insert(0, _Signal("text_model", text_weight_all, message))
        if site is not None:
            correction = site.correction(reading.indices, reading.values)
            if correction:
                direction = "spam" if correction > 0 else "not spam"
                signals.append(
                    _Signal(
                        "site_learning",
                        correction,
                        f"this site's moderators marked similar submissions {direction} "
                        f"({_plural(site.spam_lessons, 'spam lesson')}, {_plural(site.ham_lessons, 'ham lesson')} so far)",
                    )
                )
        return signals

    def _rule_signals(
        self, submission: Submission, reading: _Reading, site: SiteState | None
    ) -> list[_Signal]:
        """Signals with fixed weights: what no corpus could teach the model."""
        signals: list[_Signal] = []
        content = reading.content
        comment_type = _text(submission.comment_type, 50).strip().lower() or "comment"

        honeypot = _text(submission.honeypot_value, 500)
        if honeypot.strip():
            field_name = _text(submission.honeypot_field_name, 100) or "hidden"
            signals.append(
                _Signal(
                    "honeypot",
                    WEIGHT_HONEYPOT,
                    f"the hidden form field {field_name!r} was filled in, which only bots do",
                    blatant=True,
                )
            )

        seconds = submission.seconds_to_submit
        if (
            isinstance(seconds, int | float)
            and math.isfinite(seconds)
            and seconds >= 0
            and comment_type not in NO_TYPING_TYPES
        ):
            typed = len(reading.parts.cleaned)
            if seconds < 2.0 and typed > 0:
                signals.append(
                    _Signal(
                        "too_fast",
                        WEIGHT_INSTANT,
                        f"submitted {seconds:.1f} s after the page loaded; nobody reads and writes that fast",
                    )
                )
            elif (
                seconds < 60 and typed / max(seconds, 0.1) > TYPING_CHARS_PER_SECOND and typed > 80
            ):
                signals.append(
                    _Signal(
                        "too_fast",
                        WEIGHT_FAST_TYPING,
                        f"{typed} characters written in {seconds:.0f} s, faster than a person types",
                    )
                )

        author_words = re.findall(r"[^\W\d_]+", reading.author.lower())
        keywords = sorted({w for w in author_words if w in AUTHOR_KEYWORDS})
        if keywords and (len(author_words) >= 2 or len(keywords) >= 1 and len(reading.author) > 12):
            signals.append(
                _Signal(
                    "author_keywords",
                    WEIGHT_AUTHOR_KEYWORDS,
                    f"the author name {_quote(reading.author)!r} is stuffed with keywords ({', '.join(keywords[:4])})",
                )
            )
        elif re.search(r"(?i)https?://|www\.|\.(?:com|net|org|ru|info|xyz)\b", reading.author):
            signals.append(
                _Signal(
                    "author_keywords",
                    WEIGHT_AUTHOR_LINK,
                    f"the author name {_quote(reading.author)!r} is a web address, not a name",
                )
            )

        foreign = unlike_blog(reading.parts.cleaned, _text(submission.blog_lang, 100))
        if foreign:
            signals.append(
                _Signal(
                    "language",
                    WEIGHT_FOREIGN_LANGUAGE,
                    f"written in {foreign!r}, unlike the blog ({_text(submission.blog_lang, 100)!r})",
                )
            )

        max_links = submission.max_links
        if isinstance(max_links, int) and max_links > 0 and reading.parts.links.count >= max_links:
            signals.append(
                _Signal(
                    "max_links",
                    0.0,
                    f"{_plural(reading.parts.links.count, 'link')}; {max_links} or more hold a comment",
                    hold=True,
                )
            )

        searchable = "\n".join(
            [
                content,
                reading.author,
                reading.author_email,
                reading.author_url,
                _text(submission.user_ip, 100),
                _text(submission.user_agent, 1000),
            ]
        ).lower()
        disallowed = [w for w in _word_list(submission.disallowed_words) if w.lower() in searchable]
        if disallowed:
            signals.append(
                _Signal(
                    "disallowed_words",
                    WEIGHT_DISALLOWED,
                    f"contains {_quote(disallowed[0])!r}, on this site's disallowed words list",
                    blatant=True,
                )
            )
        moderated = [w for w in _word_list(submission.moderation_words) if w.lower() in searchable]
        if moderated:
            signals.append(
                _Signal(
                    "moderation_words",
                    0.0,
                    f"contains {_quote(moderated[0])!r}, on this site's moderation list",
                    hold=True,
                )
            )

        history = submission.history if isinstance(submission.history, History) else History()
        if history.marked_spam > 0:
            weight = min(1.5 + math.log2(history.marked_spam), 5.0)
            signals.append(
                _Signal(
                    "history_spam",
                    weight,
                    f"this author's e-mail, IP or website was marked spam {_plural(history.marked_spam, 'time')} before",
                )
            )
        if history.approved > 0:
            weight = -min(1.0 + math.log2(history.approved), 4.0)
            signals.append(
                _Signal(
                    "history_approved",
                    weight,
                    f"this author has {_plural(history.approved, 'approved submission')} on this site",
                )
            )

        if self.rules is not None:
            text = "\n".join(
                [
                    reading.parts.cleaned if "<" in content else content,
                    reading.author,
                    reading.author_url,
                    reading.author_email,
                ]
            )
            matches = self.rules.match(text)
            black = [m for m in matches if m.blacklisted]
            watched = [m for m in matches if not m.blacklisted]
            if black:
                first = black[0]
                signals.append(
                    _Signal(
                        "smokedetector_blacklist",
                        WEIGHT_BLACKLIST + min(len(black) - 1, 2),
                        f"contains {_quote(first.matched)!r}, on SmokeDetector's {first.list_name.replace('_', ' ')} list",
                        blatant=True,
                    )
                )
            if watched:
                first = watched[0]
                signals.append(
                    _Signal(
                        "smokedetector_watched",
                        WEIGHT_WATCHED,
                        f"contains {_quote(first.matched)!r}, on SmokeDetector's {first.list_name.replace('_', ' ')} list; held for a person to check",
                        hold=True,
                    )
                )

        if site is not None:
            match = site.closest_campaign(campaigns.signature(reading.parts.cleaned))
            if match is not None:
                weight = (
                    WEIGHT_CAMPAIGN
                    + min(math.log2(match.times_seen), 3.0)
                    + 2.0 * (match.similarity - 0.5)
                )
                days = max(0.0, (time.time() - match.last_seen) / 86400.0)
                when = "today" if days < 1 else f"{int(days)} days ago"
                signals.append(
                    _Signal(
                        "campaign",
                        weight,
                        f"text resembles spam seen {_plural(match.times_seen, 'time')} on this site "
                        f"({match.similarity:.0%} alike, last {when})",
                        blatant=match.times_seen >= 5 and match.similarity >= 0.8,
                    )
                )
        return signals

    # -- learning ------------------------------------------------------------------------

    def learn(
        self, site: SiteState, submission: Submission, is_spam: bool, now: float | None = None
    ) -> None:
        """Teach one site that a submission was (or was not) spam, effective at once."""
        reading = self._read(submission)
        predicted = _sigmoid(reading.base_logit + site.correction(reading.indices, reading.values))
        site.update(reading.indices, reading.values, predicted, bool(is_spam))
        signature = campaigns.signature(reading.parts.cleaned)
        if is_spam:
            site.spam_lessons += 1
            site.remember_spam(signature, time.time() if now is None else now)
        else:
            site.ham_lessons += 1
            site.forget_spam_like(signature)


_default_engine: SpamEngine | None = None
_default_lock = threading.Lock()


def default_engine() -> SpamEngine:
    """The engine with the shipped model, loaded on first use and then shared."""
    global _default_engine
    if _default_engine is None:
        with _default_lock:
            if _default_engine is None:
                _default_engine = SpamEngine.load()
    return _default_engine


def check(
    submission: Submission,
    site: SiteState | None = None,
    sensitivity: Sensitivity | str | None = None,
) -> Verdict:
    """Judge a submission with the shipped model (and the site's learning, if given)."""
    return default_engine().check(submission, site, sensitivity)


def learn(site: SiteState, submission: Submission, is_spam: bool, now: float | None = None) -> None:
    """Teach ``site`` a moderator's decision about ``submission``."""
    default_engine().learn(site, submission, is_spam, now)
