"""Arranging a post's comments into threads for display, from one flat query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from salon.discussion.models import Comment

# The columns a thread shows; fetched as plain values because building hundreds of model
# instances costs more than rendering them.
SHOWN_COLUMNS = (
    "id",
    "parent_id",
    "created_at",
    "author_name",
    "author_url",
    "author_email",
    "content_html",
    "status",
    "like_count",
    "kind",
)


@dataclass(slots=True)
class ThreadEntry:
    """One comment in display order, and where its nesting opens and closes.

    ``opens``: the first reply of a comment starts a list of replies. ``closes``: how many
    list items end after this comment: none while its replies follow, else its own and one
    more for each level of replies that ends with it. The template turns these into tags,
    so the thread renders with one flat loop instead of a recursive include.
    """

    id: int
    parent_id: int | None
    created_at: datetime
    author_name: str = ""
    author_url: str = ""
    author_email: str = ""
    content_html: str = ""
    status: str = Comment.Status.APPROVED
    like_count: int = 0
    kind: str = Comment.Kind.COMMENT
    depth: int = 0
    number: int = 0
    opens: bool = False
    closes: int = 1
    children: list[ThreadEntry] = field(default_factory=list, repr=False)
    # Filled in by the view for display.
    name: str = ""
    avatar: str = ""
    likes_label: str = ""
    awaiting: bool = False
    iso_date: str = ""
    date_text: str = ""
    # For comments that came from elsewhere (filled in by the app they came through): the
    # author's handle there, and the address of the original.
    handle: str = ""
    original_url: str = ""

    @classmethod
    def of(cls, comment: Comment) -> ThreadEntry:
        return cls(**{column: getattr(comment, column) for column in SHOWN_COLUMNS})


def arrange(entries: Iterable[ThreadEntry], max_depth: int) -> list[ThreadEntry]:
    """Order comments as nested threads, oldest first at every level.

    Replies whose parent is not shown (held, spam, deleted) become top-level, so nothing
    visible disappears. Beyond ``max_depth`` levels, replies are shown at the last level in
    date order, as WordPress's comment walker does.
    """
    max_depth = max(1, max_depth)
    items = sorted(entries, key=lambda e: (e.created_at, e.id))
    by_id = {e.id: e for e in items}
    roots: list[ThreadEntry] = []
    for entry in items:
        entry.children = []
    for entry in items:
        parent = by_id.get(entry.parent_id) if entry.parent_id else None
        (parent.children if parent is not None else roots).append(entry)

    ordered: list[ThreadEntry] = []

    def descendants(entry: ThreadEntry) -> list[ThreadEntry]:
        found: list[ThreadEntry] = []
        stack = list(entry.children)
        while stack:
            child = stack.pop()
            found.append(child)
            stack.extend(child.children)
        return sorted(found, key=lambda e: (e.created_at, e.id))

    def walk(level: list[ThreadEntry], depth: int) -> None:
        for i, entry in enumerate(level):
            entry.depth = depth
            entry.opens = i == 0 and depth > 1
            ordered.append(entry)
            if depth >= max_depth:
                # Flatten everything below the deepest level into siblings after it.
                entry.closes = 1
                for flat in descendants(entry):
                    flat.depth, flat.opens, flat.closes = depth, False, 1
                    ordered.append(flat)
            elif entry.children:
                entry.closes = 0
                walk(entry.children, depth + 1)
                ordered[-1].closes += 1  # the replies' list, then this comment's item
            else:
                entry.closes = 1

    walk(roots, 1)
    for number, entry in enumerate(ordered, start=1):
        entry.number = number
        entry.children = []  # only arranging needs them
    return ordered


def depth_of(comment: Comment) -> int:
    """The nesting level of a stored comment (1 for a top-level one)."""
    depth, seen = 1, {comment.pk}
    parent_id = comment.parent_id
    while parent_id and parent_id not in seen:
        seen.add(parent_id)
        parent_id = Comment.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        depth += 1
    return depth
