from django.urls import path, re_path

from salon.publishing import feeds, views

app_name = "publishing"

urlpatterns = [
    path("", views.home, name="home"),
    path("page/<int:page_number>/", views.home, name="home-page"),
    path("feed/", feeds.LatestPostsFeed(), name="feed"),
    path("category/<str:slug>/", views.category, name="category"),
    path("tag/<str:slug>/", views.tag, name="tag"),
    path("post-password/<int:pk>/", views.post_password, name="post-password"),
    re_path(
        r"^(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<slug>[-\w]+)/$",
        views.post_detail,
        name="post",
    ),
    # Pages last: a page's slug is the whole path, so every other route must win first.
    re_path(r"^(?P<slug>[-\w]+)/$", views.page_detail, name="page"),
]
