"""``salon send_mail``: empty the outbox (and announce posts that went live)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from salon.background import Job, run_jobs
from salon.notifications.delivery import (
    DeliveryReport,
    mail_configured,
    mail_summary,
    smtp_server,
)
from salon.notifications.notices import mail_round


class Command(BaseCommand):
    help = (
        "Send queued mail, retrying failed messages with growing delays, and announce new "
        "posts to their subscribers. `salon serve` runs it in a loop when mail is configured."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, checking the outbox regularly."
        )
        parser.add_argument(
            "--every",
            type=float,
            default=10.0,
            metavar="SECONDS",
            help="With --loop: seconds between two rounds (default 10).",
        )

    def handle(self, *args, loop: bool = False, every: float = 10.0, **options):
        try:
            smtp_server()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if not mail_configured():
            raise CommandError(
                "Mail is off: set SALON_SMTP_URL (or SALON_EMAIL_HOST) and SALON_MAIL_FROM."
            )
        if every <= 0:
            raise CommandError("--every must be a positive number of seconds.")
        if not loop:
            self.stdout.write(mail_round() or mail_summary(0, DeliveryReport()))
            return
        run_jobs([Job("Mail round", mail_round, every)], self.stdout.write)
