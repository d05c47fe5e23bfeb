from django.apps import AppConfig


class WordPressComConfig(AppConfig):
    """Installed so that allauth's provider registry finds ``provider.py`` here."""

    name = "salon.identity.providers.wordpress_com"
    label = "salon_wordpress_com"
    verbose_name = "WordPress.com log-in"
