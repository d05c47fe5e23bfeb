"""``salon spam_eval``: measure the spam engine on a labelled CSV file."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salon.antispam.engine import read_labelled_csv
from salon.antispam.engine.evaluation import evaluate


class Command(BaseCommand):
    help = (
        "Judge every row of a labelled CSV file with the shipped spam model, as a new site "
        "would, and print how ham and spam fell among the three outcomes (approved, held for "
        "a moderator, spam), with F1 and ROC-AUC. With --online, also replay the rows in order "
        "as a moderated site lives them: a moderator decides every held comment, rescues ham "
        "sent to spam and marks published spam, and the site learns each such decision. The "
        "last line reads F1=… FPR=… HELD=… MISSED=…: FPR is the share of ham sent to spam, "
        "HELD the share of ham held, MISSED the share of spam published."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", required=True, help="CSV file with a header row")
        parser.add_argument("--text-column", default="text")
        parser.add_argument("--label-column", default="label")
        parser.add_argument("--spam-value", default="1", help="label value that means spam")
        parser.add_argument("--author-column", default=None)
        parser.add_argument("--url-column", default=None, help="column with the author's website")
        parser.add_argument("--email-column", default=None)
        parser.add_argument(
            "--title-column", default=None, help="column with the title of the post commented on"
        )
        parser.add_argument(
            "--permalink-column", default=None, help="column with the address of that post"
        )
        parser.add_argument(
            "--excerpt-column", default=None, help="column with that post's body or excerpt"
        )
        parser.add_argument(
            "--date-column",
            default=None,
            help="column with the comment's date (rows are replayed oldest first; "
            "use a sortable form such as 2024-05-01 13:45)",
        )
        parser.add_argument(
            "--type-column",
            default=None,
            help="column with the comment's type (comment, pingback, trackback, …)",
        )
        parser.add_argument(
            "--comment-type",
            default="comment",
            help="what the rows are when no type column says, as Akismet names it: "
            "comment (default), reply, pingback, message, contact-form, …",
        )
        parser.add_argument(
            "--online", action="store_true", help="also replay the rows as a moderated site"
        )
        parser.add_argument(
            "--sensitivity", default="balanced", choices=["cautious", "balanced", "strict"]
        )

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["data"]))
        if not path.exists():
            raise CommandError(f"no such file: {path}")

        def column(name: str) -> str | None:
            return str(options[name]) if options[name] else None

        try:
            rows = read_labelled_csv(
                path,
                text_column=str(options["text_column"]),
                label_column=str(options["label_column"]),
                spam_value=str(options["spam_value"]),
                author_column=column("author_column"),
                url_column=column("url_column"),
                email_column=column("email_column"),
                title_column=column("title_column"),
                permalink_column=column("permalink_column"),
                excerpt_column=column("excerpt_column"),
                date_column=column("date_column"),
                type_column=column("type_column"),
                comment_type=str(options["comment_type"]),
            )
        except (ValueError, UnicodeError, csv.Error) as error:
            raise CommandError(str(error)) from error
        if not rows:
            raise CommandError("the file has no rows")
        spam = sum(r.is_spam for r in rows)
        self.stdout.write(
            f"{len(rows)} rows: {len(rows) - spam} ham, {spam} spam "
            f"(label {options['spam_value']!r} in column {options['label_column']!r} means spam)"
        )
        report = evaluate(
            rows, online=bool(options["online"]), sensitivity=str(options["sensitivity"])
        )
        for line in report.lines():
            self.stdout.write(line)
