from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from salon.discussion.models import Comment, DiscussionSettings, Like
from salon.discussion.moderation import moderate


def _set_status(modeladmin, request, queryset: QuerySet, status: str, done: str) -> None:
    count = moderate(queryset, status, request.user)
    modeladmin.message_user(
        request,
        ngettext("%(n)d comment %(done)s.", "%(n)d comments %(done)s.", count)
        % {"n": count, "done": done},
        messages.SUCCESS,
    )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("author_column", "excerpt", "post", "status", "created_at", "like_count")
    list_filter = ("status", "kind", "created_at")
    search_fields = ("author_name", "author_email", "author_url", "author_ip", "content")
    list_select_related = ("post",)
    raw_id_fields = ("post", "parent", "user")
    readonly_fields = ("created_at", "like_count", "spam_score", "spam_reasons", "content_html")
    date_hierarchy = "created_at"
    actions = ("approve", "unapprove", "mark_spam", "mark_not_spam", "move_to_trash")
    fieldsets = (
        (None, {"fields": ("post", "parent", "status", "kind", "content")}),
        (_("Author"), {"fields": ("author_name", "author_email", "author_url", "user")}),
        (_("Origin"), {"fields": ("author_ip", "user_agent", "created_at")}),
        (_("Spam filter"), {"fields": ("spam_score", "spam_reasons")}),
    )

    @admin.display(description=_("author"), ordering="author_name")
    def author_column(self, obj: Comment) -> str:
        return format_html("{}<br><small>{}</small>", obj.display_name, obj.author_email)

    @admin.display(description=_("comment"))
    def excerpt(self, obj: Comment) -> str:
        return Truncator(obj.content).chars(80)

    def save_model(self, request, obj: Comment, form, change) -> None:
        from salon.discussion.rendering import render_comment

        obj.content_html = render_comment(obj.content)
        new_status = obj.status
        if change and "status" in form.changed_data:
            # Save the other edits first, then change the status as every moderator does,
            # so listeners (the spam filter) hear of it.
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            moderate([obj], new_status, request.user)
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Approve"), permissions=["change"])
    def approve(self, request, queryset):
        _set_status(self, request, queryset, Comment.Status.APPROVED, _("approved"))

    @admin.action(description=_("Unapprove"), permissions=["change"])
    def unapprove(self, request, queryset):
        _set_status(self, request, queryset, Comment.Status.PENDING, _("unapproved"))

    @admin.action(description=_("Mark as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        _set_status(self, request, queryset, Comment.Status.SPAM, _("marked as spam"))

    @admin.action(description=_("Not spam"), permissions=["change"])
    def mark_not_spam(self, request, queryset):
        _set_status(self, request, queryset, Comment.Status.APPROVED, _("restored as not spam"))

    @admin.action(description=_("Move to Trash"), permissions=["change"])
    def move_to_trash(self, request, queryset):
        _set_status(self, request, queryset, Comment.Status.TRASH, _("moved to the trash"))


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ("liker", "post", "comment", "created_at")
    raw_id_fields = ("post", "comment", "user")


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not DiscussionSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
