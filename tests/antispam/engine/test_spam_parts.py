"""The engine's parts on their own: links, language, campaigns, SmokeDetector, metrics."""

from __future__ import annotations

import re
import string
import threading

import pytest

from salon.antispam.engine import LabelledText, read_labelled_csv
from salon.antispam.engine.campaigns import signature, similarities
from salon.antispam.engine.evaluation import compute_metrics, evaluate
from salon.antispam.engine.language import guess_language, unlike_blog
from salon.antispam.engine.links import domain_of, find_links
from salon.antispam.engine.smokedetector import (
    INDEX_FORMAT,
    SmokeDetectorRules,
    _squeezed,
    required_fragments,
)


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.Example.com/path", "example.com"),
        ("www.example.com:8080/x", "example.com"),
        ("http://user:pw@host.example.org/", "host.example.org"),
        ("http://[::1]:80/", "::1"),
        ("not a url", ""),
        ("", ""),
    ],
)
def test_domain_of(url, domain):
    assert domain_of(url) == domain


def test_find_links_reads_every_form():
    links = find_links(
        '<a href="http://a.example/x">a</a> [url=http://b.example]b[/url] http://c.example www.d.example'
    )
    assert set(links.domains) == {"a.example", "b.example", "c.example", "d.example"}
    assert links.bbcode_links == 1 and links.html_links == 1


@pytest.mark.parametrize(
    ("text", "domain", "written"),
    [
        (
            "earn money marketglory . com/strategygame/x today",
            "marketglory.com",
            "marketglory . com/strategygame/x",
        ),
        ("my page tvcmcadavid.weebly . com", "tvcmcadavid.weebly.com", "tvcmcadavid.weebly . com"),
        ("visit cheap-pills(dot)com now", "cheap-pills.com", "cheap-pills(dot)com"),
    ],
)
def test_addresses_spelt_to_slip_past_filters_are_links(text, domain, written):
    links = find_links(text)
    assert links.domains == (domain,)
    assert links.obfuscated == (written,)


@pytest.mark.parametrize(
    "text",
    [
        "the dot com bubble burst in 2000",
        "go to hospital. De dont wait",
        "the job in /etc/cron.daily/tripwire failed",
        "that is, i.e. the harbour",
        "Dear, me at cherthala.in case u r coming",
        "write to john@blueyonder.co.uk instead",
    ],
)
def test_prose_is_not_an_address(text):
    assert find_links(text).count == 0


@pytest.mark.parametrize(
    ("text", "domain", "written"),
    [
        ("Go to WWW.Cheap-Pills.COM now", "cheap-pills.com", None),
        ("HTTPS://Example.ORG/a is it", "example.org", None),
        # The Kelvin sign is a "k" to a pattern that ignores case.
        ("pills at cheap.\u212az/offer today", "cheap.kz", None),
        ("earn at marketglory\t.\tcom today", "marketglory.com", "marketglory\t.\tcom"),
        ("visit cheap-pills (DOT) com now", "cheap-pills.com", "cheap-pills (DOT) com"),
    ],
)
def test_links_in_any_case_and_spacing_are_found(text, domain, written):
    """Links are looked for only in texts that show what each form needs ("www.", a dot
    and a letter, "dot"...): those tests read case and white space as the patterns do."""
    links = find_links(text)
    assert links.domains == (domain,)
    assert links.obfuscated == ((written,) if written else ())


def test_a_bare_address_is_read_whole():
    assert find_links("visit gmx.co.uk today").domains == ("gmx.co.uk",)
    assert find_links("a.b.c.d.e.f.com").count == 0  # no tail of a longer name either


def test_a_bare_address_under_a_country_domain_needs_a_path():
    assert find_links("She loves it. trojmiasto.pl/Vena-Bus-Taxi.html").domains == (
        "trojmiasto.pl",
    )
    assert find_links("the file is called harbour.pl and runs daily").count == 0


def test_language_guesses():
    assert guess_language("Das ist nicht gut und ich will die Musik nicht mehr hören") == "de"
    assert guess_language("这是一个非常好的网站，我在这里找到了很多有用的信息") == "zh"
    assert guess_language("ok") is None
    assert unlike_blog("Das ist nicht gut und ich will die Musik nicht mehr hören", "de-AT") is None


