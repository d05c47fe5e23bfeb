"""Requests refused before any view reads them, and addresses no file can have."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("address", ["/tag/%00/", "/category/a%00b/", "/?s=%00", "/feed/?x=1%00"])
def test_a_nul_byte_in_the_address_is_a_clear_400(client, db, address):
    # PostgreSQL refuses text holding NUL: without this, a lookup by slug was a server error.
    response = client.get(address)
    assert response.status_code == 400
    assert "NUL byte" in response.content.decode()


def test_ordinary_addresses_pass(client, db):
    assert client.get("/?page=1").status_code == 200


def test_a_media_name_too_long_for_the_file_system_is_not_found(client, db):
    assert client.get("/media/" + "x" * 5000).status_code == 404
