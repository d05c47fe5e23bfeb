"""Social log-in providers that django-allauth does not ship (each an installed app)."""
