"""``salon background``: the periodic work of a running site, in one process."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from salon.background import Job, run_jobs
from salon.fediverse.federation import fediverse_round
from salon.mentions.sending import mentions_round
from salon.notifications.delivery import mail_configured
from salon.notifications.notices import mail_round
from salon.privacy.retention import retention_round


def site_jobs(
    retention: bool = True, mail: bool = True, mentions: bool = True, fediverse: bool = True
) -> list[Job]:
    """The jobs a site needs: retention hourly, the outbox when mail is configured,
    outgoing Webmentions when they are on, and deliveries to fediverse followers."""
    jobs = []
    if retention:
        jobs.append(Job("Retention", retention_round, 3600))
    if mail and mail_configured():
        jobs.append(Job("Mail round", mail_round, 10))
    if mentions and settings.SALON["SEND_MENTIONS"]:
        jobs.append(Job("Sending mentions", mentions_round, settings.SALON["MENTIONS_INTERVAL"]))
    if fediverse and settings.SALON["FEDIVERSE"]:
        jobs.append(
            Job("Fediverse deliveries", fediverse_round, settings.SALON["FEDIVERSE_INTERVAL"])
        )
    return jobs


class Command(BaseCommand):
    help = (
        "Run the site's periodic work until stopped: retention every hour, the mail outbox "
        "every 10 s (when mail is configured), outgoing Webmentions every minute, deliveries "
        "to fediverse followers every 10 s. "
        "`salon serve` starts it beside the server."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-retention", action="store_true", help="Skip retention.")
        parser.add_argument("--no-mail", action="store_true", help="Skip sending mail.")
        parser.add_argument("--no-mentions", action="store_true", help="Skip sending mentions.")
        parser.add_argument(
            "--no-fediverse", action="store_true", help="Skip deliveries to the fediverse."
        )

    def handle(self, *args, **options):
        jobs = site_jobs(
            retention=not options["no_retention"],
            mail=not options["no_mail"],
            mentions=not options["no_mentions"],
            fediverse=not options["no_fediverse"],
        )
        if not jobs:
            self.stdout.write("Nothing to do: every job is off.")
            return
        self.stdout.write("Running: " + ", ".join(job.name for job in jobs))
        self.stdout.flush()
        run_jobs(jobs, self.stdout.write)
