from django.urls import path, re_path

from salon.publishing import feeds, views

app_name = "publishing"

urlpatterns = [
    path("", views.home, name="home"),
    path("page/<int:page_number>/", views.home, name="home-page"),
    path("feed/", feeds.LatestPostsFeed(), name="feed"),
    path("feed/atom/", feeds.LatestPostsAtomFeed(), name="feed-atom"),
    path("search/", views.search, name="search"),
    path("category/<str:slug>/", views.category, name="category"),
    path("category/<str:slug>/feed/", feeds.CategoryFeed(), name="category-feed"),
    path("category/<str:slug>/feed/atom/", feeds.CategoryAtomFeed(), name="category-atom"),
    path("tag/<str:slug>/", views.tag, name="tag"),
    path("tag/<str:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("tag/<str:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag-atom"),
    path("author/<str:username>/", views.author, name="author"),
    path("author/<str:username>/feed/", feeds.AuthorFeed(), name="author-feed"),
    path("author/<str:username>/feed/atom/", feeds.AuthorAtomFeed(), name="author-atom"),
    # Date archives, as WordPress: /2026/, /2026/12/, /2026/12/04/.
    re_path(r"^(?P<year>\d{4})/$", views.date_archive, name="year"),
    re_path(r"^(?P<year>\d{4})/(?P<month>\d{2})/$", views.date_archive, name="month"),
    re_path(r"^(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/$", views.date_archive, name="day"),
    path("post-password/<int:pk>/", views.post_password, name="post-password"),
    re_path(
        r"^(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<slug>[-\w]+)/$",
        views.post_detail,
        name="post",
    ),
    # Pages last: a page's slug is the whole path, so every other route must win first.
    re_path(r"^(?P<slug>[-\w]+)/$", views.page_detail, name="page"),
]
