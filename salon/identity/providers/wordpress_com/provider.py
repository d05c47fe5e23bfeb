"""The WordPress.com provider: what allauth keeps of a WordPress.com person."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider

from salon.identity.providers.wordpress_com.views import WordPressComOAuth2Adapter


class WordPressComAccount(ProviderAccount):
    """A WordPress.com account as shown to its owner: name, avatar and profile link."""

    def get_profile_url(self) -> str | None:
        return self.account.extra_data.get("profile_URL") or None

    def get_avatar_url(self) -> str | None:
        return self.account.extra_data.get("avatar_URL") or None

    def to_str(self) -> str:
        data = self.account.extra_data
        return data.get("display_name") or data.get("username") or super().to_str()


class WordPressComProvider(OAuth2Provider):
    id = "wordpress_com"
    name = "WordPress.com"
    account_class = WordPressComAccount
    oauth2_adapter_class = WordPressComOAuth2Adapter

    def get_default_scope(self) -> list[str]:
        # "auth" grants /me and nothing else: Salon never needs to touch the person's blogs.
        return ["auth"]

    def extract_uid(self, data: dict[str, Any]) -> str:
        return str(data["ID"])

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        name = (data.get("display_name") or "").strip()
        first, _sep, last = name.partition(" ")
        return {
            "username": data.get("username"),
            "email": data.get("email") or None,
            "first_name": first,
            "last_name": last,
        }

    def extract_email_addresses(self, data: dict[str, Any]) -> list[EmailAddress]:
        # WordPress.com says whether the person confirmed their address; only then is it
        # trusted as verified (an unconfirmed address could be anyone's).
        email = data.get("email")
        if not email:
            return []
        return [
            EmailAddress(email=email, verified=data.get("email_verified") is True, primary=True)
        ]


provider_classes = [WordPressComProvider]
