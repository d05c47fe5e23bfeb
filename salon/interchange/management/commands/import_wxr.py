"""``salon import_wxr FILE``: move a WordPress site in from its export file."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from salon.discussion.models import Comment
from salon.interchange.reading import ImportProblem
from salon.interchange.wordpress import WordPressImport


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR 1.0–1.2, from Tools → Export or WordPress.com): "
        "authors, categories, tags, posts, pages, attachments (their URLs) and every comment. "
        "Running it again, or on a later export, adds only what is new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--train-spam-filter",
            action="store_true",
            help="then teach this site's spam filter from the imported approved and spam comments",
        )
        parser.add_argument("file", help="the .xml export file (or .xml.gz)")
        parser.add_argument(
            "--update",
            action="store_true",
            help="bring items imported before in line with the file (default: leave them as they are)",
        )
        parser.add_argument(
            "--default-author",
            metavar="USERNAME",
            help="credit posts without an author to this account (default: the first superuser)",
        )

    def handle(self, *args, file: str, update: bool, default_author: str | None, **options):
        if default_author and not get_user_model().objects.filter(username=default_author).exists():
            raise CommandError(f"--default-author: no account named {default_author!r}.")
        verbose = options.get("verbosity", 1) > 0
        importer = WordPressImport(
            update=update,
            default_author=default_author,
            write=(lambda line: self.stderr.write(line)) if verbose else (lambda line: None),
        )
        started = time.monotonic()
        last_comment = Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            # One transaction: a file that turns out malformed halfway leaves nothing behind.
            with transaction.atomic():
                tally = importer.run(file)
        except ImportProblem as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(f"Imported {file} in {time.monotonic() - started:.1f} s:")
        for line in tally.lines():
            self.stdout.write(line)
        if options["train_spam_filter"]:
            # By command name: the importers need not know the spam filter's code.
            call_command(
                "spam_learn", after_id=last_comment, stdout=self.stdout, stderr=self.stderr
            )
