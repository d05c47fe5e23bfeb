"""``salon import_disqus FILE``: bring a site's Disqus comments under its posts."""

from __future__ import annotations

from django.core.management.base import CommandParser

from salon.interchange.disqus import DisqusImport
from salon.interchange.importing import ImportCommand


def _mapping(text: str) -> tuple[str, str]:
    old, sep, new = text.partition("=")
    if not sep or not old:
        raise ValueError(text)
    return old, new


class Command(ImportCommand):
    help = (
        "Import a Disqus export: each thread is matched to a post by its address, its comments "
        "(with replies, deleted → trash, spam → spam) are added under it; threads that match "
        "no post are listed. Running it again adds only what is new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
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
        importer = DisqusImport(
            url_map=url_map,
            update=update,
            write=self.progress_writer(options),
        )
        self.run_import(importer.run, file, options)