def test_near_duplicates_are_similar_and_strangers_are_not():
    a = signature("Earn money from home with our proven system, visit the site and start today")
    b = signature("Earn money from home with our proven system!! visit the site and start today")
    c = signature("The harbour walls were rebuilt in 1820 after the great storm destroyed them")
    assert similarities(a, b[None, :])[0] > 0.5
    assert similarities(a, c[None, :])[0] < 0.2
    assert signature("hi") is None


def test_a_signature_is_the_least_of_each_hash_function_over_the_shingles():
    """Each of the 64 numbers is min((a·h + b) mod (2**61 - 1)) over the shingles' CRC-32s,
    kept to 32 bits: what a site's stored campaigns were signed with."""
    import zlib

    from salon.antispam.engine.campaigns import _A, _B, shingles

    for text in (
        "Earn money from home with our proven system, visit the site and start today",
        "short text here",
        "ÉCRIVEZ-NOUS 0800 123 456 : Привет мир, 你好 " * 40,
    ):
        hashes = [zlib.crc32(p.encode("utf-8")) for p in set(shingles(text))]
        expected = [
            min((int(a) * h + int(b)) % ((1 << 61) - 1) for h in hashes) & 0xFFFFFFFF
            for a, b in zip(_A, _B, strict=True)
        ]
        assert signature(text).tolist() == expected


def test_required_fragments():
    assert required_fragments(r"fifa.{0,20}coins?") in (["fifa"], ["coin"])
    assert required_fragments(r"(?:essay|paper)writer") == ["writer"]
    assert sorted(required_fragments(r"cheapcoins|buyfollowers")) == ["buyfollowers", "cheapcoins"]
    assert required_fragments(r"\d+") is None


def test_smokedetector_compiles_lazily():
    index = {
        "format": INDEX_FORMAT,
        "lists": {
            "bad_keywords": [["fifa.{0,20}coins?", ["coin"]]],
            "watched_keywords": [["trimfire", ["trimfire"]]],
        },
        "numbers": {"blacklisted_numbers": ["18669786819"]},
    }
    rules = SmokeDetectorRules.from_index(index)
    assert all(r.compiled is None for r in rules.rules)
    assert rules.match("nothing to see") == []
    assert all(r.compiled is None for r in rules.rules)
    found = rules.match("cheap FIFA 15 coins and trimfire, call +1 866 978 6819")
    assert [m.list_name for m in found][:2] == ["bad_keywords", "blacklisted_numbers"]
    assert any(not m.blacklisted for m in found)
    text = "cheap FIFA 15 coins and trimfire, call +1 866 978 6819"
    assert [m.list_name for m in rules.match(text, watched=False)] == [
        "bad_keywords",
        "blacklisted_numbers",
    ]
    assert [m.list_name for m in rules.match(text, blacklists=False)] == ["watched_keywords"]
    # The watched lists are not even compiled while only the blacklists are searched.
    fresh = SmokeDetectorRules.from_index(index)
    fresh.match(text, watched=False)
    assert [r.list_name for r in fresh.rules if r.compiled is not None] == ["bad_keywords"]


@pytest.mark.parametrize("filler", ["Lorem ipsum dolor sit amet. ", "Привет 你好 🙂 naïve café "])
def test_smokedetector_finds_an_entry_anywhere_in_long_text(filler):
    """Long texts are scanned another way than short ones; both find the same entries."""
    index = {
        "format": 1,
        "lists": {"bad_keywords": [["fifa.{0,20}coins?", ["coin"]]]},
        "numbers": {},
    }
    rules = SmokeDetectorRules.from_index(index)
    short = "cheap FIFA 15 coins. "
    padding = filler * (40_000 // len(filler))
    for text in (short, padding + short, short + padding, padding[:20_000] + short + padding):
        assert [m.matched for m in rules.match(text)] == ["FIFA 15 coins"], len(text)
    assert rules.match(padding + "cheap FIFA 15 co1ns") == []


def _rules(*entries: tuple[str, str]) -> SmokeDetectorRules:
    """Rules from (list name, pattern) pairs, indexed as the shipped lists are."""
    lists: dict[str, list] = {}
    for name, pattern in entries:
        lists.setdefault(name, []).append([pattern, required_fragments(pattern)])
    return SmokeDetectorRules.from_index({"format": INDEX_FORMAT, "lists": lists, "numbers": {}})


def _whole_word_match(pattern: str, text: str) -> list[str]:
    """What a keyword entry matches in a short text, searched plainly: the reference."""
    found = re.search(rf"(?:^|\b)(?:{pattern})(?:\b|$)", text, re.IGNORECASE | re.DOTALL)
    return [found.group(0)[:80]] if found else []


CYBERSHIELD = r"c\W*y\W*b\W*e\W*r\W*s\W*h\W*i\W*e\W*l\W*d"
HACKER = r"h\W*a\W*c\W*k\W*e\W*r\W*7\W*2\W*1"


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (CYBERSHIELD, "contact c.y.b.e.r s-h-i-e-l-d today"),
        (CYBERSHIELD, "CYBER SHIELD"),
        (CYBERSHIELD, "c y b e r\ufeffs\u00b7h i e l d"),  # invisible and odd separators
        (CYBERSHIELD, "cyber sh\u0131eld"),  # a dotless i matches i case-insensitively
        (CYBERSHIELD, "cyber \u017fhield"),  # so does a long s match s
        (HACKER, "ha-c\u212ae-r 7 2 1"),  # and a Kelvin sign k
    ],
)
def test_an_obfuscated_spelling_is_still_found(pattern, text):
    rules = _rules(("bad_keywords", pattern))
    assert rules.rules[0].fragments == ()  # no literal fragment: tried on every text
    found = rules.match(text)
    assert [m.matched for m in found] == _whole_word_match(pattern, text) != []


