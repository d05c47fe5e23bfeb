"""What a message is about (a model-free module: other apps name topics without importing
mail's models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    """What a message is about; each can be stopped with its own unsubscribe link."""

    REPLIES = "replies", _("follow-up comments on a post")
    POSTS = "posts", _("new posts")
    AUTHOR = "author", _("comments on my posts")
    MODERATION = "moderation", _("comments awaiting moderation")
    CONFIRMATION = "confirmation", _("subscription confirmations")
    DATA_REQUEST = "data-request", _("links to your personal data")
