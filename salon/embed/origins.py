"""Which sites may embed the conversation: ``SALON_EMBED_ORIGINS`` and the administration's list.

Every API request from a browser names its page's site in the ``Origin`` header; only these
sites get an answer a browser lets the page read (CORS), and only their pages get a new
conversation. The list is read once every few seconds per process (a change in the admin is
seen at once by the process that made it, by the others within ``CACHE_SECONDS``).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from salon.embed.addresses import normalise_origin

log = logging.getLogger(__name__)

CACHE_SECONDS = 10.0
_memo: dict[str, Any] = {"until": 0.0, "origins": frozenset(), "configured": None}


def configured_origins() -> list[str]:
    """The sites named in ``SALON_EMBED_ORIGINS`` (the ones written wrongly are logged)."""
    found = []
    for raw in settings.SALON.get("EMBED_ORIGINS", []):
        origin = normalise_origin(raw)
        if origin is None:
            log.warning(
                "SALON_EMBED_ORIGINS: %r is not a site (write https://host or http://host:port)",
                raw,
            )
        else:
            found.append(origin)
    return found


def allowed_origins() -> frozenset[str]:
    """Every site allowed to embed the conversation."""
    now = time.monotonic()
    configured = tuple(settings.SALON.get("EMBED_ORIGINS", ()))
    if now >= _memo["until"] or configured != _memo["configured"]:
        from salon.embed.models import EmbedOrigin

        stored = EmbedOrigin.objects.values_list("origin", flat=True)
        _memo["origins"] = frozenset(configured_origins()) | frozenset(stored)
        _memo["configured"] = configured
        _memo["until"] = now + CACHE_SECONDS
    return _memo["origins"]


def is_allowed(origin: str) -> bool:
    return origin in allowed_origins()


def forget() -> None:
    """Read the list again at the next request (it changed)."""
    _memo["until"] = 0.0


def forget_on_change(sender: Any, **kwargs: Any) -> None:
    """Receives ``post_save`` and ``post_delete`` of ``EmbedOrigin``."""
    forget()


def page_facts(request: HttpRequest) -> dict[str, Any]:
    """For the privacy page: the other sites that show this conversation."""
    return {"embed_origins": sorted(allowed_origins())}
