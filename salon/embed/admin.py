from django.contrib import admin

from salon.embed.models import EmbedOrigin


@admin.register(EmbedOrigin)
class EmbedOriginAdmin(admin.ModelAdmin):
    """The sites whose pages may show this site's conversation (besides
    ``SALON_EMBED_ORIGINS``): ``<script src="…/embed.js" async></script>`` on their pages."""

    list_display = ("origin", "note", "added_at")
    search_fields = ("origin", "note")
