"""Keep each post's stored comment count true whenever a comment is saved or deleted."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from salon.discussion.counts import refresh_comment_counts
from salon.discussion.models import Comment


@receiver(post_save, sender=Comment, dispatch_uid="salon.comment_saved")
@receiver(post_delete, sender=Comment, dispatch_uid="salon.comment_deleted")
def comment_changed(sender, instance: Comment, **kwargs) -> None:
    refresh_comment_counts([instance.post_id])
