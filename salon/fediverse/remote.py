"""Fetching other servers' actors and objects, always through the guarded fetcher.

Every fetch goes through :func:`salon.publishing.fetching.fetch`: no private or loopback
address (unless ``SALON_REBLOG_ALLOW_PRIVATE``), one deadline, a size cap. GET requests are
signed with the blog's key, as servers in "authorized fetch" mode require. A fetched
document must say it is the one asked for (its ``id`` on the same host as the address it was
fetched from), so one server cannot speak for another's people.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from salon.discussion.models import AUTHOR_MAX
from salon.fediverse import jsonld
from salon.fediverse.documents import BLOG, key_uri
from salon.fediverse.keys import private_key
from salon.fediverse.models import URI_MAX, RemoteActor
from salon.fediverse.signatures import sign
from salon.publishing.fetching import FetchError, check_url, fetch
from salon.web_addresses import web_address

ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
JSON_TYPES = ("application/activity+json", "application/ld+json", "application/json")
ACTOR_TYPES = {"Person", "Service", "Application", "Group", "Organization"}


class RemoteError(Exception):
    """A remote document that could not be had, or could not be used; ``message`` says why."""

    def __init__(self, message: str, gone: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.gone = gone


def host_of(uri: str) -> str:
    return (urlsplit(uri).hostname or "").lower()


def fetch_document(uri: str) -> dict[str, Any]:
    """GET an ActivityStreams document, signed, and read it as compacted JSON-LD."""
    uri = uri.split("#", 1)[0]
    try:
        check_url(uri)
        # The Host header sent is the one signed (http.client then adds none of its own).
        headers = sign("GET", uri, key_uri(BLOG), private_key(BLOG), headers={"Accept": ACCEPT})
        response = fetch(uri, headers=headers, follow_redirects=False)
    except FetchError as error:
        raise RemoteError(error.message) from None
    if response.status in (404, 410):
        raise RemoteError(f"{uri} is gone ({response.status}).", gone=True)
    if response.status != 200:
        raise RemoteError(f"{uri} answered {response.status}.")
    if response.content_type not in JSON_TYPES:
        raise RemoteError(f"{uri} is not an ActivityStreams document ({response.content_type}).")
    try:
        document = jsonld.compact(json.loads(response.body))
    except (ValueError, jsonld.NotJsonLd) as error:
        raise RemoteError(f"{uri} cannot be read ({error}).") from None
    found = jsonld.ref(document)
    if not found or host_of(found) != host_of(response.url) or host_of(found) != host_of(uri):
        raise RemoteError(f"{uri} gave a document that is not its own ({found or 'no id'}).")
    return document


def _public_keys(actor: dict[str, Any]) -> dict[str, str]:
    keys = {}
    for key in jsonld.as_list(actor.get("publicKey")):
        if isinstance(key, dict) and isinstance(key.get("publicKeyPem"), str):
            keys[jsonld.ref(key)] = key["publicKeyPem"]
    return keys


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else ""


def store_actor(document: dict[str, Any], key_id: str | None = None) -> RemoteActor:
    """Keep (or refresh) what an actor's document says of it."""
    uri = jsonld.ref(document)
    if not set(jsonld.types(document)) & ACTOR_TYPES:
        raise RemoteError(f"{uri} is not an actor.")
    keys = _public_keys(document)
    if not keys:
        raise RemoteError(f"{uri} publishes no public key.")
    if key_id is None or key_id not in keys:
        key_id = next(iter(keys)) if key_id is None else key_id
        if key_id not in keys:
            raise RemoteError(f"{uri} does not publish the key {key_id}.")
    inbox = jsonld.ref(document.get("inbox"))
    try:
        check_url(inbox)
    except FetchError:
        raise RemoteError(f"{uri} has no usable inbox.") from None
    endpoints = document.get("endpoints")
    shared = jsonld.ref(endpoints.get("sharedInbox")) if isinstance(endpoints, dict) else ""
    username = jsonld.text(document.get("preferredUsername"))
    icon = next(
        (
            jsonld.ref(i.get("url")) if isinstance(i, dict) else jsonld.ref(i)
            for i in jsonld.as_list(document.get("icon"))
        ),
        "",
    )
    profile = next(
        (u for u in (jsonld.ref(v) for v in jsonld.as_list(document.get("url"))) if u), uri
    )
    values = {
        "handle": f"{username}@{host_of(uri)}"[:255] if username else "",
        "name": (jsonld.text(document.get("name")) or username)[:AUTHOR_MAX],
        # Each becomes a link or a picture on the page (the reply's author, a booster): http(s)
        # only. An actor without a usable profile page links to its own address.
        "profile_url": _clip(web_address(profile) or web_address(uri), URI_MAX),
        "icon_url": _clip(web_address(icon), URI_MAX),
        "inbox": inbox,
        "shared_inbox": _clip(web_address(shared), URI_MAX),
        "key_id": key_id,
        "public_key_pem": keys[key_id],
        "fetched_at": timezone.now(),
    }
    actor, _created = RemoteActor.objects.update_or_create(uri=uri, defaults=values)
    return actor


def _fresh(actor: RemoteActor) -> bool:
    age = timedelta(hours=settings.SALON["FEDIVERSE_ACTOR_CACHE_HOURS"])
    return timezone.now() - actor.fetched_at < age


def actor_for_key(key_id: str, refresh: bool = False) -> tuple[RemoteActor, bool]:
    """The actor owning the key ``key_id``, from the cache or fetched; and whether it was
    fetched just now (a key that fails from the cache is fetched again once)."""
    if len(key_id) > URI_MAX:
        raise RemoteError("The key's address is too long.")
    cached = RemoteActor.objects.filter(key_id=key_id).first()
    if cached is not None and not refresh and _fresh(cached):
        return cached, False
    document = fetch_document(key_id)
    if not set(jsonld.types(document)) & ACTOR_TYPES:
        # A key document of its own (GoToSocial): its owner is the actor.
        owner = jsonld.ref(document.get("owner"))
        if not owner or host_of(owner) != host_of(key_id):
            raise RemoteError(f"The key {key_id} names no owner on its own server.")
        document = fetch_document(owner)
    return store_actor(document, key_id), True


def actor(uri: str, refresh: bool = False) -> RemoteActor:
    """The actor at ``uri``, from the cache or fetched."""
    cached = RemoteActor.objects.filter(uri=uri).first()
    if cached is not None and not refresh and _fresh(cached):
        return cached
    return store_actor(fetch_document(uri))