@pytest.mark.parametrize("text", ["cyber shelter", "cyber_shield", "cyberxshield", "cybershields"])
def test_an_obfuscated_spelling_rule_does_not_fire_on_near_misses(text):
    assert _rules(("bad_keywords", CYBERSHIELD)).match(text) == []


def test_entities_between_the_letters_are_still_seen_through():
    """Separators that can hold letters (``&amp;``, ``%41``) hide the spelled word
    from a squeezed text: such entries are still found."""
    rules = _rules(
        ("watched_keywords", r"h(?:[\W_]|&#?\w+;)*a(?:[\W_]|&#?\w+;)*c(?:[\W_]|&#?\w+;)*k"),
        (
            "blacklisted_websites",
            r"d[\W_]*(?:%[\da-f]{2,}[\W_]*)*a[\W_]*(?:%[\da-f]{2,}[\W_]*)*t[\W_]*"
            r"(?:%[\da-f]{2,}[\W_]*)*e",
        ),
    )
    assert [m.matched for m in rules.match("h&amp;a&#99;c&amp;k")] == ["h&amp;a&#99;c&amp;k"]
    assert [m.matched for m in rules.match("see d%41a%2Dt%20e")] == ["d%41a%2Dt%20e"]
    # The same for an entry found by its fragment ("gmail").
    indexed = _rules(
        ("bad_keywords", r"gmail(?:[\W_]|&#?\w+;)*h(?:[\W_]|&#?\w+;)*a(?:[\W_]|&#?\w+;)*c")
    )
    assert indexed.rules[0].fragments == ("gmail",)
    assert [m.matched for m in indexed.match("gmail h&amp;a&amp;c!")] == ["gmail h&amp;a&amp;c"]


def test_a_whole_word_rule_still_does_not_fire_inside_a_longer_word():
    rules = _rules(("watched_keywords", r"r\W*a\W*p\W*e"), ("bad_keywords", "trimfire"))
    assert rules.match("grapes and drapes, trimfirex and xtrimfire") == []
    found = rules.match("R.A.P.E and trimfire")
    assert [m.matched for m in found] == ["trimfire", "R.A.P.E"]  # blacklist first


def test_an_entry_indexed_by_a_short_fragment_is_still_found():
    rules = _rules(("bad_keywords", r"cbd\W?oils?"))
    assert rules.rules[0].fragments == ("cbd",)
    assert [m.matched for m in rules.match("Buy CBD-oils today")] == ["CBD-oils"]
    assert rules.match("xcbdoils") == []


