from django.urls import path, re_path

from salon.fediverse import views

app_name = "fediverse"

urlpatterns = [
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/nodeinfo", views.nodeinfo_links, name="nodeinfo-links"),
    path("nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
    path("fediverse/inbox/", views.inbox_view, name="shared-inbox"),
    path("fediverse/blog/", views.blog, name="blog"),
    path("fediverse/blog/inbox/", views.inbox_view, name="blog-inbox"),
    path("fediverse/blog/outbox/", views.blog_outbox, name="blog-outbox"),
    path("fediverse/blog/followers/", views.blog_followers, name="blog-followers"),
    path("fediverse/blog/icon.png", views.blog_icon, name="blog-icon"),
    path("fediverse/authors/<str:username>/", views.author, name="author"),
    path("fediverse/authors/<str:username>/inbox/", views.inbox_view, name="author-inbox"),
    path("fediverse/authors/<str:username>/outbox/", views.author_outbox, name="author-outbox"),
    path(
        "fediverse/authors/<str:username>/followers/",
        views.author_followers,
        name="author-followers",
    ),
    path("fediverse/posts/<int:pk>/", views.post_object, name="post"),
    path("fediverse/posts/<int:pk>/replies/", views.post_replies, name="post-replies"),
    path("fediverse/comments/<int:pk>/", views.comment_object, name="comment"),
    re_path(
        r"^fediverse/activities/(?P<key>[0-9a-f]{32})/$", views.activity_object, name="activity"
    ),
]
