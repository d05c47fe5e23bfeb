"""The privacy page and the personal-data tools know about log-in services."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.core.cache import cache

from salon.privacy.personal_data import export_personal_data

pytestmark = pytest.mark.django_db


def test_privacy_page_names_the_log_in_services_offered(client):
    listed = '<ul class="login-providers"><li>WordPress.com</li></ul>'
    assert listed not in client.get("/privacy/").content.decode()
    SocialApp.objects.create(
        provider="wordpress_com", name="WordPress.com", client_id="1", secret="s"
    )
    cache.clear()
    assert listed in client.get("/privacy/").content.decode()


def test_a_persons_export_holds_what_log_in_services_sent(django_user_model):
    user = django_user_model.objects.create_user("pat", "pat@example.net", "pw-pat-123")
    SocialAccount.objects.create(
        user=user, provider="wordpress_com", uid="42", extra_data={"display_name": "Pat W"}
    )
    data = export_personal_data("pat@example.net")
    [account] = data["social_accounts"]
    assert account["provider"] == "wordpress_com"
    assert account["profile received from the provider"] == {"display_name": "Pat W"}
