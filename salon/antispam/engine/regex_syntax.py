"""A reader of Python's regular-expression syntax, for reasoning about a pattern.

The SmokeDetector rules (:mod:`.smokedetector`) derive cheaper tests from the structure of
each pattern: literal text that any match contains, a relaxed pattern that is faster to
search, the letters a match spells out. Python's own parser is a private module, free to
change between releases, so this module reads the syntax itself. It is used only on
patterns that ``re.compile`` has accepted, so it need not explain what is wrong with a bad
one: it raises :class:`UnsupportedPattern` for anything it does not read.

A parsed sequence is a list of items ``(op, argument)``:

=====================  ===========================================================
``LITERAL``            a code point
``NOT_LITERAL``        a code point (any character but this one)
``ANY``                ``None`` (``.``)
``IN``                 members: ``(LITERAL, code)``, ``(RANGE, (low, high))``,
                       ``(CATEGORY, name)``, a leading ``(NEGATE, None)``
``AT``                 one of the ``AT_*`` positions (``^``, ``$``, ``\\b``, ...)
``SUBPATTERN``         ``(group number or None, flags set, flags cleared, sequence)``
``MAX_REPEAT`` ...     ``(least, most, sequence)``; ``most`` is :data:`UNBOUNDED` for
                       ``*``, ``+`` and ``{m,}``; also ``MIN_REPEAT`` (lazy) and
                       ``POSSESSIVE_REPEAT``
``BRANCH``             ``(None, [sequence, ...])``
``ASSERT``             ``(direction, sequence)``: 1 ahead, -1 behind; ``ASSERT_NOT``
``ATOMIC_GROUP``       a sequence
``GROUPREF``           a group number
``GROUPREF_EXISTS``    ``(group number, sequence, sequence or None)``
=====================  ===========================================================

The shapes follow what Python's engine compiles: plain groups ``(?:...)`` are opened up
into their sequence; alternatives that begin alike share that beginning; alternatives of
one character each become a class. So literal text that a pattern requires is found
however the pattern spells it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

LITERAL = "literal"
NOT_LITERAL = "not_literal"
ANY = "any"
IN = "in"
RANGE = "range"
CATEGORY = "category"
NEGATE = "negate"
AT = "at"
SUBPATTERN = "subpattern"
MAX_REPEAT = "max_repeat"
MIN_REPEAT = "min_repeat"
POSSESSIVE_REPEAT = "possessive_repeat"
BRANCH = "branch"
ASSERT = "assert"
ASSERT_NOT = "assert_not"
ATOMIC_GROUP = "atomic_group"
GROUPREF = "groupref"
GROUPREF_EXISTS = "groupref_exists"

AT_BEGINNING = "at_beginning"
AT_BEGINNING_STRING = "at_beginning_string"
AT_END = "at_end"
AT_END_STRING = "at_end_string"
AT_BOUNDARY = "at_boundary"
AT_NON_BOUNDARY = "at_non_boundary"

CATEGORY_DIGIT = "category_digit"
CATEGORY_NOT_DIGIT = "category_not_digit"
CATEGORY_SPACE = "category_space"
CATEGORY_NOT_SPACE = "category_not_space"
CATEGORY_WORD = "category_word"
CATEGORY_NOT_WORD = "category_not_word"

UNBOUNDED = 2**32 - 1
"""The ``most`` of an unbounded repetition (larger than any bound Python accepts)."""

REPEATS = frozenset({MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT})
_UNITS = frozenset({ANY, IN, LITERAL, NOT_LITERAL})
_WHITESPACE = frozenset(" \t\n\r\v\f")
_SPECIAL = ".\\[{()*+?^$|"
_DIGITS = frozenset("0123456789")
_OCTAL = frozenset("01234567")
_HEX = frozenset("0123456789abcdefABCDEF")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

_FLAG_LETTERS: dict[str, int] = {
    "i": re.IGNORECASE.value,
    "L": re.LOCALE.value,
    "m": re.MULTILINE.value,
    "s": re.DOTALL.value,
    "x": re.VERBOSE.value,
    "a": re.ASCII.value,
    "u": re.UNICODE.value,
}
VERBOSE = re.VERBOSE.value

_ESCAPES = {
    "\\a": (LITERAL, 7),
    "\\b": (LITERAL, 8),
    "\\f": (LITERAL, 12),
    "\\n": (LITERAL, 10),
    "\\r": (LITERAL, 13),
    "\\t": (LITERAL, 9),
    "\\v": (LITERAL, 11),
    "\\\\": (LITERAL, 92),
}
_CATEGORY_ESCAPES = {
    "\\d": CATEGORY_DIGIT,
    "\\D": CATEGORY_NOT_DIGIT,
    "\\s": CATEGORY_SPACE,
    "\\S": CATEGORY_NOT_SPACE,
    "\\w": CATEGORY_WORD,
    "\\W": CATEGORY_NOT_WORD,
}
_POSITION_ESCAPES = {
    "\\A": AT_BEGINNING_STRING,
    "\\b": AT_BOUNDARY,
    "\\B": AT_NON_BOUNDARY,
    "\\Z": AT_END_STRING,
}


class UnsupportedPattern(ValueError):
    """The pattern uses syntax this reader does not read (or is not a valid pattern)."""


@dataclass
class Parsed:
    """A parsed pattern: its items, the flags it is compiled with (those passed and
    those set inline at its start), and the fewest characters each group matches."""

    items: list
    flags: int
    group_widths: list[int] = field(default_factory=list)


class _Source:
    """The pattern read one token at a time: a character, or a backslash and the next."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = 0
        self.next: str | None = None
        self._advance()

    def _advance(self) -> None:
        if self.index >= len(self.text):
            self.next = None
            return
        char = self.text[self.index]
        if char == "\\":
            if self.index + 1 >= len(self.text):
                raise UnsupportedPattern("bad escape at the end of the pattern")
            char += self.text[self.index + 1]
        self.index += len(char)
        self.next = char

    def match(self, char: str) -> bool:
        if char == self.next:
            self._advance()
            return True
        return False

    def get(self) -> str | None:
        this = self.next
        self._advance()
        return this

    def get_while(self, count: int, chars: frozenset[str]) -> str:
        result = ""
        for _ in range(count):
            if self.next is None or self.next not in chars:
                break
            result += self.next
            self._advance()
        return result

    def get_until(self, terminator: str) -> str:
        result = ""
        while True:
            char = self.get()
            if char is None:
                raise UnsupportedPattern("unterminated name")
            if char == terminator:
                return result
            result += char

    def tell(self) -> int:
        return self.index - len(self.next or "")

    def seek(self, index: int) -> None:
        self.index = index
        self._advance()


