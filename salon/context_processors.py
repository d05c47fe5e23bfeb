"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """The site's name and tagline, for the header of every page."""
    return {"site_name": settings.SITE_NAME, "site_tagline": settings.SITE_TAGLINE}
