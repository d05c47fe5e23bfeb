"""What the spam engine is asked about (a submission) and what it answers (a verdict).

The fields of :class:`Submission` follow what an Akismet client sends, so that any
comment form, contact form or sign-up form can be checked the same way.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Any


class Sensitivity(enum.StrEnum):
    """How eager a site is to call something spam rather than hold it.

    ``cautious`` sends to spam only what scores higher still (more is held for a
    person), ``strict`` sends more to spam and holds more; see :mod:`.outcomes`.
    """

    CAUTIOUS = "cautious"
    BALANCED = "balanced"
    STRICT = "strict"


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
    post_excerpt: str = ""
    """The post's body or excerpt, when known: a comment that speaks of it is on topic."""


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
    """The engine's answer about one submission: one of three outcomes.

    - ``spam``: near-certain spam (a blacklist, the honeypot, a known campaign, or a
      score at or above ``spam_from``). ``discard`` is set as well only for blatant spam,
      which may be dropped unseen; other spam is kept where a moderator can rescue it.
    - ``hold``: uncertain (a score from ``hold_from`` up, a link to a newly seen
      domain: neither judged on this site nor cited by readers in the model's training
      rows, an unusually long text, the money-testimonial scam's structure, a watch-list
      match): a person should decide before it is published.
    - neither: publish it.

    ``hold_from`` and ``spam_from`` are the edges of the uncertain band this verdict
    was judged with; the band is wide for a site with few moderator lessons and narrows
    as they accumulate (:mod:`.outcomes`).
    """

    spam: bool
    score: float
    discard: bool = False
    hold: bool = False
    reasons: list[Reason] = field(default_factory=list)
    sensitivity: str = Sensitivity.BALANCED.value
    model_version: str = ""
    hold_from: float = 0.5
    spam_from: float = 0.5

    @property
    def outcome(self) -> str:
        """``"spam"``, ``"hold"`` or ``"approve"``."""
        return "spam" if self.spam else "hold" if self.hold else "approve"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form of the verdict, for storing beside the submission."""
        # Each field as it is (asdict() would deep-copy the reasons only to replace them).
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["outcome"] = self.outcome
        data["score"] = round(float(self.score), 6)
        data["hold_from"] = round(float(self.hold_from), 6)
        data["spam_from"] = round(float(self.spam_from), 6)
        data["reasons"] = self.reason_dicts()
        return data

    def reason_dicts(self) -> list[dict[str, Any]]:
        """The reasons as :meth:`to_dict` stores them (each weight to four places)."""
        return [
            {"signal": r.signal, "weight": round(float(r.weight), 4), "message": r.message}
            for r in self.reasons
        ]

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
            hold_from=float(data.get("hold_from", 0.5)),
            spam_from=float(data.get("spam_from", 0.5)),
        )
