from django.apps import AppConfig


class SalonConfig(AppConfig):
    """The project package itself: site-wide templates, static files and commands."""

    name = "salon"
    verbose_name = "Salon"
