"""The administration's view of what was imported: attachments and the import records."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from salon.interchange.models import Attachment, ImportedItem
from salon.web_addresses import web_address


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("title", "link", "post", "uploaded_at", "source")
    list_filter = ("source",)
    search_fields = ("title", "url")
    raw_id_fields = ("post",)

    @admin.display(description="URL")
    def link(self, attachment: Attachment) -> str:
        address = web_address(attachment.url)
        if not address:
            return attachment.url  # shown as text: only http(s) addresses become links
        return format_html('<a href="{}">{}</a>', address, attachment.url)


@admin.register(ImportedItem)
class ImportedItemAdmin(admin.ModelAdmin):
    list_display = ("kind", "source", "source_id", "object_id", "old_link", "imported_at")
    list_filter = ("kind", "source")
    search_fields = ("source_id", "guid", "old_link")

    # Records are the import's memory: editing one by hand would make a re-import duplicate.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
