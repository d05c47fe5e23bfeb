from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from salon.publishing import editor
from salon.publishing.editor import PostForm
from salon.publishing.models import Autosave, Category, Media, Post, Tag
from salon.publishing.reblog import DEFAULT_WORDS, ReblogError, reblog


class ReblogForm(forms.Form):
    """The "Reblog from URL" form: an article's address, the author's note, the excerpt length."""

    url = forms.URLField(
        label=_("Article's address"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 80, "autofocus": True}),
    )
    note = forms.CharField(
        label=_("Your note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Shown above the excerpt. Blank lines start new paragraphs."),
    )
    words = forms.IntegerField(
        label=_("Words to quote"),
        min_value=1,
        max_value=1000,
        help_text=_("The excerpt ends with “[…]” and links back to the article."),
    )


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "author",
        "status",
        "password_protected",
        "published_at",
        "comment_count",
        "like_count",
    )
    list_filter = ("kind", "status", "is_sticky", "categories", "published_at")
    search_fields = ("title", "body", "reblog_title", "reblog_site")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
    readonly_fields = ("comment_count", "like_count", "created_at", "updated_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    form = PostForm
    fieldsets = (
        (None, {"fields": ("title", "slug", "body_format", "text", "excerpt")}),
        (
            _("Publishing"),
            {
                "fields": (
                    "status",
                    "password",
                    "published_at",
                    "author",
                    "kind",
                    "is_sticky",
                    "comments_open",
                ),
                "description": _(
                    "To schedule a post, choose Published and a date to come: it appears then. "
                    "A password keeps a published post's text and comments for those who have it."
                ),
            },
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

    # Adds the "Reblog from URL" button beside "Add post".
    change_list_template = "admin/publishing/post/reblog_change_list.html"

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def get_urls(self):
        own = [
            path(
                "reblog/",
                self.admin_site.admin_view(self.reblog_view),
                name="publishing_post_reblog",
            ),
            path(
                "editor/preview/",
                self.admin_site.admin_view(editor.preview),
                name="publishing_post_editor_preview",
            ),
            path(
                "editor/upload/",
                self.admin_site.admin_view(editor.upload),
                name="publishing_post_editor_upload",
            ),
            path(
                "editor/autosave/",
                self.admin_site.admin_view(editor.autosave),
                name="publishing_post_editor_autosave",
            ),
        ]
        return own + super().get_urls()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The author's autosave, if newer than the post, is offered for restoring.
        return type(form.__name__, (form,), {"autosave": editor.newer_autosave(request.user, obj)})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Saved: what was autosaved is now the post (or older than it).
        Autosave.objects.filter(author=request.user, post__in=[obj.pk]).delete()
        if not change:
            Autosave.objects.filter(author=request.user, post=None).delete()

    def reblog_view(self, request: HttpRequest) -> HttpResponse:
        """Fetch an article and open the new draft reblog of it, or say why it can't be done."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial_words = settings.SALON.get("REBLOG_WORDS", DEFAULT_WORDS)
        form = ReblogForm(request.POST or None, initial={"words": initial_words})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                post, article = reblog(data["url"], request.user, data["note"], data["words"])
            except ReblogError as error:
                form.add_error("url", error.message)
            else:
                self.log_addition(request, post, [{"added": {}}])
                byline = f" by {article.author}" if article.author else ""
                messages.success(
                    request,
                    _(
                        "Draft created from “%(title)s”%(byline)s — © %(site)s. Review it and publish."
                    )
                    % {"title": post.reblog_title, "byline": byline, "site": post.reblog_site},
                )
                return HttpResponseRedirect(reverse("admin:publishing_post_change", args=[post.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reblog from URL"),
            "form": form,
            "opts": self.model._meta,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/publishing/post/reblog.html", context)

    @admin.display(description=_("password protected"), boolean=True, ordering="password")
    def password_protected(self, obj: Post) -> bool:
        return bool(obj.password)

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
            # The list links the thumbnail to the image's page: its text is the link's name.
            name = obj.alt_text or obj.file.name.rsplit("/", 1)[-1]
            return format_html(
                '<img src="{}" alt="{}" style="max-height:60px">', obj.file.url, name
            )
        return "—"

    @admin.display(description=_("address to use in a post"))
    def address(self, obj: Media) -> str:
        return obj.file.url if obj.file else "—"
