from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """Moving in and out: WordPress (WXR) import and export, Disqus import, old links."""

    name = "salon.interchange"
    verbose_name = "Moving in and out"

    def ready(self) -> None:
        from salon.interchange import personal_data
        from salon.privacy.registry import register

        register(*personal_data.SOURCES)
