from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    """Comments, threads, likes, moderation, the comment form and its pipeline."""

    name = "salon.discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from salon.discussion import (
            personal_data,
            signals,  # noqa: F401  (connects the count keepers)
            visitors,
        )
        from salon.discussion.models import DiscussionSettings
        from salon.privacy.registry import register
        from salon.publishing import page_cache

        # The comment form's signed "shown at" time is made for each reader of a stored page;
        # the discussion settings (depth, required fields) show on every post page.
        page_cache.per_reader_field("shown", lambda request: visitors.render_time_token())
        page_cache.shown_on_every_page(DiscussionSettings)

        register(*personal_data.SOURCES, *personal_data.RETENTION, personal_data.page_facts)
