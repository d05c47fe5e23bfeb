"""SmokeDetector's lists (Charcoal-SE, the Stack Exchange spam bot) used as rules.

The blacklists (bad keywords, blacklisted websites and phone numbers) are a strong
spam signal; the watched lists catch more but also some ham, so a match there holds a
submission for moderation instead of calling it spam.

There are about 21,000 regular expressions. Compiling them all takes seconds, so each
is indexed by a fragment of literal text that any match must contain, and read only
when its fragment appears in a submission (the fragments are all found in one
pass, with an Aho-Corasick automaton; one for the blacklists' fragments and one for a
piece of each of the watch lists' fragments, so that a search of the blacklists alone,
the one every submission gets, meets none of the far longer watch lists). The index itself is cheap to compute
on first use (parsing is much faster than compiling) and can be stored as JSON.

Searching is what costs then, mostly for the few dozen rules without a fragment, which
are tried on every submission. So each compiled rule comes with cheaper tests that
any match passes, derived from its parsed pattern: a *scout*, a relaxed form of the
pattern that Python's engine searches faster (see :func:`_scout_items`), and for a
rule that spells a word out letter by letter, the letters that a *squeezed* text must
show (see :func:`_letters_in`). The pattern itself runs only where both pass, so a
rule matches exactly what its pattern matches; it is compiled the first time it runs
(reading a pattern's structure costs far less than compiling it, and most rules that a
text's fragments bring up fail a cheaper test).
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick

from . import regex_syntax as _c

UNINDEXED_SCAN_CHARS = 3000
WINDOW_CHARS = 300
MAX_WINDOWS = 8
INDEX_FORMAT = 1

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
WATCHED = frozenset({"watched_keywords", "watched_numbers"})


def _literal_runs(parsed: list) -> list[str]:
    """Runs of literal characters that every match of a parsed sequence contains."""
    runs: list[str] = []
    current: list[str] = []

    def close() -> None:
        if current:
            runs.append("".join(current))
            current.clear()

    for op, arg in parsed:
        if op == _c.LITERAL:
            current.append(chr(arg))
            continue
        close()
        if op == _c.SUBPATTERN:
            runs.extend(_literal_runs(list(arg[-1])))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
            runs.extend(_literal_runs(list(arg[2])))
    close()
    return runs


def _options(parsed: list, shortest: int) -> list[list[str]]:
    """Sets of fragments such that every match contains one fragment of each set."""
    options = [[run.lower()] for run in _literal_runs(parsed) if len(run) >= shortest]
    for op, arg in parsed:
        if op == _c.SUBPATTERN:
            options.extend(_options(list(arg[-1]), shortest))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
            options.extend(_options(list(arg[2]), shortest))
        elif op == _c.BRANCH:
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
        parsed = _c.parse(pattern, re.IGNORECASE.value).items
    except (re.error, RecursionError, OverflowError, ValueError, KeyError):
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


KEY_LENGTH = 4


def _pieces(fragment: str) -> set[str]:
    """The pieces of KEY_LENGTH characters of a fragment."""
    return {fragment[i : i + KEY_LENGTH] for i in range(len(fragment) - KEY_LENGTH + 1)}


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


_LONG_WORD = re.compile(r"(\w{30})\w+")
_LONG_SYMBOL_RUN = re.compile(r"([^\w\s])\1{9,}")
_LONG_SPACE = re.compile(r"\s{10,}")
_TEN_SPACES = re.compile(r"\s\s{9}")  # as _LONG_SPACE, but found faster: it starts with a class


def _tame(text: str) -> str:
    """Shorten runs no real word has (a 500-digit "number", 200 "!"), on which some
    list patterns with nested quantifiers would backtrack for seconds."""
    # Most texts have no such run, and each pass of a regular expression costs. A long
    # word or a run of symbols lies within one white-space-separated token, and a run
    # of white space needs ten white-space characters; splitting the text is cheap.
    tokens = text.split()
    longest = max(map(len, tokens), default=0)
    spaces = len(text) - sum(map(len, tokens))
    # Only the tokens long enough to hold a long word are searched (most words are
    # short); the text is rewritten only when one does. A run of symbols is searched
    # for in the whole text, where the search skips quickly from symbol to symbol.
    long_word = longest > 30 and any(len(t) > 30 and _LONG_WORD.search(t) for t in tokens)
    if long_word:
        text = _LONG_WORD.sub(r"\1", text)
    if longest >= 10 and (long_word or _LONG_SYMBOL_RUN.search(text)):
        text = _LONG_SYMBOL_RUN.sub(lambda m: m.group(1) * 9, text)
    if spaces >= 10 and _TEN_SPACES.search(text):
        text = _LONG_SPACE.sub(" ", text)
    return text


_NUMBER_RUN = re.compile(r"\+?\d[\d\s().\-]{5,24}\d")
_DIGIT = re.compile(r"\d")  # found faster than a _NUMBER_RUN, which starts with "\+?"


# Rules are searched with these flags; keyword rules wrapped to match whole words.
RULE_FLAGS = re.IGNORECASE | re.DOTALL
_FLAGS = RULE_FLAGS.value  # as re.compile hands them on: an enum is slow to combine
MIN_LETTERS = 2
"""Shortest run of letters worth looking for in a squeezed text (see :func:`_squeezed`)."""
MAX_SCOUT_STARTS = 3
"""Most ways a scout may begin (alternatives of a leading group) and still be cheaper
than the whole-word pattern, which is only tried at word boundaries."""

_REPEATS = _c.REPEATS
_LOOKAROUNDS = (_c.ASSERT, _c.ASSERT_NOT)
_AT_START = (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING)
# A parsed pattern is a list of items (op, argument); see the `regex_syntax` module.


def _sequences_in(op: object, av: Any) -> list:
    """The parsed sequences nested in one parsed item (none in a single character)."""
    if op == _c.SUBPATTERN:
        return [av[3]]
    if op in _REPEATS:
        return [av[2]]
    if op == _c.BRANCH:
        return list(av[1])
    if op in _LOOKAROUNDS:
        return [av[1]]
    if op == _c.ATOMIC_GROUP:
        return [av]
    if op == _c.GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch is not None]
    return []


def _holds(items: list, test: Callable[[object, Any], bool]) -> bool:
    """Whether a parsed sequence holds, at any depth, an item ``(op, av)`` that passes
    ``test``."""
    for op, av in items:
        if test(op, av):
            return True
        if any(_holds(list(sequence), test) for sequence in _sequences_in(op, av)):
            return True
    return False


def _refers_to_groups(items: list) -> bool:
    """Whether a parsed sequence has back-references (``\\1``, ``(?(1)...)``), so that
    leaving out a part of it could change what the rest matches."""
    return _holds(items, lambda op, av: op in (_c.GROUPREF, _c.GROUPREF_EXISTS))


def _min_width(state: _c.Parsed, items: list) -> int:
    """The fewest characters a parsed sequence matches."""
    return _c.min_width(items, state.group_widths)


def _may_match_nothing(state: _c.Parsed, item: tuple) -> bool:
    return _min_width(state, [item]) == 0


def _scout_items(state: _c.Parsed, items: list) -> tuple[list, bool] | None:
    """A relaxed form of a parsed sequence without back-references: it matches (in the
    same string) wherever the sequence does, and Python's engine can search it faster.
    Returned with whether it leaves out nested repetitions.

    The engine skips ahead quickly only to characters it can find by plain string
    search (under IGNORECASE, not cased letters); otherwise it tries a pattern at
    every position, which costs little when the pattern begins with one character or
    a short alternation, and much when it begins with ``\\w*`` or a lookaround. A
    repetition of repetitions, ``(?:[\\W_]*+\\w+){0,5}``, can try very many ways to
    match before it fails. So the relaxed form:

    * leaves out lookarounds at the top level: they only ever forbid a match;
    * leaves out leading parts that may match nothing (``\\w*``, ``_*``, ``\\b``,
      optional groups), since a match of the rest follows them, and the leading
      parts of a leading repetition's first round;
    * leaves out a repetition of repetitions with all before it, when what follows
      needs more characters than what comes before: a match holds a match of any
      part that ends it;
    * then starts at the first part the engine can skip ahead to (see
      :func:`_anchor`), if no literal comes before it.

    ``None`` when nothing would be left (the sequence may match an empty string).
    """
    items = _without_leading_slack(state, [item for item in items if item[0] not in _LOOKAROUNDS])
    if not items:
        return None
    if items[0][0] == _c.AT:
        return items, False  # begins with ^, which the engine tries at the start only
    nests = [number for number, item in enumerate(items) if _nests_repetitions(item)]
    rest = _without_leading_slack(state, items[nests[-1] + 1 :]) if nests else []
    # Only when what follows needs more characters than what comes before: that is
    # the better test (a repetition of repetitions is costly only once reached).
    if rest and _min_width(state, rest) > _min_width(state, items[: nests[-1]]):
        items = rest
    else:
        rest = []
    for start, item in enumerate(items):
        anchor = _anchor(item)
        if anchor is not None:
            return anchor + items[start + 1 :], bool(rest)
        if _has_literal([item]):
            # Past a literal, the rest would be tried where the pattern would not get
            # to it: on hostile text ("-_-_-_..."), far more often.
            break
    return items, bool(rest)


def _has_literal(items: list) -> bool:
    """Whether a parsed sequence holds a literal character anywhere."""
    return _holds(items, lambda op, av: op in (_c.LITERAL, _c.NOT_LITERAL))


def _without_leading_slack(state: _c.Parsed, items: list) -> list:
    """A parsed sequence without the leading parts that may match nothing (see
    :func:`_scout_items`); it is left as it is from a ``^`` on."""
    while items:
        op, av = items[0]
        if op == _c.AT and av in _AT_START:
            break
        if op == _c.SUBPATTERN and not av[1] and not av[2]:  # a group, no flags set
            inner = [item for item in av[3] if item[0] not in _LOOKAROUNDS]
            items = inner + items[1:]
        elif op in _REPEATS and av[0] >= 1:
            # A match of x{m,n} is one of x, then of x{m-1,n-1}: the first round's
            # leading parts may go.
            most = av[1] if av[1] == _c.UNBOUNDED else av[1] - 1
            again = [(op, (av[0] - 1, most, av[2]))] if most else []
            items = list(av[2]) + again + items[1:]
        elif _may_match_nothing(state, items[0]):
            items = items[1:]
        else:
            break
    return items


def _nests_repetitions(item: tuple) -> bool:
    """Whether a parsed item is a repetition with a repetition inside that may give
    back what it matched (not possessive), so that they can share characters in
    many ways."""
    op, av = item
    return op in _REPEATS and av[1] > 1 and _may_give_back(list(av[2]))


def _may_give_back(items: list) -> bool:
    """Whether a parsed sequence holds a repetition that is not possessive."""
    return _holds(items, lambda op, av: op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[1] > 1)


def _is_uncased_literal(item: tuple) -> bool:
    op, av = item
    return op == _c.LITERAL and chr(av).lower() == chr(av).upper()


def _anchor(item: tuple) -> list | None:
    """The parsed item (or one round of it) when the engine can skip ahead to where
    it may match by plain string search: an uncased literal such as a digit or "@",
    or an alternation whose alternatives all begin with one."""
    op, av = item
    if _is_uncased_literal(item):
        return [item]
    if op in _REPEATS and av[0] >= 1 and len(av[2]) and _is_uncased_literal(av[2][0]):
        return list(av[2])
    if op == _c.BRANCH and all(len(b) and _is_uncased_literal(b[0]) for b in av[1]):
        return [item]
    return None


def _starts(items: list) -> int:
    """How many ways a parsed sequence may begin: one for a character (or class), the
    sum over the alternatives for a leading alternation; many for anything else."""
    many = MAX_SCOUT_STARTS + 1
    if not items:
        return many
    op, av = items[0]
    if op in (_c.LITERAL, _c.NOT_LITERAL, _c.IN, _c.ANY) or (op == _c.AT and av in _AT_START):
        return 1
    if op == _c.SUBPATTERN:
        return _starts(list(av[3]))
    if op in _REPEATS and av[0] >= 1:
        return _starts(list(av[2]))
    if op == _c.BRANCH:
        return min(many, sum(_starts(list(branch)) for branch in av[1]))
    return many


# Many rules without a literal fragment spell a word out letter by letter, with
# separators between the letters: "c\W*y\W*b\W*e\W*r" finds "c.y.b.e.r" and "c y b e r".
# Any text such a rule matches shows the letters together once *squeezed*: with only
# its ASCII letters and digits kept, in lower case. Under IGNORECASE, an ASCII letter
# or digit matches only itself, its other case and these characters, which the
# squeezed text shows as that letter (a test checks this against the whole of Unicode).
_ASCII_CASE_TWINS = (
    ("\u0130", "i"),
    ("\u0131", "i"),
    ("\u212a", "k"),
    ("\u017f", "s"),
)  # dotted I, dotless i, Kelvin sign, long s
_ASCII_SYMBOLS = bytes(code for code in range(128) if not chr(code).isalnum())


def _squeezed(text: str) -> str:
    """The ASCII letters and digits of ``text``, lower-cased, with the characters that
    match an ASCII letter case-insensitively (``_ASCII_CASE_TWINS``) as that letter."""
    if not text.isascii():
        for twin, letter in _ASCII_CASE_TWINS:
            if twin in text:
                text = text.replace(twin, letter)
    return text.encode("ascii", "ignore").translate(None, _ASCII_SYMBOLS).lower().decode()


def _is_ascii_symbol(code: int) -> bool:
    """An ASCII character other than a letter or digit (none has another case)."""
    return code < 128 and not chr(code).isalnum()


def _is_symbol_class_member(member: tuple) -> bool:
    """Whether a member of a parsed class ([...]) matches only characters of [\\W_]."""
    op, av = member
    if op == _c.CATEGORY:
        return av == _c.CATEGORY_NOT_WORD
    if op == _c.LITERAL:
        return _is_ascii_symbol(av)
    if op == _c.RANGE:
        return all(_is_ascii_symbol(code) for code in range(av[0], av[1] + 1))
    return False  # a negated class, digits, ...


def _vanishing(op: object, av: Any) -> set[str] | None:
    """Whether a parsed item matches only characters of [\\W_], all of which a squeezed
    text drops: ``None`` when it may match a letter or digit, otherwise the ASCII
    symbols of which a text must hold one for the item to match anything else
    (``{"&"}`` for ``(?:\\W|&#?\\w+;)*``, none for ``\\W*``)."""
    if op == _c.LITERAL:
        return set() if _is_ascii_symbol(av) else None
    if op == _c.IN:
        return set() if all(_is_symbol_class_member(member) for member in av) else None
    if op == _c.AT or op in _LOOKAROUNDS:
        return set()  # matches no characters at all
    if op == _c.SUBPATTERN and av[1]:
        return None  # sets flags: (?a:\W) matches letters such as "é"
    if op in (_c.SUBPATTERN, _c.ATOMIC_GROUP) or op in _REPEATS:
        return _vanishing_sequence(list(_sequences_in(op, av)[0]))
    if op == _c.BRANCH:
        needed: set[str] = set()
        for branch in av[1]:
            found = _vanishing_sequence(list(branch))
            if found is None:
                return None
            needed |= found
        return needed
    return None


def _vanishing_sequence(items: list) -> set[str] | None:
    """:func:`_vanishing` for a parsed sequence."""
    needed: set[str] = set()
    for op, av in items:
        found = _vanishing(op, av)
        if found is None:
            break
        needed |= found
    else:
        return needed
    # It may match a letter, but only in a text with an ASCII symbol it always holds.
    for op, av in items:
        if op == _c.LITERAL and _is_ascii_symbol(av):
            return {chr(av)}
    return None


def _flattened(items: list) -> list:
    """A parsed sequence with its plain groups (setting no flags) opened up."""
    flat: list = []
    for op, av in items:
        if op == _c.SUBPATTERN and not av[1]:
            flat.extend(_flattened(list(av[3])))
        else:
            flat.append((op, av))
    return flat


_Letters = tuple[tuple[str, ...], frozenset[str]]


def _letters_quality(letters: _Letters) -> tuple[int, int]:
    # Longer runs are rarer; fewer of them are cheaper to look for.
    return (min(len(run) for run in letters[0]), -len(letters[0]))


def _ascii_letter(item: tuple) -> str | None:
    """The lower-case ASCII letter or digit a parsed item stands for, if it does."""
    op, av = item
    if op == _c.LITERAL and av < 128 and chr(av).isalnum():
        return chr(av).lower()
    return None


def _letters_in(items: list) -> _Letters | None:
    """Runs of lower-case letters and digits, one of which the squeezed text of any
    string that the parsed sequence matches contains, unless the string holds one of
    the ASCII symbols returned with them. ``None`` when there are none.

    A run is made of the sequence's literal ASCII letters and digits with only
    vanishing parts (:func:`_vanishing`) between them. A repeated letter ("c+") ends
    one run and begins the next; an alternation offers one run of each alternative; a
    repetition offers a run of its body.
    """
    found: list[_Letters] = []
    run: list[str] = []
    escapes: set[str] = set()

    def close() -> None:
        if run:
            found.append((("".join(run),), frozenset(escapes)))
        run.clear()
        escapes.clear()

    for op, av in _flattened(items):
        letter = _ascii_letter((op, av))
        if letter:
            run.append(letter)
            continue
        needed = _vanishing(op, av)
        if needed is not None:
            escapes |= needed
            continue
        if op in _REPEATS and av[0] >= 1 and len(av[2]) == 1:
            letter = _ascii_letter(av[2][0])
            if letter:
                # "suc+k" shows "suc" (its first c) and "ck" (its last).
                run.append(letter)
                close()
                run.append(letter)
                continue
        close()
        if op == _c.BRANCH:
            choices = [_letters_in(list(branch)) for branch in av[1]]
            if all(choices):
                runs = {r for choice in choices if choice for r in choice[0]}
                symbols = frozenset().union(*(choice[1] for choice in choices if choice))
                found.append((tuple(sorted(runs)), symbols))
        elif op in _REPEATS and av[0] >= 1:
            inner = _letters_in(list(av[2]))
            if inner:
                found.append(inner)
    close()
    return max(found, key=_letters_quality) if found else None


def _is_digit_class_member(member: tuple) -> bool:
    """Whether a member of a parsed class ([...]) matches only digits (of ``\\d``)."""
    op, av = member
    if op == _c.CATEGORY:
        return av == _c.CATEGORY_DIGIT
    if op == _c.LITERAL:
        return chr(av).isdecimal()
    if op == _c.RANGE:
        return all(chr(code).isdecimal() for code in range(av[0], av[1] + 1))
    return False  # a negated class, letters, ...


def _needs_digit(items: list) -> bool:
    """Whether every match of a parsed sequence holds a digit (a character of ``\\d``),
    so that a text without one cannot match."""
    for op, av in items:
        if op == _c.LITERAL and chr(av).isdecimal():
            return True
        if op == _c.IN and av and all(_is_digit_class_member(m) for m in av):
            return True
        if op == _c.SUBPATTERN and _needs_digit(list(av[3])):
            return True
        if op in _REPEATS and av[0] >= 1 and _needs_digit(list(av[2])):
            return True
        if op == _c.ATOMIC_GROUP and _needs_digit(list(av)):
            return True
        if op == _c.BRANCH and all(_needs_digit(list(branch)) for branch in av[1]):
            return True
    return False


@dataclass(slots=True)
class _CompiledRule:
    """A rule ready to search, with cheaper tests that every match passes.

    Its pattern (and scout) are compiled by Python's engine when it is first searched
    with: most rules that a text's fragments bring up fail a cheaper test, which needs
    only the pattern's structure, and compiling costs several times more than reading
    it. A pattern Python's engine cannot compile matches nothing."""

    source: str
    """The pattern as it is searched (keywords wrapped to match whole words)."""
    scout_source: str | None = None
    """Matches wherever ``source`` does (a relaxed form of it; see :func:`_scout_items`),
    and is faster to search."""
    letters: tuple[str, ...] = ()
    """Where the pattern matches, the squeezed text (:func:`_squeezed`) holds one of these
    (see :func:`_letters_in`), unless the text holds one of ``letter_escapes``."""
    letter_escapes: tuple[str, ...] = ()
    needs_digit: bool = False
    """Every match of the pattern holds a digit: a text without one needs no search."""
    _compiled: tuple[re.Pattern[str], re.Pattern[str] | None] | None = field(
        default=None, repr=False
    )
    _broken: bool = field(default=False, repr=False)

    def search(self, text: str) -> re.Match[str] | None:
        """The pattern's first match in ``text``, not looked for when the scout finds
        nothing."""
        compiled = self._compiled
        if compiled is None:
            compiled = self._compile()
            if compiled is None:
                return None
        pattern, scout = compiled
        if scout is not None and scout.search(text) is None:
            return None
        return pattern.search(text)

    def _compile(self) -> tuple[re.Pattern[str], re.Pattern[str] | None] | None:
        """The pattern and the scout compiled (``None`` when the pattern cannot be:
        some use features of the third-party `regex` module)."""
        if self._broken:
            return None
        try:
            pattern = re.compile(self.source, _FLAGS)
        except (re.error, RecursionError, OverflowError, ValueError):
            self._broken = True
            return None
        scout = None
        if self.scout_source is not None:
            try:
                scout = re.compile(self.scout_source, _FLAGS)
            except (re.error, RecursionError, OverflowError, ValueError):
                scout = None  # only the quicker search is lost
        self._compiled = (pattern, scout)
        return self._compiled

    def lacks_letters(self, text: str, squeezed: str) -> bool:
        """Whether the letters test shows that the pattern cannot match ``text``
        (``squeezed`` being its squeezed form)."""
        # Loops rather than any(): this runs for every rule on every text.
        for symbol in self.letter_escapes:
            if symbol in text:
                return False
        for run in self.letters:
            if run in squeezed:
                return False
        return bool(self.letters)


def _compile_rule(list_name: str, pattern: str, fragments: tuple[str, ...] = ()) -> _CompiledRule:
    """One list entry with its cheaper tests (its pattern is compiled when first
    searched with). ``fragments`` are those the entry is indexed by: a letters test for
    one of them only would tell nothing new."""
    whole_words = list_name != "blacklisted_websites"
    # SmokeDetector matches keywords as whole words.
    source = rf"(?:^|\b)(?:{pattern})(?:\b|$)" if whole_words else pattern
    try:
        # The pattern's structure, to derive the tests from.
        parsed = _c.parse(source, _FLAGS)
        items = parsed.items
        if _refers_to_groups(items):
            return _CompiledRule(source)
        # Any run of consecutive parts of a sequence matches wherever it does, so the
        # tests may be derived from the entry without its word-boundary wrapping: the
        # parser opens up that (?:...) group, leaving ^|\b first and \b|$ last.
        entry = items[1:-1] if whole_words else items
        needs_digit = _needs_digit(entry)
        scout = None
        relaxed = _scout_items(parsed, entry)
        if relaxed is not None and relaxed[0] != items:
            # Left without the wrapping's word boundaries, an alternation of many
            # words is tried at every position: cheaper only where it spares the
            # engine a repetition of repetitions.
            if relaxed[1] or _starts(relaxed[0]) <= MAX_SCOUT_STARTS:
                scout = _c.to_source(relaxed[0], parsed.flags)
        letters = None
        if not parsed.flags & (re.ASCII.value | re.LOCALE.value):
            letters = _letters_in(entry)
        if (
            letters is None
            or _letters_quality(letters)[0] < MIN_LETTERS
            or set(letters[0]) <= set(fragments)
        ):
            return _CompiledRule(source, scout, needs_digit=needs_digit)
        return _CompiledRule(
            source, scout, letters[0], tuple(sorted(letters[1])), needs_digit=needs_digit
        )
    except Exception:  # noqa: BLE001 - any pattern, even one Python's engine refuses
        # Only the cheaper tests are lost (for syntax regex_syntax does not read).
        return _CompiledRule(source)


@dataclass(frozen=True, slots=True)
class _UnindexedRules:
    """The rules without a fragment (of the lists searched), compiled, with all the
    letters and symbols their letters tests look for."""

    rules: tuple[tuple[_Rule, _CompiledRule], ...]
    letters: frozenset[str]
    escapes: frozenset[str]


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


@dataclass(frozen=True, slots=True)
class _Finder:
    """Index keys found all at once in a text (an Aho-Corasick automaton), each with the
    numbers of the rules it indexes: the rules' fragments themselves, or (``exact``
    false) a piece of each, which takes a far smaller automaton but brings up rules
    none of whose fragments is in the text."""

    automaton: ahocorasick.Automaton
    rules: tuple[tuple[int, ...], ...]
    exact: bool

    @classmethod
    def of(cls, rules_by_key: dict[str, list[int]], exact: bool) -> _Finder | None:
        """A finder of the keys that index at least one rule (``None`` when none does)."""
        kept = [(key, tuple(numbers)) for key, numbers in rules_by_key.items() if numbers]
        if not kept:
            return None
        automaton = ahocorasick.Automaton()
        for position, (key, _) in enumerate(kept):
            automaton.add_word(key, position)
        automaton.make_automaton()
        return cls(automaton, tuple(numbers for _, numbers in kept), exact)

    def rules_in(self, lowered: str) -> set[int]:
        """The rules indexed by the keys that occur in a lower-cased text."""
        found: set[int] = set()
        for position in {position for _, position in self.automaton.iter(lowered)}:
            found.update(self.rules[position])
        return found


@dataclass
class _Rule:
    list_name: str
    pattern: str
    fragments: tuple[str, ...]
    compiled: _CompiledRule | None = None


@dataclass
class SmokeDetectorRules:
    """Matcher over SmokeDetector's lists, compiling each pattern on first need."""

    rules: list[_Rule] = field(default_factory=list)
    unindexed: list[int] = field(default_factory=list)
    numbers: dict[str, frozenset[str]] = field(default_factory=dict)
    finders: dict[bool, _Finder] = field(default_factory=dict, repr=False)
    """The fragments of the blacklist rules (``True``), searched for every submission,
    and a piece of each fragment of the watch-list rules (``False``), searched for a
    few only (all their fragments would take 6 MB more)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _unindexed_compiled: dict[frozenset[str] | None, _UnindexedRules] = field(
        default_factory=dict, repr=False
    )
    """The rules without a fragment, per selection of lists (``None``: all of them)."""

    @classmethod
    def from_index(cls, index: dict) -> SmokeDetectorRules:
        """Build the matcher from :func:`build_index` output."""
        if index.get("format") != INDEX_FORMAT:
            raise ValueError("unsupported SmokeDetector index format")
        rules: list[_Rule] = []
        for name, entries in index.get("lists", {}).items():
            for pattern, fragments in entries:
                rules.append(_Rule(name, pattern, tuple(fragments or ())))
        matcher = cls(rules=rules)
        # A watch-list fragment is keyed by its rarest piece of KEY_LENGTH characters, so
        # that no key is one every URL has ("http", "www.", ".com").
        piece_counts: Counter[str] = Counter()
        for rule in rules:
            if rule.list_name not in BLACKLISTS:
                for fragment in rule.fragments:
                    piece_counts.update(_pieces(fragment))
        by_key: dict[bool, dict[str, list[int]]] = {True: {}, False: {}}
        for number, rule in enumerate(rules):
            if not rule.fragments:
                matcher.unindexed.append(number)
                continue
            blacklisted = rule.list_name in BLACKLISTS
            for fragment in rule.fragments:
                key = (
                    fragment
                    if blacklisted or len(fragment) <= KEY_LENGTH
                    else min(_pieces(fragment), key=lambda p: (piece_counts[p], p))
                )
                by_key[blacklisted].setdefault(key, []).append(number)
        matcher.numbers = {k: frozenset(v) for k, v in index.get("numbers", {}).items()}
        for blacklisted, keys in by_key.items():
            finder = _Finder.of(keys, exact=blacklisted)
            if finder is not None:
                matcher.finders[blacklisted] = finder
        return matcher

    @classmethod
    def load(cls, list_dir: Path, index_path: Path | None = None) -> SmokeDetectorRules:
        """Load from a stored index when present, else index the list files now."""
        if index_path is not None and index_path.exists():
            return cls.from_index(json.loads(index_path.read_text(encoding="utf-8")))
        return cls.from_index(build_index(list_dir))

    def _compiled(self, rule: _Rule) -> _CompiledRule:
        if rule.compiled is None:
            with self._lock:
                if rule.compiled is None:
                    rule.compiled = _compile_rule(rule.list_name, rule.pattern, rule.fragments)
        return rule.compiled

    def _unindexed_rules(self, wanted: frozenset[str] | None) -> _UnindexedRules:
        """The rules without a fragment (tried on every text) of the ``wanted`` lists
        (``None``: every list), compiled, in their order."""
        selected = self._unindexed_compiled.get(wanted)
        if selected is None:
            rules = tuple(
                (rule, self._compiled(rule))
                for rule in (self.rules[number] for number in self.unindexed)
                if wanted is None or rule.list_name in wanted
            )
            selected = _UnindexedRules(
                rules,
                letters=frozenset(run for _, c in rules for run in c.letters),
                escapes=frozenset(symbol for _, c in rules for symbol in c.letter_escapes),
            )
            self._unindexed_compiled[wanted] = selected
        return selected

    def _candidates(self, lowered: str, blacklisted: bool) -> set[int]:
        """The rules of the blacklists (or of the watch lists) with a fragment that
        occurs in a lower-cased text."""
        finder = self.finders.get(blacklisted)
        if finder is None:
            return set()
        found = finder.rules_in(lowered)
        if finder.exact:
            return found
        return {n for n in found if any(f in lowered for f in self.rules[n].fragments)}

    @staticmethod
    def _search_windows(
        rule: _Rule, compiled: _CompiledRule, text: str, lowered: str
    ) -> SmokeMatch | None:
        """The rule's match in a window around an occurrence of one of its fragments."""
        searched: set[tuple[int, int]] = set()
        for fragment in rule.fragments:
            start = lowered.find(fragment)
            seen = 0
            while start >= 0 and seen < MAX_WINDOWS:
                # A match contains the fragment, so searching a window around each
                # occurrence finds it, and bounds the cost of nested quantifiers on long
                # hostile text. In a short text, the windows of all the fragments are
                # the whole text: that is searched once only.
                bounds = (
                    max(0, start - WINDOW_CHARS),
                    min(len(text), start + len(fragment) + WINDOW_CHARS),
                )
                if bounds not in searched:
                    searched.add(bounds)
                    found = compiled.search(text[bounds[0] : bounds[1]])
                    if found:
                        return SmokeMatch(rule.list_name, rule.pattern, found.group(0)[:80])
                seen += 1
                start = lowered.find(fragment, start + WINDOW_CHARS)
        return None

    def match(
        self, text: str, limit: int = 5, blacklists: bool = True, watched: bool = True
    ) -> list[SmokeMatch]:
        """List entries matching ``text`` (blacklist matches first), at most ``limit``;
        the blacklists or the watched lists only when the other is not wanted (the
        watched lists, far longer, are then not searched at all)."""
        if not text or not (blacklists or watched):
            return []
        wanted = None if blacklists and watched else BLACKLISTS if blacklists else WATCHED
        text = _tame(text)
        lowered = text.lower()
        candidates: set[int] = set()
        for blacklisted in (True, False) if wanted is None else (wanted is BLACKLISTS,):
            candidates |= self._candidates(lowered, blacklisted)
        matches: list[SmokeMatch] = []
        # Patterns without a literal fragment run on every submission; some nest
        # quantifiers, so they only see the start of long content to bound the time.
        head = text[:UNINDEXED_SCAN_CHARS]
        # Most texts have no digit at all: the rules that need one are then not searched.
        has_digit = _DIGIT.search(text) is not None
        head_has_digit = has_digit and (len(text) == len(head) or _DIGIT.search(head) is not None)
        squeezed_head = _squeezed(head)
        unindexed = self._unindexed_rules(wanted)
        # Most of these rules spell a word out letter by letter: a text that does not
        # show the letters together once squeezed cannot match (as lacks_letters
        # tells, here for all the rules at once).
        letters = {run for run in unindexed.letters if run in squeezed_head}
        escapes = {symbol for symbol in unindexed.escapes if symbol in head}
        for rule, compiled in unindexed.rules:
            if (
                compiled.letters
                and letters.isdisjoint(compiled.letters)
                and escapes.isdisjoint(compiled.letter_escapes)
            ):
                continue
            if compiled.needs_digit and not head_has_digit:
                continue
            found = compiled.search(head)
            if found:
                matches.append(SmokeMatch(rule.list_name, rule.pattern, found.group(0)[:80]))
        squeezed_text = _squeezed(text) if len(text) > len(head) else squeezed_head
        for number in sorted(candidates):
            rule = self.rules[number]
            if wanted is not None and rule.list_name not in wanted:
                continue
            compiled = rule.compiled if rule.compiled is not None else self._compiled(rule)
            # A candidate's text holds one of its fragments: the rule's cheaper tests
            # come before any window is searched. (The squeezed text of a window is part
            # of the text's.)
            if (compiled.needs_digit and not has_digit) or (
                compiled.letters and compiled.lacks_letters(text, squeezed_text)
            ):
                continue
            found = self._search_windows(rule, compiled, text, lowered)
            if found is not None:
                matches.append(found)
        opening = text[:100_000]
        # Most texts have no digit at all, which is found out faster than that they
        # have no number.
        has_number = has_digit and (len(opening) == len(text) or _DIGIT.search(opening))
        for number_text in _NUMBER_RUN.findall(opening) if has_number else []:
            digits = _digits(number_text)
            for name, numbers in self.numbers.items():
                if wanted is not None and name not in wanted:
                    continue
                if digits in numbers or (len(digits) > 10 and digits[-10:] in numbers):
                    matches.append(SmokeMatch(name, digits, number_text.strip()))
        matches.sort(key=lambda m: not m.blacklisted)
        return matches[:limit]
