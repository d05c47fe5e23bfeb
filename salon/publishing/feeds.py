"""RSS 2.0 feed of the newest posts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Rss201rev2Feed

from salon.publishing import protection
from salon.publishing.models import Post


class LatestPostsFeed(Feed):
    feed_type = Rss201rev2Feed
    link = "/"

    def title(self) -> str:
        return settings.SITE_NAME

    def description(self) -> str:
        return settings.SITE_TAGLINE

    def items(self):
        return (
            Post.objects.live().posts().select_related("author").prefetch_related("categories")[:20]
        )

    def item_title(self, item: Post) -> str:
        return item.title

    def item_description(self, item: Post) -> str:
        if protection.is_locked_for(item, None):
            return str(protection.NO_EXCERPT)
        return item.excerpt or item.body or item.reblog_excerpt

    def item_author_name(self, item: Post) -> str:
        return item.author.get_full_name() or item.author.get_username()

    def item_pubdate(self, item: Post):
        return item.published_at

    def item_updateddate(self, item: Post):
        return item.updated_at

    def item_categories(self, item: Post) -> list[str]:
        return [c.name for c in item.categories.all()]
