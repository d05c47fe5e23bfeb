from django.apps import AppConfig


class MentionsConfig(AppConfig):
    """Webmentions and pingbacks: hearing when other sites link here, telling those we link."""

    name = "salon.mentions"
    verbose_name = "Mentions"
    default_auto_field = "django.db.models.BigAutoField"
