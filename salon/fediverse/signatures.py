"""HTTP signatures: signing what Salon sends, verifying what it receives.

The fediverse speaks two dialects:

- the "Signature" header of draft-cavage-http-signatures-12, which Mastodon and nearly every
  server sends and accepts. Salon signs with it (RSA-SHA256 over ``(request-target) host
  date digest content-type``) and verifies it with ``cryptography``'s primitives; the
  dialect is one line of text to build, the cryptography is the library's.
- RFC 9421 HTTP Message Signatures ("Signature-Input" and "Signature"), which newer servers
  (Fedify, Mastodon 4.5) try first. Salon verifies it with ``http-message-signatures``.

Either way a verified request proves who sent it (the key's owner), that the body is the
one signed (``Digest`` or ``Content-Digest``), and when (within
``SALON_FEDIVERSE_CLOCK_SKEW`` seconds).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

import http_message_signatures as hms
import http_sf
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from django.conf import settings


class SignatureRefused(Exception):
    """A request whose signature is missing, malformed, stale or false: answered 401."""


@dataclass(frozen=True)
class SignedRequest:
    """What a signature is computed over: method, the full address it was sent to, headers
    (names in any case) and body."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None


@dataclass(frozen=True)
class Claim:
    """Who a request says signed it, before it is checked."""

    key_id: str
    dialect: str  # "cavage" or "rfc9421"


# --- signing --------------------------------------------------------------------------------


