import time

from django.core.management.base import BaseCommand

from salon.privacy.retention import apply_retention


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
        while True:
            report = apply_retention()
            self.stdout.write(
                f"Retention: addresses removed from {report.addresses_removed} comments, "
                f"{report.spam_deleted} spam and {report.trash_deleted} trashed comments deleted; "
                f"{report.mail_deleted} old messages and {report.unconfirmed_deleted} unconfirmed "
                "subscriptions deleted."
            )
            if every <= 0:
                return
            time.sleep(every)
