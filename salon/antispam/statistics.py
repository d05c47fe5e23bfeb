"""The spam filter's record for the moderator: per-day counts, corrections, accuracy, and a chart.

The chart is an inline SVG drawn here, on the server: no JavaScript, nothing fetched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.html import escape

from salon.antispam.models import DailyTally, Lesson, SpamFilterSite

FIELDS = DailyTally.COUNTS


@dataclass
class Day:
    """One day's counts for one site."""

    day: date
    checked: int = 0
    spam: int = 0
    ham: int = 0
    missed_spam: int = 0
    false_positives: int = 0

    @property
    def corrections(self) -> int:
        return self.missed_spam + self.false_positives


@dataclass
class Summary:
    """A period's totals and the engine's accuracy over it."""

    days: list[Day]
    checked: int
    spam: int
    ham: int
    missed_spam: int
    false_positives: int
    reviewed: int
    reviewed_corrections: int

    @property
    def corrections(self) -> int:
        return self.missed_spam + self.false_positives

    @property
    def reviewed_accuracy(self) -> float | None:
        """Share of the comments moderators decided on where the engine had said the same."""
        if not self.reviewed:
            return None
        return (self.reviewed - self.reviewed_corrections) / self.reviewed

    @property
    def estimated_accuracy(self) -> float | None:
        """1 − corrections ÷ checked: every comment nobody corrected counted as right."""
        return estimated_accuracy(self.checked, self.corrections)


def estimated_accuracy(checked: int, corrections: int) -> float | None:
    """1 − corrections ÷ checked (None when nothing was checked)."""
    if not checked:
        return None
    return max(0.0, 1 - corrections / checked)


def summarise(site: SpamFilterSite | None, days: int = 30) -> Summary:
    """The last ``days`` days (today included) of a site's checks and corrections."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    by_day = {start + timedelta(days=n): Day(start + timedelta(days=n)) for n in range(days)}
    reviewed = reviewed_corrections = 0
    if site is not None:
        for row in DailyTally.objects.filter(site=site, day__gte=start).values("day", *FIELDS):
            entry = by_day.get(row["day"])
            if entry is not None:
                for field in FIELDS:
                    setattr(entry, field, row[field])
        # Each comment counts once, as its last decision left it (a decision taken back is
        # no correction; see filtering.teach).
        superseded = Lesson.objects.filter(
            site=site, comment=OuterRef("comment"), pk__gt=OuterRef("pk")
        )
        judged = (
            Lesson.objects.filter(
                site=site, decided_at__date__gte=start, engine_said_spam__isnull=False
            )
            .exclude(Exists(superseded))
            .aggregate(
                total=Count("pk"),
                wrong=Count("pk", filter=~Q(engine_said_spam=F("is_spam"))),
            )
        )
        reviewed, reviewed_corrections = judged["total"] or 0, judged["wrong"] or 0
    series = list(by_day.values())
    totals = {field: sum(getattr(d, field) for d in series) for field in FIELDS}
    return Summary(
        days=series,
        reviewed=reviewed,
        reviewed_corrections=reviewed_corrections,
        **totals,
    )


def month_totals(site: SpamFilterSite, start: date, end: date) -> dict[str, int]:
    """A site's counts between two days (``end`` excluded)."""
    sums = DailyTally.objects.filter(site=site, day__gte=start, day__lt=end).aggregate(
        **{field: Sum(field) for field in FIELDS}
    )
    return {field: sums[field] or 0 for field in FIELDS}


