"""``salon import_commento FILE``: bring a Commento site's comments in from its export."""

from __future__ import annotations

from salon.interchange.commento import read_commento
from salon.interchange.importing import CommentsImportCommand
from salon.interchange.reading import open_export


class Command(CommentsImportCommand):
    help = (
        "Import a Commento or Commento++ export (JSON, or its .gz): each page becomes the "
        "conversation of the post it was, or of that page elsewhere; replies, states "
        "(unapproved or flagged → held, deleted → trash), scores (→ likes), commenters' "
        "names, e-mail and links, and dates are kept. Running it again adds only what is new."
    )
    system = "Commento"
    file_help = "the export file (.json or .json.gz)"

    def comments(self, path: str, label: str, site: str):
        with open_export(path) as handle:
            yield from read_commento(handle, label)
