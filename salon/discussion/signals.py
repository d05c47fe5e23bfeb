"""What happens after a comment is saved, changed or moderated: read this module.

Each signal below is sent by exactly one function of :mod:`salon.discussion.pipeline` or
:mod:`salon.discussion.moderation`, whoever the caller (the comment form, the author's edit,
a Webmention, a moderator, a moderation link, an erasure). Apps connect their receivers in
their own ``AppConfig.ready``:

===========================  ==========================================================
signal                       receivers (app: what it does)
===========================  ==========================================================
``comment_submitted``        notifications: subscriptions asked for under the form, and
                             mail to the post's author, subscribers or moderators queued
``comment_edited``           notifications: moderators hear of an edit that is now held
``comment_status_changed``   antispam: the filter learns "spam" / "not spam";
                             notifications: a comment let out of moderation is announced
``comment_answered``         identity: who wrote it (log-in provider), and the cookie that
                             lets its author edit it for a while
``thread_arranged``          fediverse: a reply's remote handle, avatar and original link
===========================  ==========================================================

Every signal is sent with :func:`send`, Django's ``send_robust``: a receiver that fails is
logged with its traceback and never undoes the comment or stops the other receivers.
``comment_submitted`` runs inside the transaction that stores the comment (with
:func:`send_within`: the mail it queues is stored with the comment, and a failing receiver
undoes only what the receivers wrote), and
``comment_status_changed`` inside the moderation's (a lesson is stored with the decision
it follows); the others run after the comment's transaction commits.

The count keepers at the end of this module are ordinary model signals: whatever changes or
deletes a comment row, the post's stored comment count follows.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from salon.discussion.counts import refresh_comment_counts
from salon.discussion.models import Comment

log = logging.getLogger(__name__)

comment_submitted = Signal()
"""A new comment was stored (any status but discarded), inside the transaction that stores
it (its receivers in a savepoint: see :func:`send_within`).

Arguments: ``comment`` (the stored :class:`~salon.discussion.models.Comment`) and
``submission`` (the :class:`~salon.discussion.pipeline.CommentSubmission` it came from,
with what the commenter asked for under the form: ``notify_replies``, ``notify_posts``)."""

comment_edited = Signal()
"""A stored comment's text changed and was judged again (its author's edit, or a Webmention
or pingback whose source page changed), after commit.

Arguments: ``comment`` (as now stored), ``submission`` (the changed submission),
``previous_status`` (its status before the change)."""

comment_status_changed = Signal()
"""A moderator (or a moderation link) changed a comment's status; inside the transaction.

Argument: ``decision`` (a :class:`~salon.discussion.moderation.Decision`: the comment, its
previous and new status, and the moderator)."""

comment_answered = Signal()
"""The comment form's view is answering a stored comment's author (before the response is
sent), so apps may remember things in the reader's browser.

Arguments: ``comment``, ``request``, ``response``."""


thread_arranged = Signal()
"""A thread's comments were read and arranged for display, before they are rendered (once
per rendering of a whole thread, never per comment, so a page's queries stay constant).
Receivers may add what they know of the comments that came through them.

Argument: ``entries`` (the :class:`~salon.discussion.threads.ThreadEntry` list, in display
order)."""


def send(signal: Signal, **arguments) -> None:
    """Send ``signal`` to every receiver; log the failures, never raise them."""
    for receiver_function, result in signal.send_robust(sender=Comment, **arguments):
        if isinstance(result, Exception):
            log.error(
                "A receiver of a comment signal failed: %r",
                receiver_function,
                exc_info=(type(result), result, result.__traceback__),
            )


def send_within(signal: Signal, **arguments) -> None:
    """Send ``signal`` inside the caller's transaction, its receivers in a savepoint: should
    one fail, it is logged and the receivers' writes are undone, never the caller's."""
    savepoint = transaction.savepoint()
    failed = False
    for receiver_function, result in signal.send_robust(sender=Comment, **arguments):
        if isinstance(result, Exception):
            failed = True
            log.error(
                "A receiver of a comment signal failed; what the receivers wrote is undone: %r",
                receiver_function,
                exc_info=(type(result), result, result.__traceback__),
            )
    if failed:
        # A receiver's failed query marked the whole transaction for rollback: back at the
        # savepoint (taken in a sound transaction), the caller's work is whole and goes on.
        transaction.set_rollback(False)
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)


@receiver(post_save, sender=Comment, dispatch_uid="salon.comment_saved")
@receiver(post_delete, sender=Comment, dispatch_uid="salon.comment_deleted")
def comment_changed(sender, instance: Comment, **kwargs) -> None:
    """Recount the post's approved comments whenever a comment row is saved or deleted."""
    refresh_comment_counts([instance.post_id])
