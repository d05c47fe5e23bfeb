"""The WordPress comment blocklist (splorp/wordpress-comment-blacklist) as evidence.

WordPress matches each line of its "Disallowed Comment Keys" as a substring of a
comment's content, name, e-mail, URL and IP. Many lines are short fragments
(``?a=stats``, ``didnt``) that also occur in ordinary comments, so Salon never blocks on
a match: each entry found is a token the model weighs (learnt from the corpora, so an
entry that ordinary comments use weighs nothing), and the number of entries found is a
column of its own. Entries that begin or end with a letter or digit match only whole
words there ("is great post" is not found in "this great post").

The 62,000 entries are searched at once with an Aho-Corasick automaton
(``pyahocorasick``), built when first needed (about 0.15 s, 20 MB).
"""

from __future__ import annotations

import threading
from pathlib import Path

BLOCKLIST_FILE = Path("wordpress-comment-blocklist") / "blacklist.txt"
MAX_SCANNED_CHARS = 20_000


class Blocklist:
    """A set of blocklist entries, searched all at once."""

    def __init__(self, entries: list[str]) -> None:
        import ahocorasick

        self.size = 0
        self._automaton = ahocorasick.Automaton()
        for entry in entries:
            entry = entry.strip().lower()
            if entry and not entry.startswith("#"):
                self._automaton.add_word(entry, entry)
                self.size += 1
        if self.size:
            self._automaton.make_automaton()

    @classmethod
    def load(cls, path: Path) -> Blocklist:
        """Entries from a file, one a line (``#`` starts a comment line)."""
        if not path.is_file():
            return cls([])
        return cls(path.read_text(encoding="utf-8", errors="replace").splitlines())

    def matches(self, text: str) -> list[str]:
        """The distinct entries found in ``text`` (case-insensitive), first found first."""
        if not self.size or not text:
            return []
        text = text[:MAX_SCANNED_CHARS].lower()
        found: dict[str, None] = {}
        for end, entry in self._automaton.iter(text):
            start = end - len(entry) + 1
            if entry[0].isalnum() and start > 0 and text[start - 1].isalnum():
                continue
            if entry[-1].isalnum() and end + 1 < len(text) and text[end + 1].isalnum():
                continue
            found[entry] = None
        return list(found)


_loaded: dict[Path, Blocklist] = {}
_lock = threading.Lock()


def blocklist_for(data_dir: Path) -> Blocklist:
    """The blocklist shipped in ``data_dir`` (empty when the file is missing), loaded once."""
    path = Path(data_dir) / BLOCKLIST_FILE
    if path not in _loaded:
        with _lock:
            if path not in _loaded:
                _loaded[path] = Blocklist.load(path)
    return _loaded[path]