class _State:
    def __init__(self, flags: int) -> None:
        self.flags = flags
        self.names: dict[str, int] = {}
        self.widths: list[int | None] = [None]  # group 0

    def open_group(self, name: str | None) -> int:
        number = len(self.widths)
        self.widths.append(None)
        if name is not None:
            self.names[name] = number
        return number


def parse(pattern: str, flags: int = 0) -> Parsed:
    """Parse a pattern that ``re.compile(pattern, flags)`` accepts."""
    state = _State(int(flags))
    source = _Source(pattern)
    items = _parse_alternatives(source, state, bool(state.flags & VERBOSE), nested=0)
    if source.next is not None:
        raise UnsupportedPattern("unbalanced parenthesis")
    if not state.flags & (re.ASCII.value | re.LOCALE.value):
        state.flags |= re.UNICODE.value  # as Python does for a str pattern
    return Parsed(items, state.flags, [w or 0 for w in state.widths])


def _simple_equal(a: tuple, b: tuple) -> bool:
    """Whether two items are the same character test (alternatives sharing it as their
    beginning share it once). Items holding sequences are never taken as the same."""
    return a[0] == b[0] and a[0] in (LITERAL, NOT_LITERAL, ANY, IN, AT, GROUPREF) and a[1] == b[1]


def _unique(members: list) -> list:
    return list(dict.fromkeys(members))


