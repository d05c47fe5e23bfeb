"""API keys: issued once, stored hashed, limited to their blogs, revocable; from the CLI and admin."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.management import CommandError, call_command

from salon.antispam.models import ApiKey

pytestmark = pytest.mark.django_db

BLOG = "https://blog.example.org/"


def created_key(capsys, *args: str) -> str:
    call_command("akismet_key", "create", *args)
    return re.search(r"Key: ([0-9a-fA-F]+)", capsys.readouterr().out).group(1)


def test_create_shows_the_key_once_and_stores_only_its_hash(capsys, client):
    key = created_key(
        capsys, "--blog", BLOG, "--blog", "https://shop.example.org", "--label", "Ann"
    )
    row = ApiKey.objects.get()
    # 12 characters WordPress's Akismet settings page keeps as they are (it strips all but
    # 0-9, a-f and A-F); in the database, only an HMAC of it and its first 4 characters.
    assert re.fullmatch(r"[0-9a-fA-F]{12}", key)
    assert re.sub(r"[^a-f0-9]", "", key, flags=re.IGNORECASE) == key
    assert row.prefix == key[:4] and key not in row.key_hash
    assert row.key_hash != hashlib.sha256(key.encode()).hexdigest()
    assert row.blog_list() == [BLOG, "https://shop.example.org"]
    call_command("akismet_key", "list")
    listing = capsys.readouterr().out
    assert f"{key[:4]}…" in listing and "active" in listing and key not in listing
    assert client.post(
        "/1.1/verify-key", {"key": key, "blog": "http://shop.example.org"}
    ).content == (b"valid")


def test_revoke_by_prefix(capsys, client):
    key = created_key(capsys, "--blog", BLOG)
    call_command("akismet_key", "revoke", key[:4])
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
    key = re.search(r"<code>([0-9a-fA-F]{12})</code>", page).group(1)
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


def test_long_keys_and_keys_issued_before_keep_working(capsys, client):
    long_key = created_key(capsys, "--blog", BLOG, "--long")
    assert re.fullmatch(r"[0-9a-f]{24}", long_key)
    assert ApiKey.objects.get().prefix == long_key[:8]
    # A key issued before 12-character keys: 24 hex characters stored as a SHA-256 digest.
    ApiKey.objects.create(
        prefix="0123abcd",
        key_hash=hashlib.sha256(b"0123abcd0123abcd0123abcd").hexdigest(),
        blogs=BLOG,
    )
    for key in (long_key, long_key.upper(), "0123abcd0123abcd0123abcd"):
        answer = client.post("/1.1/verify-key", {"key": key, "blog": BLOG})
        assert answer.content == b"valid", key
    call_command("akismet_key", "revoke", "0123ABCD")
    assert "Revoked key 0123abcd" in capsys.readouterr().out


def test_keys_follow_the_secret_key_through_a_rotation(client, settings):
    from salon.antispam.keys import create_key, forget_cached_keys

    key = create_key([BLOG]).key
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "a new secret, the old one kept as a fallback " * 2
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    forget_cached_keys()
    assert client.post("/1.1/verify-key", {"key": key, "blog": BLOG}).content == b"valid"
    settings.SECRET_KEY_FALLBACKS = []
    forget_cached_keys()
    assert client.post("/1.1/verify-key", {"key": key, "blog": BLOG}).content == b"invalid"


def test_two_keys_with_the_same_first_characters(capsys):
    from salon.antispam.keys import hash_key

    for key in ("abCD12345678", "abCD87654321"):
        ApiKey.objects.create(prefix=key[:4], key_hash=hash_key(key), blogs=BLOG)
    with pytest.raises(CommandError, match="give the whole key"):
        call_command("akismet_key", "revoke", "abCD")
    with pytest.raises(CommandError, match="No key starts with"):
        call_command("akismet_key", "revoke", "ABcd")
    call_command("akismet_key", "revoke", "abCD87654321")
    assert ApiKey.objects.filter(revoked_at__isnull=False).get().key_hash == hash_key(
        "abCD87654321"
    )


def test_the_admin_issues_a_long_key_when_asked(client, owner):
    client.force_login(owner)
    page = client.post(
        "/admin/antispam/apikey/add/",
        {"label": "", "blogs": "https://friend.example.org/", "rate": "", "long": "on"},
        follow=True,
    ).content.decode()
    key = re.search(r"<code>([0-9a-fA-F]+)</code>", page).group(1)
    assert re.fullmatch(r"[0-9a-f]{24}", key)
    row = ApiKey.objects.get()
    # A key's length is chosen once: the change form has no such box.
    change = client.get(f"/admin/antispam/apikey/{row.pk}/change/").content.decode()
    assert 'name="long"' not in change
