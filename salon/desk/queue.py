"""Which comments the moderation screen lists: its status tabs and their counts, the filters
(post, type, search), the order and the pages. Each is one query, whatever the page holds."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.db.models import Case, Count, Max, Q, QuerySet, Value, When
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from salon.discussion.models import Comment
from salon.publishing.models import Post

PER_PAGE = 20
Status = Comment.Status

# WordPress's tabs: "All" is what is on the site or waiting for it, not spam nor trash.
TABS = (
    ("all", _("All")),
    ("pending", _("Pending")),
    ("approved", _("Approved")),
    ("spam", _("Spam")),
    ("trash", _("Trash")),
)
_IN_TAB = {
    "all": (Status.APPROVED, Status.PENDING),
    "pending": (Status.PENDING,),
    "approved": (Status.APPROVED,),
    "spam": (Status.SPAM,),
    "trash": (Status.TRASH,),
}


def pending_count() -> int:
    """How many comments wait for a moderator."""
    return Comment.objects.filter(status=Status.PENDING).count()


def tab_counts() -> dict[str, int]:
    """Each tab's count, in one query."""
    counted = Comment.objects.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Status.values}
    )
    counts = {status: counted[status] or 0 for status in Status.values}
    counts["all"] = counts[Status.APPROVED] + counts[Status.PENDING]
    return counts


def in_tab(status: str, tab: str) -> bool:
    """Whether a comment of this status is listed under ``tab``."""
    return status in _IN_TAB.get(tab, ())


@dataclass(frozen=True)
class Filters:
    """What the moderator asked to see, read from the page's query string."""

    tab: str = "all"
    post: int | None = None
    kind: str = ""
    search: str = ""
    oldest_first: bool = False
    page: int = 1

    @classmethod
    def from_query(cls, query: QueryDict, default_tab: str = "all") -> Filters:
        tab = query.get("status", default_tab)
        if tab not in _IN_TAB:
            tab = "all"
        try:
            post = int(query.get("post", "")) or None
        except ValueError:
            post = None
        kind = query.get("kind", "")
        try:
            page = max(int(query.get("page", "1")), 1)
        except ValueError:
            page = 1
        return cls(
            tab=tab,
            post=post,
            kind=kind if kind in Comment.Kind.values else "",
            search=query.get("q", "").strip()[:200],
            oldest_first=query.get("order") == "oldest",
            page=page,
        )

    def query(self, **changes) -> str:
        """This view's query string, with ``changes`` (None drops a key); page 1 by default."""
        values = {
            "status": self.tab,
            "post": self.post,
            "kind": self.kind,
            "q": self.search,
            "order": "oldest" if self.oldest_first else "",
            "page": None,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in (None, "", 1)})


def listed(filters: Filters) -> QuerySet[Comment]:
    """The comments the filters select, in the screen's order: in "All", those waiting for a
    moderator first (they are the work), then the newest."""
    comments = Comment.objects.filter(status__in=_IN_TAB[filters.tab])
    if filters.post:
        comments = comments.filter(post_id=filters.post)
    if filters.kind:
        comments = comments.filter(kind=filters.kind)
    if filters.search:
        comments = comments.filter(_matching(filters.search))
    newest = "created_at" if filters.oldest_first else "-created_at"
    ordering = [newest, "-pk" if newest.startswith("-") else "pk"]
    if filters.tab == "all":
        waiting = Case(When(status=Status.PENDING, then=Value(0)), default=Value(1))
        ordering.insert(0, waiting.asc())
    return comments.select_related("post", "parent").order_by(*ordering)


def _matching(text: str) -> Q:
    """A search over what a moderator remembers: name, e-mail, website, IP address or words."""
    found = (
        Q(author_name__icontains=text)
        | Q(author_email__icontains=text)
        | Q(author_url__icontains=text)
        | Q(content__icontains=text)
    )
    try:
        found |= Q(author_ip=str(ipaddress.ip_address(text)))
    except ValueError:
        pass
    return found


def posts_to_filter_by(chosen: int | None, limit: int = 50) -> list[tuple[int, str]]:
    """The posts most recently commented on (for the post filter), and the chosen one."""
    posts = list(
        Post.objects.filter(comments__isnull=False)
        .annotate(last=Max("comments__created_at"))
        .order_by("-last")
        .values_list("pk", "title")[:limit]
    )
    if chosen and chosen not in {pk for pk, _title in posts}:
        posts += list(Post.objects.filter(pk=chosen).values_list("pk", "title"))
    return posts
