"""What a moderator wants to know about who wrote a comment: how this site decided the other
comments sent from the same e-mail address, and from the same IP address, counted apart.

An IP address is often shared (a library, a school, a mobile network), and an e-mail address
is only what someone typed; each says something different, so neither is called "the
author's". One query for any number of comments, so a page of them costs the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from salon.discussion.models import Comment


@dataclass
class Tally:
    """How many comments of one source are in each status."""

    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def approved(self) -> int:
        return self.by_status.get(Comment.Status.APPROVED, 0)

    @property
    def spam(self) -> int:
        return self.by_status.get(Comment.Status.SPAM, 0)

    @property
    def pending(self) -> int:
        return self.by_status.get(Comment.Status.PENDING, 0)

    @property
    def trash(self) -> int:
        return self.by_status.get(Comment.Status.TRASH, 0)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass
class Sources:
    """The other comments from one comment's e-mail address and from its IP address."""

    email: str
    ip: str
    by_email: Tally
    by_ip: Tally


def _email_key(email: str) -> str:
    return email.strip().lower()


def sources_of(comments: Iterable[Comment]) -> dict[int, Sources]:
    """For each comment (by id), the other comments sharing its e-mail and its IP address.

    One query: the statuses of every comment sharing an address with any of ``comments``,
    grouped; each comment's own status is then taken out of its two tallies.
    """
    comments = list(comments)
    emails = {_email_key(c.author_email) for c in comments if c.author_email}
    ips = {c.author_ip for c in comments if c.author_ip}
    by_email: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_ip: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if emails or ips:
        rows = (
            # E-mail addresses compared without case, as the pipeline's rules compare them.
            Comment.objects.annotate(email=Lower("author_email"))
            .filter(Q(email__in=emails) | Q(author_ip__in=ips))
            .order_by()
            .values("email", "author_ip", "status")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            key = row["email"] or ""
            if key and key in emails:
                by_email[key][row["status"]] += row["n"]
            if row["author_ip"] and row["author_ip"] in ips:
                by_ip[row["author_ip"]][row["status"]] += row["n"]
    found = {}
    for comment in comments:
        email = _email_key(comment.author_email or "")
        ip = comment.author_ip or ""
        mine = {comment.status: 1}
        found[comment.pk] = Sources(
            email=comment.author_email or "",
            ip=ip,
            by_email=_others(by_email.get(email) if email else None, mine),
            by_ip=_others(by_ip.get(ip) if ip else None, mine),
        )
    return found


def _others(counts: dict[str, int] | None, mine: dict[str, int]) -> Tally:
    if counts is None:
        return Tally()
    return Tally({s: n - mine.get(s, 0) for s, n in counts.items() if n - mine.get(s, 0) > 0})


def source_lines(sources: Sources) -> list[str]:
    """The two histories in words, e-mail first: "Other comments from this e-mail address
    (a@example.org): 2 approved, 0 spam"."""
    lines = []
    for label, value, tally in (
        (_("Other comments from this e-mail address (%(value)s)"), sources.email, sources.by_email),
        (_("Other comments from this IP address (%(value)s)"), sources.ip, sources.by_ip),
    ):
        if not value:
            continue
        counts = _("%(approved)d approved, %(spam)d spam") % {
            "approved": tally.approved,
            "spam": tally.spam,
        }
        extra = [
            _("%(n)d pending") % {"n": tally.pending} if tally.pending else "",
            _("%(n)d in the trash") % {"n": tally.trash} if tally.trash else "",
        ]
        lines.append(f"{label % {'value': value}}: {', '.join([counts, *filter(None, extra)])}")
    return lines
