"""The post editor: a plain textarea that the editor's script (``static/publishing/editor/``)
turns into Markdown writing with a toolbar, a live preview, images dropped or pasted in, and
autosaving. Without JavaScript it stays a textarea, and the post saves as any form does.

The three endpoints answer that script: the preview (rendered by the same function as the
post's save, so the preview is the page), image uploads, and autosaves.
"""

from __future__ import annotations

import json
import re

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salon.publishing.content import clean_post_html
from salon.publishing.images import ImageRefused, store_image
from salon.publishing.models import Autosave, Category, Post, Tag, render_body

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class EditorWidget(forms.Textarea):
    template_name = "publishing/editor/widget.html"

    class Media:
        css = {"all": ["publishing/editor/editor.css"]}
        js = ["publishing/editor/editor.js"]

    def __init__(self, attrs=None):
        super().__init__({"rows": 24, "cols": 80, "spellcheck": "true", **(attrs or {})})
        self.restore: dict | None = None
        self.post_id: int | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["editor"] = {
            "preview": reverse("admin:publishing_post_editor_preview"),
            "upload": reverse("admin:publishing_post_editor_upload"),
            "autosave": reverse("admin:publishing_post_editor_autosave"),
            "stylesheet": static("salon/salon.css"),
            "post": self.post_id or "",
            "restore": json.dumps(self.restore) if self.restore else "",
        }
        return context


class PostForm(forms.ModelForm):
    """The post's form with one text box for the body, read as the chosen format."""

    text = forms.CharField(
        label=gettext_lazy("Body"),
        required=False,
        widget=EditorWidget,
        help_text=gettext_lazy(
            "Markdown: *emphasis*, **strong**, [a link](https://…), ## a heading, > a quote, "
            "- a list. Drop or paste an image to upload it. HTML is kept as written."
        ),
    )
    published_at = forms.DateTimeField(
        label=gettext_lazy("publish date"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        initial=timezone.now,
        help_text=gettext_lazy("A date to come schedules the post: it appears then."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("categories"),
        queryset=Category.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    tags = forms.CharField(
        label=gettext_lazy("tags"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Separated by commas; new ones are created."),
    )
    autosave: Autosave | None = None

    class Meta:
        model = Post
        # The admin asks for the fields of its fieldsets; these are the editor's own.
        fields = ("title", "slug", "body_format", "excerpt", "password")
        # Shown as typed, as WordPress does: it is shared with readers, not the author's secret.
        widgets = {
            "body_format": forms.RadioSelect,
            "password": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        post = self.instance
        if post.pk:
            self.initial["text"] = (
                post.body_source if post.body_format == Post.Format.MARKDOWN else post.body
            )
            self.initial["tags"] = ", ".join(t.name for t in post.tags.all())
        elif "body_format" in self.fields:
            self.fields["body_format"].initial = Post.Format.MARKDOWN
        widget = self.fields["text"].widget
        widget.post_id = post.pk
        if self.autosave is not None:
            widget.restore = {
                "title": self.autosave.title,
                "text": self.autosave.text,
                "format": self.autosave.body_format,
                "excerpt": self.autosave.excerpt,
                "saved": formats.date_format(
                    timezone.localtime(self.autosave.saved_at), "DATETIME_FORMAT"
                ),
            }

    def clean_text(self) -> str:
        # Browsers send a textarea's lines ended with CRLF; the source keeps plain newlines.
        return self.cleaned_data["text"].replace("\r\n", "\n")

    def clean_tags(self) -> list[str]:
        names = [" ".join(n.split())[:200] for n in self.cleaned_data["tags"].split(",")]
        return list(dict.fromkeys(n for n in names if n))

    def _save_m2m(self) -> None:
        names = self.cleaned_data.pop("tags", None)
        super()._save_m2m()
        if names is not None:
            tags = [
                Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
                for name in names
            ]
            self.instance.tags.set(tags)

    def save(self, commit: bool = True) -> Post:
        post = super().save(commit=False)
        text = self.cleaned_data.get("text", "")
        if post.body_format == Post.Format.MARKDOWN:
            post.body_source = text
        else:
            post.body, post.body_source = text, ""
        if commit:
            post.save()
            self.save_m2m()
        return post


def newer_autosave(user, post: Post | None) -> Autosave | None:
    """The author's autosave for this post (or for a new one) if it is newer than the post."""
    found = Autosave.objects.filter(author=user, post=post).first()
    if found is None or (post is not None and found.saved_at <= post.updated_at):
        return None
    return found


def _may_write(request: HttpRequest) -> None:
    user = request.user
    if not (user.has_perm("publishing.add_post") or user.has_perm("publishing.change_post")):
        raise PermissionDenied


@require_POST
def preview(request: HttpRequest) -> JsonResponse:
    """The body as the site will show it."""
    _may_write(request)
    text = request.POST.get("text", "")
    if request.POST.get("format") == Post.Format.HTML:
        html = clean_post_html(text)
    else:
        html = render_body(text)
    return JsonResponse({"html": html})


@require_POST
def upload(request: HttpRequest) -> JsonResponse:
    """An image dropped or pasted into the editor: stored with its resized copies; answers
    what to insert in Markdown and in HTML."""
    _may_write(request)
    if not request.user.has_perm("publishing.add_media"):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("Choose an image to upload.")}, status=400)
    if upload.size > MAX_UPLOAD_BYTES:
        return JsonResponse(
            {"error": _("The image is over 20 MB; make it smaller and try again.")}, status=413
        )
    alt = request.POST.get("alt", "").strip()
    if not alt and request.POST.get("decorative") != "1":
        return JsonResponse(
            {"error": _("Describe the image for readers who cannot see it (alternative text).")},
            status=400,
        )
    try:
        media = store_image(upload.read(), upload.name, alt, request.user)
    except ImageRefused as refused:
        return JsonResponse({"error": str(refused)}, status=400)
    url = media.file.url
    # Brackets and backslashes in the description are escaped, so it stays the image's text.
    escaped_alt = re.sub(r"([\\\[\]])", r"\\\1", alt)
    img = (
        f'<img src="{url}" alt="{escape(alt)}" width="{media.width}" height="{media.height}"'
        + (f' srcset="{media.srcset()}" sizes="{media.SIZES}"' if media.variants else "")
        + ' loading="lazy">'
    )
    return JsonResponse(
        {
            "id": media.pk,
            "url": url,
            "width": media.width,
            "height": media.height,
            "srcset": media.srcset(),
            "markdown": f"![{escaped_alt}]({url})",
            "html": img,
        },
        status=201,
    )


@require_POST
def autosave(request: HttpRequest) -> JsonResponse:
    """Keep what the author is writing (one autosave per author and post)."""
    _may_write(request)
    post = None
    if request.POST.get("post"):
        try:
            post = Post.objects.get(pk=int(request.POST["post"]))
        except (ValueError, Post.DoesNotExist):
            return JsonResponse({"error": _("That post no longer exists.")}, status=404)
    body_format = request.POST.get("format", Post.Format.MARKDOWN)
    if body_format not in Post.Format.values:
        body_format = Post.Format.MARKDOWN
    now = timezone.now()
    Autosave.objects.update_or_create(
        author=request.user,
        post=post,
        defaults={
            "title": request.POST.get("title", "")[:300],
            "text": request.POST.get("text", ""),
            "body_format": body_format,
            "excerpt": request.POST.get("excerpt", ""),
            "saved_at": now,
        },
    )
    when = formats.time_format(timezone.localtime(now), "TIME_FORMAT")
    return JsonResponse({"saved_at": now.isoformat(), "message": _("Draft saved at %s.") % when})
