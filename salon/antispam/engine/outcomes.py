"""Three outcomes from one score: approve, hold for a person, or spam.

**The rule.** A submission's calibrated score ``p`` (the probability of spam) is judged
against an *uncertain band* ``[hold_from, spam_from)``:

- ``p >= spam_from``: spam;
- ``hold_from <= p < spam_from``: held for a moderator;
- ``p < hold_from``: approved (unless a rule holds it: a link to a newly seen domain,
  one neither judged on this site nor cited by readers in the training corpora, an
  unusually long text, the money-testimonial scam's structure, a watch-list match).

Near-certain evidence (a blacklist, the honeypot, a campaign the site has seen, a domain
its moderators marked spam) makes a submission spam from ``p >= 0.5`` whatever the band.

**A score alone sends to spam only when near-certain.** The spam edge never lies below
``SPAM_FLOOR`` (98 %) for the balanced sensitivity, however the model's calibration
places it: on a site unlike its training, a model is surest exactly where it is wrong
(left out of training, Stack Exchange's own meta discussions scored 89–96 % on their
wording alone). And what the site has learnt from its moderators (``site_learning``) may
hold a submission but never carries it over the spam edge: the edge is compared with the
score less any push the site's learning gave it (``decide``'s ``spam_score``). A wrong
lesson or two must not send the next reader's words to spam.

The band is wide while the site's moderators have taught it little, and narrows as their
lessons (spam and not-spam decisions, ``n``) accumulate, since the site's own learning
then corrects the base model where it is wrong. Its edges for a new site (``H₀``, ``S₀``)
and a settled one (``H``, ``S``) are chosen in training from scores of comments from
sources the model had not seen (``model.BAND_SHARES``): a new site holds from the score
that only 3 % of such ordinary comments reach, and sends to spam from the one 0.2 % reach;
a settled site holds from the 1.5 % score, and its spam edge stays where it was (sending a
reader's words to spam is the costliest mistake). In between, in log-odds
(``logit(p) = ln p/(1-p)``)::

    w(n)      = N / (N + n)                      N = 100 lessons: w is 1, ½ at 100, ⅕ at 400
    hold_from = logit⁻¹( H + (H₀ - H) · w(n) )
    spam_from = logit⁻¹( S + (S₀ - S) · w(n) )

The sensitivity moves the spam edge: ``cautious`` by +1 in log-odds (spam only when
surer), ``strict`` by -1; it never falls below the hold edge. ``salon spam_train`` and
``salon spam_eval`` print the band, and every verdict's last reason states it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from .verdicts import Sensitivity

SETTLING_LESSONS = 100
"""``N``: after this many lessons the band is half-way from its widest to its narrowest."""
DEFAULT_EDGES = {"new": (0.5, 0.99), "settled": (0.6, 0.95)}
"""Edges for a model that carries none (one trained without calibration folds)."""
SPAM_SHIFT = {Sensitivity.CAUTIOUS: 1.0, Sensitivity.BALANCED: 0.0, Sensitivity.STRICT: -1.0}
"""How far each sensitivity moves the spam edge, in log-odds."""
SPAM_FLOOR = 0.98
"""The lowest spam edge a balanced site gets from the model's band (see the rule above)."""
CERTAIN_SPAM_FROM = 0.5
"""Near-certain evidence makes spam from this score on."""
DISCARD_FROM = 0.995
"""Blatant spam (the honeypot, a blacklist, a campaign seen often) scoring this high may
be dropped unseen."""


def logit(p: float) -> float:
    """Log-odds of a probability."""
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def probability(z: float) -> float:
    """The probability of log-odds ``z``."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-min(z, 700.0)))
    return math.exp(max(z, -700.0)) / (1.0 + math.exp(max(z, -700.0)))


@dataclass(frozen=True, slots=True)
class Band:
    """The uncertain band a submission is judged with."""

    hold_from: float
    spam_from: float
    lessons: int
    settled: tuple[float, float] = (0.0, 0.0)
    """The edges this band narrows towards."""

    def describe(self) -> str:
        """The band and its rule in a sentence."""
        return (
            f"held from a score of {self.hold_from:.1%}, spam from {self.spam_from:.1%}; "
            f"this wide after {self.lessons} moderator "
            f"{'lesson' if self.lessons == 1 else 'lessons'} on this site, it narrows towards "
            f"{self.settled[0]:.1%}–{self.settled[1]:.1%} as lessons accumulate"
        )


def band(
    lessons: int,
    sensitivity: Sensitivity = Sensitivity.BALANCED,
    edges: dict[str, tuple[float, float]] | None = None,
) -> Band:
    """The uncertain band for a site with ``lessons`` moderator lessons (see the rule
    above); ``edges`` are the model's (:attr:`.model.BaseModel.band_edges`)."""
    edges = edges if edges and {"new", "settled"} <= set(edges) else DEFAULT_EDGES
    return _band(max(int(lessons), 0), Sensitivity(sensitivity), edges["new"], edges["settled"])


@lru_cache(maxsize=4096)
def _band(
    lessons: int,
    sensitivity: Sensitivity,
    new_edges: tuple[float, float],
    settled_edges: tuple[float, float],
) -> Band:
    (new_hold, new_spam), (settled_hold, settled_spam) = new_edges, settled_edges
    new_spam, settled_spam = max(new_spam, SPAM_FLOOR), max(settled_spam, SPAM_FLOOR)
    w = SETTLING_LESSONS / (SETTLING_LESSONS + lessons)
    shift = SPAM_SHIFT.get(sensitivity, 0.0)

    def between(new: float, settled: float) -> float:
        return logit(settled) + (logit(new) - logit(settled)) * w

    hold = between(new_hold, settled_hold)
    spam = max(between(new_spam, settled_spam) + shift, hold)
    settled = (settled_hold, probability(max(logit(settled_spam) + shift, logit(settled_hold))))
    return Band(
        hold_from=probability(hold), spam_from=probability(spam), lessons=lessons, settled=settled
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to do with a submission."""

    spam: bool
    hold: bool
    discard: bool


def decide(
    score: float,
    band: Band,
    certain: bool,
    blatant: bool,
    held_by_rule: bool,
    spam_score: float | None = None,
) -> Outcome:
    """Apply the rule to a score and the evidence that fired. ``spam_score`` is the score
    less what the site's own learning added to it (the score itself when it added
    nothing): only that may reach the spam edge."""
    spam_score = score if spam_score is None else min(spam_score, score)
    spam = spam_score >= band.spam_from or (certain and score >= CERTAIN_SPAM_FROM)
    hold = not spam and (score >= band.hold_from or held_by_rule)
    return Outcome(spam=spam, hold=hold, discard=spam and blatant and score >= DISCARD_FROM)
