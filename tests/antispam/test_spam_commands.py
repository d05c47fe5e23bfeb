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


def test_spam_eval_prints_the_three_outcomes_and_ends_with_the_parseable_line(history_csv):
    path, rows = history_csv
    lines = run(
        "--data", str(path), "--text-column", "body", "--label-column", "verdict",
        "--spam-value", "spam", "--author-column", "name", "--title-column", "post",
        "--permalink-column", "address",
    )  # fmt: skip
    spam = sum(r.is_spam for r in rows)
    assert lines[0].startswith(f"{len(rows)} rows: {len(rows) - spam} ham, {spam} spam")
    fixed = lines[1]
    assert fixed.startswith("fixed:")
    assert f"ham {len(rows) - spam:5d} approved/held/spam" in fixed
    assert f"spam {spam:5d} approved/held/spam" in fixed
    assert "F1 " in fixed and "AUC " in fixed
    assert lines[2].startswith("band: held from a score of ")
    last = lines[-1].split()
    assert [figure.split("=")[0] for figure in last] == ["F1", "FPR", "HELD", "MISSED"]
    figures = {name: float(value) for name, value in (f.split("=") for f in last)}
    # The shipped model has seen this video's comments: none of its ham goes to spam and
    # little of its spam is published.
    assert figures["FPR"] == 0.0 and figures["MISSED"] <= 0.1


def test_spam_eval_online_replays_as_a_moderated_site(history_csv):
    path, _ = history_csv
    lines = run(
        "--data", str(path), "--text-column", "body", "--label-column", "verdict",
        "--spam-value", "spam", "--online",
    )  # fmt: skip
    assert [line.split(":")[0] for line in lines[1:4]] == ["fixed", "online", "online, 2nd half"]
    assert lines[4].startswith("band at the start: held from")
    assert "after 0 moderator lessons" in lines[4]
    assert lines[5].startswith("band at the end:") and "after 0 moderator" not in lines[5]
    online_f1 = lines[2].split("F1 ")[1].split()[0]
    assert lines[-1].startswith(f"F1={online_f1} ")


def test_spam_eval_reads_a_blog_export_s_columns(tmp_path):
    """Post title, excerpt, comment date and type, as a blog's export has them: rows are
    replayed oldest first, and a pingback is judged as one."""
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["comment_content", "spam", "post_title", "post_excerpt", "date", "type"])
        writer.writerow(
            ["Buy cheap pills http://bit.ly/x http://pills.xyz", "1", "Tides", "", "2024-05-02", ""]
        )
        writer.writerow(
            ["The tide table for May was off by an hour.", "0", "Tides",
             "The tide tables for May, corrected.", "2024-05-01", "comment"]
        )  # fmt: skip
        writer.writerow(["Mentioned this on my blog", "0", "Tides", "", "2024-05-03", "pingback"])
    lines = run(
        "--data", str(path), "--text-column", "comment_content", "--label-column", "spam",
        "--title-column", "post_title", "--excerpt-column", "post_excerpt",
        "--date-column", "date", "--type-column", "type", "--online",
    )  # fmt: skip
    assert lines[0].startswith("3 rows: 2 ham, 1 spam")
    assert lines[-1].startswith("F1=1.000 FPR=0.000")
    from salon.antispam.engine import read_labelled_csv

    rows = read_labelled_csv(
        path, text_column="comment_content", label_column="spam", date_column="date",
        type_column="type", excerpt_column="post_excerpt",
    )  # fmt: skip
    assert [r.order for r in rows] == ["2024-05-01", "2024-05-02", "2024-05-03"]
    assert [r.comment_type for r in rows] == ["comment", "comment", "pingback"]
    assert rows[0].excerpt == "The tide tables for May, corrected."


def test_spam_eval_names_a_missing_column_and_lists_the_real_ones(history_csv):
    path, _ = history_csv
    with pytest.raises(CommandError) as error:
        run("--data", str(path), "--text-column", "content", "--label-column", "verdict")
    assert "no text column 'content'" in str(error.value)
    assert "'body'" in str(error.value)


def test_spam_eval_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("--data", str(tmp_path / "nothing.csv"))
