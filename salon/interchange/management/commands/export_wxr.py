"""``salon export_wxr FILE``: the whole site as a WordPress export file (WXR 1.2)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salon.interchange.export import export_wxr


class Command(BaseCommand):
    help = (
        "Write every post, page, attachment, author, category, tag and comment (threads, "
        "states, types) as WXR 1.2, which WordPress's importer and `salon import_wxr` read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write the .xml file ('-' for standard output)")

    def handle(self, *args, file: str, **options):
        started = time.monotonic()
        verbose = options.get("verbosity", 1) > 0

        def progress(n: int) -> None:
            if verbose and file != "-" and n % 2000 == 0:
                self.stderr.write(f"  … {n:,} posts written")

        if file == "-":
            export_wxr(sys.stdout)
            return
        target = Path(file).resolve()
        if target.is_dir():
            raise CommandError(
                f"{target} is a directory: name the file, e.g. {target / 'site.xml'}."
            )
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent}: no such directory.")
        # Write beside the target and rename at the end, so an interrupted export never leaves
        # a half-written file under the name the owner asked for.
        fd, temp = tempfile.mkstemp(prefix=".export-", suffix=".xml", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                counts = export_wxr(out, progress)
            os.replace(temp, target)
        except BaseException:
            os.unlink(temp)
            raise
        summary = ", ".join(f"{n:,} {what}" for what, n in counts.items())
        self.stdout.write(f"Exported {summary} to {target} in {time.monotonic() - started:.1f} s.")