def _parse_alternatives(source: _Source, state: _State, verbose: bool, nested: int) -> list:
    alternatives = []
    while True:
        alternatives.append(
            _parse_sequence(source, state, verbose, nested + 1, not nested and not alternatives)
        )
        if not source.match("|"):
            break
        if not nested:
            verbose = bool(state.flags & VERBOSE)
    if len(alternatives) == 1:
        return alternatives[0]
    result: list = []
    while True:  # a beginning all the alternatives share
        prefix = None
        for alternative in alternatives:
            if not alternative:
                break
            if prefix is None:
                prefix = alternative[0]
            elif not _simple_equal(alternative[0], prefix):
                break
        else:
            for alternative in alternatives:
                del alternative[0]
            result.append(prefix)
            continue
        break
    members: list = []
    for alternative in alternatives:  # one character each: a class
        if len(alternative) != 1:
            break
        op, av = alternative[0]
        if op == LITERAL:
            members.append((op, av))
        elif op == IN and av[0][0] != NEGATE:
            members.extend(av)
        else:
            break
    else:
        result.append((IN, _unique(members)))
        return result
    result.append((BRANCH, (None, alternatives)))
    return result


def _numeric_escape(source: _Source, escape: str, digits: frozenset[str], count: int) -> tuple:
    escape += source.get_while(count, digits)
    if len(escape) != count + 2:
        raise UnsupportedPattern(f"incomplete escape {escape}")
    return LITERAL, int(escape[2:], 16)


def _common_escape(source: _Source, escape: str) -> tuple | None:
    """The escapes that mean the same inside a class and out (\\x, \\u, \\U, \\N)."""
    char = escape[1:2]
    if char == "x":
        return _numeric_escape(source, escape, _HEX, 2)
    if char == "u":
        return _numeric_escape(source, escape, _HEX, 4)
    if char == "U":
        code = _numeric_escape(source, escape, _HEX, 8)
        chr(code[1])
        return code
    if char == "N":
        if not source.match("{"):
            raise UnsupportedPattern("missing {")
        name = source.get_until("}")
        try:
            return LITERAL, ord(unicodedata.lookup(name))
        except KeyError:
            raise UnsupportedPattern(f"undefined character name {name!r}") from None
    return None


def _class_escape(source: _Source, escape: str) -> tuple:
    if escape in _ESCAPES:
        return _ESCAPES[escape]
    if escape in _CATEGORY_ESCAPES:
        return IN, [(CATEGORY, _CATEGORY_ESCAPES[escape])]
    code = _common_escape(source, escape)
    if code is not None:
        return code
    char = escape[1]
    if char in _OCTAL:
        escape += source.get_while(2, _OCTAL)
        return LITERAL, int(escape[1:], 8)
    if char in _DIGITS or char in _ASCII_LETTERS:
        raise UnsupportedPattern(f"bad escape {escape}")
    return LITERAL, ord(char)


def _escape(source: _Source, escape: str, state: _State) -> tuple:
    if escape in _POSITION_ESCAPES:
        return AT, _POSITION_ESCAPES[escape]
    if escape in _CATEGORY_ESCAPES:
        return IN, [(CATEGORY, _CATEGORY_ESCAPES[escape])]
    if escape in _ESCAPES:
        return _ESCAPES[escape]
    code = _common_escape(source, escape)
    if code is not None:
        return code
    char = escape[1]
    if char == "0":
        escape += source.get_while(2, _OCTAL)
        return LITERAL, int(escape[1:], 8)
    if char in _DIGITS:
        if source.next is not None and source.next in _DIGITS:
            escape += source.get()  # type: ignore[operator]
            if escape[1] in _OCTAL and escape[2] in _OCTAL and (source.next or "") in _OCTAL:
                escape += source.get()  # type: ignore[operator]
                return LITERAL, int(escape[1:], 8)
        return GROUPREF, int(escape[1:])
    if char in _ASCII_LETTERS:
        raise UnsupportedPattern(f"bad escape {escape}")
    return LITERAL, ord(char)