SHAPES = [
    r"[a-z_]*1[\W_]*5[\W_]*1[\W_]*0[a-z_]*",  # leading parts that may match nothing
    r"(?:\b|[a-z_]*?|\w*[a-z_])(?:9(?:[\W_]|&#?\w+;)*)(?:1(?:[\W_]|&#?\w+;)*)(?:9(?:[\W_]|&#?\w+;)*)",
    r"(?:free|full|watch)(?:[\W_]*+\w+){0,5}(?:[\W_]*+(?:free|full|watch)){2,}",  # nested
    r"(?:mother)?f(?:\W*[au])+[ck]+(?<!fa[ck])(?:er|ed|ing?)?s?",  # lookbehind
    r"(?:\w\W){3,}@(?:\W\w){3,}",  # a leading repetition
    r"\w*h+a+\W*h+a+\w*",
    r"(?:(?:drill|suc+k|lic+k)(?:ing|e[dr])?(?:|\b.{0,80}?\b)(?:coc?k|ass)|(?:coc?k|ass)\W+suc+k)",
    r"^\s*(?:<[\w/]+\s*>\s*)+\d+\s*(?:<[\w/]+\s*>\s*)+$",
    # needs a digit, after letters
    r"(?:(?:p[eni]{3,4}s{1,2})|(?:d[ick]{2,4})|pussy)\W(?:is\W)?\.?[0-9]+\.?(?:[0-9]+)?\W?(?:in|inch(?:es)?|cm)",
    r"order\W+(?:no\W+)?(?:\d|#)\d{2,}",
]
SHAPED_TEXTS = [
    "",
    "call 1-5-1-0 now",
    "x1510y and 15_10",
    "9&#49;9 then 9 1 9",
    "91_9",
    "watch full free movie",
    "free: watch the full thing, free",
    "free stuff",
    "motherfucker",
    "f u c k",
    "fak fuk FAACK",
    "a.b.c@d.e.f",
    "x y z @ a b c",
    "hahaha haha",
    "ha ha",
    "suck cock",
    "licking that ass",
    "clicking class",
    "<p> 42 </p>",
    "<p>42</p> and more",
    "nothing to see here",
    "penis is 12 inches",
    "DICK 9in and d1ck 9 in",
    "penis inches, dick in",
    "order no 12345 and order #99",
    "order now, 12 in a row",
    "a" * 40 + " dick 7.5 cm " + "!" * 20,
]


@pytest.mark.parametrize("pattern", SHAPES)
def test_entries_match_as_their_own_patterns_do(pattern):
    """Whatever shortcuts the matcher takes, it finds what the pattern finds."""
    rules = _rules(("watched_keywords", pattern))
    for text in SHAPED_TEXTS:
        assert [m.matched for m in rules.match(text)] == _whole_word_match(pattern, text), text


def test_characters_an_ascii_letter_matches_squeeze_to_that_letter():
    """The letters test relies on this, for every character Python's engine knows:
    a squeezed text drops every character of [\\W_], and shows any character that an
    ASCII letter or digit matches case-insensitively as that letter."""
    everything = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x110000)))
    for letter in string.ascii_lowercase + string.digits:
        for twin in set(re.findall(letter, everything, re.IGNORECASE)):
            assert _squeezed(twin) == letter, (letter, twin)
    assert _squeezed(re.sub(r"[^\W_]+", "", everything)) == ""
    # ASCII symbols ("&", "%") match only themselves.
    symbols = "".join(ch for ch in map(chr, range(128)) if not ch.isalnum())
    found = re.findall(f"[{re.escape(symbols)}]", everything, re.IGNORECASE)
    assert sorted(found) == sorted(symbols)


def test_shipped_lists_see_through_obfuscation(engine):
    matched = {m.pattern: m.matched for m in engine.rules.match("c.y.b.e.r s-h-i-e-l-d n o t c h")}
    assert any("c\\W*y\\W*b\\W*e\\W*r" in pattern for pattern in matched)
    entities = "&amp;".join("hacksecretegmailcom")
    assert any(m.matched == entities[:80] for m in engine.rules.match(entities))


