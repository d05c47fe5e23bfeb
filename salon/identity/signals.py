"""What happens when someone logs in, and when the owner edits a social app."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in as allauth_logged_in
from allauth.socialaccount.models import SocialApp
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from salon.discussion import visitors
from salon.identity import login_options
from salon.identity.identities import remember_login
from salon.identity.likes import merge_guest_likes


@receiver(user_logged_in, dispatch_uid="salon.identity.logged_in")
def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Any log-in (site account, social, admin): bring the guest's likes along.

    It also resets the remembered identity to the site account; a social log-in overwrites
    it a moment later (allauth's signal below), after Django's own log-in.
    """
    if request is None:
        return
    remember_login(request, user)
    merge_guest_likes(visitors.visitor_key(request), user)


@receiver(allauth_logged_in, dispatch_uid="salon.identity.allauth_logged_in")
def allauth_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A log-in through allauth: remember whether it was social, and with which provider."""
    remember_login(request, user, kwargs.get("sociallogin"))


@receiver(post_save, sender=SocialApp, dispatch_uid="salon.identity.app_saved")
@receiver(post_delete, sender=SocialApp, dispatch_uid="salon.identity.app_deleted")
def social_app_changed(sender: Any, **kwargs: Any) -> None:
    """The comment form's icons follow the owner's changes at once."""
    login_options.forget()
