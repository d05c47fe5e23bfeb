"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """The site's name and tagline, for the header of every page, and whether it sends
    mail (a callable: only pages that ask pay for the check)."""
    from salon.notifications.delivery import mail_configured

    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "mail_on": mail_configured,
    }