def _parse_class(source: _Source) -> tuple:
    members: list = []
    negate = source.match("^")
    while True:
        this = source.get()
        if this is None:
            raise UnsupportedPattern("unterminated character set")
        if this == "]" and members:
            break
        code1 = _class_escape(source, this) if this[0] == "\\" else (LITERAL, ord(this))
        if source.match("-"):
            that = source.get()
            if that is None:
                raise UnsupportedPattern("unterminated character set")
            if that == "]":
                members.append(code1[1][0] if code1[0] == IN else code1)
                members.append((LITERAL, ord("-")))
                break
            code2 = _class_escape(source, that) if that[0] == "\\" else (LITERAL, ord(that))
            if code1[0] != LITERAL or code2[0] != LITERAL:
                raise UnsupportedPattern("bad character range")
            members.append((RANGE, (code1[1], code2[1])))
        else:
            members.append(code1[1][0] if code1[0] == IN else code1)
    members = _unique(members)
    if len(members) == 1 and members[0][0] == LITERAL:
        return (NOT_LITERAL, members[0][1]) if negate else members[0]
    if negate:
        members.insert(0, (NEGATE, None))
    return IN, members


def _parse_repeat(source: _Source, this: str, sequence: list) -> bool:
    """Turn the last item of ``sequence`` into a repetition; ``False`` when ``{`` is
    a literal brace instead."""
    here = source.tell()
    if this == "?":
        least, most = 0, 1
    elif this == "*":
        least, most = 0, UNBOUNDED
    elif this == "+":
        least, most = 1, UNBOUNDED
    else:
        if source.next == "}":
            return False
        low = high = ""
        while source.next is not None and source.next in _DIGITS:
            low += source.get()  # type: ignore[operator]
        if source.match(","):
            while source.next is not None and source.next in _DIGITS:
                high += source.get()  # type: ignore[operator]
        else:
            high = low
        if not source.match("}"):
            source.seek(here)
            return False
        least = int(low) if low else 0
        most = int(high) if high else UNBOUNDED
    if not sequence or sequence[-1][0] == AT or sequence[-1][0] in REPEATS:
        raise UnsupportedPattern("nothing to repeat")
    body = sequence[-1:]
    if body[0][0] == SUBPATTERN:
        group, add_flags, del_flags, inner = body[0][1]
        if group is None and not add_flags and not del_flags:
            body = inner
    if source.match("?"):
        sequence[-1] = (MIN_REPEAT, (least, most, body))
    elif source.match("+"):
        sequence[-1] = (POSSESSIVE_REPEAT, (least, most, body))
    else:
        sequence[-1] = (MAX_REPEAT, (least, most, body))
    return True


def _parse_flags(source: _Source, state: _State, char: str) -> tuple[int, int] | None:
    """Inline flags after ``(?``: ``None`` for flags of the whole pattern ``(?i)``,
    else the flags a scoped group ``(?i-s:...)`` sets and clears."""
    add_flags = del_flags = 0
    if char != "-":
        while True:
            add_flags |= _FLAG_LETTERS[char]
            char = source.get()  # type: ignore[assignment]
            if char is None:
                raise UnsupportedPattern("missing -, : or )")
            if char in ")-:":
                break
            if char not in _FLAG_LETTERS:
                raise UnsupportedPattern("unknown flag")
    if char == ")":
        state.flags |= add_flags
        return None
    if char == "-":
        char = source.get()  # type: ignore[assignment]
        while char is not None and char != ":":
            if char not in _FLAG_LETTERS:
                raise UnsupportedPattern("unknown flag")
            del_flags |= _FLAG_LETTERS[char]
            char = source.get()  # type: ignore[assignment]
        if char is None:
            raise UnsupportedPattern("missing :")
    return add_flags, del_flags


