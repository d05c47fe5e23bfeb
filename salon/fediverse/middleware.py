"""A post's own page answers ``Accept: application/activity+json`` with the post's object."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers

from salon.fediverse import documents
from salon.fediverse.views import as_json, wants_activity
from salon.publishing.models import Post


class ActivityPubObjects:
    """Serve a post's ``Article`` at its permalink to whoever asks for ActivityStreams
    (Mastodon's search, a pasted link), and the page to everyone else; say ``Vary: Accept``.

    Publishing's view stays unaware of the fediverse: the request is answered here before
    it reaches the view, only when the Accept header asks for ActivityStreams.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.SALON["FEDIVERSE"]
            and request.method in ("GET", "HEAD")
            and wants_activity(request)
        ):
            answer = self._object(request)
            if answer is not None:
                return answer
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and f"{match.namespace}:{match.url_name}" == "publishing:post":
            patch_vary_headers(response, ["Accept"])
        return response

    def _object(self, request: HttpRequest) -> HttpResponse | None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if f"{match.namespace}:{match.url_name}" != "publishing:post":
            return None
        post = (
            Post.objects.live()
            .posts()
            .select_related("author")
            .filter(slug=match.kwargs["slug"])
            .first()
        )
        if post is None:
            return None
        response = as_json(documents.article(post))
        patch_vary_headers(response, ["Accept"])
        return response
