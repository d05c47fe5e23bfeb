from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class DeskConfig(AppConfig):
    """The owner's desk: the comment moderation screen and its badge of waiting comments."""

    default = True
    name = "salon.desk"
    verbose_name = "Desk"


class SalonAdminConfig(admin_apps.AdminConfig):
    """Django's admin, served by Salon's admin site (the moderation screen is one of its
    pages, and its menu shows how many comments wait)."""

    default = False  # named in INSTALLED_APPS by its path
    default_site = "salon.desk.sites.SalonAdminSite"
