"""``salon send_mentions``: notify the pages that newly published or edited posts link to."""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from salon.mentions.sending import send_pending

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send Webmentions (or pingbacks) for live posts that changed since their links were "
        "last notified. `salon serve` runs this every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Keep running, sending what is due every SECONDS (default: once, then exit).",
        )

    def handle(self, *args, every: float, **options):
        if every < 0:
            raise CommandError("--every must be a positive number of seconds.")
        while True:
            try:
                count = send_pending()
            except Exception:
                if not every:
                    raise
                # A loop beside the server must outlive one bad round (a locked database,
                # a bug on one post); the next round tries again.
                log.exception("Sending mentions failed; trying again in %s s", every)
                count = 0
            if count or not every:
                self.stdout.write(f"Notified {count} linked page(s).")
                self.stdout.flush()
            if not every:
                return
            close_old_connections()
            time.sleep(every)
