"""The reader of regular-expression syntax that SmokeDetector's rule tests are derived from.

What it reads must be what Python's engine runs: a pattern read and written back finds
exactly what the original finds, and the literal text it says a match needs is there.
"""

from __future__ import annotations

import re

import pytest

from salon.antispam.engine import regex_syntax as rs
from salon.antispam.engine.corpora import spam_data_dir
from salon.antispam.engine.smokedetector import RULE_FLAGS, read_patterns, required_fragments

FLAGS = RULE_FLAGS.value

CONSTRUCTS = [
    r"abc|abd",  # alternatives sharing a beginning
    r"a|b|[cd]",  # one character each: a class
    r"[^x]y[]a-]z[^]q]",  # negated, leading "]", trailing "-"
    r"\d+\s*\w{2,5}?\W\S\D",
    r"colou?r{2}x{3,}y{,2}",
    r"a{,}b{}c{1",  # braces that are no repetition
    r"(?P<word>ha)+\s(?P=word)",
    r"(a)?(?(1)b|c)",
    r"(?i:ABC)(?-i:Def)(?s:.)",
    r"(?>ab|a)c",
    r"x*+y++z?+",
    r"(?<=\$)\d+(?=%)(?<!0)(?!1)",
    r"\x41\u00e9\U0001F600\N{EM DASH}\0\101\n\t\\\.\-",
    r"[\x41-\x5a\d\s\-\]\\]+",
    r"^start|end$|\Astring\Z|\bword\B",
    r"(?#a comment)visible",
    r"(?x) spaced  out  # a comment",
    r"(?a)\w+",
    r"caf[ée]\s[\u0430-\u044f]+",
    r"(?:(?:drill|suc+k)(?:ing|e[dr])?(?:|\b.{0,80}?\b)(?:coc?k|ass)|(?:coc?k|ass)\W+suc+k)",
]
TEXTS = [
    "",
    "abc abd abx",
    "a b c d",
    "ay]z qz -yaz",
    "12   ab! x 9",
    "colour colorr xxx y yy",
    "a{,}b{}c{1",
    "haha ha",
    "ab c",
    "abcDef\nx ABCDef.",
    "acb abc",
    "xxyyz xy",
    "$15% $10% $01%",
    "Aé\U0001f600\u2014\x00A\n\t\\.-",
    "AZ 09 - ] \\",
    "start middle end",
    "string word",
    "visible",
    "spacedout",
    "émile ünïcode",
    "café привет cafe",
    "sucking a cock, suck!",
]


def _round_trip(pattern: str, flags: int = FLAGS) -> re.Pattern[str]:
    parsed = rs.parse(pattern, flags)
    return re.compile(rs.to_source(parsed.items, parsed.flags), flags)


@pytest.mark.parametrize("pattern", [p for p in CONSTRUCTS if "(?P=" not in p and "(?(" not in p])
def test_a_pattern_read_and_written_back_finds_what_it_finds(pattern):
    original = re.compile(pattern, FLAGS)
    again = _round_trip(pattern)
    for text in TEXTS + CONSTRUCTS:
        assert [m.group(0) for m in again.finditer(text)] == [
            m.group(0) for m in original.finditer(text)
        ], (pattern, text)


def test_group_references_are_read_but_not_written_back():
    parsed = rs.parse(r"(?P<word>ha)+\s(?P=word)", FLAGS)
    assert (rs.GROUPREF, 1) in parsed.items
    assert rs.min_width(parsed.items, parsed.group_widths) == 5
    with pytest.raises(rs.UnsupportedPattern):
        rs.to_source(parsed.items)


@pytest.mark.parametrize(
    ("pattern", "width"),
    [(r"ab?c", 2), (r"(?:ab|c)d{2,3}", 3), (r"\w*", 0), (r"(?<=x)y", 1), (r"(a|bc){2}", 2)],
)
def test_the_fewest_characters_a_pattern_matches(pattern, width):
    parsed = rs.parse(pattern)
    assert rs.min_width(parsed.items, parsed.group_widths) == width


def test_fragments_of_alternatives_spelled_in_different_ways():
    # Alternatives that begin alike share that beginning ("buy che", then [ae]p).
    assert required_fragments(r"buy cheap|buy cheep") == ["buy che"]
    assert required_fragments(r"xanax|valium") == ["valium", "xanax"]
    assert required_fragments(r"(?:casino|slots)\s+online") == ["online"]


def test_every_shipped_rule_python_compiles_is_read_and_written_back():
    """The rules' cheaper tests are derived from this reading; a rule it cannot read
    would lose them (and be slower), not change what it matches."""
    lists = spam_data_dir() / "smokedetector"
    patterns = [
        pattern
        for name in ("bad_keywords.txt", "watched_keywords.txt", "blacklisted_websites.txt")
        for pattern in read_patterns(lists / name)
    ]
    assert len(patterns) > 20_000
    unread = []
    for pattern in patterns:
        try:
            re.compile(pattern, FLAGS)
        except re.error:
            continue  # written for another engine: SmokeDetector skips it too
        parsed = rs.parse(pattern, FLAGS)
        try:
            source = rs.to_source(parsed.items, parsed.flags)
        except rs.UnsupportedPattern:
            assert "(?P=" in pattern or "(?(" in pattern or re.search(r"\\[1-9]", pattern)
            continue  # a group reference: such a rule has no cheaper tests
        try:
            re.compile(source, FLAGS)
        except re.error:
            unread.append(pattern)
    assert unread == []
