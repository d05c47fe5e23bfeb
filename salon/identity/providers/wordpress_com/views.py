"""The OAuth 2 dance with WordPress.com: where to send the reader, and whom they turn out to be."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount import app_settings
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp, SocialLogin, SocialToken
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from django.http import HttpRequest

API_URL = "https://public-api.wordpress.com"


class WordPressComOAuth2Adapter(OAuth2Adapter):
    """WordPress.com's endpoints; ``API_URL`` in the provider's settings moves them.

    Only tests move them (to a local server answering with recorded responses); the
    properties read the setting on each use so that a test's settings take effect.
    """

    provider_id = "wordpress_com"

    @property
    def api_url(self) -> str:
        configured = app_settings.PROVIDERS.get(self.provider_id, {}).get("API_URL", API_URL)
        return configured.rstrip("/")

    @property
    def authorize_url(self) -> str:  # type: ignore[override]
        return f"{self.api_url}/oauth2/authorize"

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return f"{self.api_url}/oauth2/token"

    @property
    def profile_url(self) -> str:
        return f"{self.api_url}/rest/v1/me"

    def complete_login(
        self, request: HttpRequest, app: SocialApp, token: SocialToken, **kwargs: Any
    ) -> SocialLogin:
        """Read the person behind the token from ``/rest/v1/me``."""
        with get_adapter().get_requests_session() as session:
            response = session.get(
                self.profile_url, headers={"Authorization": f"Bearer {token.token}"}
            )
            response.raise_for_status()
            profile = response.json()
        return self.get_provider().sociallogin_from_response(request, profile)


oauth2_login = OAuth2LoginView.adapter_view(WordPressComOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(WordPressComOAuth2Adapter)
