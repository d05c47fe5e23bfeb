from django.apps import AppConfig


class AntispamConfig(AppConfig):
    """Salon's spam filter: the engine's Django side (verdicts, feedback, the Akismet API)."""

    name = "salon.antispam"
    verbose_name = "Spam filter"
