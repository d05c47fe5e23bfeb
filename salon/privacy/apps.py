from django.apps import AppConfig
from django.core import checks


class PrivacyConfig(AppConfig):
    """The privacy page, personal-data export and erasure, retention."""

    name = "salon.privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        checks.register(check_erasure_setting)


def check_erasure_setting(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """SALON_ERASURE must name a mode, or data requests would fail when someone makes one."""
    from salon.privacy.personal_data import erasure_mode

    try:
        erasure_mode()
    except ValueError as error:
        return [checks.Error(str(error), id="salon.privacy.E001")]
    return []
