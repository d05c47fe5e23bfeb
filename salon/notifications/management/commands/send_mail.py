"""``salon send_mail``: empty the outbox (and announce posts that went live)."""

from __future__ import annotations

import logging
import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from salon.notifications.delivery import (
    DeliveryReport,
    deliver_due,
    forget_old_mail,
    mail_configured,
    smtp_server,
)
from salon.notifications.notices import announce_new_posts

log = logging.getLogger(__name__)


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
        while True:
            if loop:
                # A long-running loop must survive a restarted database; a dead connection
                # is dropped here and reopened by the next query.
                close_old_connections()
                try:
                    posts, report = self._round()
                except Exception:
                    log.exception("Mail round failed; trying again in %s s", every)
                    time.sleep(every)
                    continue
            else:
                posts, report = self._round()
            if not loop or report.sent or report.retrying or report.given_up or posts:
                self.stdout.write(
                    f"Mail: {report.sent} sent, {report.retrying} to retry, "
                    f"{report.given_up} given up, {report.skipped} withheld (spam); "
                    f"{posts} new posts announced."
                )
            if not loop:
                return
            time.sleep(every)

    def _round(self) -> tuple[int, DeliveryReport]:
        posts = announce_new_posts()
        report = deliver_due()
        forget_old_mail()
        return posts, report
