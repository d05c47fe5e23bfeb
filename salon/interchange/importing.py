"""What every import command does around its importer: one transaction, a summary, and on
request a lesson for the spam filter."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from salon.discussion.models import Comment
from salon.interchange.reading import ImportProblem


class ImportCommand(BaseCommand):
    """Base of ``import_wxr`` and ``import_disqus``: subclasses add their own options and
    call :meth:`run_import` with their importer's ``run``."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--train-spam-filter",
            action="store_true",
            help="then teach this site's spam filter from the imported approved and spam comments",
        )

    def progress_writer(self, options: dict) -> Callable[[str], None]:
        """Where the importer reports progress: standard error, unless ``-v 0``."""
        if options.get("verbosity", 1) > 0:
            return self.stderr.write
        return lambda line: None

    def run_import(self, run: Callable[[str], object], file: str, options: dict) -> None:
        """Import ``file`` with ``run`` in one transaction and print its summary."""
        started = time.monotonic()
        last_comment = Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            # One transaction: a file that turns out malformed halfway leaves nothing behind.
            with transaction.atomic():
                summary = run(file)
        except ImportProblem as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(f"Imported {file} in {time.monotonic() - started:.1f} s:")
        for line in summary.lines():
            self.stdout.write(line)
        if options["train_spam_filter"]:
            # By command name: the importers need not know the spam filter's code.
            call_command(
                "spam_learn", after_id=last_comment, stdout=self.stdout, stderr=self.stderr
            )
