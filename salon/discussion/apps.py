from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    """Comments, threads, likes, moderation, the comment form and its pipeline."""

    name = "salon.discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from salon.discussion import signals  # noqa: F401  (connects the count keepers)
