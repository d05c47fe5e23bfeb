"""``salon akismet_key create --blog URL`` / ``list`` / ``revoke PREFIX``: keys for the API."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Sum
from django.utils import timezone

from salon.antispam import keys
from salon.antispam.api import RATE_PATTERN
from salon.antispam.models import ApiKey, DailyTally


class Command(BaseCommand):
    help = "Create, list and revoke keys for Salon's Akismet-compatible spam API."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="Issue a key; it is shown once.")
        create.add_argument(
            "--blog",
            action="append",
            required=True,
            help="A blog URL the key may be used for (repeat for several; *.example.org for "
            "every subdomain).",
        )
        create.add_argument("--label", default="", help="A note saying whose key it is.")
        create.add_argument("--rate", default="", help="Requests allowed, e.g. 600/m.")
        create.add_argument(
            "--monthly-limit", type=int, default=None, help="Checks a month (for usage-limit)."
        )
        create.add_argument(
            "--long",
            action="store_true",
            help="Issue a 24-character key (96 bits) for clients that send the key in the host "
            "name; WordPress's Akismet plugin accepts only the default 12-character keys.",
        )
        actions.add_parser("list", help="List the keys (their first characters only).")
        revoke = actions.add_parser("revoke", help="Revoke a key at once.")
        revoke.add_argument("prefix", help="The key, or its first characters as listed.")

    def handle(self, *args, action: str, **options):
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list()
        else:
            self._revoke(options["prefix"])

    def _create(self, options) -> None:
        rate = options["rate"].strip()
        if rate and not RATE_PATTERN.match(rate):
            raise CommandError(f"--rate {rate!r} is not a rate such as 600/m or 10/s.")
        limit = options["monthly_limit"]
        if limit is not None and limit < 0:
            raise CommandError("--monthly-limit must not be negative.")
        try:
            issued = keys.create_key(
                options["blog"],
                label=options["label"],
                rate=rate,
                monthly_limit=limit,
                long=options["long"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Key: {issued.key}"))
        self.stdout.write(
            "It is shown only this once: Salon keeps only a hash. Give it to the site's owner "
            f"with the endpoint {settings.SITE_URL}/ (their client's Akismet host; for "
            "WordPress, the must-use plugin integrations/wordpress/salon-akismet.php). "
            f"Blogs: {', '.join(issued.row.blog_list())}."
        )

    def _list(self) -> None:
        start = timezone.localdate().replace(day=1)
        rows = ApiKey.objects.order_by("created_at")
        if not rows:
            self.stdout.write("No keys yet: `salon akismet_key create --blog URL`.")
            return
        for row in rows:
            used = (
                DailyTally.objects.filter(site__api_key=row, day__gte=start).aggregate(
                    n=Sum("checked")
                )["n"]
                or 0
            )
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            self.stdout.write(
                f"{row.prefix}…  {state:<18} {used:>8} checks this month  "
                f"{', '.join(row.blog_list())}  {row.label}".rstrip()
            )

    def _revoke(self, prefix: str) -> None:
        prefix = prefix.strip()
        if len(prefix) < 4:
            raise CommandError("Give at least the first 4 characters of the key.")
        if len(prefix) >= keys.KEY_LENGTH:
            # The whole key: found by its hash.
            matches = list(ApiKey.objects.filter(key_hash__in=keys.key_hashes(prefix)))
        else:
            # 12-character keys keep their first 4 characters, case and all; the older
            # 24-character ones their first 8, lowercase. Compared here, since SQLite's LIKE
            # ignores case and PostgreSQL's does not.
            def starts(row: ApiKey) -> bool:
                if len(row.prefix) == keys.SHORT_PREFIX:
                    return prefix[: keys.SHORT_PREFIX] == row.prefix
                return row.prefix.startswith(prefix.lower()[: keys.LONG_PREFIX])

            candidates = ApiKey.objects.filter(prefix__istartswith=prefix[: keys.SHORT_PREFIX])
            matches = [row for row in candidates if starts(row)]
        if not matches:
            raise CommandError(f"No key starts with {prefix!r}.")
        if len(matches) > 1:
            raise CommandError(
                f"{len(matches)} keys start with {prefix!r}; give the whole key, or revoke it "
                "in the admin (Spam filter › API keys)."
            )
        row = matches[0]
        if row.revoked_at is not None:
            self.stdout.write(
                f"Key {row.prefix}… was already revoked on {row.revoked_at:%Y-%m-%d}."
            )
            return
        keys.revoke(row)
        self.stdout.write(self.style.SUCCESS(f"Revoked key {row.prefix}…."))
