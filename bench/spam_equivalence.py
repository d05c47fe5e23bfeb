"""Whether two trees' spam engines judge exactly alike: the check for speed work.

Run from the root of each tree with its own virtualenv: the engine is imported from the
working directory, so the script may come from another tree (``main`` before it had one):

    cd /work/wt/before && .venv/bin/python /work/wt/after/bench/spam_equivalence.py dump /tmp/before.pkl
    cd /work/wt/after && .venv/bin/python bench/spam_equivalence.py dump /tmp/after.pkl
    .venv/bin/python bench/spam_equivalence.py compare /tmp/before.pkl /tmp/after.pkl

``dump`` judges a fixed set of submissions: 700 rows evenly spread over each of the six
corpora (4,200), the speed bench's 65,525-character comment, and 1,500 made-up texts
built at random (a fixed seed) from the pieces the engine's quick tests reason about:
addresses in every spelling and case, e-mail addresses, numbers, markup, white space of
every kind, characters that match an ASCII letter ignoring case (the Kelvin sign), long
runs. Some get a honeypot, a typing time, a blog language or a history. Each is checked
without a site, with a site that first learnt 300 of them (on a fixed clock), and under
one of the three sensitivities; everything is recorded: the verdict (outcome, the
score's exact bits, the reasons with their weights and sentences, the band), the
prepared text (cleaned text, model text, source tokens, links, anchors, blocklist
entries, dense columns, on-topic), the feature row (columns and the values' bytes), the
raw and calibrated scores, the campaign signature, SmokeDetector's matches (all lists,
blacklists alone, watch lists alone), the blocklist's entries and the learnt site's
state. ``compare`` prints the differences (exit status 1 if any), 0 when the trees agree.
It takes about 40 s a tree. It is pickled data from the tree's own classes: compare with
either tree's virtualenv.
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import types
from pathlib import Path

PER_CORPUS = 700
CORPORA = ("youtube", "instagram", "stackexchange-spam", "stackexchange-ham", "sms", "spamassassin")

# fmt: off
PIECES = [
    "www.", "WWW.", "wWw.", "Www", "http://", "HTTPS://", "hTTp://", "ftp://", "FTP://", "://",
    "example.com", "cheap-pills.xyz", "my-blog.info/post", "site . com", "site .com", "site\t.\tcom",
    "site(dot)com", "site [ dot ] uk", "site{DOT}net", "site ( Dot ) pl/x", "a.b", "e.g.", "i.e.",
    "trojmiasto.pl/forum", "gmx.co.uk", "gmx.co", "at cherthala.in case", "bit.ly/abc",
    "user@mail.com", "a.b+c@x-y.org", "@", "@@", "+1 (800) 555-0199", "0800 123 456 78", "+44",
    "123", "1", "+", "12-34-56-78-90", "555.123.4567", "call 1-800-FLOWERS",
    "\u212a", "\u017f", "\u0130", "\u0131", "\u212aom", "ww\u212a.", "\u017fite.com", "h\u0131",
    "<a href='http://x.ru/p'>cheap essay</a>", '<A HREF="https://docs.python.org">docs</A>',
    "<a href=www.x.top>buy</a>", "<b>bold</b>", "<", ">", "<a", "[url=http://x.biz]casino[/url]",
    "[URL]http://y.club[/URL]", "[url", "[link](https://docs.rs/x)", "[see][1]", "[", "]",
    "\n", "\t", "  ", "\x0b", "\x0c", "\r\n", "\x1c", "\x1f", "\x85", "\u00a0", "\u2003", "\u3000",
    "\u200b", "\x00", "\x07", "&amp;", "&lt;a href=x&gt;", "&#64;", "&nbsp;", "Ｆｕｌｌ", "ｗｗｗ．",
    "😀", "Привет", "你好", "こんにちは", "مرحبا", "Ωμέγα", "the", "and", "is", "buy", "viagra",
    "casino", "essay writing service", "check out my channel", "subscribe", "please share",
    ".", " .", "..", "...", "dot", "DOT", "(dot)", "{dot}", "com", "/path?v=1&p=2",
    "youtube.com/watch?v=9bZkp7q19f0", "https://www.youtube.com/watch?v=9bZkp7q19f0",
    "https://m.youtube.com/watch?v=9bZkp7q19f0&t=1m", "youtu.be/9bZkp7q19f0",
    "a" * 40, "x" * 31, "!" * 30, "-_" * 20, " " * 12, "\t" * 11, "1234567890123", "9" * 40,
    "hahaha", "fuck", "c.y.b.e.r", "s e x", "wordpress", "github.com/x/y", "en.wikipedia.org/wiki/X",
    "nato.int", "example.gov", "ox.ac.uk/x", "\ud800", "é", "É", "ß", "ﬁ", "İstanbul",
    "Great post, thanks!", "I disagree with the second point.", "def f(x): return x * 2",
    "Traceback (most recent call last):", "price: $1,299.00", "@john thanks", "k", "K", "s", "S",
]
# fmt: on
SEPARATORS = ["", " ", " ", " ", "\n", ". ", ", "]


def made_up_texts(count: int) -> list[dict[str, str]]:
    """Texts (and other fields) assembled at random, with a fixed seed."""
    rng = random.Random(20261205)
    out = []
    for _ in range(count):
        n = rng.choice([1, 2, 3, 5, 8, 13, 21, 40])
        pieces = [rng.choice(PIECES) for _ in range(n)]
        text = "".join(p + rng.choice(SEPARATORS) for p in pieces)
        fields = {"content": text}
        if rng.random() < 0.3:
            fields["author_url"] = rng.choice(PIECES)
        if rng.random() < 0.3:
            fields["author_email"] = rng.choice(
                ["a@b.com", "x@spam.xyz", "bad", "", rng.choice(PIECES)]
            )
        if rng.random() < 0.3:
            fields["author"] = rng.choice(
                ["Cheap Pills Online", "www.casino.com", "Anna", rng.choice(PIECES)]
            )
        if rng.random() < 0.3:
            fields["permalink"] = rng.choice(
                [
                    "https://www.youtube.com/watch?v=9bZkp7q19f0",
                    "https://blog.example.org/2024/post/",
                    "",
                ]
            )
        if rng.random() < 0.2:
            fields["post_title"] = rng.choice(
                ["PSY - GANGNAM STYLE", "Python packaging", rng.choice(PIECES)]
            )
        if rng.random() < 0.2:
            fields["post_excerpt"] = " ".join(rng.choice(PIECES) for _ in range(20))
        out.append(fields)
    return out


def build_submissions() -> list[tuple[str, object, bool]]:
    """(corpus, submission, is spam) for every row judged, in a fixed order."""
    from salon.antispam.engine import History, Submission
    from salon.antispam.engine.corpora import load_corpora
    from salon.antispam.engine.evaluation import submission_for

    rng = random.Random(15)
    items = []
    for name in CORPORA:
        corpus = load_corpora([name])
        step = max(len(corpus) // PER_CORPUS, 1)
        for row in corpus[::step][:PER_CORPUS]:
            items.append((f"{name}", submission_for(row), row.is_spam))
    long_text = (
        "I found the cheapest pills at http://pharmacy.example.xyz/buy?id=1 - order now! "
        "Привет 你好 🙂 "
    ) * 700
    items.append(
        ("long", Submission(content=long_text[:65_525], author="Cheap Pills Online"), True)
    )
    for fields in made_up_texts(1500):
        items.append(("made-up", Submission(**fields), rng.random() < 0.5))
    # Other fields the rules read, on some submissions.
    for _, submission, _ in items:
        roll = rng.random()
        if roll < 0.05:
            submission.honeypot_value = "x"
            submission.honeypot_field_name = "website2"
        elif roll < 0.15:
            submission.seconds_to_submit = rng.choice([0.5, 3.0, 10.0, 100.0])
        elif roll < 0.2:
            submission.blog_lang = rng.choice(["en", "fr", "de, en_GB", "ru"])
        elif roll < 0.25:
            submission.history = History(
                email_spam=rng.randint(0, 3), ip_approved=rng.randint(0, 4)
            )
    return items


def dump(path: str) -> None:
    """Judge every submission with the engine of the tree in the working directory and
    pickle what it found."""
    sys.path.insert(0, str(Path.cwd()))
    from salon.antispam.engine import SiteState, campaigns, features, rules
    from salon.antispam.engine.checking import default_engine
    from salon.antispam.engine.links import find_links
    from salon.antispam.engine.rules import Context, _smokedetector_text

    engine = default_engine()
    items = build_submissions()
    rng = random.Random(7)
    # A fixed clock, so that what is learnt and said of campaigns is the same in every run.
    now = 1_780_000_000.0
    rules.time = types.SimpleNamespace(time=lambda: now + 7 * 86400 + 3600)
    site = SiteState(site_id="equivalence")
    lessons = rng.sample(range(len(items)), 300)
    for k, number in enumerate(lessons):
        _, submission, is_spam = items[number]
        engine.learn(site, submission, is_spam, now=now + k)
    records: dict = {"model": engine.model.version, "site_state": site.to_bytes(), "rows": []}
    sensitivities = ("cautious", "balanced", "strict")
    for number, (corpus, submission, _) in enumerate(items):
        reading = engine._read(submission)
        parts = reading.parts
        row: dict = {"corpus": corpus, "content": submission.content[:200]}
        for label, judged in (
            ("verdict_new", engine.check(submission)),
            ("verdict_site", engine.check(submission, site)),
            ("verdict_sens", engine.check(submission, site, sensitivities[number % 3])),
        ):
            row[label] = (
                judged.outcome,
                judged.spam,
                judged.hold,
                judged.discard,
                float(judged.score).hex(),
                float(judged.hold_from).hex(),
                float(judged.spam_from).hex(),
                judged.sensitivity,
                judged.model_version,
                [(r.signal, float(r.weight).hex(), r.message) for r in judged.reasons],
            )
        links = parts.links
        row["parts"] = (
            parts.cleaned,
            parts.model_text,
            parts.source_tokens,
            float(parts.link_share).hex(),
            parts.on_topic,
            parts.anchors,
            parts.blocked,
            parts.dense.dtype.str,
            parts.dense.tobytes(),
            (
                links.urls,
                links.domains,
                links.bbcode_links,
                links.html_links,
                links.link_chars,
                links.page_links,
                links.obfuscated,
                links.ordinary_domains,
                links.shorteners,
                links.odd_tlds,
            ),
        )
        indices, values = features.single_row(parts, engine.model.idf)
        row["row"] = (indices.dtype.str, indices.tobytes(), values.dtype.str, values.tobytes())
        row["reading"] = (
            reading.indices.tobytes(),
            reading.values.tobytes(),
            float(reading.base_raw).hex(),
            float(reading.base_logit).hex(),
        )
        signature = campaigns.signature(parts.cleaned)
        row["signature"] = None if signature is None else (signature.dtype.str, signature.tobytes())
        row["links_raw"] = find_links(submission.content or "")
        context = Context(
            submission,
            parts,
            reading.author,
            reading.author_url,
            reading.author_email,
            site,
            engine.rules,
        )
        text = _smokedetector_text(context)
        row["smokedetector"] = (
            engine.rules.match(text, limit=1000),
            engine.rules.match(text, watched=False),
            engine.rules.match(text, limit=1, blacklists=False),
        )
        row["blocklist"] = engine.blocklist.matches(text)
        records["rows"].append(row)
    with open(path, "wb") as handle:
        pickle.dump(records, handle)
    where = Path(sys.modules["salon"].__file__).parent.parent
    print(f"{len(records['rows'])} submissions judged by the engine in {where}, dumped to {path}")


def compare(a_path: str, b_path: str) -> int:
    """Print the differences between two dumps; 1 if there are any."""
    with open(a_path, "rb") as handle:
        a = pickle.load(handle)
    with open(b_path, "rb") as handle:
        b = pickle.load(handle)
    differences = 0
    if a["model"] != b["model"]:
        print("different models:", a["model"], b["model"])
        differences += 1
    if a["site_state"] != b["site_state"]:
        print("the learnt site states differ")
        differences += 1
    if len(a["rows"]) != len(b["rows"]):
        print("different numbers of rows")
        return 1
    per_key: dict[str, int] = {}
    shown = 0
    for number, (x, y) in enumerate(zip(a["rows"], b["rows"], strict=True)):
        for key in x:
            if x[key] != y.get(key):
                per_key[key] = per_key.get(key, 0) + 1
                differences += 1
                if shown < 10:
                    shown += 1
                    print(
                        f"row {number} ({x['corpus']}) {key}:\n  A {x[key]!r:.600}\n  B {y.get(key)!r:.600}"
                    )
    counts: dict[str, int] = {}
    for row in a["rows"]:
        counts[row["corpus"]] = counts.get(row["corpus"], 0) + 1
    outcomes: dict[str, int] = {}
    for row in a["rows"]:
        for label in ("verdict_new", "verdict_site"):
            outcomes[row[label][0]] = outcomes.get(row[label][0], 0) + 1
    print(
        f"{len(a['rows'])} submissions ({', '.join(f'{k} {v}' for k, v in counts.items())}); "
        f"outcomes (new site + learnt site): {outcomes}"
    )
    print(f"differences: {differences} {per_key if per_key else ''}")
    return 1 if differences else 0


def main() -> None:
    """Dump or compare."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dump").add_argument("out")
    both = commands.add_parser("compare")
    both.add_argument("before")
    both.add_argument("after")
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out)
    else:
        sys.exit(compare(args.before, args.after))


if __name__ == "__main__":
    main()
