from django.urls import path, re_path

from salon.embed import api, login, openapi, widget

app_name = "embed"

urlpatterns = [
    path("embed.js", widget.loader, name="loader"),
    re_path(
        r"^embed/salon-embed\.(?P<digest>[0-9a-f]{8,64})\.js$", widget.widget_file, name="widget"
    ),
    path("embed/login/", login.login_popup, name="login"),
    path("api/v1/openapi.json", openapi.openapi, name="openapi"),
    path("api/v1/config", api.config, name="config"),
    path("api/v1/thread", api.thread, name="thread"),
    path("api/v1/counts", api.counts, name="counts"),
    path("api/v1/comments", api.comments, name="comments"),
    # Any id is routed to the views, so that a malformed one gets the API's JSON 404.
    path("api/v1/comments/<str:pk>", api.comment, name="comment"),
    path("api/v1/comments/<str:pk>/like", api.like, name="like"),
]
