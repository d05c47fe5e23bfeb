from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from salon.publishing.models import Category, Media, Post, Tag


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "author",
        "status",
        "published_at",
        "comment_count",
        "like_count",
    )
    list_filter = ("kind", "status", "is_sticky", "categories", "published_at")
    search_fields = ("title", "body", "reblog_title", "reblog_site")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
    filter_horizontal = ("categories", "tags")
    readonly_fields = ("comment_count", "like_count", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "author", "body", "excerpt")}),
        (
            _("Publishing"),
            {"fields": ("kind", "status", "published_at", "is_sticky", "comments_open")},
        ),
        (_("Categories and tags"), {"fields": ("categories", "tags")}),
        (
            _("Reblog"),
            {
                "classes": ("collapse",),
                "fields": ("reblog_url", "reblog_title", "reblog_site", "reblog_excerpt"),
            },
        ),
        (_("Counts"), {"fields": ("comment_count", "like_count", "created_at", "updated_at")}),
    )

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.display(description=_("view"))
    def view_link(self, obj: Post) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("View"))


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ("preview", "file", "alt_text", "uploaded_at", "uploaded_by")
    search_fields = ("file", "alt_text", "caption")
    readonly_fields = ("preview", "address", "uploaded_by", "uploaded_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("preview"))
    def preview(self, obj: Media) -> str:
        if obj.file and obj.file.name.lower().endswith(
            (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
        ):
            return format_html('<img src="{}" alt="" style="max-height:60px">', obj.file.url)
        return "—"

    @admin.display(description=_("address to use in a post"))
    def address(self, obj: Media) -> str:
        return obj.file.url if obj.file else "—"
