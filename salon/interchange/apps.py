from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """Moving in and out: WordPress (WXR) import and export, Disqus import, old links."""

    name = "salon.interchange"
    verbose_name = "Moving in and out"