def totals_by_period(
    site: SpamFilterSite | None, start: date, end: date, monthly: bool
) -> dict[str, dict[str, int]]:
    """A site's counts for each day (``YYYY-MM-DD``) or month (``YYYY-MM``) from ``start`` to
    ``end`` (excluded), every period present, oldest first."""
    label = (lambda d: d.strftime("%Y-%m")) if monthly else (lambda d: d.isoformat())
    periods: dict[str, dict[str, int]] = {}
    day = start
    while day < end:
        periods.setdefault(label(day), dict.fromkeys(FIELDS, 0))
        day += timedelta(days=1)
    if site is not None:
        rows = DailyTally.objects.filter(site=site, day__gte=start, day__lt=end)
        for row in rows.values("day", *FIELDS):
            period = periods[label(row["day"])]
            for field in FIELDS:
                period[field] += row[field]
    return periods


def first_day(site: SpamFilterSite | None) -> date | None:
    """The first day a site has counts for."""
    if site is None:
        return None
    return (
        DailyTally.objects.filter(site=site).order_by("day").values_list("day", flat=True).first()
    )


COLOURS = {
    "spam": "#c0392b",
    "ham": "#27ae60",
    "missed_spam": "#e67e22",
    "false_positives": "#8e44ad",
}
LABELS = {
    "spam": "spam caught",
    "ham": "ham passed",
    "missed_spam": "missed spam",
    "false_positives": "false positives",
}


def chart_svg(days: list[Day], width: int = 760, height: int = 240) -> str:
    """Stacked bars (spam caught over ham passed) per day, corrections as dots above each bar."""
    left, right, top, bottom = 44, 10, 46, 34  # room above the bars for the dots
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([d.checked for d in days] + [d.spam + d.ham for d in days] + [1])
    step = plot_w / max(len(days), 1)
    # A date under every 5th bar, or fewer: about a dozen at most, so that none overlap.
    label_every = max(5, math.ceil(len(days) / 60) * 5)
    bar = max(step * 0.7, 1.0)

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / peak

    parts = [
        # As wide as its container up to its own size, so a phone shows it whole.
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'style="max-width:{width}px;height:auto;display:block" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        "<title>Comments checked per day: spam caught, ham passed, and corrections</title>",
    ]
    for fraction in (0, 0.5, 1):
        value = peak * fraction
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:.0f}</text>'
        )
    for index, entry in enumerate(days):
        x = left + index * step + (step - bar) / 2
        ham_top = y(entry.ham)
        spam_top = y(entry.ham + entry.spam)
        tip = escape(
            f"{entry.day:%Y-%m-%d}: {entry.checked} checked, {entry.spam} spam caught, "
            f"{entry.ham} ham passed, {entry.missed_spam} missed spam, "
            f"{entry.false_positives} false positives"
        )
        parts.append(f"<g><title>{tip}</title>")
        if entry.ham:
            parts.append(
                f'<rect x="{x:.1f}" y="{ham_top:.1f}" width="{bar:.1f}" '
                f'height="{top + plot_h - ham_top:.1f}" fill="{COLOURS["ham"]}"/>'
            )
        if entry.spam:
            parts.append(
                f'<rect x="{x:.1f}" y="{spam_top:.1f}" width="{bar:.1f}" '
                f'height="{ham_top - spam_top:.1f}" fill="{COLOURS["spam"]}"/>'
            )
        dot_y = spam_top - 6
        for field in ("missed_spam", "false_positives"):
            if getattr(entry, field):
                parts.append(
                    f'<circle cx="{x + bar / 2:.1f}" cy="{dot_y:.1f}" r="4" '
                    f'fill="{COLOURS[field]}"/>'
                )
                dot_y -= 10
        parts.append("</g>")
        last = index == len(days) - 1 and index % label_every >= label_every / 2
        if index % label_every == 0 or last:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" '
                f'text-anchor="middle">{entry.day:%m-%d}</text>'
            )
    legend_x = left
    for field in ("spam", "ham", "missed_spam", "false_positives"):
        parts.append(
            f'<rect x="{legend_x}" y="6" width="10" height="10" fill="{COLOURS[field]}"/>'
            f'<text x="{legend_x + 14}" y="15">{LABELS[field]}</text>'
        )
        legend_x += 120
    parts.append("</svg>")
    return "".join(parts)
