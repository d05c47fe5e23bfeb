"""``salon spam_eval`` and ``salon spam_train`` as an owner runs them."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from salon.antispam.engine.corpora import load_corpora


@pytest.fixture
def history_csv(tmp_path):
    """A site's moderated history: a slice of one YouTube video's comments, in order."""
    rows = [r for r in load_corpora(["youtube"]) if r.part == "Youtube02-KatyPerry"][:120]
    path = tmp_path / "history.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["body", "verdict", "name", "post", "address"])
        for row in rows:
            writer.writerow(
                [row.text, "spam" if row.is_spam else "ham", row.author, row.title, row.permalink]
            )
    return path, rows


def run(*args):
    out = io.StringIO()
    call_command("spam_eval", *args, stdout=out)
    return out.getvalue().splitlines()


def test_spam_eval_prints_every_figure_and_ends_with_f1_and_fpr(history_csv):
    path, rows = history_csv
    lines = run(
        "--data", str(path), "--text-column", "body", "--label-column", "verdict",
        "--spam-value", "spam", "--author-column", "name", "--title-column", "post",
        "--permalink-column", "address",
    )  # fmt: skip
    fixed = lines[0]
    assert fixed.startswith("fixed:")
    for figure in ("acc=", "P=", "R=", "F1=", "MCC=", "AUC=", "FPR="):
        assert figure in fixed
    assert f"n={len(rows)} spam={sum(r.is_spam for r in rows)}" in fixed
    last = lines[-1]
    assert last.startswith("F1=") and " FPR=" in last
    # The shipped model knows spam under a music video when it sees it.
    assert float(last.split()[0].removeprefix("F1=")) > 0.8


def test_spam_eval_online_replays_and_reports_the_second_half(history_csv):
    path, _ = history_csv
    lines = run(
        "--data", str(path), "--text-column", "body", "--label-column", "verdict",
        "--spam-value", "spam", "--online",
    )  # fmt: skip
    assert [line.split(":")[0] for line in lines[:3]] == ["fixed", "online", "online, 2nd half"]
    online_f1 = lines[1].split("F1=")[1].split()[0]
    assert lines[-1].startswith(f"F1={online_f1} ")


def test_spam_eval_names_a_missing_column_and_lists_the_real_ones(history_csv):
    path, _ = history_csv
    with pytest.raises(CommandError) as error:
        run("--data", str(path), "--text-column", "content", "--label-column", "verdict")
    assert "no text column 'content'" in str(error.value)
    assert "'body'" in str(error.value)


def test_spam_eval_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("--data", str(tmp_path / "nothing.csv"))
