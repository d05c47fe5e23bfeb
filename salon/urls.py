"""Salon's URLs: each app's own, plus the admin and uploaded media."""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

from salon.publishing.site_files import favicon, robots_txt
from salon.publishing.sitemaps import SITEMAPS


def media(request, path: str):
    """An uploaded file, or 404 for a name no file can have (too long for the file system)."""
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError:
        raise Http404("No such file") from None


admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = settings.SITE_NAME

urlpatterns = [
    re_path(r"^admin/", admin.site.urls),
    path("robots.txt", robots_txt, name="robots"),
    path("favicon.ico", favicon, name="favicon"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    # Uploaded media are served by Salon itself, so the embedded setup needs no web server;
    # a front proxy may serve MEDIA_ROOT directly instead.
    re_path(r"^media/(?P<path>.+)$", media),
    # Accounts and social log-in (django-allauth): /accounts/login/, /accounts/signup/,
    # /accounts/<provider>/login/callback/ …; then Salon's own identity pages.
    re_path(r"^accounts/", include("allauth.urls")),
    # The Akismet-compatible spam API (/1.1/comment-check …), before the catch-all pages.
    re_path(r"", include("salon.antispam.urls")),
    # The public JSON API (/api/v1/…), the embed's loader (/embed.js) and log-in pop-up.
    re_path(r"", include("salon.embed.urls")),
    re_path(r"", include("salon.identity.urls")),
    re_path(r"", include("salon.privacy.urls")),
    re_path(r"", include("salon.notifications.urls")),
    re_path(r"", include("salon.discussion.urls")),
    re_path(r"", include("salon.mentions.urls")),
    # WebFinger, NodeInfo, the blog's actor, posts as ActivityPub objects, the inboxes.
    re_path(r"", include("salon.fediverse.urls")),
    re_path(r"", include("salon.publishing.urls")),
]