def test_rules_compiled_at_once_by_many_threads_match_alike():
    texts = [f"{t} {n}" for n in range(5) for t in SHAPED_TEXTS]
    expected = [_rules(*[("watched_keywords", p) for p in SHAPES]).match(t) for t in texts]
    rules = _rules(*[("watched_keywords", p) for p in SHAPES])
    results: dict[int, list] = {}
    barrier = threading.Barrier(6)

    def check(worker: int) -> None:
        barrier.wait()
        results[worker] = [rules.match(t) for t in texts]

    threads = [threading.Thread(target=check, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result == expected for result in results.values()) and len(results) == 6


def test_metrics_on_a_known_case():
    m = compute_metrics(
        [True, True, False, False], [True, False, True, False], [0.9, 0.4, 0.6, 0.1]
    )
    assert (m.accuracy, m.precision, m.recall, m.f1, m.fpr) == (0.5, 0.5, 0.5, 0.5, 0.5)
    assert m.roc_auc == 0.75


def test_pooled_metrics_are_those_of_all_verdicts_together():
    from salon.antispam.engine.evaluation import pooled

    first = compute_metrics([True, False, False], [True, True, False], [0.9, 0.8, 0.1])
    second = compute_metrics([True, True, False], [False, True, False], [0.2, 0.7, 0.3])
    together = compute_metrics(
        [True, False, False, True, True, False],
        [True, True, False, False, True, False],
        [0.9, 0.8, 0.1, 0.2, 0.7, 0.3],
    )
    both = pooled([first, second])
    assert (both.rows, both.spam, both.f1, both.fpr, both.mcc) == (
        together.rows,
        together.spam,
        together.f1,
        together.fpr,
        together.mcc,
    )
    assert both.fpr == 1 / 3 and both.recall == 2 / 3


def test_online_evaluation_learns(engine):
    rows = [
        LabelledText(
            text=f"Join our pond club newsletter number {i} at pondclub dot com", is_spam=True
        )
        for i in range(30)
    ] + [
        LabelledText(
            text=f"My pond has {i} fish and they are doing fine this spring", is_spam=False
        )
        for i in range(30)
    ]
    rows = [rows[i // 2] if i % 2 == 0 else rows[30 + i // 2] for i in range(60)]
    report = evaluate(rows, engine, online=True)
    assert report.online is not None and report.online_second_half is not None
    late = report.online_second_half
    assert late.spam_published_share <= report.fixed.spam_published_share
    assert late.spam_spam / late.spam >= report.fixed.spam_spam / report.fixed.spam
    assert report.lines()[-1].startswith("F1=")
    assert " HELD=" in report.lines()[-1] and " MISSED=" in report.lines()[-1]


def test_three_way_counts_each_outcome():
    from salon.antispam.engine.evaluation import three_way

    figures = three_way(
        [False, False, False, True, True, True, True],
        ["approve", "hold", "spam", "approve", "hold", "spam", "spam"],
        [0.1, 0.5, 0.9, 0.2, 0.6, 0.95, 0.99],
    )
    assert (figures.ham_approved, figures.ham_held, figures.ham_spam) == (1, 1, 1)
    assert (figures.spam_approved, figures.spam_held, figures.spam_spam) == (1, 1, 2)
    assert figures.parseable() == "F1=0.571 FPR=0.333 HELD=0.333 MISSED=0.250"


def test_the_moderated_replay_teaches_only_what_a_moderator_sees(engine):
    """Approved ham and spam sent to spam teach nothing; everything held, ham found in
    spam and spam found published is a lesson."""
    from salon.antispam.engine.evaluation import evaluate_online

    rows = [LabelledText(text="Lovely photos, thank you for sharing them", is_spam=False)] * 5
    _, _, site = evaluate_online(rows, engine)
    assert site.lessons == 0
    held = [
        LabelledText(text=f"My notes on the walk are at https://walks{n}.example", is_spam=False)
        for n in range(4)
    ]
    _, _, site = evaluate_online(held, engine)
    assert site.ham_lessons == 4


def test_read_labelled_csv(tmp_path):
    path = tmp_path / "comments.csv"
    path.write_text("body,kind,name\nhello,ham,Ann\nbuy pills,spam,Bot\n", encoding="utf-8")
    rows = read_labelled_csv(
        path, text_column="body", label_column="kind", spam_value="spam", author_column="name"
    )
    assert [(r.text, r.is_spam, r.author) for r in rows] == [
        ("hello", False, "Ann"),
        ("buy pills", True, "Bot"),
    ]


def test_digits_in_a_web_address_are_no_phone_number():
    """A tweet's status number is not a phone; the same digits written out are."""
    from salon.antispam.engine.features import prepare

    status = prepare("See https://twitter.com/someone/status/992853447937376256 for the thread")
    assert status.dense_value("phone_number") == 0.0
    called = prepare("Call us on +1 (800) 555-0199 for the thread")
    assert called.dense_value("phone_number") == 1.0


@pytest.mark.parametrize(
    ("text", "phone", "email"),
    [
        ("order 12 of 2024, then call +44 20 7946 0958 today", True, False),
        ("+1-800-555-0199", True, False),
        ("ref 12345678 only", False, False),
        ("\u0663" * 9, True, False),  # Arabic-Indic digits are digits too
        ("write to anna@example.org please", False, True),
        ("meet @ noon", False, False),
    ],
)
def test_phone_numbers_and_addresses_wherever_they_stand(text, phone, email):
    from salon.antispam.engine.features import prepare

    parts = prepare(text)
    assert parts.dense_value("phone_number") == float(phone)
    assert parts.dense_value("email_in_text") == float(email)
