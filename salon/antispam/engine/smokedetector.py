"""SmokeDetector's lists (Charcoal-SE, the Stack Exchange spam bot) used as rules.

The blacklists (bad keywords, blacklisted websites and phone numbers) are a strong
spam signal; the watched lists catch more but also some ham, so a match there holds a
submission for moderation instead of calling it spam.

There are about 21,000 regular expressions. Compiling them all takes seconds, so each
is indexed by a fragment of literal text that any match must contain, and compiled
only when its fragment appears in a submission. The index itself is cheap to compute
on first use (parsing is much faster than compiling) and can be stored as JSON.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

try:  # Python 3.11+ keeps the regular-expression parser here.
    from re import _constants as _sre_constants  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

KEY_LENGTH = 4
UNINDEXED_SCAN_CHARS = 3000
WINDOW_CHARS = 300
MAX_WINDOWS = 8
INDEX_FORMAT = 1
LONG_TEXT_CHARS = 2000
"""From this length on, a text's pieces are found with array arithmetic (see
:func:`_piece_codes`); shorter texts are cheaper to slice one piece at a time."""

LIST_FILES: dict[str, str] = {
    "bad_keywords": "bad_keywords.txt",
    "watched_keywords": "watched_keywords.txt",
    "blacklisted_websites": "blacklisted_websites.txt",
}
NUMBER_FILES: dict[str, str] = {
    "blacklisted_numbers": "blacklisted_numbers.txt",
    "watched_numbers": "watched_numbers.txt",
}
BLACKLISTS = frozenset({"bad_keywords", "blacklisted_websites", "blacklisted_numbers"})


def _literal_runs(parsed: list) -> list[str]:
    """Runs of literal characters that every match of a parsed sequence contains."""
    runs: list[str] = []
    current: list[str] = []

    def close() -> None:
        if current:
            runs.append("".join(current))
            current.clear()

    for op, arg in parsed:
        if op is _sre_constants.LITERAL:
            current.append(chr(arg))
            continue
        close()
        if op is _sre_constants.SUBPATTERN:
            runs.extend(_literal_runs(list(arg[-1])))
        elif op in (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT) and arg[0] >= 1:
            runs.extend(_literal_runs(list(arg[2])))
    close()
    return runs


def _options(parsed: list, shortest: int) -> list[list[str]]:
    """Sets of fragments such that every match contains one fragment of each set."""
    options = [[run.lower()] for run in _literal_runs(parsed) if len(run) >= shortest]
    for op, arg in parsed:
        if op is _sre_constants.SUBPATTERN:
            options.extend(_options(list(arg[-1]), shortest))
        elif op in (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT) and arg[0] >= 1:
            options.extend(_options(list(arg[2]), shortest))
        elif op is _sre_constants.BRANCH:
            union: list[str] = []
            for branch in arg[1]:
                found = _options(list(branch), shortest)
                if not found:
                    union = []
                    break
                union.extend(max(found, key=_option_quality))
            if union:
                options.append(union)
    return options


def _option_quality(option: list[str]) -> tuple[int, int]:
    # Longer fragments are rarer; fewer of them are cheaper to look for.
    return (min(len(f) for f in option), -len(option))


def _fragments_of(parsed: list, shortest: int) -> list[str] | None:
    options = _options(parsed, shortest)
    if not options:
        return None
    return sorted(set(max(options, key=_option_quality)))


def required_fragments(pattern: str) -> list[str] | None:
    """Lower-case literal fragments of which every match contains at least one.

    Prefers fragments of three characters or more, settles for two. ``None`` when no
    such fragment is required (the pattern is then tried on every submission).
    """
    try:
        parsed = list(_sre_parse.parse(pattern, re.IGNORECASE))
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    return _fragments_of(parsed, 3) or _fragments_of(parsed, 2)


def read_patterns(path: Path) -> list[str]:
    """Non-empty, non-comment lines of one list file."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def build_index(list_dir: Path) -> dict:
    """The JSON-able index of every list in ``list_dir`` (patterns and their fragments)."""
    lists: dict[str, list] = {}
    for name, filename in LIST_FILES.items():
        path = list_dir / filename
        if path.exists():
            lists[name] = [[p, required_fragments(p)] for p in read_patterns(path)]
    numbers: dict[str, list[str]] = {}
    for name, filename in NUMBER_FILES.items():
        path = list_dir / filename
        if path.exists():
            numbers[name] = sorted({d for d in (_digits(p) for p in read_patterns(path)) if d})
    return {"format": INDEX_FORMAT, "lists": lists, "numbers": numbers}


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


