"""Turning stored comment values into what a reader sees, fast enough for 500 at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _


def date_formatter() -> Callable[[datetime], str]:
    """A function writing dates as "July 13, 2019 at 4:02 pm" in the active language.

    Django's ``date`` filter spends ~20 µs a call re-reading formats; this resolves the
    translated words once per page and then only does arithmetic.
    """
    months = {n: str(name) for n, name in MONTHS.items()}
    pattern = _("%(month)s %(day)s, %(year)s at %(time)s")
    am, pm = _("am"), _("pm")
    zone = timezone.get_current_timezone()

    def format_date(value: datetime) -> str:
        local = value.astimezone(zone)
        hour = local.hour % 12 or 12
        clock = f"{hour}:{local.minute:02d} {am if local.hour < 12 else pm}"
        return pattern % {
            "month": months[local.month],
            "day": local.day,
            "year": local.year,
            "time": clock,
        }

    return format_date
