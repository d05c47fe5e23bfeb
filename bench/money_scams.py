"""How often the money-scam patterns (``engine/money_scams.py``) fire, on spam and on ham.

Run: ``python bench/money_scams.py [--held-out] [--fold] [--show design-hits|design-misses|design-published|ham:CORPUS]``.

The patterns were written from general knowledge of the scam and tuned on a fixed half of
Instagram's comments only (the *design half*): a row belongs to it when the first byte of
``blake2b("issue-15 design half|" + duplicate_key)`` is even, so duplicated texts fall in
the same half and the split never changes. The other half (*held out*) was not read while
writing them; its figure is the honest one. For ham, every corpus is counted whole (a
finding holds a comment, so this is the share of each corpus's ham the rule alone would
hold), with the regression suite of ordinary comments in ``tests/antispam/data``.

``--fold`` trains a model without Instagram, as ``spam_quality.py`` leaves it out, and
prints the fixed figures of each half judged with it and the rule (a minute or two of CPU).
``--held-out`` adds the held-out half's figure (left out by default, so that tuning on
the design half does not watch it). ``--show`` prints the design half's hits or misses, or
those the fixed model with the rule publishes (``design-published``, with ``--fold``), or one
corpus's ham hits (``ham:instagram``, ``ham:youtube``…); the held-out half is never printed.

Rounds so far (rule hits on Instagram spam, design half / held-out half):

1. written from what the scam is, tuned on the design half: 71.8 % / 64.3 %;
2. written from the design half's rows that the fixed model still published (accounts named
   for money without their "@" or alone, a hashtag credited first, short lures, paid
   promotion, a token named and hyped, the scam translated): 82.0 % / 68.4 %. Spam the fixed
   model published fell by 9.0 points on the design half and 3.4 on the held-out half: most
   of a round's gain on the rows it was written on does not carry to new ones.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from salon.antispam.engine import money_scams  # noqa: E402
from salon.antispam.engine.corpora import LabelledText, load_corpora  # noqa: E402
from salon.antispam.engine.features import clean_text  # noqa: E402

TESTS = Path(__file__).resolve().parents[1] / "tests" / "antispam"


def design_half(row: LabelledText) -> bool:
    """Whether an Instagram row is in the half the patterns were written on."""
    key = ("issue-15 design half|" + row.duplicate_key).encode("utf-8")
    return hashlib.blake2b(key, digest_size=8).digest()[0] % 2 == 0


def ordinary_comments() -> list[str]:
    """The regression suite's ordinary comments (``== kind`` headers, then the text)."""
    texts: list[str] = []
    current: list[str] | None = None
    for line in (TESTS / "data" / "ordinary_comments.txt").read_text("utf-8").splitlines():
        if line.startswith("== "):
            if current is not None:
                texts.append("\n".join(current).strip())
            current = []
        elif current is not None:
            current.append(line)
    if current is not None:
        texts.append("\n".join(current).strip())
    return texts


def _share(found: int, total: int) -> str:
    return f"{found:5d} / {total:5d} = {100 * found / total:5.1f} %" if total else "—"


