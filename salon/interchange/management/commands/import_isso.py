"""``salon import_isso FILE --site URL``: bring an Isso site's comments in."""

from __future__ import annotations

from salon.interchange.importing import CommentsImportCommand
from salon.interchange.isso import read_isso
from salon.interchange.wordpress.values import source_of


class Command(CommentsImportCommand):
    help = (
        "Import Isso's SQLite database (its dbpath, e.g. comments.db): each thread's page "
        "becomes the conversation of the post it was, or of that page elsewhere; replies, "
        "states (waiting → held, deleted → trash), likes and dates are kept. Isso names pages "
        "by their path: --site gives the site's address. Running it again adds only what is new."
    )
    system = "Isso"
    file_help = "Isso's database file (comments.db)"

    def comments(self, path: str, label: str, site: str):
        source = f"isso:{source_of(site)}" if site else "isso"
        for comment in read_isso(path):
            yield source, comment
