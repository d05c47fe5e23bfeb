"""What the spam engine is asked about (a submission) and what it answers (a verdict).

The fields of :class:`Submission` follow what an Akismet client sends, so that any
comment form, contact form or sign-up form can be checked the same way.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Sensitivity(enum.StrEnum):
    """How eager a site is to call something spam.

    ``cautious`` blocks only what is very likely spam (fewest false positives),
    ``strict`` blocks more spam at the cost of some legitimate comments.
    """

    CAUTIOUS = "cautious"
    BALANCED = "balanced"
    STRICT = "strict"


# Thresholds on the calibrated score. Balanced is the plain "more likely spam than not";
# the other two trade recall against the share of ham blocked.
SPAM_THRESHOLDS: dict[Sensitivity, float] = {
    Sensitivity.CAUTIOUS: 0.85,
    Sensitivity.BALANCED: 0.5,
    Sensitivity.STRICT: 0.3,
}


@dataclass(frozen=True, slots=True)
class History:
    """What the site already knows about the author of a submission.

    Counts are of earlier submissions sharing the author's e-mail address, IP address
    or website, as moderated by this site.
    """

    email_approved: int = 0
    email_spam: int = 0
    ip_approved: int = 0
    ip_spam: int = 0
    url_approved: int = 0
    url_spam: int = 0

    @property
    def approved(self) -> int:
        """Earlier approved submissions by the same author (best of e-mail, IP, URL)."""
        return max(self.email_approved, self.ip_approved, self.url_approved, 0)

    @property
    def marked_spam(self) -> int:
        """Earlier submissions by the same author marked spam (best of e-mail, IP, URL)."""
        return max(self.email_spam, self.ip_spam, self.url_spam, 0)


@dataclass(slots=True)
class Submission:
    """One comment, reply, pingback, contact-form message or sign-up to judge."""

    content: str = ""
    author: str = ""
    author_email: str = ""
    author_url: str = ""
    user_ip: str = ""
    user_agent: str = ""
    referrer: str = ""
    permalink: str = ""
    comment_type: str = "comment"
    honeypot_field_name: str = ""
    honeypot_value: str = ""
    seconds_to_submit: float | None = None
    blog_lang: str = ""
    post_title: str = ""
    user_role: str = ""
    history: History = field(default_factory=History)
    moderation_words: tuple[str, ...] | list[str] = ()
    disallowed_words: tuple[str, ...] | list[str] = ()
    max_links: int | None = None
    """Hold a submission with this many links or more (WordPress ``comment_max_links``)."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One signal that moved the score, in words a moderator understands.

    ``weight`` is the signal's contribution in log-odds: positive pushes towards spam,
    negative towards ham.
    """

    signal: str
    weight: float
    message: str


@dataclass(slots=True)
class Verdict:
    """The engine's answer about one submission."""

    spam: bool
    score: float
    discard: bool = False
    hold: bool = False
    reasons: list[Reason] = field(default_factory=list)
    sensitivity: str = Sensitivity.BALANCED.value
    model_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form of the verdict, for storing beside the submission."""
        data = asdict(self)
        data["score"] = round(float(self.score), 6)
        data["reasons"] = [
            {"signal": r.signal, "weight": round(float(r.weight), 4), "message": r.message}
            for r in self.reasons
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        """Rebuild a verdict stored with :meth:`to_dict`."""
        return cls(
            spam=bool(data["spam"]),
            score=float(data["score"]),
            discard=bool(data.get("discard", False)),
            hold=bool(data.get("hold", False)),
            reasons=[Reason(**r) for r in data.get("reasons", [])],
            sensitivity=str(data.get("sensitivity", Sensitivity.BALANCED.value)),
            model_version=str(data.get("model_version", "")),
        )
