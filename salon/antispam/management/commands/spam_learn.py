"""``salon spam_learn``: teach this site's spam filter from the comments it already holds."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from salon.antispam.filtering import learn_from_comments
from salon.discussion.models import Comment


class Command(BaseCommand):
    help = (
        "Teach this site's spam filter from stored comments: approved ones as not spam, spam "
        "as spam (for instance after importing a blog's history). Moderators' later decisions "
        "keep teaching it as usual."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--after-id",
            type=int,
            default=0,
            metavar="ID",
            help="only comments stored after the one with this id (the importers pass it)",
        )

    def handle(self, *args, after_id: int = 0, **options):
        if after_id < 0:
            raise CommandError("--after-id must be a comment id (0 for all comments).")
        comments = Comment.objects.filter(pk__gt=after_id)

        def progress(n: int) -> None:
            self.stderr.write(f"  {n:,} comments learned…")

        spam, ham = learn_from_comments(comments, progress=progress)
        self.stdout.write(
            f"The spam filter learned from {spam:,} spam and {ham:,} approved comments."
        )
