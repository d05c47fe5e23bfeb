"""Feeds of comments: the whole site's (RSS and Atom), and one post's (RSS)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from salon.discussion.models import Comment
from salon.publishing import protection
from salon.publishing.models import Post
from salon.publishing.views import visible_post


class _CommentFeed(Feed):
    feed_type = Rss201rev2Feed

    def item_title(self, item: Comment) -> str:
        return _("By: %(name)s") % {"name": item.display_name}

    def item_description(self, item: Comment) -> str:
        return item.content_html

    def item_link(self, item: Comment) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Comment) -> str:
        return item.display_name

    def item_pubdate(self, item: Comment):
        return item.created_at


class AllCommentsFeed(_CommentFeed):
    link = "/"

    def item_title(self, item: Comment) -> str:
        # Far from their posts, the site's comments name theirs (as WordPress's feed does).
        return _("Comment on %(title)s by %(name)s") % {
            "title": item.post.title,
            "name": item.display_name,
        }

    def title(self) -> str:
        return _("Comments for %(site)s") % {"site": settings.SITE_NAME}

    def description(self) -> str:
        return settings.SITE_TAGLINE

    def items(self):
        return (
            Comment.objects.approved()
            .filter(post__in=protection.without_protected(Post.objects.live()))
            .select_related("post")
            .order_by("-created_at")[:30]
        )


class AllCommentsAtomFeed(AllCommentsFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return settings.SITE_TAGLINE


class PostCommentsFeed(_CommentFeed):
    def get_object(self, request: HttpRequest, slug: str, **date) -> Post:
        post = visible_post(request, slug, Post.Kind.POST if date else Post.Kind.PAGE)
        post.locked = protection.is_locked_for(post, request)
        return post

    def title(self, obj: Post) -> str:
        return _("Comments on: %(title)s") % {"title": obj.title}

    def link(self, obj: Post) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Post) -> str:
        return obj.title

    def items(self, obj: Post):
        if obj.locked:
            return []
        return obj.comments.approved().select_related("post").order_by("-created_at")[:50]
