"""The shipped spam model on comments a blog really gets: readers' words are never sent
to spam and seldom held; real blog spam is never published.

``data/ordinary_comments.txt`` holds comments written for this suite (none is spam);
``data/blog_spam.csv`` holds real spam posted to Stack Exchange sites (support-number
scams, SEO signatures, essay and casino services, praise with a link), each with the
address it was posted at (CC BY-SA 3.0; from the project's ``stackexchange-spam`` corpus,
see ``data/spam/PROVENANCE.md``). The comments are judged as a new site judges them: the
shipped model, no lessons, under a post with a title.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from salon.antispam.engine import Submission
from salon.antispam.engine.checking import default_engine

DATA = Path(__file__).parent / "data"
POST = "https://blog.example/2026/03/notes-from-the-harbour/"
TITLE = "Notes from the harbour"


def ordinary_comments() -> list[tuple[str, str]]:
    """(kind, text) of each ordinary comment."""
    comments: list[tuple[str, str]] = []
    kind, lines = None, []
    for line in (DATA / "ordinary_comments.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") and kind is None:
            continue
        if line.startswith("== "):
            if kind is not None:
                comments.append((kind, "\n".join(lines).strip()))
            kind, lines = line[3:].strip(), []
        else:
            lines.append(line)
    if kind is not None:
        comments.append((kind, "\n".join(lines).strip()))
    return comments


def blog_spam() -> list[tuple[str, str]]:
    """(address it was posted at, text) of each real spam comment."""
    with (DATA / "blog_spam.csv").open(encoding="utf-8", newline="") as handle:
        return [(row["url"], row["text"]) for row in csv.DictReader(handle)]


def judge(text: str):
    return default_engine().check(
        Submission(content=text, author="A reader", permalink=POST, post_title=TITLE)
    )


def test_the_suite_is_as_large_as_promised():
    kinds = {kind for kind, _ in ordinary_comments()}
    assert len(ordinary_comments()) >= 80 and len(blog_spam()) >= 40
    for needed in ("praise", "disagreement", "code", "links_docs", "links_github", "reply"):
        assert needed in kinds
    languages = {"french", "german", "spanish", "portuguese", "italian", "polish", "japanese"}
    assert languages <= kinds


def test_no_ordinary_comment_is_sent_to_spam_and_few_are_held():
    verdicts = [(kind, text, judge(text)) for kind, text in ordinary_comments()]
    spammed = [(kind, text[:60], v.score) for kind, text, v in verdicts if v.spam]
    assert spammed == []
    held = [(kind, text[:60]) for kind, text, v in verdicts if v.hold]
    assert len(held) <= 0.10 * len(verdicts), held


@pytest.mark.parametrize(
    "kind",
    ["links_institutions", "long_question", "bug_report", "long_review"],
)
def test_long_and_well_sourced_comments_are_never_spam(kind):
    """The comments that the model trained on YouTube's short comments blocked."""
    for found, text in ordinary_comments():
        if found == kind:
            verdict = judge(text)
            assert not verdict.spam and not verdict.discard, (text[:60], verdict.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "Great post! Could you please share the dataset you used for the second chart? "
        "I would like to try the same analysis on our city's numbers.",
        "Is there a newsletter I can subscribe to? I keep forgetting to check back and I "
        "don't want to miss the next part.",
    ],
)
def test_the_issue_s_examples_are_never_spam(text):
    """Comments the YouTube-shaped model blocked. They may be held (among the few the
    suite allows): the model still reads "please share" and "subscribe" as leaning
    towards self-promotion, but never as near-certain spam."""
    verdict = judge(text)
    assert not verdict.spam and not verdict.discard, verdict.reasons


def test_a_link_to_an_ordinary_domain_holds_and_says_so():
    text = next(t for kind, t in ordinary_comments() if kind == "links_own_blog")
    verdict = judge(text)
    assert verdict.hold and not verdict.spam
    reasons = {r.signal: r.message for r in verdict.reasons}
    assert "walkingwithanna.net" in reasons["new_domain"]


def test_no_real_blog_spam_is_published():
    published = [(url, text[:60]) for url, text in blog_spam() if judge(text).outcome == "approve"]
    assert published == []


def test_a_polite_comment_with_two_links_to_ordinary_sites_is_held_not_spammed():
    """The issue's polite comment with two links: links to domains the site has not
    approved are uncertain, so a person decides; their share of the text cannot make spam."""
    verdict = judge(
        "Great article, thank you. I also recommend https://www.smashingmagazine.com/2023/01/"
        "css-grid/ and https://css-tricks.com/snippets/css/complete-guide-grid/ for more examples."
    )
    assert verdict.hold and not verdict.spam, verdict.reasons
    links = next(r for r in verdict.reasons if r.signal == "links")
    assert links.message.startswith("2 links to smashingmagazine.com, css-tricks.com")
