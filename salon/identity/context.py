"""What the post page's comment form needs to know about who is writing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from salon.identity.icons import icon
from salon.identity.identities import current_identity
from salon.identity.login_options import login_options
from salon.identity.ownership import recent_comments
from salon.publishing.models import Post


def identity_context(request: HttpRequest, post: Post, overrides: dict[str, Any]) -> dict:
    """Registered in ``publishing.views.post_page_context``: the form's identity block.

    A guest gets the log-in choices (one POST form, a button per configured provider, each
    coming back to this post's form); a logged-in reader gets their name, avatar and
    provider, with Log Out and Change (log out, then choose again, back to the form).
    """
    respond = f"{post.get_absolute_url()}#respond"
    login_page = f"{reverse('account_login')}?{urlencode({'next': respond})}"
    identity = current_identity(request)
    return {
        "identity": identity,
        "identity_login_options": [] if identity else login_options(request),
        "identity_local_icon": icon("local"),
        "identity_respond_url": respond,
        "identity_login_url": login_page,
        "identity_signup_url": f"{reverse('account_signup')}?{urlencode({'next': respond})}",
        "identity_logout_url": reverse("account_logout"),
        "identity_site_name": settings.SITE_NAME,
        "my_recent_comments": recent_comments(request, post.pk),
    }
