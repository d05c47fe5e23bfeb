"""Identity's part of the comment form: who is writing, and how to log in.

    {% load identity %}{% comment_identity post as who %}

``who`` holds the reader's identity (account, provider, avatar) or the log-in choices, the
addresses that come back to this post's form, and the reader's comments here that they may
still edit; ``identity/comment_identity.html`` and ``identity/comment_identity_forms.html``
show them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

from salon.identity.icons import icon
from salon.identity.identities import current_identity
from salon.identity.login_options import login_options
from salon.identity.ownership import recent_comments

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_identity(context, post) -> dict:
    """A guest gets the log-in choices (one POST form, a button per configured provider, each
    coming back to this post's form); a logged-in reader gets their name, avatar and
    provider, with Log Out and Change (log out, then choose again, back to the form)."""
    request = context["request"]
    respond = f"{post.get_absolute_url()}#respond"
    identity = current_identity(request)
    return {
        "identity": identity,
        "login_options": [] if identity else login_options(request),
        "local_icon": icon("local"),
        "respond_url": respond,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': respond})}",
        "logout_url": reverse("account_logout"),
        "site_name": settings.SITE_NAME,
        "recent_comments": recent_comments(request, post.pk),
    }


@register.simple_tag
def provider_icon(provider_id: str, name: str = ""):
    """A provider's mark for allauth's own pages (log in, connections):
    ``{% provider_icon attrs.provider_id attrs.name %}``."""
    return icon(provider_id, name)
