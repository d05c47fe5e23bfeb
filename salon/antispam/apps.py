from django.apps import AppConfig


class AntispamConfig(AppConfig):
    """Salon's spam filter: the engine's Django side (verdicts, feedback, the Akismet API)."""

    name = "salon.antispam"
    verbose_name = "Spam filter"

    def ready(self) -> None:
        from salon.antispam.filtering import teach
        from salon.discussion.signals import comment_status_changed

        comment_status_changed.connect(teach, dispatch_uid="salon.antispam.teach")
