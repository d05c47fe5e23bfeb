"""The engine's parts on their own: links, language, campaigns, SmokeDetector, metrics."""

from __future__ import annotations

import pytest

from salon.antispam.engine import LabelledText, read_labelled_csv
from salon.antispam.engine.campaigns import signature, similarities
from salon.antispam.engine.evaluation import compute_metrics, evaluate
from salon.antispam.engine.language import guess_language, unlike_blog
from salon.antispam.engine.links import domain_of, find_links
from salon.antispam.engine.smokedetector import SmokeDetectorRules, required_fragments


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


def test_required_fragments():
    assert required_fragments(r"fifa.{0,20}coins?") in (["fifa"], ["coin"])
    assert required_fragments(r"(?:essay|paper)writer") == ["writer"]
    assert sorted(required_fragments(r"cheapcoins|buyfollowers")) == ["buyfollowers", "cheapcoins"]
    assert required_fragments(r"\d+") is None


def test_smokedetector_compiles_lazily():
    index = {
        "format": 1,
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
    assert report.online_second_half.recall >= report.fixed.recall
    assert report.lines()[-1].startswith("F1=")


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
