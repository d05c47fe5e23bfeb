from django.urls import path, re_path

from salon.discussion import feeds, views

app_name = "discussion"

urlpatterns = [
    path("comments/post/", views.post_comment, name="post-comment"),
    path("comments/feed/", feeds.AllCommentsFeed(), name="comments-feed"),
    path("comments/feed/atom/", feeds.AllCommentsAtomFeed(), name="comments-atom"),
    path("likes/", views.like, name="like"),
    re_path(r"^avatar/(?P<key>[0-9a-f]{8,64})\.svg$", views.avatar, name="avatar"),
    re_path(
        r"^(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<slug>[-\w]+)/feed/$",
        feeds.PostCommentsFeed(),
        name="post-comments-feed",
    ),
    re_path(r"^(?P<slug>[-\w]+)/feed/$", feeds.PostCommentsFeed(), name="page-comments-feed"),
]
