"""The spam filter in the admin: API keys, each site's learning, the lessons, and statistics."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Sum
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from salon.antispam import keys, statistics
from salon.antispam.api import RATE_PATTERN
from salon.antispam.models import (
    THIS_SITE,
    ApiKey,
    DailyTally,
    Lesson,
    SpamFilterSite,
    SpamStatistics,
)


def _percent(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.1f}"


class ApiKeyForm(forms.ModelForm):
    long = forms.BooleanField(
        label=_("long key"),
        required=False,
        help_text=_(
            "Issue a 24-character key for clients that send the key in the host name. "
            "WordPress's Akismet plugin accepts only the default 12-character keys."
        ),
    )

    class Meta:
        model = ApiKey
        fields = ("label", "blogs", "rate", "monthly_limit")

    def clean_rate(self) -> str:
        rate = self.cleaned_data["rate"].strip()
        if rate and not RATE_PATTERN.match(rate):
            raise forms.ValidationError(_("Write a rate such as 600/m, 10/s or 5000/h."))
        return rate

    def clean_blogs(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["blogs"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError(_("Give at least one blog URL."))
        bad = [line for line in lines if not keys.blog_host(line.removeprefix("*."))]
        if bad:
            raise forms.ValidationError(_("Not a blog URL: %s") % ", ".join(bad))
        return "\n".join(lines)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ("prefix_column", "label", "blog_column", "usage_column", "created_at", "state")
    search_fields = ("label", "blogs", "prefix")
    actions = ("revoke_keys",)
    readonly_fields = ("prefix", "created_at", "revoked_at")

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None):
        fields = super().get_fields(request, obj)
        # A key's length is chosen when it is issued.
        return fields if obj is None else [f for f in fields if f != "long"]

    @admin.display(description=_("key"), ordering="prefix")
    def prefix_column(self, obj: ApiKey) -> str:
        return f"{obj.prefix}…"

    @admin.display(description=_("blogs"))
    def blog_column(self, obj: ApiKey) -> str:
        return ", ".join(obj.blog_list())

    @admin.display(description=_("checks this month"))
    def usage_column(self, obj: ApiKey) -> int:
        start = timezone.localdate().replace(day=1)
        used = DailyTally.objects.filter(site__api_key=obj, day__gte=start).aggregate(
            n=Sum("checked")
        )["n"]
        return used or 0

    @admin.display(description=_("state"))
    def state(self, obj: ApiKey) -> str:
        return _("revoked") if obj.revoked_at else _("active")

    def save_model(self, request: HttpRequest, obj: ApiKey, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            keys.forget_cached_keys()
            return
        issued = keys.create_key(
            obj.blog_list(),
            label=obj.label,
            rate=obj.rate,
            monthly_limit=obj.monthly_limit,
            long=form.cleaned_data.get("long", False),
        )
        obj.pk = issued.row.pk
        obj.prefix, obj.key_hash, obj.created_at = (
            issued.row.prefix,
            issued.row.key_hash,
            issued.row.created_at,
        )
        # The key exists only in this message: Salon keeps its hash.
        self.message_user(
            request,
            format_html(
                "{} <code>{}</code> — {}",
                _("The new API key is"),
                issued.key,
                _("copy it now: it is shown only this once."),
            ),
            messages.WARNING,
        )

    @admin.action(description=_("Revoke selected keys"), permissions=["change"])
    def revoke_keys(self, request: HttpRequest, queryset) -> None:
        for row in queryset:
            keys.revoke(row)
        self.message_user(request, _("Revoked."), messages.SUCCESS)


class LessonInline(admin.TabularInline):
    model = Lesson
    extra = 0
    fields = ("decided_at", "comment", "moderator", "is_spam", "engine_said_spam", "engine_score")
    readonly_fields = fields
    can_delete = False
    show_change_link = False
    ordering = ("-decided_at",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SpamFilterSite)
class SpamFilterSiteAdmin(admin.ModelAdmin):
    list_display = ("name", "api_key", "blog", "spam_lessons", "ham_lessons", "updated_at")
    search_fields = ("name", "blog")
    readonly_fields = ("name", "api_key", "blog", "version", "spam_lessons", "ham_lessons")
    fields = readonly_fields
    inlines = (LessonInline,)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    """Every moderator decision the filter learned from; ``?comment=<id>`` shows one comment's."""

    list_display = (
        "decided_at",
        "comment_link",
        "moderator",
        "taught",
        "engine_column",
        "correction_column",
    )
    list_filter = ("is_spam", "engine_said_spam", "site")
    list_select_related = ("comment", "moderator")
    date_hierarchy = "decided_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("comment"))
    def comment_link(self, obj: Lesson) -> str:
        if obj.comment_id is None:
            return "—"
        url = reverse("admin:discussion_comment_change", args=[obj.comment_id])
        return format_html('<a href="{}">#{}</a> {}', url, obj.comment_id, str(obj.comment)[:60])

    @admin.display(description=_("taught"), ordering="is_spam")
    def taught(self, obj: Lesson) -> str:
        return _("spam") if obj.is_spam else _("not spam")

    @admin.display(description=_("the engine had said"))
    def engine_column(self, obj: Lesson) -> str:
        if obj.engine_said_spam is None:
            return "—"
        said = _("spam") if obj.engine_said_spam else _("not spam")
        return f"{said} ({obj.engine_score:.0%})" if obj.engine_score is not None else str(said)

    @admin.display(description=_("correction"), boolean=True)
    def correction_column(self, obj: Lesson) -> bool:
        return obj.correction


@admin.register(SpamStatistics)
class SpamStatisticsAdmin(admin.ModelAdmin):
    """The "Spam filter › Statistics" page: per-day verdicts and corrections, as a chart."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def changelist_view(self, request: HttpRequest, extra_context=None):
        sites = list(SpamFilterSite.objects.order_by("name").values_list("name", flat=True))
        chosen = request.GET.get("site", THIS_SITE)
        site = SpamFilterSite.objects.filter(name=chosen).first()
        try:
            days = min(max(int(request.GET.get("days", "30")), 1), 366)
        except ValueError:
            days = 30
        summary = statistics.summarise(site, days=days)
        lessons = (
            Lesson.objects.filter(site=site).select_related("comment", "moderator")[:20]
            if site
            else []
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Spam filter statistics"),
            "opts": self.model._meta,
            "sites": sites if THIS_SITE in sites else [THIS_SITE, *sites],
            "chosen": chosen,
            "days": days,
            "summary": summary,
            "chart": mark_safe(statistics.chart_svg(summary.days)),  # built from numbers only
            "rows": [d for d in reversed(summary.days) if d.checked or d.corrections],
            "lessons": lessons,
            "reviewed_accuracy": summary.reviewed_accuracy,
            "reviewed_accuracy_pct": _percent(summary.reviewed_accuracy),
            "estimated_accuracy": summary.estimated_accuracy,
            "estimated_accuracy_pct": _percent(summary.estimated_accuracy),
        }
        return TemplateResponse(request, "admin/antispam/statistics.html", context)
