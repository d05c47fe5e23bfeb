from django.core.management.base import BaseCommand, CommandError

from salon.background import Job, run_jobs
from salon.privacy.retention import retention_round


class Command(BaseCommand):
    help = (
        "Remove IP addresses and browser strings from old comments and delete old spam, "
        "trash, sent mail and unconfirmed subscriptions, as the privacy page promises. "
        "`salon serve` runs it every hour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, applying retention every SECONDS (0: once and exit).",
        )

    def handle(self, *args, every: int = 0, **options):
        if every < 0:
            raise CommandError("--every must be a positive number of seconds.")
        job = Job("Retention", retention_round, every)
        run_jobs([job], self.stdout.write, loop=every > 0)
