"""Posts and what belongs to them: authors, categories, tags, media, reblog sources."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from salon.publishing.content import clean_post_html, close_excerpt
from salon.publishing.markup import render_markdown
from salon.web_addresses import validate_web_address


def unique_slug(model: type[models.Model], text: str, instance_pk: int | None = None) -> str:
    """A slug for ``text`` not yet used by another row of ``model`` ("post", "post-2", …)."""
    base = (slugify(text, allow_unicode=True) or "item")[:180]
    slug, n = base, 2
    taken = model.objects.exclude(pk=instance_pk)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class Category(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Category, self.name, self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("publishing:category", args=[self.slug])


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Tag, self.name, self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("publishing:tag", args=[self.slug])


class PostQuerySet(models.QuerySet):
    def posts(self) -> PostQuerySet:
        """Blog posts, not pages."""
        return self.filter(kind=Post.Kind.POST)

    def pages(self) -> PostQuerySet:
        return self.filter(kind=Post.Kind.PAGE)

    def elsewhere(self) -> PostQuerySet:
        """Conversations under pages of other sites (the embed), never shown in the blog."""
        return self.filter(kind=Post.Kind.ELSEWHERE)

    def live(self, now: datetime | None = None) -> PostQuerySet:
        """Posts a reader may see now (or at ``now``): published, or scheduled for a time
        that has come."""
        return self.filter(
            status__in=[Post.Status.PUBLISHED, Post.Status.SCHEDULED],
            published_at__lte=now or timezone.now(),
        )


class Post(models.Model):
    class Kind(models.TextChoices):
        POST = "post", _("Post")
        PAGE = "page", _("Page")
        # The conversation under a page of another site that embeds Salon's comments: the
        # page lives at ``external_url``; Salon shows it in no list, feed or page of its own.
        ELSEWHERE = "elsewhere", _("Page on another site")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        PRIVATE = "private", _("Private")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )

    class Format(models.TextChoices):
        MARKDOWN = "markdown", _("Markdown")
        HTML = "html", _("HTML")

    body = models.TextField(
        _("body"), blank=True, help_text=_("HTML: paragraphs, quotes, links, images.")
    )
    # How the author writes the body: Markdown (kept in body_source; ``body`` is its
    # rendering) or HTML as is (imported posts, and anyone who prefers it).
    body_format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.HTML
    )
    body_source = models.TextField(_("Markdown text"), blank=True)
    excerpt = models.TextField(_("excerpt"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("publish date"),
        default=timezone.now,
        db_index=True,
        help_text=_("A scheduled post appears at this time."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="posts")
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    comments_open = models.BooleanField(_("comments open"), default=True)
    kind = models.CharField(
        _("type"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.POST,
        help_text=_("A page stands outside the blog's timeline, at /slug/."),
    )
    # As WordPress's post password: readers see the title and a form until they give it
    # (salon.publishing.protection owns the rule). Kept as typed: it is shared, not secret.
    password = models.CharField(
        _("password"),
        max_length=255,
        blank=True,
        help_text=_("Readers must enter it to see the post and its comments. Empty: none."),
    )
    is_sticky = models.BooleanField(
        _("sticky"), default=False, help_text=_("Shown first on the home page.")
    )
    external_url = models.URLField(
        _("address on another site"),
        max_length=500,
        blank=True,
        help_text=_("For a page on another site: where it is (its conversation is embedded)."),
    )

    # A reblog shows an excerpt of another site's article with attribution and a link back.
    reblog_url = models.URLField(
        _("reblogged article's URL"),
        max_length=500,
        blank=True,
        validators=[validate_web_address],
    )
    reblog_title = models.CharField(_("reblogged article's title"), max_length=300, blank=True)
    reblog_site = models.CharField(_("reblogged site's name"), max_length=200, blank=True)
    reblog_excerpt = models.TextField(
        _("reblog excerpt"), blank=True, help_text=_("HTML; it is ended with “[…]”.")
    )

    # Counts kept on the row so a page never counts comments or likes per request.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    like_count = models.PositiveIntegerField(default=0, editable=False)
    # Bumped whenever anything shown in the conversation changes, so a rendered thread can
    # be cached under (post, version) and never served stale.
    conversation_version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["kind", "status", "-published_at"])]
        constraints = [
            # One conversation per page elsewhere, even when two first comments race.
            models.UniqueConstraint(
                fields=["external_url"],
                condition=models.Q(kind="elsewhere"),
                name="one_conversation_per_page_elsewhere",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Post, self.title, self.pk)
        if self.body_format == self.Format.MARKDOWN:
            self.body = render_body(self.body_source)
        self.body = clean_post_html(self.body)
        if self.reblog_excerpt:
            self.reblog_excerpt = close_excerpt(clean_post_html(self.reblog_excerpt))
        if self.status == self.Status.PUBLISHED and self.published_at > timezone.now():
            self.status = self.Status.SCHEDULED
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        if self.kind == self.Kind.ELSEWHERE:
            return self.external_url
        # Reversed once for what the address depends on (a comment asks for it three times:
        # the spam check, the redirect, the notice).
        key = (
            self.kind,
            self.slug,
            self.published_at,
            timezone.get_current_timezone(),
            get_script_prefix(),
            get_urlconf(),
        )
        known = self.__dict__.get("_address")
        if known is not None and known[0] == key:
            return known[1]
        if self.kind == self.Kind.PAGE:
            address = reverse("publishing:page", args=[self.slug])
        else:
            address = reverse("publishing:post", kwargs=self.permalink_parts())
        self.__dict__["_address"] = (key, address)
        return address

    def clean(self) -> None:
        if self.kind == self.Kind.ELSEWHERE and not self.external_url:
            raise ValidationError({"external_url": _("A page on another site needs its address.")})

    def public_url(self) -> str:
        """The full address readers (and other sites, and mail) reach the post at."""
        if self.kind == self.Kind.ELSEWHERE:
            return self.external_url
        return f"{settings.SITE_URL}{self.get_absolute_url()}"

    def permalink_parts(self) -> dict[str, str]:
        local = timezone.localtime(self.published_at)
        return {
            "year": f"{local.year:04d}",
            "month": f"{local.month:02d}",
            "day": f"{local.day:02d}",
            "slug": self.slug,
        }

    @property
    def is_reblog(self) -> bool:
        return bool(self.reblog_url)

    @property
    def is_live(self) -> bool:
        return (
            self.status in (self.Status.PUBLISHED, self.Status.SCHEDULED)
            and self.published_at <= timezone.now()
        )


def render_body(markdown_text: str) -> str:
    """A Markdown body as the site stores and shows it (the editor's preview uses this too)."""
    return render_markdown(markdown_text, Media.responsive)


def media_path(instance: Media, filename: str) -> str:
    now = timezone.now()
    return f"{now:%Y}/{now:%m}/{filename}"


class Media(models.Model):
    """An uploaded file (usually an image) served with the site under /media/."""

    file = models.FileField(_("file"), upload_to=media_path)
    alt_text = models.CharField(_("alternative text"), max_length=300, blank=True)
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # An image's size, and its resized copies for srcset: [{"width": 480, "name": path}, …]
    # (salon.publishing.images makes them at upload).
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    variants = models.JSONField(default=list, blank=True, editable=False)

    # The column posts are shown in is at most about 720 CSS pixels wide.
    SIZES = "(max-width: 760px) 100vw, 720px"

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.file.name

    @property
    def url(self) -> str:
        return self.file.url

    def srcset(self) -> str:
        """The resized copies and the original, as ``srcset`` lists them ("" if none)."""
        if not self.variants or not self.width:
            return ""
        entries = [f"{self.file.storage.url(v['name'])} {v['width']}w" for v in self.variants]
        return ", ".join([*entries, f"{self.file.url} {self.width}w"])

    @classmethod
    def responsive(cls, sources: set[str]) -> dict[str, dict[str, str]]:
        """For each address that is one of this site's uploads, the attributes making its
        ``<img>`` responsive (``srcset``, ``sizes``) and sized (``width``, ``height``): one
        query for all."""
        prefix = settings.MEDIA_URL
        names = {src.removeprefix(prefix): src for src in sources if src.startswith(prefix)}
        if not names:
            return {}
        found = {}
        for media in cls.objects.filter(file__in=list(names)):
            attributes = {}
            if media.width and media.height:
                attributes.update(width=str(media.width), height=str(media.height))
            if media.variants:
                attributes.update(srcset=media.srcset(), sizes=cls.SIZES)
            found[names[media.file.name]] = attributes
        return found


class Autosave(models.Model):
    """What an author was writing, saved by the editor every few seconds and kept until the
    post is saved: a closed tab or a lost connection costs nothing. One per author and post
    (``post`` empty for a post not yet saved once)."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    body_format = models.CharField(max_length=10, choices=Post.Format.choices)
    excerpt = models.TextField(blank=True)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("autosaved draft")
        verbose_name_plural = _("autosaved drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "post"],
                condition=models.Q(post__isnull=False),
                name="one_autosave_per_author_and_post",
            ),
            models.UniqueConstraint(
                fields=["author"],
                condition=models.Q(post__isnull=True),
                name="one_autosave_per_author_for_a_new_post",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title or _('Untitled')} ({self.saved_at:%Y-%m-%d %H:%M})"
