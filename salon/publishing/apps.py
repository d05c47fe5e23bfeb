from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """Posts, reblogs, categories and tags, media, feeds and permalinks."""

    name = "salon.publishing"
    verbose_name = "Publishing"
