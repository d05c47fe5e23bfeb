"""``salon reblog URL``: a draft reblog of another site's article."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from salon.publishing.reblog import DEFAULT_WORDS, ReblogError, reblog


class Command(BaseCommand):
    help = (
        "Fetch an article and create a draft post that quotes its first words with a link "
        "back (“via <title> — © <site>”)."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", help="The article's address (http:// or https://).")
        parser.add_argument("--note", default="", help="Your own text, shown above the excerpt.")
        parser.add_argument(
            "--words",
            type=int,
            default=None,
            help=f"How many of the article's words to quote (default {DEFAULT_WORDS}).",
        )
        parser.add_argument(
            "--author",
            default=None,
            help="User name of the post's author (default: the first administrator).",
        )

    def handle(self, *args, url: str, note: str, words: int | None, author: str | None, **opts):
        User = get_user_model()
        if author:
            user = User.objects.filter(**{User.USERNAME_FIELD: author}).first()
            if user is None:
                raise CommandError(f"There is no user “{author}”.")
        else:
            user = User.objects.filter(is_superuser=True).order_by("pk").first()
            if user is None:
                raise CommandError(
                    "There is no administrator to author the post: create one with "
                    "`salon createsuperuser`, or name an author with --author."
                )
        if words is not None and words < 1:
            raise CommandError("--words must be at least 1.")
        try:
            post, article = reblog(url, user, note=note, words=words)
        except ReblogError as error:
            raise CommandError(f"Could not reblog {url}: {error.message}") from None

        self.stdout.write(self.style.SUCCESS(f"Created the draft “{post.title}” (post {post.pk})."))
        self.stdout.write(f"  via {post.reblog_title} — © {post.reblog_site}")
        if article.author:
            self.stdout.write(f"  by {article.author}")
        if article.published:
            self.stdout.write(f"  published {article.published}")
        self.stdout.write(f"  source: {post.reblog_url}")
        self.stdout.write(
            f"Edit it in the administration: /admin/publishing/post/{post.pk}/change/"
        )
