"""What every import command does around its importer: one transaction, a summary, and on
request a lesson for the spam filter."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from salon.discussion.models import Comment
from salon.interchange.elsewhere import ForeignComment, command_run, import_comments
from salon.interchange.reading import ImportProblem, Progress


class ImportCommand(BaseCommand):
    """Base of every import command: subclasses add their own options and
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
                # Storing a big import for good takes a while too: say so, not nothing.
                self.progress_writer(options)("  Saving everything in one transaction …")
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


def url_mapping(text: str) -> tuple[str, str]:
    """``OLD=NEW`` for ``--url-map``."""
    old, sep, new = text.partition("=")
    if not sep or not old:
        raise ValueError(text)
    return old, new


class CommentsImportCommand(ImportCommand):
    """Base of ``import_isso``, ``import_remark42`` and ``import_commento``: the options they
    share; subclasses name the system and how its file is read (``comments(path, label)``
    yields ``(source, ForeignComment)``)."""

    system = ""
    file_help = ""

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", help=self.file_help)
        parser.add_argument(
            "--site",
            metavar="URL",
            default="",
            help="the address of the site the comments were on (pages named by their path "
            "are joined to it)",
        )
        parser.add_argument(
            "--url-map",
            action="append",
            type=url_mapping,
            default=[],
            metavar="OLD=NEW",
            help="rewrite page addresses starting with OLD to start with NEW before matching "
            "(e.g. https://old.example/=https://blog.example/); may be repeated",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="bring comments imported before in line with the file",
        )

    def comments(self, path: str, label: str, site: str) -> Iterator[tuple[str, ForeignComment]]:
        """The file's comments, each with the source it is recorded under."""
        raise NotImplementedError

    def handle(self, *args, file: str, site: str, url_map: list, update: bool, **options):
        write = self.progress_writer(options)

        def run(path: str):
            label = Path(path).name
            state = command_run(self.system, label, site=site, url_map=url_map, update=update)
            progress = Progress(None, 0, write)
            tally = import_comments(state, self.comments(path, label, state.site), progress)
            progress.finish()
            return tally

        self.run_import(run, file, options)
