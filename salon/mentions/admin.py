from django.contrib import admin

from salon.mentions.models import ReceivedMention, SentMention


@admin.register(ReceivedMention)
class ReceivedMentionAdmin(admin.ModelAdmin):
    """Which pages mentioned which posts; the mention itself is moderated as a comment."""

    list_display = ("source", "post", "kind", "comment", "received_at", "updated_at")
    list_filter = ("kind",)
    search_fields = ("source", "target")
    readonly_fields = ("source", "target", "post", "comment", "kind", "received_at", "updated_at")

    def has_add_permission(self, request):
        return False


@admin.register(SentMention)
class SentMentionAdmin(admin.ModelAdmin):
    """What Salon told the pages its posts link to, and what they answered."""

    list_display = ("target", "post", "protocol", "outcome", "detail", "sent_at", "retry_at")
    list_filter = ("outcome", "protocol")
    search_fields = ("target", "endpoint", "detail")
    readonly_fields = ("post", "target", "protocol", "endpoint", "outcome", "detail", "sent_at")

    def has_add_permission(self, request):
        return False
