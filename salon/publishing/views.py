"""Reader-facing pages of the blog: the home page, archives (category, tag, author, year,
month, day, search results) and a post's own page."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from salon.prepared import prepared
from salon.publishing import fragments, page_cache, protection
from salon.publishing.models import Category, Post, Tag
from salon.publishing.search import SEARCH_MAX, search_posts


def _post_list(request: HttpRequest, posts, template_context: dict[str, Any]) -> HttpResponse:
    posts = posts.select_related("author").prefetch_related("categories", "tags")
    paginator = Paginator(posts, settings.SALON["POSTS_PER_PAGE"])
    on_home = "archive" not in template_context
    page_number = template_context.pop("page_number", None)
    if page_number is None:
        page_number = request.GET.get("page") or 1
    try:
        page = paginator.page(page_number)
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        # As WordPress: a page past the last is not the last one again under another address.
        raise Http404(_("There is no such page of posts.")) from None
    for post in page:
        post.locked = protection.is_locked_for(post, request)

    def page_url(n: int) -> str:
        if on_home:
            return (
                reverse("publishing:home") if n == 1 else reverse("publishing:home-page", args=[n])
            )
        query = request.GET.copy()  # a search keeps its words from page to page
        query["page"] = str(n)
        return f"?{query.urlencode()}"

    context = {
        "page_obj": page,
        "posts": page,
        "older_url": page_url(page.next_page_number()) if page.has_next() else "",
        "newer_url": page_url(page.previous_page_number()) if page.has_previous() else "",
        "no_excerpt": protection.NO_EXCERPT,
        **template_context,
    }
    return render(request, "publishing/post_list.html", context)


def home(request: HttpRequest, page_number: int = 1) -> HttpResponse:
    """The newest live posts, ten a page (``/page/2/`` as WordPress)."""
    posts = Post.objects.live().posts().order_by("-is_sticky", "-published_at", "-id")
    return _post_list(request, posts, {"page_number": page_number})


class Archive:
    """What an archive page is about: its heading, and its feeds when it has any."""

    def __init__(self, name: str, feed: str = "", atom: str = "") -> None:
        self.name, self.feed, self.atom = name, feed, atom


def category(request: HttpRequest, slug: str) -> HttpResponse:
    cat = get_object_or_404(Category, slug=slug)
    archive = Archive(
        cat.name,
        reverse("publishing:category-feed", args=[slug]),
        reverse("publishing:category-atom", args=[slug]),
    )
    posts = Post.objects.live().posts().filter(categories=cat).order_by("-published_at", "-id")
    return _post_list(request, posts, {"archive": archive})


def tag(request: HttpRequest, slug: str) -> HttpResponse:
    tg = get_object_or_404(Tag, slug=slug)
    archive = Archive(
        tg.name,
        reverse("publishing:tag-feed", args=[slug]),
        reverse("publishing:tag-atom", args=[slug]),
    )
    posts = Post.objects.live().posts().filter(tags=tg).order_by("-published_at", "-id")
    return _post_list(request, posts, {"archive": archive})


def published_author(username: str):
    """The account ``username`` if it has a live post: nobody else has an author page or feed
    (they would list the site's accounts)."""
    published = Post.objects.live().posts().filter(author=OuterRef("pk"))
    authors = get_user_model().objects.filter(Exists(published))
    return get_object_or_404(authors, username=username)


def author(request: HttpRequest, username: str) -> HttpResponse:
    """The posts of one author."""
    person = published_author(username)
    name = person.get_full_name() or person.get_username()
    archive = Archive(
        _("Posts by %(name)s") % {"name": name},
        reverse("publishing:author-feed", args=[username]),
        reverse("publishing:author-atom", args=[username]),
    )
    posts = Post.objects.live().posts().filter(author=person).order_by("-published_at", "-id")
    return _post_list(request, posts, {"archive": archive})


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def date_archive(
    request: HttpRequest, year: str, month: str | None = None, day: str | None = None
) -> HttpResponse:
    """The posts of a year (``/2026/``), a month (``/2026/12/``) or a day (``/2026/12/04/``),
    in the site's time zone, as their permalinks date them."""
    try:
        if day:
            start = date(int(year), int(month), int(day))
            end = start + timedelta(days=1)
            name = date_format(start, "F j, Y")
        elif month:
            start = date(int(year), int(month), 1)
            end = start + timedelta(days=calendar.monthrange(start.year, start.month)[1])
            name = date_format(start, "F Y")
        else:
            start, end = date(int(year), 1, 1), date(int(year) + 1, 1, 1)
            name = year
    except (ValueError, OverflowError):
        raise Http404(_("There is no such date.")) from None
    posts = (
        Post.objects.live()
        .posts()
        .filter(published_at__gte=_local_midnight(start), published_at__lt=_local_midnight(end))
        .order_by("-published_at", "-id")
    )
    archive = Archive(_("Archives: %(date)s") % {"date": name})
    return _post_list(request, posts, {"archive": archive})


def search(request: HttpRequest) -> HttpResponse:
    """Posts matching the words in ``?q=``, best first (a plain GET form: no script needed)."""
    query = request.GET.get("q", "").strip()
    if len(query) > SEARCH_MAX:
        return render(
            request,
            "publishing/post_list.html",
            {
                "archive": Archive(_("Search")),
                "search_query": query[:SEARCH_MAX],
                "search_error": _("Please search for at most %(n)s characters.")
                % {"n": SEARCH_MAX},
                "posts": [],
            },
            status=400,
        )
    archive = Archive(_("Search results for “%(q)s”") % {"q": query} if query else _("Search"))
    posts = search_posts(query) if query else Post.objects.none()
    return _post_list(
        request, posts, {"archive": archive, "search_query": query, "searched": bool(query)}
    )


def visible_post(
    request: HttpRequest, slug: str | None, kind: str | None = None, pk: int | None = None
) -> Post:
    """The post (or page) with ``slug`` (or ``pk``) if this reader may see it; staff also see
    drafts. With its author, categories and tags: three queries, each compiled once per
    process (every reader of a post page asks; compiling them cost more than running them)."""
    page_cache.note_generation(request)  # before the rows the page's shared parts show
    staff = request.user.is_authenticated and request.user.is_staff
    by_slug = pk is None

    def build(v) -> QuerySet:
        posts = Post.objects.select_related("author")
        if kind:
            posts = posts.filter(kind=kind)
        if not staff:
            posts = posts.live(v("now", _EPOCH, _PUBLISHED_AT))
        if by_slug:
            return posts.filter(slug=v("slug", "\x00slug\x00"))
        return posts.filter(pk=v("pk", -7_070_707))

    query = prepared(("visible post", kind, staff, by_slug), build)
    given = {"slug": slug} if by_slug else {"pk": pk}
    if not staff:
        given["now"] = timezone.now()
    found = query.objects(**given)
    if not found:
        raise Http404("No such post.")
    post = found[0]
    for name, model in (("categories", Category), ("tags", Tag)):
        related = prepared(
            ("post's", name),
            lambda v, model=model: model.objects.filter(posts=v("post", -7_070_707)),
        )
        _prefetched(post, name, related.objects(post=post.pk))
    return post


def _prefetched(post: Post, name: str, objects: list) -> None:
    """Hand ``post.<name>.all()`` its rows, as ``prefetch_related`` would."""
    rows = getattr(post, name).all()
    rows._result_cache, rows._prefetch_done = objects, True
    post.__dict__.setdefault("_prefetched_objects_cache", {})[name] = rows


_EPOCH = datetime(1901, 1, 1, tzinfo=UTC)  # stands for the moment the query is run
_PUBLISHED_AT = Post._meta.get_field("published_at")


def render_post_page(
    request: HttpRequest, post: Post, status: int = 200, **context: Any
) -> HttpResponse:
    """Render a post's page. The page's template pulls in what other apps show under it (the
    conversation, likes) with their template tags; ``context`` is passed on to them (the
    comment view's bound form and error, for one).

    A password-protected post this reader has not unlocked shows its title and the password
    form only: the template then calls none of the other apps' tags."""
    page_cache.note_post(request, post)
    fragments.begin(request)
    locked = protection.is_locked_for(post, request)
    response = render(
        request,
        "publishing/post_detail.html",
        {**context, "post": post, "locked": locked, "password_prompt": protection.FORM_PROMPT},
        status=status,
    )
    if post.password:
        # What this page shows depends on the reader's unlock cookie.
        patch_vary_headers(response, ("Cookie",))
    return fragments.splice(request, response)


def post_detail(request: HttpRequest, year: str, month: str, day: str, slug: str) -> HttpResponse:
    """A post at its permalink ``/YYYY/MM/DD/slug/``; a stale date redirects to the right one."""
    post = visible_post(request, slug, Post.Kind.POST)
    parts = post.permalink_parts()
    if (year, month, day) != (parts["year"], parts["month"], parts["day"]):
        return HttpResponsePermanentRedirect(post.get_absolute_url())
    return render_post_page(request, post)


def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A page at ``/slug/``."""
    return render_post_page(request, visible_post(request, slug, Post.Kind.PAGE))


@require_POST
def post_password(request: HttpRequest, pk: int) -> HttpResponse:
    """The password form of a protected post: the right password unlocks the post on this
    browser and goes back to it; a wrong one shows the form again, saying so."""
    post = visible_post(request, None, pk=pk)
    if post.kind == Post.Kind.ELSEWHERE:
        raise Http404("No such post.")  # its page is on another site
    if not post.password:  # nothing to unlock (any more)
        return redirect_to_post(post)
    if is_ratelimited(
        request,
        group="post-password",
        key="ip",
        rate=settings.SALON["POST_PASSWORD_RATE"],
        method="POST",
        increment=True,
    ):
        return render_post_page(
            request,
            post,
            status=429,
            password_error=protection.TOO_MANY_TRIES,
        )
    if not protection.password_matches(post, request.POST.get("post_password", "")):
        return render_post_page(request, post, status=403, password_error=protection.WRONG_PASSWORD)
    response = redirect_to_post(post)
    protection.unlock(post, request, response)
    return response


def redirect_to_post(post: Post) -> HttpResponse:
    """See Other: after a form, the browser GETs the post's page."""
    response = redirect(post.get_absolute_url())
    response.status_code = 303
    return response
