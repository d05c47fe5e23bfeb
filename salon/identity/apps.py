from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Accounts and social log-in (allauth adapters), the comment form's identity, ownership."""

    name = "salon.identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from salon.discussion.signals import comment_answered
        from salon.identity import signals  # noqa: F401  (likes merge, identity memory)
        from salon.identity.ownership import on_comment_posted

        comment_answered.connect(on_comment_posted, dispatch_uid="salon.identity.comment_posted")

        from allauth.socialaccount.models import SocialApp

        from salon.identity import personal_data
        from salon.publishing import page_cache

        # The comment form offers the configured social log-ins on every post page.
        page_cache.shown_on_every_page(SocialApp)
        from salon.privacy.registry import register

        register(*personal_data.SOURCES, personal_data.page_facts)
