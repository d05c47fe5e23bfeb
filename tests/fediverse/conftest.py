"""A remote fediverse account on loopback (an actor document served by a real HTTP server,
with its own RSA key) and helpers to sign and post its activities to Salon's inbox."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from salon.fediverse.signatures import sign
from tests.mentions.article_server import ArticleServer, allow_loopback, other_site  # noqa: F401

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = f"{AS}#Public"
_ids = itertools.count(1)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass
class RemoteAccount:
    """Someone on another server: its actor document is served by ``server``."""

    server: ArticleServer
    username: str = "alice"
    name: str = "Alice Remote"
    key: rsa.RSAPrivateKey = field(default_factory=new_key)

    @property
    def uri(self) -> str:
        return self.server.url(f"/users/{self.username}")

    @property
    def key_id(self) -> str:
        return f"{self.uri}#main-key"

    @property
    def handle(self) -> str:
        return f"{self.username}@127.0.0.1"

    def publish(self, key: rsa.RSAPrivateKey | None = None) -> None:
        """Serve (again) the actor document, with ``key``'s public half if given."""
        document = {
            "@context": [AS, "https://w3id.org/security/v1"],
            "id": self.uri,
            "type": "Person",
            "preferredUsername": self.username,
            "name": self.name,
            "url": self.server.url(f"/@{self.username}"),
            "icon": {"type": "Image", "url": "https://files.example/alice.png"},
            "inbox": self.server.url(f"/users/{self.username}/inbox"),
            "endpoints": {"sharedInbox": self.server.url("/inbox")},
            "publicKey": {
                "id": self.key_id,
                "owner": self.uri,
                "publicKeyPem": public_pem(key or self.key),
            },
        }
        self.server.page(
            f"/users/{self.username}",
            json.dumps(document),
            content_type="application/activity+json",
        )
        self.server.page(f"/users/{self.username}/inbox", "", status=202)
        self.server.page("/inbox", "", status=202)

    def activity(self, kind: str, obj: Any, **extra: Any) -> dict[str, Any]:
        return {
            "@context": AS,
            "id": self.server.url(f"/activities/{next(_ids)}"),
            "type": kind,
            "actor": self.uri,
            "object": obj,
            **extra,
        }

    def note(self, in_reply_to: str, content: str, **extra: Any) -> dict[str, Any]:
        n = next(_ids)
        return {
            "id": self.server.url(f"/users/{self.username}/statuses/{n}"),
            "type": "Note",
            "attributedTo": self.uri,
            "inReplyTo": in_reply_to,
            "content": content,
            "url": self.server.url(f"/@{self.username}/{n}"),
            "to": [PUBLIC],
            "cc": [self.server.url(f"/users/{self.username}/followers")],
            **extra,
        }


def deliver(
    client,
    activity: dict,
    account: RemoteAccount,
    path: str = "/fediverse/inbox/",
    key: rsa.RSAPrivateKey | None = None,
    body: bytes | None = None,
    **sign_options,
):
    """POST ``activity`` to Salon's inbox, signed (draft-cavage) by ``account`` (or with
    ``key`` under the account's key id)."""
    from django.conf import settings

    body = json.dumps(activity).encode() if body is None else body
    url = settings.SITE_URL + path
    headers = sign(
        "POST",
        url,
        account.key_id,
        key or account.key,
        body=body,
        headers={"Content-Type": "application/activity+json"},
        **sign_options,
    )
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in headers.items()
        if k not in ("Content-Type", "Host")
    }
    return client.post(path, body, content_type="application/activity+json", **extra)


@pytest.fixture
def fediverse_site(settings, allow_loopback):  # noqa: F811
    settings.SITE_URL = "http://testserver"
    return settings


@pytest.fixture
def alice(other_site, fediverse_site):  # noqa: F811
    account = RemoteAccount(other_site)
    account.publish()
    return account
