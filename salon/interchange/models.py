"""What an import remembers: where each imported thing came from, and WordPress attachments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from salon.publishing.models import Post
from salon.web_addresses import validate_web_address


def latest_record(records: models.QuerySet[ImportedItem]) -> ImportedItem | None:
    """The most recent of a few matching records, chosen in Python.

    ``.order_by("-pk").first()`` would let PostgreSQL walk the primary key backwards and
    filter row by row, which on a table of a million records is a full scan per lookup; the
    records matching one id, GUID or old link are few, so they are all fetched by index.
    """
    return max(records.order_by(), key=lambda record: record.pk, default=None)


class ImportedItem(models.Model):
    """One thing brought in from elsewhere, and the Salon object it became.

    Re-running an import looks items up here (by source and original id, then by GUID), so
    nothing is created twice; old links (``/?p=ID``, the item's old permalink) are answered
    from here too.
    """

    class Kind(models.TextChoices):
        AUTHOR = "author", _("author")
        CATEGORY = "category", _("category")
        TAG = "tag", _("tag")
        POST = "post", _("post")
        PAGE = "page", _("page")
        ATTACHMENT = "attachment", _("attachment")
        COMMENT = "comment", _("comment")
        DISQUS_THREAD = "disqus_thread", _("Disqus thread")
        DISQUS_POST = "disqus_post", _("Disqus comment")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The site it came from: a WordPress blog's address without its scheme
    # ("example.wordpress.com"), or "disqus".
    source = models.CharField(_("source"), max_length=200)
    source_id = models.CharField(_("original id"), max_length=100)
    guid = models.CharField(_("GUID"), max_length=500, blank=True, db_index=True)
    # The path the item had on the old site ("/2010/01/07/hello-world/"), for redirects.
    old_link = models.CharField(_("old link"), max_length=500, blank=True, db_index=True)
    object_id = models.BigIntegerField(_("Salon object id"), null=True, blank=True)
    extra = models.JSONField(_("extra"), default=dict, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("imported item")
        verbose_name_plural = _("imported items")
        constraints = [
            # The original id leads: lookups ask for a list of ids ("source_id IN …") of one
            # source and kind, and PostgreSQL only seeks a list on an index's first column.
            models.UniqueConstraint(
                fields=["source_id", "kind", "source"], name="one_record_per_imported_item"
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id} → {self.object_id}"


class Attachment(models.Model):
    """A WordPress attachment (usually an image). The file stays where it was: its URL is kept,
    and the imported posts' HTML still points at it."""

    source = models.CharField(_("source"), max_length=200)
    source_id = models.CharField(_("original id"), max_length=100)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    url = models.URLField(_("URL"), max_length=1000, validators=[validate_web_address])
    guid = models.CharField(_("GUID"), max_length=500, blank=True)
    caption = models.TextField(_("caption"), blank=True)
    description = models.TextField(_("description"), blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), null=True, blank=True)
    # The WordPress id of the post it belongs to; resolved to ``post`` once that post exists.
    parent_source_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], name="one_attachment_per_imported_item"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.url
