from django.apps import AppConfig


class FediverseConfig(AppConfig):
    """The blog on the fediverse (ActivityPub): followers, posts sent to them, and their
    replies, likes and boosts brought back as comments and reactions."""

    name = "salon.fediverse"
    verbose_name = "Fediverse"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_delete

        from salon.discussion.signals import thread_arranged
        from salon.fediverse import display, federation, personal_data
        from salon.fediverse.models import FediverseSettings, RemoteActor
        from salon.privacy.registry import register
        from salon.publishing import page_cache
        from salon.publishing.models import Post

        # Boosters' and remote repliers' names and avatars, and the fediverse settings.
        page_cache.shown_on_every_page(FediverseSettings)
        page_cache.shown_on_every_page(RemoteActor)

        post_save.connect(federation.post_saved, sender=Post, dispatch_uid="fediverse.post_saved")
        pre_delete.connect(
            federation.post_deleted, sender=Post, dispatch_uid="fediverse.post_deleted"
        )
        thread_arranged.connect(display.decorate_entries, dispatch_uid="fediverse.entries")
        register(
            *personal_data.SOURCES,
            *personal_data.RETENTION,
            personal_data.SECTION,
            personal_data.page_facts,
        )
