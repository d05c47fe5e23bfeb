"""``salon import_remark42 FILE``: bring a Remark42 site's comments in from its backup."""

from __future__ import annotations

from salon.interchange.importing import CommentsImportCommand
from salon.interchange.reading import open_export
from salon.interchange.remark42 import read_remark42


class Command(CommentsImportCommand):
    help = (
        "Import a Remark42 backup (JSON lines, or its .gz): each page becomes the "
        "conversation of the post it was, or of that page elsewhere; replies, deleted "
        "comments (→ trash), up-votes (→ likes) and dates are kept. Running it again adds "
        "only what is new."
    )
    system = "Remark42"
    file_help = "the backup file (backup-SITE-DATE.gz, or uncompressed)"

    def comments(self, path: str, label: str, site: str):
        with open_export(path) as handle:
            yield from read_remark42(handle, label)
