from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


class NotificationsConfig(AppConfig):
    """Mail: comment notices, subscriptions with double opt-in, the outbox and its sender."""

    name = "salon.notifications"
    verbose_name = "Mail"

    def ready(self) -> None:
        checks.register(check_mail_settings)
        from salon.discussion import signals
        from salon.notifications import notices

        signals.comment_submitted.connect(
            notices.comment_arrived, dispatch_uid="salon.notifications.comment_arrived"
        )
        signals.comment_edited.connect(
            notices.comment_edited, dispatch_uid="salon.notifications.comment_edited"
        )
        signals.comment_status_changed.connect(
            notices.status_changed, dispatch_uid="salon.notifications.status_changed"
        )

        from salon.notifications import personal_data
        from salon.privacy.registry import register

        register(*personal_data.SOURCES, *personal_data.RETENTION, personal_data.page_facts)


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
