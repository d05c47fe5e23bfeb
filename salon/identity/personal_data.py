"""What the identity layer holds about a person, for the privacy page, export and erasure."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from salon.identity.login_options import login_options
from salon.privacy.registry import PersonalDataSource


def page_facts(request: HttpRequest) -> dict[str, Any]:
    """For the privacy page: the log-in services this site offers, how long a log-in's
    session cookie lasts, and how long a comment stays its author's to change (the cookie
    that remembers it lasts as long)."""
    return {
        "login_providers": [option.name for option in login_options(request)],
        "session_days": settings.SESSION_COOKIE_AGE // (24 * 3600),
        "edit_window_minutes": settings.SALON["EDIT_WINDOW_MINUTES"],
    }


def _export_accounts(email: str) -> list[dict[str, Any]]:
    return [
        {
            "username": u.get_username(),
            "first_name": u.first_name,
            "last_name": u.last_name,
            "email": u.email,
            "joined": u.date_joined.isoformat() if u.date_joined else None,
            "last_login": u.last_login.isoformat() if u.last_login else None,
            "staff": u.is_staff,
        }
        for u in get_user_model().objects.filter(email__iexact=email)
    ]


def _social_accounts(email: str):
    owners = EmailAddress.objects.filter(email__iexact=email).values("user_id")
    return SocialAccount.objects.filter(user__in=owners).select_related("user") | (
        SocialAccount.objects.filter(user__email__iexact=email).select_related("user")
    )


def _export_social(email: str) -> list[dict[str, Any]]:
    return [
        {
            "provider": account.provider,
            "account id at the provider": account.uid,
            "connected": account.date_joined.isoformat() if account.date_joined else None,
            "last log-in": account.last_login.isoformat() if account.last_login else None,
            "profile received from the provider": account.extra_data,
        }
        for account in _social_accounts(email).distinct()
    ]


def _erase_social(email: str, mode: str) -> int:
    # The account itself stays (erasure never deletes accounts); the provider's profile and
    # the link to it go, so signing in again with that provider starts afresh.
    deleted, _ = SocialAccount.objects.filter(pk__in=_social_accounts(email).values("pk")).delete()
    return deleted


def _export_addresses(email: str) -> list[dict[str, Any]]:
    return [
        {"address": row.email, "verified": row.verified, "primary": row.primary}
        for row in EmailAddress.objects.filter(email__iexact=email)
    ]


SOURCES = [
    PersonalDataSource(
        "accounts",
        "Accounts",
        _export_accounts,
        None,
        note=(
            "Accounts are not deleted by an erasure request (their owner may still need to "
            "log in); an administrator deletes an account on request."
        ),
    ),
    PersonalDataSource(
        "social_accounts",
        "Log-in services",
        _export_social,
        _erase_social,
        note="Accounts at Google, WordPress.com and the like used to log in here, with the "
        "profile each service sent (name, picture, e-mail).",
    ),
    PersonalDataSource(
        "account_addresses",
        "Account e-mail addresses",
        _export_addresses,
        None,
        note="E-mail addresses of site accounts; they are kept with the account.",
    ),
]
