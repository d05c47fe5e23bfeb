"""``salon import_wxr FILE``: move a WordPress site in from its export file."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from salon.interchange.importing import ImportCommand
from salon.interchange.wordpress.flow import import_wxr


class Command(ImportCommand):
    help = (
        "Import a WordPress export (WXR 1.0–1.2, from Tools → Export or WordPress.com): "
        "authors, categories, tags, posts, pages, attachments (their URLs) and every comment. "
        "Running it again, or on a later export, adds only what is new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
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
        write = self.progress_writer(options)
        self.run_import(
            lambda path: import_wxr(
                path, update=update, default_author=default_author, write=write
            ),
            file,
            options,
        )
