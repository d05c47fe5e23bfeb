from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


class NotificationsConfig(AppConfig):
    """Mail: comment notices, subscriptions with double opt-in, the outbox and its sender."""

    name = "salon.notifications"
    verbose_name = "Mail"

    def ready(self) -> None:
        checks.register(check_mail_settings)
        from salon.discussion.moderation import status_changed as moderation_listeners
        from salon.discussion.pipeline import after_comment
        from salon.notifications.notices import comment_arrived, status_changed
        from salon.notifications.views import post_page_offer
        from salon.publishing.views import post_page_context

        if comment_arrived not in after_comment:
            after_comment.append(comment_arrived)
        if status_changed not in moderation_listeners:
            moderation_listeners.append(status_changed)
        if post_page_offer not in post_page_context:
            post_page_context.append(post_page_offer)


def check_mail_settings(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A mistyped SALON_SMTP_URL is reported at start-up, not when the first mail is due."""
    from django.conf import settings

    from salon.notifications.delivery import smtp_server

    try:
        server = smtp_server()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="salon.notifications.E001")]
    if server is not None and not settings.SALON.get("MAIL_FROM"):
        return [
            checks.Warning(
                "An SMTP server is set but SALON_MAIL_FROM is not: mail stays off.",
                id="salon.notifications.W001",
            )
        ]
    return []
