"""``salon send_mentions``: notify the pages that newly published or edited posts link to."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from salon.background import Job, run_jobs
from salon.mentions.sending import mentions_round, send_pending


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
        if not every:
            self.stdout.write(f"Notified {send_pending()} linked page(s).")
            return
        run_jobs([Job("Sending mentions", mentions_round, every)], self.stdout.write)
