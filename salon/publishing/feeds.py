"""Feeds of posts, in RSS 2.0 and Atom: the whole site's, and each category's, tag's and
author's. Every address inside them is absolute (a feed is read away from the site)."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from salon.publishing import protection
from salon.publishing.content import absolute_links
from salon.publishing.models import Category, Post, Tag
from salon.publishing.views import published_author

FEED_LENGTH = 20


class _PostFeed(Feed):
    """The newest live posts of ``filtered(obj)``. One instance serves every request, so the
    request (for absolute addresses) lives on a copy made per request, never on ``self``."""

    feed_type = Rss201rev2Feed
    request: HttpRequest | None = None

    def __call__(self, request, *args, **kwargs):
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def filtered(self, posts, obj):
        return posts

    def items(self, obj=None):
        posts = Post.objects.live().posts().order_by("-published_at", "-id")
        return (
            self.filtered(posts, obj)
            .select_related("author")
            .prefetch_related("categories")[:FEED_LENGTH]
        )

    def name(self, obj) -> str:
        return ""

    def title(self, obj=None) -> str:
        name = self.name(obj)
        return f"{settings.SITE_NAME} » {name}" if name else settings.SITE_NAME

    def description(self, obj=None) -> str:
        return settings.SITE_TAGLINE

    def subtitle(self, obj=None) -> str:  # Atom's name for the description
        return settings.SITE_TAGLINE

    def link(self, obj=None) -> str:
        return obj.get_absolute_url() if obj is not None else "/"

    def item_title(self, item: Post) -> str:
        return item.title

    def item_description(self, item: Post) -> str:
        if protection.is_locked_for(item, None):
            return str(protection.NO_EXCERPT)
        html = item.excerpt or item.body or item.reblog_excerpt
        return absolute_links(html, self.request.build_absolute_uri(item.get_absolute_url()))

    def item_author_name(self, item: Post) -> str:
        return item.author.get_full_name() or item.author.get_username()

    def item_pubdate(self, item: Post):
        return item.published_at

    def item_updateddate(self, item: Post):
        return item.updated_at

    def item_categories(self, item: Post) -> list[str]:
        return [c.name for c in item.categories.all()]


class _Atom:
    feed_type = Atom1Feed


class LatestPostsFeed(_PostFeed):
    pass


class LatestPostsAtomFeed(_Atom, LatestPostsFeed):
    pass


class CategoryFeed(_PostFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Category:
        return get_object_or_404(Category, slug=slug)

    def filtered(self, posts, obj: Category):
        return posts.filter(categories=obj)

    def name(self, obj: Category) -> str:
        return _("Category: %(name)s") % {"name": obj.name}


class CategoryAtomFeed(_Atom, CategoryFeed):
    pass


class TagFeed(_PostFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Tag:
        return get_object_or_404(Tag, slug=slug)

    def filtered(self, posts, obj: Tag):
        return posts.filter(tags=obj)

    def name(self, obj: Tag) -> str:
        return _("Tag: %(name)s") % {"name": obj.name}


class TagAtomFeed(_Atom, TagFeed):
    pass


class AuthorFeed(_PostFeed):
    def get_object(self, request: HttpRequest, username: str):
        return published_author(username)

    def filtered(self, posts, obj):
        return posts.filter(author=obj)

    def name(self, obj) -> str:
        return _("Posts by %(name)s") % {"name": obj.get_full_name() or obj.get_username()}

    def link(self, obj) -> str:
        return reverse("publishing:author", args=[obj.get_username()])


class AuthorAtomFeed(_Atom, AuthorFeed):
    pass
