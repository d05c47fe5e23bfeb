from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    """Comments, threads, likes, moderation, the comment form and its pipeline."""

    name = "salon.discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from salon.discussion import (
            personal_data,
            signals,  # noqa: F401  (connects the count keepers)
        )
        from salon.privacy.registry import register

        register(*personal_data.SOURCES, *personal_data.RETENTION, personal_data.page_facts)