def _parse_group(
    source: _Source, state: _State, verbose: bool, nested: int, first: bool, sequence: list
) -> bool:
    """Read a group after its ``(`` into ``sequence``; ``True`` when it set flags for the
    whole pattern (so that verbose mode may have begun)."""
    capture, atomic, name = True, False, None
    add_flags = del_flags = 0
    if source.match("?"):
        char = source.get()
        if char is None:
            raise UnsupportedPattern("unexpected end of pattern")
        if char == "P":
            if source.match("<"):
                name = source.get_until(">")
            elif source.match("="):
                name = source.get_until(")")
                sequence.append((GROUPREF, state.names[name]))
                return False
            else:
                raise UnsupportedPattern("unknown extension ?P")
        elif char == ":":
            capture = False
        elif char == "#":
            while source.get() not in (")", None):
                pass
            return False
        elif char in "=!<":
            direction = 1
            if char == "<":
                char = source.get()
                if char is None or char not in "=!":
                    raise UnsupportedPattern("unknown extension ?<")
                direction = -1
            inner = _parse_alternatives(source, state, verbose, nested + 1)
            if not source.match(")"):
                raise UnsupportedPattern("missing )")
            sequence.append((ASSERT if char == "=" else ASSERT_NOT, (direction, inner)))
            return False
        elif char == "(":
            condition = source.get_until(")")
            group = state.names[condition] if condition.isidentifier() else int(condition)
            yes = _parse_sequence(source, state, verbose, nested + 1)
            no = _parse_sequence(source, state, verbose, nested + 1) if source.match("|") else None
            if not source.match(")"):
                raise UnsupportedPattern("missing )")
            sequence.append((GROUPREF_EXISTS, (group, yes, no)))
            return False
        elif char == ">":
            capture, atomic = False, True
        elif char in _FLAG_LETTERS or char == "-":
            flags = _parse_flags(source, state, char)
            if flags is None:
                if not first or sequence:
                    raise UnsupportedPattern("global flags not at the start")
                return True
            add_flags, del_flags = flags
            capture = False
        else:
            raise UnsupportedPattern(f"unknown extension ?{char}")
    group = state.open_group(name) if capture else None
    inner_verbose = (verbose or bool(add_flags & VERBOSE)) and not del_flags & VERBOSE
    inner = _parse_alternatives(source, state, inner_verbose, nested + 1)
    if not source.match(")"):
        raise UnsupportedPattern("missing )")
    if group is not None:
        state.widths[group] = min_width(inner, state.widths)
    if atomic:
        sequence.append((ATOMIC_GROUP, inner))
    else:
        sequence.append((SUBPATTERN, (group, add_flags, del_flags, inner)))
    return False


def _parse_sequence(
    source: _Source, state: _State, verbose: bool, nested: int, first: bool = False
) -> list:
    sequence: list = []
    while True:
        this = source.next
        if this is None or this in "|)":
            break
        source.get()
        if verbose:
            if this in _WHITESPACE:
                continue
            if this == "#":
                while source.get() not in ("\n", None):
                    pass
                continue
        if this[0] == "\\":
            sequence.append(_escape(source, this, state))
        elif this not in _SPECIAL:
            sequence.append((LITERAL, ord(this)))
        elif this == "[":
            sequence.append(_parse_class(source))
        elif this in "*+?{":
            if not _parse_repeat(source, this, sequence):
                sequence.append((LITERAL, ord(this)))
        elif this == ".":
            sequence.append((ANY, None))
        elif this == "(":
            if _parse_group(source, state, verbose, nested, first, sequence):
                verbose = bool(state.flags & VERBOSE)
        elif this == "^":
            sequence.append((AT, AT_BEGINNING))
        elif this == "$":
            sequence.append((AT, AT_END))
        else:  # pragma: no cover - every special character is handled above
            raise UnsupportedPattern(f"unexpected {this!r}")
    for number in range(len(sequence) - 1, -1, -1):  # plain groups opened up
        op, av = sequence[number]
        if op == SUBPATTERN and av[0] is None and not av[1] and not av[2]:
            sequence[number : number + 1] = av[3]
    return sequence


