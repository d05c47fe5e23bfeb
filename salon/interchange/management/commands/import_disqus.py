"""``salon import_disqus FILE``: bring a site's Disqus comments under its posts."""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from salon.discussion.models import Comment
from salon.interchange.disqus import DisqusImport
from salon.interchange.reading import ImportProblem


def _mapping(text: str) -> tuple[str, str]:
    old, sep, new = text.partition("=")
    if not sep or not old:
        raise ValueError(text)
    return old, new


class Command(BaseCommand):
    help = (
        "Import a Disqus export: each thread is matched to a post by its address, its comments "
        "(with replies, deleted → trash, spam → spam) are added under it; threads that match "
        "no post are listed. Running it again adds only what is new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--train-spam-filter",
            action="store_true",
            help="then teach this site's spam filter from the imported approved and spam comments",
        )
        parser.add_argument("file", help="the Disqus .xml export (or .xml.gz)")
        parser.add_argument(
            "--url-map",
            action="append",
            type=_mapping,
            default=[],
            metavar="OLD=NEW",
            help="rewrite thread links starting with OLD to start with NEW before matching "
            "(e.g. http://old.example/blog/=/); may be repeated",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="bring comments imported before in line with the file",
        )

    def handle(self, *args, file: str, url_map: list, update: bool, **options):
        verbose = options.get("verbosity", 1) > 0
        importer = DisqusImport(
            url_map=url_map,
            update=update,
            write=(lambda line: self.stderr.write(line)) if verbose else (lambda line: None),
        )
        started = time.monotonic()
        last_comment = Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            with transaction.atomic():
                report = importer.run(file)
        except ImportProblem as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(f"Imported {file} in {time.monotonic() - started:.1f} s:")
        for line in report.lines():
            self.stdout.write(line)
        if options["train_spam_filter"]:
            # By command name: the importers need not know the spam filter's code.
            call_command(
                "spam_learn", after_id=last_comment, stdout=self.stdout, stderr=self.stderr
            )
