"""Checking Salon's own comments with a remote Akismet-compatible endpoint.

Selected when ``SALON_AKISMET_URL`` is set (``SALON["SPAM_FILTER"]`` then names
:func:`check_comment`): another Salon's API, or Akismet itself, with ``SALON_AKISMET_KEY``.
Every failure (unreachable, slower than ``SALON_AKISMET_TIMEOUT`` seconds, a bad key, an
answer that is not Akismet's) raises, and the pipeline holds the comment for a moderator.
"""

from __future__ import annotations

import logging
import threading

import httpx
from django.conf import settings

from salon.antispam.submissions import akismet_fields, for_engine
from salon.discussion import pipeline
from salon.discussion.models import Comment

log = logging.getLogger(__name__)

USER_AGENT = "Salon | Akismet-compatible client"


class RemoteFilterError(Exception):
    """The remote endpoint gave no usable verdict."""


_client: httpx.Client | None = None
_client_lock = threading.Lock()


def _http() -> httpx.Client:
    # One pooled client per process: keep-alive connections spare each check a handshake.
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                _client = httpx.Client(headers={"User-Agent": USER_AGENT})
    return _client


def close_connections() -> None:
    """Close the pooled keep-alive connections (the next request opens new ones)."""
    global _client
    with _client_lock:
        client, _client = _client, None
    if client is not None:
        client.close()


def _post(endpoint: str, data: dict[str, str]) -> httpx.Response:
    base = settings.SALON["AKISMET_URL"].rstrip("/")
    if not base:
        raise RemoteFilterError("SALON_AKISMET_URL is not set")
    timeout = settings.SALON.get("AKISMET_TIMEOUT", 5.0)
    try:
        response = _http().post(
            f"{base}/1.1/{endpoint}",
            data={"api_key": settings.SALON["AKISMET_KEY"], "blog": settings.SITE_URL, **data},
            timeout=timeout,
        )
    except httpx.HTTPError as error:
        raise RemoteFilterError(f"{endpoint}: {type(error).__name__}: {error}") from error
    if response.status_code != 200:
        raise RemoteFilterError(f"{endpoint}: HTTP {response.status_code}")
    if response.text == "invalid":
        help_text = response.headers.get("X-akismet-debug-help", "")
        raise RemoteFilterError(f"{endpoint}: the endpoint refused the key ({help_text})")
    return response


def _reasons(header: str) -> list[dict]:
    """Salon's ``X-Salon-Reasons`` (``links=+4.9;text_model=-3.7``) as stored reasons."""
    reasons = []
    for part in header.split(";"):
        signal, _, weight = part.partition("=")
        try:
            value = float(weight)
        except ValueError:
            continue
        reasons.append(
            {"signal": signal.strip(), "weight": value, "message": f"{signal.strip()} (remote)"}
        )
    return reasons


def check_comment(submission: pipeline.CommentSubmission) -> pipeline.Verdict:
    """Ask the remote endpoint's comment-check for a verdict (raises when it cannot answer)."""
    data = akismet_fields(for_engine(submission))
    response = _post("comment-check", data)
    if response.text not in ("true", "false"):
        raise RemoteFilterError(f"comment-check answered {response.text[:100]!r}")
    spam = response.text == "true"
    try:
        score = float(response.headers.get("X-Salon-Score", ""))
    except ValueError:
        score = 1.0 if spam else 0.0
    reasons = _reasons(response.headers.get("X-Salon-Reasons", ""))
    if not reasons:
        reasons = [
            {
                "signal": "remote",
                "weight": 0.0,
                "message": f"the remote spam filter said {'spam' if spam else 'not spam'}",
            }
        ]
    return pipeline.Verdict(
        spam=spam,
        score=score,
        discard=spam and response.headers.get("X-akismet-pro-tip", "") == "discard",
        # Another Salon says "not spam, but hold it for a person" in a header of its own.
        hold=not spam and response.headers.get("X-Salon-Hold", "") == "true",
        reasons=reasons,
    )


def submit(comment: Comment, is_spam: bool) -> bool:
    """Tell the remote endpoint a moderator's decision (submit-spam / submit-ham).

    Runs after the moderation commits; a failure is logged, never shown to the moderator
    as a failed moderation (the decision itself is already saved). Returns whether the
    endpoint thanked us.
    """
    data = akismet_fields(for_engine(pipeline.CommentSubmission.of(comment)))
    endpoint = "submit-spam" if is_spam else "submit-ham"
    try:
        response = _post(endpoint, data)
    except RemoteFilterError:
        log.exception("Could not tell the remote spam filter about comment %s", comment.pk)
        return False
    if response.text != "Thanks for making the web a better place.":
        log.warning("The remote spam filter answered %s with %r", endpoint, response.text[:100])
        return False
    return True
