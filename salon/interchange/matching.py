"""Which post a page of the old site was: its address compared with every post's address,
new and old (an imported item's old permalink). Disqus threads and the pages of Isso,
Remark42 and Commento are matched this way."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from salon.interchange.models import ImportedItem
from salon.publishing.models import Post

Kind = ImportedItem.Kind


def normalised_path(url: str) -> str:
    """``http://host/blog/a/index.html`` → ``/blog/a/``: how thread links and posts compare."""
    path = unquote(urlsplit(url.strip()).path or "/")
    for index in ("index.html", "index.htm", "index.php"):
        if path.endswith("/" + index):
            path = path[: -len(index)]
    return path if path.endswith("/") else path + "/"


def post_paths() -> dict[str, int]:
    """Every post's and page's path, new and old (normalised), and the post it leads to."""
    addresses: dict[str, int] = {}
    for record in ImportedItem.objects.filter(
        kind__in=(Kind.POST, Kind.PAGE), object_id__isnull=False
    ).exclude(old_link=""):
        addresses[normalised_path(record.old_link)] = record.object_id
    for post in (
        Post.objects.exclude(kind=Post.Kind.ELSEWHERE)
        .only("pk", "slug", "kind", "published_at")
        .iterator()
    ):
        addresses[normalised_path(post.get_absolute_url())] = post.pk
    return addresses
