"""API keys: issued once, stored hashed, limited to their blogs, revocable; from the CLI and admin."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command

from salon.antispam.models import ApiKey

pytestmark = pytest.mark.django_db

BLOG = "https://blog.example.org/"


def created_key(capsys, *args: str) -> str:
    call_command("akismet_key", "create", *args)
    return re.search(r"Key: ([0-9a-f]{24})", capsys.readouterr().out).group(1)


def test_create_shows_the_key_once_and_stores_only_its_hash(capsys, client):
    key = created_key(
        capsys, "--blog", BLOG, "--blog", "https://shop.example.org", "--label", "Ann"
    )
    row = ApiKey.objects.get()
    assert key not in (row.key_hash, row.prefix) and row.prefix == key[:8]
    assert row.blog_list() == [BLOG, "https://shop.example.org"]
    call_command("akismet_key", "list")
    listing = capsys.readouterr().out
    assert f"{key[:8]}…" in listing and "active" in listing and key not in listing
    assert client.post(
        "/1.1/verify-key", {"key": key, "blog": "http://shop.example.org"}
    ).content == (b"valid")


def test_revoke_by_prefix(capsys, client):
    key = created_key(capsys, "--blog", BLOG)
    call_command("akismet_key", "revoke", key[:6])
    assert "Revoked" in capsys.readouterr().out
    assert client.post("/1.1/verify-key", {"key": key, "blog": BLOG}).content == b"invalid"
    call_command("akismet_key", "list")
    assert "revoked" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["create", "--blog", "not a url at all"], "Not a blog URL"),
        (["create", "--blog", BLOG, "--rate", "lots"], "is not a rate"),
        (["revoke", "ab"], "at least the first 4"),
        (["revoke", "ffffffff"], "No key starts with"),
    ],
)
def test_bad_input_is_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("akismet_key", *args)


def test_the_admin_creates_a_key_and_shows_it_once(client, owner):
    client.force_login(owner)
    response = client.post(
        "/admin/antispam/apikey/add/",
        {
            "label": "Friend's blog",
            "blogs": "https://friend.example.org/",
            "rate": "",
            "monthly_limit": "",
        },
        follow=True,
    )
    page = response.content.decode()
    key = re.search(r"<code>([0-9a-f]{24})</code>", page).group(1)
    assert "shown only this once" in page
    assert (
        client.post("/1.1/verify-key", {"key": key, "blog": "https://friend.example.org/"}).content
        == b"valid"
    )
    row = ApiKey.objects.get()
    listing = client.get("/admin/antispam/apikey/").content.decode()
    assert f"{row.prefix}…" in listing and key not in listing

    client.post("/admin/antispam/apikey/", {"action": "revoke_keys", "_selected_action": [row.pk]})
    assert (
        client.post("/1.1/verify-key", {"key": key, "blog": "https://friend.example.org/"}).content
        == b"invalid"
    )


def test_the_admin_refuses_a_bad_rate(client, owner):
    client.force_login(owner)
    response = client.post(
        "/admin/antispam/apikey/add/",
        {"label": "", "blogs": "https://friend.example.org/", "rate": "fast", "monthly_limit": ""},
    )
    assert response.status_code == 200 and "Write a rate such as" in response.content.decode()
    assert not ApiKey.objects.exists()
