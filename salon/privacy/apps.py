from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """The privacy page, personal-data export and erasure, retention."""

    name = "salon.privacy"
    verbose_name = "Privacy"
