"""``/sitemap.xml`` (django.contrib.sitemaps): the home page, every live post and page, and
the category, tag and author archives that list at least one of them. Addresses take the
request's scheme and host (the sitemap framework's RequestSite: no django.contrib.sites)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from salon.publishing.models import Category, Post, Tag


class HomeSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["publishing:home"]

    def location(self, item: str) -> str:
        return reverse(item)


class PostSitemap(Sitemap):
    """Posts and pages; posts kept elsewhere (another site's address) are not this site's."""

    changefreq = "weekly"
    limit = 5000

    def items(self):
        return (
            Post.objects.live()
            .filter(kind__in=[Post.Kind.POST, Post.Kind.PAGE])
            .only("slug", "kind", "published_at", "updated_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item: Post):
        return item.updated_at


class _ArchiveSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.3
    via = ""  # the related name from the archive's model to its posts

    def items(self):
        live = Post.objects.live().posts()
        return (
            self.model.objects.filter(**{f"{self.via}__in": live})
            .annotate(newest=Max(f"{self.via}__updated_at"))
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.newest


class CategorySitemap(_ArchiveSitemap):
    model, via = Category, "posts"


class TagSitemap(_ArchiveSitemap):
    model, via = Tag, "posts"


class AuthorSitemap(_ArchiveSitemap):
    via = "posts"

    @property
    def model(self):
        return get_user_model()

    def location(self, item) -> str:
        return reverse("publishing:author", args=[item.get_username()])


SITEMAPS = {
    "home": HomeSitemap,
    "posts": PostSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
