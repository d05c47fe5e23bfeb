from django.apps import AppConfig


class EmbedConfig(AppConfig):
    """The public JSON API, the widget other sites embed, and the sites allowed to."""

    name = "salon.embed"
    verbose_name = "Embedding"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from salon.embed import login, origins
        from salon.embed.models import EmbedOrigin
        from salon.privacy.registry import register

        for signal in (post_save, post_delete):
            signal.connect(
                origins.forget_on_change, sender=EmbedOrigin, dispatch_uid=f"salon.embed.{signal}"
            )
        register(origins.page_facts, login.page_facts)
