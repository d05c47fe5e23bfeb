"""One row of the moderation screen: everything a moderator reads to decide, gathered for a
whole page at once (the comments with their posts and parents in one query, the other
comments from the same addresses in one more)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.translation import gettext as _

from salon.desk.actions import Action, offered
from salon.discussion.avatars import avatar_url
from salon.discussion.display import date_formatter
from salon.discussion.history import Sources, Tally, sources_of
from salon.discussion.models import Comment

TOP_REASONS = 3


@dataclass
class Reason:
    message: str
    weight: float
    rule: bool  # a site rule (hold every comment, links, words…), not the filter's weighing

    @property
    def sign(self) -> str:
        return "" if self.rule else ("▲" if self.weight > 0 else "▼")

    @property
    def tendency(self) -> str:
        if self.rule:
            return _("site rule")
        return _("towards spam") if self.weight > 0 else _("towards not spam")


@dataclass
class Row:
    comment: Comment
    avatar: str
    sources: Sources
    actions: list[Action]
    reasons: list[Reason]
    date: str
    website_host: str
    moved: bool = False  # no longer in this tab (after an action)
    message: str = ""
    undo: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def score_percent(self) -> str:
        score = self.comment.spam_score
        return "" if score is None else f"{score:.0%}"

    @property
    def edit_url(self) -> str:
        return reverse("admin:discussion_comment_change", args=[self.comment.pk])

    @property
    def lessons_url(self) -> str:
        return reverse("admin:antispam_lesson_changelist") + f"?comment={self.comment.pk}"

    @property
    def by_email(self) -> Tally:
        return self.sources.by_email

    @property
    def by_ip(self) -> Tally:
        return self.sources.by_ip


def top_reasons(reasons: list[dict], limit: int = TOP_REASONS) -> list[Reason]:
    """The site rule that decided (stored with weight 0), then the filter's strongest signals."""
    rules = [
        Reason(r.get("message", r["signal"]), 0.0, True)
        for r in reasons
        if r.get("signal") and not r.get("weight")
    ]
    weighed = sorted(
        (r for r in reasons if r.get("weight")), key=lambda r: -abs(r.get("weight", 0))
    )
    return rules + [
        Reason(r.get("message", r.get("signal", "")), float(r["weight"]), False)
        for r in weighed[:limit]
    ]


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def build(comments: list[Comment]) -> list[Row]:
    """The rows for a page of comments (fetched with their post and parent)."""
    sources = sources_of(comments)
    formatted = date_formatter()
    prefix = reverse("discussion:avatar", args=["0" * 24])[: -(24 + len(".svg"))]
    return [
        Row(
            comment=c,
            avatar=avatar_url(c.author_email, c.author_name, prefix=prefix),
            sources=sources[c.pk],
            actions=offered(c.status),
            reasons=top_reasons(c.spam_reasons or []),
            date=formatted(c.created_at),
            website_host=_host(c.author_url),
        )
        for c in comments
    ]
