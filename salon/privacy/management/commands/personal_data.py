"""``salon personal_data export|erase EMAIL``: the administrator's tool for data requests."""

from __future__ import annotations

import json
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email

from salon.privacy.models import DataRequest
from salon.privacy.personal_data import (
    count_personal_data,
    erase_personal_data,
    erasure_mode,
    export_personal_data,
    log_export,
    sources,
)


def _nothing_held(email: str, outcome: str) -> str:
    # A mistyped address must not look like a request carried out.
    return f"Nothing is held about {email}: {outcome}. Check the address."


class Command(BaseCommand):
    help = (
        "Export (as JSON) or erase everything tied to an e-mail address: comments, likes, "
        "subscriptions, mail, accounts. Erasure follows SALON_ERASURE (anonymise|delete)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")
        parser.add_argument("--output", "-o", metavar="FILE", help="export: write JSON here.")
        parser.add_argument("--yes", action="store_true", help="erase: do not ask to confirm.")

    def handle(self, *args, action: str, email: str, output: str | None, yes: bool, **options):
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not a valid e-mail address.") from None
        try:
            mode = erasure_mode()
        except ValueError as error:
            raise CommandError(str(error)) from None

        if action == "export":
            data = export_personal_data(email)
            if not any(data[source.name] for source in sources):
                raise CommandError(_nothing_held(email, "nothing exported"))
            text = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
            if output:
                try:
                    # One person's data: readable by the administrator only, as the
                    # admin password file is.
                    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    os.fchmod(fd, 0o600)  # a file that was there keeps its mode otherwise
                    with os.fdopen(fd, "w", encoding="utf-8") as file:
                        file.write(text + "\n")
                except OSError as error:
                    raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
                self.stderr.write(f"Wrote the data of {email} to {output}.")
            else:
                self.stdout.write(text)
            log_export(email, DataRequest.Source.COMMAND, data)
            return

        if output:
            raise CommandError("--output is for export only.")
        counts = count_personal_data(email)
        if not any(counts.values()):
            raise CommandError(_nothing_held(email, "nothing erased"))
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("Not erasing without confirmation: add --yes.")
            answer = input(
                f"Erase the data of {email} ({summary}; comments will be "
                f"{'deleted' if mode == 'delete' else 'anonymised'})? Type 'yes': "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing erased.")
        erased = erase_personal_data(email, DataRequest.Source.COMMAND, mode)
        self.stdout.write(
            "Erased: " + ", ".join(f"{n} {name}" for name, n in erased.items()) + f" ({mode})."
        )
