from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    """Comments, threads, likes, moderation, the comment form and its pipeline."""

    name = "salon.discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from salon.discussion import signals  # noqa: F401  (connects the count keepers)
        from salon.discussion.views import conversation_context
        from salon.publishing.views import post_page_context

        if conversation_context not in post_page_context:
            post_page_context.append(conversation_context)