def min_width(items: list, group_widths: list) -> int:
    """The fewest characters a parsed sequence matches."""
    total = 0
    for op, av in items:
        if op == BRANCH:
            total += min(min_width(list(branch), group_widths) for branch in av[1])
        elif op == ATOMIC_GROUP:
            total += min_width(av, group_widths)
        elif op == SUBPATTERN:
            total += min_width(av[3], group_widths)
        elif op in REPEATS:
            total += min_width(av[2], group_widths) * av[0]
        elif op in _UNITS:
            total += 1
        elif op == GROUPREF:
            total += group_widths[av] or 0
        elif op == GROUPREF_EXISTS:
            if av[2] is not None:
                total += min(min_width(av[1], group_widths), min_width(av[2], group_widths))
    return total


# Writing a parsed sequence back as a pattern.

_CATEGORY_SOURCE = {value: key for key, value in _CATEGORY_ESCAPES.items()}
_POSITION_SOURCE = {
    AT_BEGINNING: "^",
    AT_END: "$",
    AT_BEGINNING_STRING: "\\A",
    AT_END_STRING: "\\Z",
    AT_BOUNDARY: "\\b",
    AT_NON_BOUNDARY: "\\B",
}


def _flag_letters(flags: int) -> str:
    """Inline flag letters; verbose mode left out (the source written has no white
    space or comment to skip)."""
    return "".join(
        letter for letter, value in _FLAG_LETTERS.items() if flags & value and value != VERBOSE
    )


def _class_char(code: int) -> str:
    char = chr(code)
    if char.isascii() and char.isalnum():
        return char
    if code < 128 or not char.isprintable():
        return f"\\U{code:08x}" if code > 0xFFFF else f"\\u{code:04x}"
    return char


def _literal(code: int) -> str:
    char = chr(code)
    if char.isascii() and char.isalnum():
        return char
    return f"[{_class_char(code)}]"


def _member_source(member: tuple) -> str:
    op, av = member
    if op == LITERAL:
        return _class_char(av)
    if op == RANGE:
        return f"{_class_char(av[0])}-{_class_char(av[1])}"
    if op == CATEGORY:
        return _CATEGORY_SOURCE[av]
    raise UnsupportedPattern(f"unexpected class member {op}")


def to_source(items: list, flags: int = 0) -> str:
    """A pattern for a parsed sequence (group references left out: none may remain).
    Groups become non-capturing. ``flags`` are written inline at its start."""
    letters = _flag_letters(flags & ~re.UNICODE.value)
    prefix = f"(?{letters})" if letters else ""
    return prefix + _sequence_source(items)


def _sequence_source(items: list) -> str:
    return "".join(_item_source(op, av) for op, av in items)


def _item_source(op: str, av) -> str:  # noqa: ANN001 - an item's argument varies by op
    if op == LITERAL:
        return _literal(av)
    if op == NOT_LITERAL:
        return f"[^{_class_char(av)}]"
    if op == ANY:
        return "."
    if op == IN:
        negate = bool(av) and av[0][0] == NEGATE
        members = av[1:] if negate else av
        return "[" + ("^" if negate else "") + "".join(map(_member_source, members)) + "]"
    if op == AT:
        return _POSITION_SOURCE[av]
    if op == SUBPATTERN:
        added = _flag_letters(av[1])
        cleared = _flag_letters(av[2])
        flags = added + (f"-{cleared}" if cleared else "")
        return f"(?{flags}:{_sequence_source(av[3])})"
    if op in REPEATS:
        least, most, body = av
        count = f"{{{least},}}" if most == UNBOUNDED else f"{{{least},{most}}}"
        mode = {MAX_REPEAT: "", MIN_REPEAT: "?", POSSESSIVE_REPEAT: "+"}[op]
        return f"(?:{_sequence_source(body)}){count}{mode}"
    if op == BRANCH:
        return "(?:" + "|".join(_sequence_source(branch) for branch in av[1]) + ")"
    if op in (ASSERT, ASSERT_NOT):
        kind = ("=" if op == ASSERT else "!") if av[0] > 0 else ("<=" if op == ASSERT else "<!")
        return f"(?{kind}{_sequence_source(av[1])})"
    if op == ATOMIC_GROUP:
        return f"(?>{_sequence_source(av)})"
    raise UnsupportedPattern(f"cannot write {op} back")