_LONG_WORD = re.compile(r"(\w{30})\w+")
_LONG_SYMBOL_RUN = re.compile(r"([^\w\s])\1{9,}")
_LONG_SPACE = re.compile(r"\s{10,}")


def _tame(text: str) -> str:
    """Shorten runs no real word has (a 500-digit "number", 200 "!"), on which some
    list patterns with nested quantifiers would backtrack for seconds."""
    text = _LONG_WORD.sub(r"\1", text)
    text = _LONG_SYMBOL_RUN.sub(lambda m: m.group(1) * 9, text)
    return _LONG_SPACE.sub(" ", text)


_PIECE_BASE = np.uint64(0x110000)  # one more than the largest code point


def _piece_codes(text: str) -> np.ndarray:
    """A number for each :data:`KEY_LENGTH`-character piece of ``text`` (its code points
    in base 0x110000, modulo 2**64), for comparing many pieces at once. Two pieces may
    share a number, very rarely; that only makes a rule a candidate to be checked."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    points = points.astype(np.uint64)
    count = len(points) - KEY_LENGTH + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    codes = points[:count].copy()
    for offset in range(1, KEY_LENGTH):
        codes *= _PIECE_BASE
        codes += points[offset : offset + count]
    return codes


_NUMBER_RUN = re.compile(r"\+?\d[\d\s().\-]{5,24}\d")


@dataclass(frozen=True, slots=True)
class SmokeMatch:
    """One list entry that matched a submission."""

    list_name: str
    pattern: str
    matched: str

    @property
    def blacklisted(self) -> bool:
        """Whether the list is a blacklist (spam) rather than a watched list (hold)."""
        return self.list_name in BLACKLISTS


@dataclass
class _Rule:
    list_name: str
    pattern: str
    fragments: tuple[str, ...]
    compiled: re.Pattern[str] | None = None
    broken: bool = False


@dataclass
class SmokeDetectorRules:
    """Matcher over SmokeDetector's lists, compiling each pattern on first need."""

    rules: list[_Rule] = field(default_factory=list)
    by_key: dict[str, list[int]] = field(default_factory=dict)
    by_short_key: dict[str, list[int]] = field(default_factory=dict)
    unindexed: list[int] = field(default_factory=list)
    numbers: dict[str, frozenset[str]] = field(default_factory=dict)
    key_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    keys_by_code: dict[int, list[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_index(cls, index: dict) -> SmokeDetectorRules:
        """Build the matcher from :func:`build_index` output."""
        if index.get("format") != INDEX_FORMAT:
            raise ValueError("unsupported SmokeDetector index format")
        rules: list[_Rule] = []
        for name, entries in index.get("lists", {}).items():
            for pattern, fragments in entries:
                rules.append(_Rule(name, pattern, tuple(fragments or ())))
        # Key each fragment by its rarest 4-character piece, so that no bucket is
        # dominated by pieces every URL has ("http", "www.", ".com").
        piece_counts: Counter[str] = Counter()
        for rule in rules:
            for fragment in rule.fragments:
                piece_counts.update(
                    {fragment[i : i + KEY_LENGTH] for i in range(len(fragment) - KEY_LENGTH + 1)}
                )
        matcher = cls(rules=rules)
        for number, rule in enumerate(rules):
            if not rule.fragments:
                matcher.unindexed.append(number)
                continue
            for fragment in rule.fragments:
                if len(fragment) < KEY_LENGTH:
                    matcher.by_short_key.setdefault(fragment, []).append(number)
                    continue
                pieces = [
                    fragment[i : i + KEY_LENGTH] for i in range(len(fragment) - KEY_LENGTH + 1)
                ]
                key = min(pieces, key=lambda p: (piece_counts[p], p))
                matcher.by_key.setdefault(key, []).append(number)
        matcher.numbers = {k: frozenset(v) for k, v in index.get("numbers", {}).items()}
        keys = sorted(matcher.by_key)
        codes = _piece_codes("".join(keys))[::KEY_LENGTH] if keys else np.zeros(0, np.uint64)
        for key, code in zip(keys, codes.tolist(), strict=True):
            matcher.keys_by_code.setdefault(code, []).append(key)
        matcher.key_codes = np.unique(codes)
        return matcher

    @classmethod
    def load(cls, list_dir: Path, index_path: Path | None = None) -> SmokeDetectorRules:
        """Load from a stored index when present, else index the list files now."""
        if index_path is not None and index_path.exists():
            return cls.from_index(json.loads(index_path.read_text(encoding="utf-8")))
        return cls.from_index(build_index(list_dir))

    def _compiled(self, rule: _Rule) -> re.Pattern[str] | None:
        if rule.compiled is None and not rule.broken:
            with self._lock:
                if rule.compiled is None and not rule.broken:
                    body = rule.pattern
                    if rule.list_name != "blacklisted_websites":
                        # SmokeDetector matches keywords as whole words.
                        body = rf"(?:^|\b)(?:{body})(?:\b|$)"
                    try:
                        rule.compiled = re.compile(body, re.IGNORECASE | re.DOTALL)
                    except (re.error, RecursionError, OverflowError, ValueError):
                        # Some patterns use features of the third-party `regex` module.
                        rule.broken = True
        return rule.compiled

    def _keys_in(self, lowered: str) -> set[str]:
        """The index keys that occur in a lower-cased text."""
        if len(lowered) < LONG_TEXT_CHARS:
            pieces = {lowered[i : i + KEY_LENGTH] for i in range(len(lowered) - KEY_LENGTH + 1)}
            return self.by_key.keys() & pieces
        codes = np.unique(_piece_codes(lowered))
        found: set[str] = set()
        for code in codes[np.isin(codes, self.key_codes, assume_unique=True)].tolist():
            # Numbers can collide: keep the keys that really occur.
            found.update(key for key in self.keys_by_code[code] if key in lowered)
        return found

    def match(self, text: str, limit: int = 5) -> list[SmokeMatch]:
        """List entries matching ``text`` (blacklist matches first), at most ``limit``."""
        if not text:
            return []
        text = _tame(text)
        lowered = text.lower()
        candidates: set[int] = set()
        for key in self._keys_in(lowered):
            candidates.update(self.by_key[key])
        if self.by_short_key:
            for fragment, numbers in self.by_short_key.items():
                if fragment in lowered:
                    candidates.update(numbers)
        matches: list[SmokeMatch] = []
        # Patterns without a literal fragment run on every submission; some nest
        # quantifiers, so they only see the start of long content to bound the time.
        head = text[:UNINDEXED_SCAN_CHARS]
        for number in self.unindexed:
            compiled = self._compiled(self.rules[number])
            found = compiled.search(head) if compiled is not None else None
            if found:
                rule = self.rules[number]
                matches.append(SmokeMatch(rule.list_name, rule.pattern, found.group(0)[:80]))
        for number in sorted(candidates):
            rule = self.rules[number]
            compiled = None
            for fragment in rule.fragments:
                start = lowered.find(fragment)
                seen = 0
                while start >= 0 and seen < MAX_WINDOWS:
                    compiled = compiled or self._compiled(rule)
                    if compiled is None:
                        break
                    # A match contains the fragment, so searching a window around each
                    # occurrence finds it, and bounds the cost of nested quantifiers on
                    # long hostile text.
                    window = text[
                        max(0, start - WINDOW_CHARS) : start + len(fragment) + WINDOW_CHARS
                    ]
                    found = compiled.search(window)
                    if found:
                        matches.append(
                            SmokeMatch(rule.list_name, rule.pattern, found.group(0)[:80])
                        )
                        break
                    seen += 1
                    start = lowered.find(fragment, start + WINDOW_CHARS)
                else:
                    continue
                break
        for number_text in _NUMBER_RUN.findall(text[:100_000]):
            digits = _digits(number_text)
            for name, numbers in self.numbers.items():
                if digits in numbers or (len(digits) > 10 and digits[-10:] in numbers):
                    matches.append(SmokeMatch(name, digits, number_text.strip()))
        matches.sort(key=lambda m: not m.blacklisted)
        return matches[:limit]
