"""What a moderator can do to comments from the moderation screen, and undoing it.

Every change of status goes through :func:`salon.discussion.moderation.moderate`, so the spam
filter learns from "spam" and "not spam" exactly as from any other moderator's decision, and
the posts' counts stay true. An undo is one more decision: each comment goes back to the
status it had, through the same function.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from salon.discussion.models import Comment
from salon.discussion.moderation import DELETABLE, delete_permanently, moderate

Status = Comment.Status
UNDO_SALT = "salon.desk.undo"
UNDO_SECONDS = 3600


@dataclass(frozen=True)
class Action:
    """One of the screen's actions: its name in forms and shortcuts, its button, the status it
    gives, the statuses whose rows offer it, and what is said after it."""

    name: str
    label: str
    status: str  # "" for Delete Permanently, which leaves no status behind
    offered_for: tuple[str, ...]
    done: str  # ngettext_lazy with the count as "n"

    def message(self, count: int) -> str:
        return self.done % {"n": count}


ACTIONS = {
    action.name: action
    for action in (
        Action(
            "approve",
            _("Approve"),
            Status.APPROVED,
            (Status.PENDING,),
            ngettext_lazy("%(n)d comment approved.", "%(n)d comments approved.", "n"),
        ),
        Action(
            "unapprove",
            _("Unapprove"),
            Status.PENDING,
            (Status.APPROVED,),
            ngettext_lazy("%(n)d comment unapproved.", "%(n)d comments unapproved.", "n"),
        ),
        Action(
            "spam",
            _("Spam"),
            Status.SPAM,
            (Status.PENDING, Status.APPROVED, Status.TRASH),
            ngettext_lazy("%(n)d comment marked as spam.", "%(n)d comments marked as spam.", "n"),
        ),
        Action(
            "notspam",
            _("Not spam"),
            Status.APPROVED,
            (Status.SPAM,),
            ngettext_lazy(
                "%(n)d comment restored as not spam.", "%(n)d comments restored as not spam.", "n"
            ),
        ),
        Action(
            "trash",
            _("Trash"),
            Status.TRASH,
            (Status.PENDING, Status.APPROVED, Status.SPAM),
            ngettext_lazy(
                "%(n)d comment moved to the Trash.", "%(n)d comments moved to the Trash.", "n"
            ),
        ),
        # Salon does not keep a trashed comment's earlier status; like WordPress without its
        # record, a restored comment waits for a moderator (an undo restores it exactly).
        Action(
            "restore",
            _("Restore"),
            Status.PENDING,
            (Status.TRASH,),
            ngettext_lazy(
                "%(n)d comment restored from the Trash; it awaits moderation.",
                "%(n)d comments restored from the Trash; they await moderation.",
                "n",
            ),
        ),
        Action(
            "delete",
            _("Delete permanently"),
            "",
            DELETABLE,
            ngettext_lazy(
                "%(n)d comment deleted permanently.", "%(n)d comments deleted permanently.", "n"
            ),
        ),
    )
}


def offered(status: str) -> list[Action]:
    """The actions a row in this status shows, in WordPress's order."""
    return [a for a in ACTIONS.values() if status in a.offered_for]


@dataclass(frozen=True)
class Outcome:
    """What an action or an undo did: the comments it changed (with the status each had),
    what to tell the moderator, and the token that undoes it ("" when nothing changed)."""

    changed: list[tuple[int, str]]
    message: str
    undo: str
    deleted: dict[int, str] = field(default_factory=dict)  # pk: the author's name


class NothingToDelete(Exception):
    pass


def apply(action: Action, comments: Iterable[Comment], moderator: AbstractBaseUser) -> Outcome:
    """Give ``comments`` the action's status, through :func:`moderate`; or delete them."""
    if not action.status:
        return _delete(action, list(comments))
    before = [(c.pk, c.status) for c in comments if c.status != action.status]
    changing = [c for c in comments if c.status != action.status]
    moderate(changing, action.status, moderator)
    return Outcome(before, action.message(len(before)), undo_token(before))


def _delete(action: Action, comments: list[Comment]) -> Outcome:
    """Delete Permanently: spam and trashed comments only, and nothing to undo."""
    deleted = delete_permanently(comments)
    if not deleted:
        raise NothingToDelete
    message = action.message(len(deleted))
    if kept := len(comments) - len(deleted):
        message += " " + ngettext(
            "%(n)d comment was left alone: only spam and trashed comments can be deleted.",
            "%(n)d comments were left alone: only spam and trashed comments can be deleted.",
            kept,
        ) % {"n": kept}
    return Outcome(
        [(c.pk, c.status) for c in deleted],
        message,
        "",
        {c.pk: c.display_name for c in deleted},
    )


def undo_token(changed: list[tuple[int, str]]) -> str:
    return signing.dumps(changed, salt=UNDO_SALT, compress=True) if changed else ""


class UndoExpired(Exception):
    pass


def undo(token: str, moderator: AbstractBaseUser) -> Outcome:
    """Put every comment an action changed back in the status it had (within an hour)."""
    try:
        changed = signing.loads(token, salt=UNDO_SALT, max_age=UNDO_SECONDS)
    except signing.BadSignature:
        raise UndoExpired from None
    wanted: dict[str, list[int]] = defaultdict(list)
    for pk, status in changed:
        if status in Status.values:
            wanted[status].append(int(pk))
    before: list[tuple[int, str]] = []
    for status, ids in wanted.items():
        comments = list(Comment.objects.filter(pk__in=ids).select_related("post"))
        before += [(c.pk, c.status) for c in comments if c.status != status]
        moderate(comments, status, moderator)
    message = ngettext("%(n)d change undone.", "%(n)d changes undone.", len(before)) % {
        "n": len(before)
    }
    return Outcome(before, message, undo_token(before))