def main() -> None:
    """Print the hit rates (and, with ``--show``, the texts)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", help="design-hits, design-misses or ham:CORPUS")
    parser.add_argument(
        "--held-out", action="store_true", help="also the held-out half's figure (for reporting)"
    )
    parser.add_argument(
        "--fold",
        action="store_true",
        help="also train a model without Instagram and judge each half with it and the rule",
    )
    args = parser.parse_args()

    rows = load_corpora()
    started = time.perf_counter()
    findings = [money_scams.find(clean_text(r.text)) for r in rows]
    seconds = time.perf_counter() - started
    print(
        f"{len(rows)} rows read in {seconds:.2f} s ({1e6 * seconds / len(rows):.0f} µs a row, "
        "cleaning included)"
    )

    print("\nInstagram spam held by the rule (design half: patterns written on it)")
    halves = (("design half", True), ("held-out half", False))
    for name, wanted in halves if args.held_out else halves[:1]:
        picked = [
            (r, f)
            for r, f in zip(rows, findings, strict=True)
            if r.corpus == "instagram" and r.is_spam and design_half(r) == wanted
        ]
        kinds = Counter(f.kind for _, f in picked if f)
        print(
            f"  {name:14s} {_share(sum(1 for _, f in picked if f), len(picked))}"
            f"   ({', '.join(f'{k} {n}' for k, n in kinds.most_common())})"
        )

    print("\nham held by the rule")
    for corpus in ("youtube", "instagram", "stackexchange-ham", "sms", "spamassassin"):
        picked = [
            f for r, f in zip(rows, findings, strict=True) if r.corpus == corpus and not r.is_spam
        ]
        print(f"  {corpus:18s} {_share(sum(1 for f in picked if f), len(picked))}")
        if corpus == "instagram":
            for name, wanted in (("design half", True), ("held-out half", False)):
                half = [
                    f
                    for r, f in zip(rows, findings, strict=True)
                    if r.corpus == corpus and not r.is_spam and design_half(r) == wanted
                ]
                print(f"    {name:16s} {_share(sum(1 for f in half if f), len(half))}")
    ordinary = ordinary_comments()
    held = [t for t in ordinary if money_scams.find(clean_text(t))]
    print(f"  {'regression suite':18s} {_share(len(held), len(ordinary))}")

    print("\nother spam held by the rule (not what it is for)")
    for corpus in ("youtube", "stackexchange-spam", "sms", "spamassassin"):
        picked = [
            f for r, f in zip(rows, findings, strict=True) if r.corpus == corpus and r.is_spam
        ]
        print(f"  {corpus:18s} {_share(sum(1 for f in picked if f), len(picked))}")

    published: set[int] = set()
    if args.fold:
        published = _fold(rows)
    elif args.show == "design-published":
        parser.error("--show design-published needs --fold")

    if args.show:
        print()
        for row, found in zip(rows, findings, strict=True):
            if args.show in ("design-hits", "design-misses", "design-published"):
                if not (row.corpus == "instagram" and row.is_spam and design_half(row)):
                    continue
                if args.show == "design-published":
                    if id(row) not in published:
                        continue
                elif (found is not None) != (args.show == "design-hits"):
                    continue
            elif args.show.startswith("ham:"):
                if row.corpus != args.show[4:] or row.is_spam or found is None:
                    continue
            else:
                parser.error(f"unknown --show {args.show!r}")
            line = " ".join(row.text.split())[:200]
            print(f"{found.describe() if found else '-'}\n    {line}")
        if args.show.startswith("ham:"):
            for text in held if args.show == "ham:regression" else []:
                print(f"{money_scams.find(clean_text(text)).describe()}\n    {text[:200]}")  # type: ignore[union-attr]


def _fold(rows: list[LabelledText]) -> set[int]:
    """Instagram left out as ``spam_quality.py`` leaves it out, judged fixed, per half;
    returns the ``id`` of each design-half spam row it published."""
    import numpy as np

    from salon.antispam.engine.blocklist import blocklist_for
    from salon.antispam.engine.checking import SpamEngine
    from salon.antispam.engine.corpora import spam_data_dir
    from salon.antispam.engine.evaluation import submission_for, three_way
    from salon.antispam.engine.model import TrainingConfig, prepare_rows, train_prepared
    from salon.antispam.engine.smokedetector import SmokeDetectorRules

    base = spam_data_dir()
    blocklist = blocklist_for(base)
    config = TrainingConfig()
    corpus = np.array([r.corpus for r in rows])
    model = train_prepared(
        prepare_rows(rows, config, blocklist).subset(corpus != "instagram"), config
    )
    smoke = SmokeDetectorRules.load(base / "smokedetector", base / "smokedetector-index.json")
    engine = SpamEngine(model, smoke, blocklist)
    instagram = sorted((r for r in rows if r.corpus == "instagram"), key=lambda r: r.order)
    print("\nInstagram left out, fixed model with the rule, per half")
    published: set[int] = set()
    for name, wanted in (("design half", True), ("held-out half", False)):
        part = [r for r in instagram if design_half(r) == wanted]
        # Judged as evaluate_fixed judges, once: the verdicts also name what was published.
        verdicts = [engine.check(submission_for(r), None) for r in part]
        labels = [r.is_spam for r in part]
        figures = three_way(labels, [v.outcome for v in verdicts], [v.score for v in verdicts])
        print(f"  {name:14s} {figures.line()}")
        if wanted:
            published = {
                id(r)
                for r, v in zip(part, verdicts, strict=True)
                if r.is_spam and v.outcome == "approve"
            }
    return published


if __name__ == "__main__":
    main()
