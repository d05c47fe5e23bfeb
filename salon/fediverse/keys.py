"""The key pairs this site's actors sign with: made on first use, kept in the database (so
every process and host of one site signs with the same key)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction

from salon.fediverse.models import ActorKey

KEY_BITS = 2048  # what Mastodon makes; 4096 costs four times more to sign with


def _new_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def key_for(name: str) -> ActorKey:
    """The key pair of actor ``name`` ("blog", or "author:<user name>"), made if missing."""
    found = ActorKey.objects.filter(name=name).first()
    if found is not None:
        return found
    private, public = _new_pair()
    try:
        with transaction.atomic():
            return ActorKey.objects.create(
                name=name, private_key_pem=private, public_key_pem=public
            )
    except IntegrityError:  # another process made it first: use theirs
        return ActorKey.objects.get(name=name)


@lru_cache(maxsize=32)
def _load_private(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def private_key(name: str) -> rsa.RSAPrivateKey:
    return _load_private(key_for(name).private_key_pem)
