"""``salon spam_eval``: measure the spam engine on a labelled CSV file."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salon.antispam.engine import read_labelled_csv
from salon.antispam.engine.evaluation import evaluate


class Command(BaseCommand):
    help = (
        "Judge every row of a labelled CSV file with the shipped spam model and print "
        "accuracy, precision, recall, F1, MCC, ROC-AUC and the share of ham blocked. "
        "With --online, also replay the rows in order, learning each true label after "
        "judging it (as a site's moderators would teach it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", required=True, help="CSV file with a header row")
        parser.add_argument("--text-column", default="text")
        parser.add_argument("--label-column", default="label")
        parser.add_argument("--spam-value", default="1", help="label value that means spam")
        parser.add_argument("--author-column", default=None)
        parser.add_argument("--url-column", default=None)
        parser.add_argument("--email-column", default=None)
        parser.add_argument(
            "--title-column", default=None, help="column with the title of the post commented on"
        )
        parser.add_argument(
            "--permalink-column", default=None, help="column with the address of that post"
        )
        parser.add_argument(
            "--comment-type",
            default="comment",
            help="what the rows are, as Akismet names it: comment (default), reply, "
            "message (private messages, SMS), contact-form (e-mails), …",
        )
        parser.add_argument("--online", action="store_true", help="also evaluate prequentially")
        parser.add_argument(
            "--sensitivity", default="balanced", choices=["cautious", "balanced", "strict"]
        )

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["data"]))
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        try:
            rows = read_labelled_csv(
                path,
                text_column=str(options["text_column"]),
                label_column=str(options["label_column"]),
                spam_value=str(options["spam_value"]),
                author_column=options["author_column"] or None,  # type: ignore[arg-type]
                url_column=options["url_column"] or None,  # type: ignore[arg-type]
                email_column=options["email_column"] or None,  # type: ignore[arg-type]
                title_column=options["title_column"] or None,  # type: ignore[arg-type]
                permalink_column=options["permalink_column"] or None,  # type: ignore[arg-type]
                comment_type=str(options["comment_type"]),
            )
        except (ValueError, UnicodeError, csv.Error) as error:
            raise CommandError(str(error)) from error
        if not rows:
            raise CommandError("the file has no rows")
        report = evaluate(
            rows, online=bool(options["online"]), sensitivity=str(options["sensitivity"])
        )
        for line in report.lines():
            self.stdout.write(line)
