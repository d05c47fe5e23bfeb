"""What one ``salon import_wxr`` run knows as it goes: the source, what it has matched so
far, and the rows waiting for the next bulk write. The steps (``authors``, ``terms``,
``posts``, ``comments``, ``attachments``, ``flush``) are plain functions of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from salon.discussion.models import Comment
from salon.interchange.models import ImportedItem
from salon.interchange.reading import Tally
from salon.interchange.wordpress.values import source_of

# A comment waiting for the next flush: its key (post, WordPress id), the unsaved comment,
# its record's extra, and the key of a parent stored in the same flush.
PendingComment = tuple[tuple[int, str], Comment, dict, tuple[int, str] | None]


@dataclass
class WxrRun:
    """The state of one import; see the package's docstring for the matching rules."""

    update: bool = False
    default_author_name: str | None = None
    write: Callable[[str], None] | None = None
    tally: Tally = field(default_factory=Tally)
    source: str = "wordpress"
    # Salon's own export: its comments are Markdown already, indentation and all.
    markdown_comments: bool = False
    own_source: str = field(default_factory=lambda: source_of(settings.SITE_URL))
    users_by_login: dict[str, int] = field(default_factory=dict)
    users_by_wp_id: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)
    touched_posts: set[int] = field(default_factory=set)
    # Comments, records and category/tag links (tags as negative ids) for the next flush.
    pending: list[PendingComment] = field(default_factory=list)
    pending_records: list[ImportedItem] = field(default_factory=list)
    pending_terms: list[tuple[int, int]] = field(default_factory=list)
    pending_chars: int = 0
    default_author: int | None = None
    # Whether lookups can find anything: a first import into an empty site asks nothing.
    other_sources: bool = True
    known_comments: bool = True
    known_posts: bool = True
    # Posts and pages created in this run (WordPress id → Salon id): their records wait
    # for the next flush, and a first import asks the database nothing about them.
    created_posts: dict[str, int] = field(default_factory=dict)
    protected: int = 0
    orphans: int = 0
    # Comments stored under their WordPress id (so #comment-123 links still land), and
    # those whose id was already another comment's.
    kept_ids: int = 0
    renumbered: int = 0
