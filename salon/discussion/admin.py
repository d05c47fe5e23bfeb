from django.contrib import admin, messages
from django.db import models
from django.db.models import Case, QuerySet, Value, When
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from salon.discussion.history import source_lines, sources_of
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


def _main_reason(comment: Comment) -> dict:
    """The reason a moderator reads first: what held or trashed the comment (a site rule,
    stored last, or a filter rule that holds; these have no weight), else the filter's
    strongest signal. The uncertain band's own explanation (``band``) is not a reason."""
    reasons = [r for r in comment.spam_reasons or [] if r.get("signal") != "band"] or [{}]
    holding = [r for r in reasons if r.get("weight", 0) == 0 and r.get("signal")]
    return holding[-1] if holding else max(reasons, key=lambda r: abs(r.get("weight", 0)))


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = (
        "author_column",
        "excerpt",
        "post",
        "status",
        "spam_column",
        "created_at",
        "like_count",
    )
    list_filter = ("status", "kind", "created_at")
    search_fields = ("author_name", "author_email", "author_url", "author_ip", "content")
    list_select_related = ("post",)
    raw_id_fields = ("post", "parent", "user")
    readonly_fields = (
        "created_at",
        "like_count",
        "spam_score",
        "why",
        "spam_lessons_link",
        "content_html",
        "sources",
    )
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    date_hierarchy = "created_at"
    actions = ("approve", "unapprove", "mark_spam", "mark_not_spam", "move_to_trash")
    fieldsets = (
        (None, {"fields": ("post", "parent", "status", "kind", "content")}),
        (_("Author"), {"fields": ("author_name", "author_email", "author_url", "user")}),
        (_("Origin"), {"fields": ("author_ip", "user_agent", "created_at", "sources")}),
        (_("Spam filter"), {"fields": ("spam_score", "why", "spam_lessons_link")}),
    )

    @admin.display(description=_("author"), ordering="author_name")
    def author_column(self, obj: Comment) -> str:
        return format_html("{}<br><small>{}</small>", obj.display_name, obj.author_email)

    @admin.display(description=_("comment"))
    def excerpt(self, obj: Comment) -> str:
        return Truncator(obj.content).chars(80)

    def get_ordering(self, request):
        # Held comments first (they wait for a person), then the newest.
        waiting = Case(When(status=Comment.Status.PENDING, then=Value(0)), default=Value(1))
        return (waiting.asc(), "-created_at")

    @admin.display(description=_("spam score"), ordering="spam_score")
    def spam_column(self, obj: Comment) -> str:
        if obj.spam_score is None:
            return "—"
        top = _main_reason(obj)
        return format_html(
            '{}<br><small title="{}">{}</small>',
            f"{obj.spam_score:.0%}",
            top.get("message", ""),
            Truncator(top.get("message", "")).chars(60),
        )

    @admin.display(description=_("why the spam filter decided so"))
    def why(self, obj: Comment) -> str:
        reasons = sorted(obj.spam_reasons or [], key=lambda r: -abs(r.get("weight", 0)))
        if not reasons:
            return _("No signal fired.")
        return format_html_join(
            "",
            "<p>{} <strong>{}</strong> — {}</p>",
            (
                (
                    "▲" if r.get("weight", 0) > 0 else "▼",
                    f"{r.get('weight', 0):+.2f}",
                    r.get("message", r.get("signal", "")),
                )
                for r in reasons
            ),
        )

    @admin.display(description=_("other comments from the same addresses"))
    def sources(self, obj: Comment) -> str:
        if not obj.pk:
            return "—"
        found = sources_of([obj])[obj.pk]
        return format_html_join(
            "",
            "<p>{}</p>",
            ((line,) for line in source_lines(found)),
        )

    @admin.display(description=_("moderators' lessons"))
    def spam_lessons_link(self, obj: Comment) -> str:
        # The spam filter records each lesson against the comment (related name from antispam).
        count = obj.spam_lessons.count() if obj.pk else 0
        if not count:
            return _("None: no moderator has marked it spam or not spam.")
        return format_html(
            '<a href="{}?comment={}">{}</a>',
            reverse("admin:antispam_lesson_changelist"),
            obj.pk,
            ngettext("%(n)d lesson", "%(n)d lessons", count) % {"n": count},
        )

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