def digest_header(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def sign(
    method: str,
    url: str,
    key_id: str,
    private_key: rsa.RSAPrivateKey,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers to send with a request signed as draft-cavage (with ``Digest`` for a
    body): ``Host``, ``Date``, ``Digest``, ``Signature``, and the given ``headers``."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    out = dict(headers or {})
    out["Host"] = parts.netloc
    out["Date"] = format_datetime(now or datetime.now(UTC), usegmt=True)
    names = ["(request-target)", "host", "date"]
    if body is not None:
        out["Digest"] = digest_header(body)
        names.append("digest")
    if "Content-Type" in out:
        names.append("content-type")
    elif "Accept" in out:
        names.append("accept")
    lookup = {k.lower(): v for k, v in out.items()}
    signing_string = "\n".join(
        f"(request-target): {method.lower()} {target}"
        if name == "(request-target)"
        else f"{name}: {lookup[name]}"
        for name in names
    )
    signature = private_key.sign(signing_string.encode(), padding.PKCS1v15(), hashes.SHA256())
    out["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return out


# --- reading the claim ----------------------------------------------------------------------

_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|(\d+))\s*(?:,|$)')


def _cavage_params(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    position = 0
    while position < len(value):
        match = _PARAM.match(value, position)
        if match is None:
            raise SignatureRefused("The Signature header cannot be read.")
        params[match.group(1)] = match.group(2) if match.group(2) is not None else match.group(3)
        position = match.end()
    return params


def _rfc9421_inputs(request: SignedRequest) -> dict:
    value = request.header("Signature-Input") or ""
    try:
        return http_sf.parse(value.encode(), tltype="dictionary")
    except Exception:
        raise SignatureRefused("The Signature-Input header cannot be read.") from None


def claim(request: SignedRequest) -> Claim:
    """The key a request says it was signed with; :class:`SignatureRefused` if unsigned."""
    if request.header("Signature-Input"):
        inputs = _rfc9421_inputs(request)
        for _label, (_components, params) in inputs.items():
            key_id = params.get("keyid")
            if isinstance(key_id, str) and key_id:
                return Claim(key_id, "rfc9421")
        raise SignatureRefused("The signature names no key.")
    value = request.header("Signature")
    if not value:
        raise SignatureRefused("The request is not signed (no Signature header).")
    key_id = _cavage_params(value).get("keyId", "")
    if not key_id:
        raise SignatureRefused("The signature names no key.")
    return Claim(key_id, "cavage")


# --- verifying ------------------------------------------------------------------------------


def _skew() -> timedelta:
    return timedelta(seconds=settings.SALON["FEDIVERSE_CLOCK_SKEW"])


def load_public_key(pem: str):
    try:
        return serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError):
        raise SignatureRefused("The sender's public key cannot be read.") from None


def _check_time(when: datetime, now: datetime) -> None:
    if abs(now - when) > _skew():
        raise SignatureRefused(
            f"The signature's date ({when:%Y-%m-%d %H:%M:%S} UTC) is more than "
            f"{int(_skew().total_seconds())} seconds from this server's clock."
        )


def _check_digest(value: str | None, body: bytes) -> None:
    if not value:
        raise SignatureRefused("A signed Digest header is required with a body.")
    digests = {}
    for item in value.split(","):
        name, _sep, encoded = item.strip().partition("=")
        digests[name.strip().upper()] = encoded.strip()
    expected = {
        "SHA-256": hashlib.sha256(body).digest(),
        "SHA-512": hashlib.sha512(body).digest(),
    }
    known = [name for name in digests if name in expected]
    if not known:
        raise SignatureRefused("The Digest header uses no algorithm this server knows.")
    for name in known:
        try:
            given = base64.b64decode(digests[name], validate=True)
        except ValueError:
            raise SignatureRefused("The Digest header cannot be read.") from None
        if given != expected[name]:
            raise SignatureRefused("The body does not match its Digest.")


def _verify_raw(public_key, signature: bytes, message: bytes) -> None:
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, message)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        else:
            raise SignatureRefused("The sender's key is of a kind this server does not use.")
    except InvalidSignature:
        raise SignatureRefused("The signature does not match the sender's key.") from None


def verify_cavage(request: SignedRequest, public_key, now: datetime) -> None:
    params = _cavage_params(request.header("Signature") or "")
    names = (params.get("headers") or "date").lower().split()
    required = {"(request-target)", "host"} | ({"digest"} if request.body else set())
    missing = required - set(names)
    if missing or not ({"date", "(created)"} & set(names)):
        raise SignatureRefused(
            "The signature must cover (request-target), host, date"
            + (" and digest." if request.body else ".")
        )
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {request.method.lower()} {target}")
        elif name in ("(created)", "(expires)"):
            value = params.get(name.strip("()"), "")
            if not value.isdigit():
                raise SignatureRefused(f"The signature covers {name} but gives none.")
            lines.append(f"{name}: {value}")
        else:
            value = request.header(name)
            if value is None:
                raise SignatureRefused(f"The signed header {name} is missing.")
            lines.append(f"{name}: {value.strip()}")
    if "(created)" in names:
        _check_time(datetime.fromtimestamp(int(params["created"]), UTC), now)
    if "date" in names:
        try:
            date = parsedate_to_datetime(request.header("Date") or "")
        except (TypeError, ValueError):
            raise SignatureRefused("The Date header cannot be read.") from None
        if date is None or date.tzinfo is None:
            raise SignatureRefused("The Date header cannot be read.")
        _check_time(date, now)
    try:
        signature = base64.b64decode(params.get("signature", ""), validate=True)
    except ValueError:
        raise SignatureRefused("The signature cannot be read.") from None
    _verify_raw(public_key, signature, "\n".join(lines).encode())
    if request.body:
        _check_digest(request.header("Digest"), request.body)


_RFC9421_ALGORITHMS = {
    "rsa-v1_5-sha256": hms.algorithms.RSA_V1_5_SHA256,
    "rsa-pss-sha512": hms.algorithms.RSA_PSS_SHA512,
    "ed25519": hms.algorithms.ED25519,
    "ecdsa-p256-sha256": hms.algorithms.ECDSA_P256_SHA256,
}


class _Message:
    """A request as http-message-signatures reads it."""

    def __init__(self, request: SignedRequest) -> None:
        self.method = request.method.upper()
        self.url = request.url
        self.headers = dict(request.headers)


class _OneKey(hms.HTTPSignatureKeyResolver):
    def __init__(self, key_id: str, public_key) -> None:
        self.key_id, self.public_key = key_id, public_key

    def resolve_public_key(self, key_id: str):
        return self.public_key if key_id == self.key_id else None


def verify_rfc9421(request: SignedRequest, key_id: str, public_key, now: datetime) -> None:
    inputs = _rfc9421_inputs(request)
    params = next((p for _label, (_c, p) in inputs.items() if p.get("keyid") == key_id), None)
    if params is None:
        raise SignatureRefused("The signature names no key.")
    alg = params.get("alg")
    if alg is None:
        alg = "ed25519" if isinstance(public_key, ed25519.Ed25519PublicKey) else "rsa-v1_5-sha256"
    algorithm = _RFC9421_ALGORITHMS.get(alg)
    if algorithm is None:
        raise SignatureRefused(f"The signature's algorithm {alg} is not one this server knows.")
    created = params.get("created")
    if isinstance(created, int):
        _check_time(datetime.fromtimestamp(created, UTC), now)
    verifier = hms.HTTPMessageVerifier(
        signature_algorithm=algorithm, key_resolver=_OneKey(key_id, public_key)
    )
    verifier.max_clock_skew = _skew()
    try:
        verifier.verify(
            _Message(request),
            max_age=_skew(),
            require_components=("@method", "@target-uri"),
            body=request.body if request.body else None,
        )
    except hms.InvalidSignature as error:
        raise SignatureRefused(f"The signature does not verify ({error}).") from None
    except hms.HTTPMessageSignaturesException as error:
        raise SignatureRefused(f"The signature cannot be read ({error}).") from None


def verify(
    request: SignedRequest,
    found: Claim,
    public_key_pem: str,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Check ``request``'s signature against the key (PEM) of the claimed signer; raise
    :class:`SignatureRefused` if it does not hold."""
    key = load_public_key(public_key_pem)
    if found.dialect == "rfc9421":
        verify_rfc9421(request, found.key_id, key, now())
    else:
        verify_cavage(request, key, now())
