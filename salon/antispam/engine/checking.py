"""The spam engine: judge a submission, learn from a moderator's decision.

One logistic score combines every signal in log-odds. The learned part (text n-grams,
link and source tokens, the dense link and content columns, the site's own correction)
comes from training and from the site's moderators; the fixed rules of :mod:`.rules`
(honeypot, typing speed, language, campaigns, history, SmokeDetector's lists, the
site's memory of linked domains, length, the money-testimonial scam) add what the corpora
cannot teach. Each signal that moves the score, or holds the submission, becomes a
:class:`~.verdicts.Reason`. :mod:`.outcomes` turns the score and the evidence into one
of three outcomes: approve, hold for a person, or spam.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import campaigns, features, outcomes
from .blocklist import Blocklist, blocklist_for
from .corpora import spam_data_dir
from .model import MODEL_FILENAME, BaseModel
from .rules import (
    RULES,
    WATCHED_HOLD_MARGIN,
    Context,
    Signal,
    plural,
    quote,
    smokedetector_watched,
    text,
)
from .site import SiteState
from .smokedetector import SmokeDetectorRules
from .verdicts import Reason, Sensitivity, Submission, Verdict

MAX_CONTENT_CHARS = 100_000
"""Content beyond this is not read at all (Akismet's own limit is 65,525 characters)."""

AKISMET_SPAM_AUTHORS = frozenset({"akismet-guaranteed-spam", "viagra-test-123"})
AKISMET_SPAM_EMAIL = "akismet-guaranteed-spam@example.com"

# Link habits the corpora barely show (BBCode is forum spam; shorteners, cheap domains
# and addresses spelt to slip past filters hide the destination): a prior on top of
# whatever the model learned.
PRIOR_BBCODE = 1.0
PRIOR_SHORTENER = 1.0
PRIOR_ODD_TLD = 0.75
PRIOR_OBFUSCATED = 1.0
WEIGHT_LINK_SHARE = 2.0
"""Log-odds added per unit of the share of the text that is links to ordinary domains (a
text that is nothing but such links gets +2): links alone can hold a comment, never
make it spam."""
SITE_CORRECTION_CAP = 3.0
"""The most the site's own learning may add to the log-odds: it learns fast from few
lessons, and alone it must not send to spam a text the base model and the rules find
ordinary (measured on the Instagram replay: uncapped, corrections of +5 to +13 sent 1.3 %
of its ham to spam in the second half)."""
SHOWN_WEIGHT = 0.25
"""Reasons with a smaller absolute weight than this are left out of the verdict, unless
they hold the submission or always show."""


def _sensitivity(value: object) -> Sensitivity:
    """The named sensitivity; an unknown or missing name means balanced."""
    try:
        return Sensitivity(str(value).lower()) if value else Sensitivity.BALANCED
    except ValueError:
        return Sensitivity.BALANCED


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
    base_raw: float
    base_logit: float


class SpamEngine:
    """A loaded base model plus the SmokeDetector rules and the WordPress blocklist;
    thread-safe for checking."""

    def __init__(
        self,
        model: BaseModel,
        rules: SmokeDetectorRules | None = None,
        blocklist: Blocklist | None = None,
    ) -> None:
        self.model = model
        self.rules = rules
        self._dense_weights: list[float] = model.weights[features.HASHED_COLUMNS :].tolist()
        """The model's weights of the dense columns, as Python numbers (read per check)."""
        self.blocklist = blocklist if blocklist is not None else blocklist_for(spam_data_dir())

    @classmethod
    def load(cls, data_dir: Path | None = None, with_smokedetector: bool = True) -> SpamEngine:
        """Load the shipped model (``data/spam/model.npz``), SmokeDetector lists and blocklist."""
        base = Path(data_dir) if data_dir is not None else spam_data_dir()
        model = BaseModel.load(base / MODEL_FILENAME)
        rules = None
        if with_smokedetector and (base / "smokedetector").is_dir():
            rules = SmokeDetectorRules.load(
                base / "smokedetector", base / "smokedetector-index.json"
            )
        return cls(model, rules, blocklist_for(base))

    # -- reading -------------------------------------------------------------------------

    def _prepare(
        self,
        content: str,
        *,
        author_url: str,
        author_email: str,
        permalink: str,
        title: str,
        excerpt: str,
    ) -> features.TextParts:
        """A submission's text prepared for the model and the rules (what depends on the
        text and the model's common words only; a benchmark may remember it)."""
        return features.prepare(
            content,
            author_url=author_url,
            author_email=author_email,
            permalink=permalink,
            title=title,
            common=self.model.common_words,
            blocklist=self.blocklist,
            excerpt=excerpt,
        )

    def _read(self, submission: Submission) -> _Reading:
        content = text(submission.content, MAX_CONTENT_CHARS)
        author_url = text(submission.author_url, 2000)
        author_email = text(submission.author_email, 500)
        parts = self._prepare(
            content,
            author_url=author_url,
            author_email=author_email,
            permalink=text(submission.permalink, 2000),
            title=text(submission.post_title, 500),
            excerpt=text(submission.post_excerpt, 5000),
        )
        indices, values = features.single_row(parts, self.model.idf)
        weights = self.model.weights
        base_raw = float(np.dot(weights[indices], values)) + self.model.intercept
        return _Reading(
            content=content,
            author=text(submission.author, 500),
            author_email=author_email,
            author_url=author_url,
            parts=parts,
            indices=indices,
            values=values,
            base_raw=base_raw,
            base_logit=float(self.model.calibrated_logit(base_raw)),
        )

    # -- judging -------------------------------------------------------------------------

    def check(
        self,
        submission: Submission,
        site: SiteState | None = None,
        sensitivity: Sensitivity | str | None = None,
    ) -> Verdict:
        """Judge one submission for a site (``None``: the base model alone, as for a
        site without lessons).

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
        author = text(submission.author, 500).strip()
        email = text(submission.author_email, 500).strip().lower()
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
                hold_from=1.0,
                spam_from=1.0,
            )
        if text(submission.user_role, 100).strip().lower() == "administrator":
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
                hold_from=1.0,
                spam_from=1.0,
            )

        reading = self._read(submission)
        signals = self._model_signals(reading, site)
        context = Context(
            submission=submission,
            parts=reading.parts,
            author=reading.author,
            author_url=reading.author_url,
            author_email=reading.author_email,
            site=site,
            smokedetector=self.rules,
            cited_domains=self.model.cited_domains,
        )
        for rule in RULES:
            signals.extend(rule(context))

        total = sum(s.weight for s in signals)
        score = outcomes.probability(total)
        pushed = sum(max(s.weight, 0.0) for s in signals if s.signal == "site_learning")
        band = outcomes.band(
            site.lessons if site is not None else 0, sensitivity, self.model.band_edges
        )
        outcome = self._decide(signals, total, pushed, band)
        if not (outcome.spam or outcome.hold) and total + WATCHED_HOLD_MARGIN >= outcomes.logit(
            band.hold_from
        ):
            watched = smokedetector_watched(context)
            if watched:
                signals.extend(watched)
                outcome = self._decide(signals, total, pushed, band)
        shown = [s for s in signals if s.hold or s.always_shown or abs(s.weight) >= SHOWN_WEIGHT]
        shown.sort(key=lambda s: -abs(s.weight))
        shown.append(Signal("band", 0.0, _band_message(score, band, outcome)))
        return Verdict(
            spam=outcome.spam,
            score=score,
            discard=outcome.discard,
            hold=outcome.hold,
            reasons=[Reason(s.signal, round(s.weight, 4), s.message) for s in shown],
            sensitivity=sensitivity.value,
            model_version=version,
            hold_from=band.hold_from,
            spam_from=band.spam_from,
        )

    @staticmethod
    def _decide(
        signals: list[Signal], total: float, pushed: float, band: outcomes.Band
    ) -> outcomes.Outcome:
        """The outcome of the signals, whose weights add up to ``total`` log-odds
        (``pushed`` of them from the site's own learning)."""
        return outcomes.decide(
            outcomes.probability(total),
            band,
            certain=any(s.certain for s in signals),
            blatant=any(s.blatant for s in signals),
            held_by_rule=any(s.hold for s in signals),
            spam_score=outcomes.probability(total - pushed),
        )

    def _model_signals(self, reading: _Reading, site: SiteState | None) -> list[Signal]:
        """The learned part of the score, split into moderator-readable pieces that
        add up to it."""
        model = self.model
        parts = reading.parts
        links = parts.links
        slope = model.platt_slope
        dense = {
            name: slope * weight * value
            for name, weight, value in zip(
                features.DENSE_SIGNALS, self._dense_weights, parts.dense.tolist(), strict=True
            )
        }
        tokens = {
            prefix: slope * raw
            for prefix, raw in features.source_contributions(
                parts, model.idf, model.weights
            ).items()
        }
        signals: list[Signal] = []
        ordinary = links.ordinary_domains
        if ordinary:
            count = sum(1 for d in links.domains if d in ordinary)
            signals.append(
                Signal(
                    "links",
                    WEIGHT_LINK_SHARE * parts.link_share + tokens.get("d", 0.0),
                    f"{plural(count, 'link')} to {', '.join(ordinary[:3])}"
                    f"{' and more' if len(ordinary) > 3 else ''}, "
                    f"{round(100 * parts.link_share)}% of the text "
                    "(weighed by that share and by what the model learnt of these domains)",
                    always_shown=True,
                )
            )
        known = [d for d in dict.fromkeys(links.domains) if d not in ordinary]
        if known:
            signals.append(
                Signal(
                    "well_known_links",
                    0.0,
                    f"{plural(len(known), 'link')} to well-known sites ({', '.join(known[:3])}), "
                    "no evidence of spam by themselves",
                    always_shown=True,
                )
            )
        if parts.anchors:
            signals.append(
                Signal(
                    "anchor_text",
                    tokens.get("a", 0.0),
                    f"links written on the words {', '.join(repr(quote(a, 30)) for a in parts.anchors[:3])}",
                )
            )
        if parts.blocked:
            signals.append(
                Signal(
                    "blocklist",
                    dense["blocklist"] + tokens.get("b", 0.0),
                    f"contains {', '.join(repr(quote(b, 30)) for b in parts.blocked[:3])}"
                    f"{' and more' if len(parts.blocked) > 3 else ''}, from the WordPress comment blocklist",
                    always_shown=True,
                )
            )
        if tokens.get("u", 0.0) + tokens.get("e", 0.0):
            signals.append(
                Signal(
                    "author_address",
                    tokens.get("u", 0.0) + tokens.get("e", 0.0),
                    "the author's website or e-mail domain",
                )
            )
        if links.bbcode_links:
            signals.append(
                Signal(
                    "bbcode_links",
                    dense["bbcode_link"] + PRIOR_BBCODE,
                    f"{plural(links.bbcode_links, 'BBCode link')} ([url=…]), a forum-spam habit",
                    always_shown=True,
                )
            )
        if links.shorteners:
            signals.append(
                Signal(
                    "url_shortener",
                    max(dense["url_shortener"], 0.0) + PRIOR_SHORTENER,
                    f"links through a URL shortener ({', '.join(sorted(set(links.shorteners))[:3])}) hide where they lead",
                    always_shown=True,
                )
            )
        if links.odd_tlds:
            signals.append(
                Signal(
                    "odd_tld",
                    max(dense["odd_tld"], 0.0) + PRIOR_ODD_TLD,
                    f"links to domains under top-level domains favoured by spam ({', '.join(sorted(set(links.odd_tlds))[:3])})",
                    always_shown=True,
                )
            )
        if links.obfuscated:
            signals.append(
                Signal(
                    "obfuscated_link",
                    max(dense["obfuscated_link"], 0.0) + PRIOR_OBFUSCATED,
                    f"a web address written to slip past link filters ({quote(links.obfuscated[0])!r})",
                    always_shown=True,
                )
            )
        if dense["phone_number"]:
            signals.append(
                Signal(
                    "phone_number",
                    dense["phone_number"],
                    "contains a phone number",
                    always_shown=True,
                )
            )
        if dense["email_in_text"]:
            signals.append(
                Signal("email_in_text", dense["email_in_text"], "contains an e-mail address")
            )
        if links.page_links:
            signals.append(
                Signal(
                    "page_link",
                    dense["page_link"],
                    f"{plural(len(links.page_links), 'link')} to this very page, which promotes nothing",
                    always_shown=True,
                )
            )
        # The wording is what is left of the learned score: the text's words and phrases
        # (addresses taken out) and the model's intercept.
        wording = reading.base_logit - sum(dense.values()) - sum(tokens.values())
        probability = outcomes.probability(reading.base_logit)
        message = (
            "the wording resembles spam in the training corpora"
            if wording >= 0
            else "the wording reads like ordinary comments"
        )
        message += f" (the learned model as a whole: {probability:.0%} spam)"
        signals.insert(0, Signal("text_model", wording, message))
        if site is not None:
            correction = min(site.correction(reading.indices, reading.values), SITE_CORRECTION_CAP)
            if correction:
                direction = "spam" if correction > 0 else "not spam"
                signals.append(
                    Signal(
                        "site_learning",
                        correction,
                        f"this site's moderators marked similar submissions {direction} "
                        f"({plural(site.spam_lessons, 'spam lesson')}, {plural(site.ham_lessons, 'ham lesson')} so far)",
                    )
                )
        return signals

    # -- learning ------------------------------------------------------------------------

    def learn(
        self, site: SiteState, submission: Submission, is_spam: bool, now: float | None = None
    ) -> None:
        """Teach one site that a submission was (or was not) spam, effective at once."""
        reading = self._read(submission)
        predicted = outcomes.probability(
            reading.base_logit + site.correction(reading.indices, reading.values)
        )
        site.update(reading.indices, reading.values, predicted, bool(is_spam))
        site.remember_domains(reading.parts.links.ordinary_domains, bool(is_spam))
        signature = campaigns.signature(reading.parts.cleaned)
        if is_spam:
            site.spam_lessons += 1
            site.remember_spam(signature, time.time() if now is None else now)
        else:
            site.ham_lessons += 1
            site.forget_spam_like(signature)


def _band_message(score: float, band: outcomes.Band, outcome: outcomes.Outcome) -> str:
    where = (
        "above the band only by what this site has learnt, which holds but never sends to spam"
        if score >= band.spam_from and not outcome.spam
        else "at or above the band"
        if score >= band.spam_from
        else "in the uncertain band"
        if score >= band.hold_from
        else "below the band"
    )
    return f"score {score:.1%}, {where}: {band.describe()}"


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
