from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """Posts, reblogs, categories and tags, media, feeds and permalinks."""

    name = "salon.publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_migrate

        from salon.publishing import page_cache
        from salon.publishing.models import Category, Tag
        from salon.publishing.search import restore_sqlite_triggers

        # SQLite drops the search index's triggers when a migration rebuilds the posts' table.
        post_migrate.connect(
            restore_sqlite_triggers, sender=self, dispatch_uid="salon.publishing.search_triggers"
        )

        # A post page shows its author's name, its categories and its tags.
        page_cache.shown_on_every_page(Category)
        page_cache.shown_on_every_page(Tag)
        page_cache.shown_on_every_page(get_user_model(), ignore=_only_last_login)
        page_cache.connect_post_relations()


def _only_last_login(instance, update_fields=None, **signal) -> bool:
    """A log-in stores its time (and nothing a page shows) on the account."""
    return update_fields is not None and set(update_fields) <= {"last_login"}
