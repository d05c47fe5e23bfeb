from django.apps import AppConfig


class MentionsConfig(AppConfig):
    """Webmentions and pingbacks: hearing when other sites link here, telling those we link."""

    name = "salon.mentions"
    verbose_name = "Mentions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from salon.mentions.sending import remember_deleted
        from salon.publishing.models import Post

        pre_delete.connect(remember_deleted, sender=Post, dispatch_uid="mentions.remember_deleted")
