from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """Posts, reblogs, categories and tags, media, feeds and permalinks."""

    name = "salon.publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from salon.publishing import page_cache
        from salon.publishing.models import Category, Tag

        # A post page shows its author's name, its categories and its tags.
        page_cache.shown_on_every_page(Category)
        page_cache.shown_on_every_page(Tag)
        page_cache.shown_on_every_page(get_user_model(), ignore=_only_last_login)
        page_cache.connect_post_relations()


def _only_last_login(instance, update_fields=None, **signal) -> bool:
    """A log-in stores its time (and nothing a page shows) on the account."""
    return update_fields is not None and set(update_fields) <= {"last_login"}
