"""Telling the pages a post links to that it mentions them: Webmention, else pingback.

A post is *due* when it is live and has changed since Salon last notified its links (a new
post, an edit, or a scheduled post whose time has come). ``salon send_mentions`` (run every
minute beside ``salon serve``) sends what is due, so saving a post in the admin never waits on
other sites and scheduled posts are notified when they appear.

Posts that were already old when Salon first saw them (imports, the demo) are recorded
without notifying anyone: a WordPress import must not ping thousands of pages. Their later
edits are notified as usual.
"""

from __future__ import annotations

import http.client
import logging
import re
import xmlrpc.client
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urljoin

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from salon.mentions import links
from salon.mentions.models import DeletedSource, PostLinks, SentMention
from salon.publishing import protection
from salon.publishing.fetching import Fetched, FetchError, check_url, fetch
from salon.publishing.models import Post

log = logging.getLogger(__name__)

# A post first seen more than this long after it was published is recorded, not announced.
RECENT = timedelta(days=7)
RETRY_DELAYS = (
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(days=1),
    timedelta(days=3),
)
"""When to try again after the first, second, … failure in a row while the other site is
away; after the last, Salon gives up (the admin shows the failure)."""
# Names that never resolve on the Internet (RFC 2606, RFC 6761): not worth a DNS query.
RESERVED_SUFFIXES = (".example", ".invalid", ".test", ".localhost", ".local")


@dataclass
class Endpoint:
    """Where a page wants to hear that it was linked: a Webmention or pingback endpoint."""

    protocol: str  # "webmention" or "pingback"
    url: str


# --- which links a post has -----------------------------------------------------------------


def source_url(post: Post) -> str:
    """The post's public address, as other sites will fetch it."""
    return post.public_url()


def outgoing_links(post: Post) -> list[str]:
    """The other sites' pages a post links to: its body, its reblog excerpt and source.

    None for a password-protected post: its links are part of what the password hides, and
    the pages it links to could not find the link on it anyway."""
    if protection.is_locked_for(post, None):
        return []
    own = links.normalise(settings.SITE_URL + "/").split("/")[2]
    found: list[str] = []
    base = source_url(post)
    for html in (post.body, post.reblog_excerpt):
        doc = links.parse(html)
        if doc is not None:
            found.extend(address for _el, address in links.links(doc, base, {"a": "href"}))
    if post.reblog_url:
        found.append(post.reblog_url)
    result: dict[str, str] = {}
    for address in found:
        try:
            _scheme, host, _port = check_url(address)
        except FetchError:
            continue  # mailto:, relative junk
        normal = links.normalise(address)
        if normal.split("/")[2] == own or host.lower().endswith(RESERVED_SUFFIXES):
            continue
        result.setdefault(normal, address.split("#", 1)[0])
    return list(result.values())


# --- discovery ------------------------------------------------------------------------------

_LINK_VALUE = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+?\s*=\s*(?:\"[^\"]*\"|[^;,]*)\s*)*)")
_PARAM = re.compile(r";\s*([^\s=;,]+)\s*=\s*(?:\"([^\"]*)\"|([^;,]*))")


def _link_header_endpoint(values: list[str], rel: str) -> str | None:
    """The first URL in ``Link`` headers whose rel (a space-separated list) includes ``rel``."""
    for value in values:
        for match in _LINK_VALUE.finditer(value):
            for name, quoted, bare in _PARAM.findall(match.group(2)):
                if name.lower() == "rel":
                    rels = (quoted if quoted else bare).lower().split()
                    if rel in rels:
                        return match.group(1).strip()
    return None


def _html_endpoint(page: Fetched, rel: str, tags: tuple[str, ...]) -> str | None:
    doc = links.parse(page.text())
    if doc is None:
        return None
    for element in doc.iter(*tags):
        if rel in (element.get("rel") or "").lower().split() and element.get("href") is not None:
            return element.get("href").strip()  # may be "": the page itself
    return None


def discover(target: str) -> Endpoint | None:
    """Find the target's Webmention endpoint (W3C: Link header, then the first <link> or <a>
    with rel="webmention"), else its pingback server (X-Pingback, then <link rel="pingback">).
    Relative addresses are resolved against the page's final address."""
    page = fetch(target)
    if page.status >= 400:
        raise FetchError(f"the linked page answered {page.status}", status=page.status)
    found = _link_header_endpoint(page.header_values("Link"), "webmention")
    if found is None and page.is_html:
        found = _html_endpoint(page, "webmention", ("link", "a"))
    if found is not None:
        return Endpoint("webmention", urljoin(page.url, found))
    pingback = page.headers.get("X-Pingback")
    if not pingback and page.is_html:
        pingback = _html_endpoint(page, "pingback", ("link",))
    if pingback:
        return Endpoint("pingback", urljoin(page.url, pingback.strip()))
    return None


# --- sending --------------------------------------------------------------------------------


def send_webmention(endpoint: str, source: str, target: str) -> tuple[bool, str]:
    """POST source and target to a Webmention endpoint; (accepted?, what it answered)."""
    response = fetch(
        endpoint,
        method="POST",
        data=urlencode({"source": source, "target": target}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    reason = http.client.responses.get(response.status, "")
    detail = f"{response.status} {reason}".strip()
    body = response.text().strip()[:200]
    if response.status >= 500 or response.status == 429:
        raise FetchError(f"{detail}: {body}" if body else detail, status=response.status)
    return 200 <= response.status < 300, f"{detail}: {body}" if body else detail


def send_pingback(endpoint: str, source: str, target: str) -> tuple[bool, str]:
    """Call pingback.ping over XML-RPC; (accepted?, the server's answer or fault)."""
    # xmlrpc.client marshals the call; the guarded fetcher carries it, since xmlrpc.client's
    # own transport would connect to any address.
    call = xmlrpc.client.dumps((source, target), methodname="pingback.ping").encode()
    response = fetch(
        endpoint,
        method="POST",
        data=call,
        headers={"Content-Type": "text/xml"},
        follow_redirects=False,
    )
    if response.status != 200:
        detail = f"{response.status} {http.client.responses.get(response.status, '')}".strip()
        if response.status >= 500 or response.status == 429:
            raise FetchError(detail, status=response.status)
        return False, detail
    try:
        (answer,), _method = xmlrpc.client.loads(response.body)
    except xmlrpc.client.Fault as fault:
        return False, f"fault {fault.faultCode}: {fault.faultString}"
    except Exception as error:  # xml.parsers.expat.ExpatError, ValueError…
        return False, f"not an XML-RPC answer ({error})"
    return True, str(answer)[:200]


@dataclass
class Notified:
    """What came of notifying one linked page."""

    outcome: str
    endpoint: Endpoint | None
    detail: str
    transient: bool = False
    """The other site was away (unreachable, slow, 5xx, 429): worth trying again."""


def notify(source: str, target: str) -> Notified:
    """Notify one target. Never raises for the other site's failures: they are recorded
    for the owner to see."""
    endpoint = None
    try:
        endpoint = discover(target)
        if endpoint is None:
            return Notified(
                SentMention.Outcome.NO_ENDPOINT, None, "no Webmention or pingback endpoint"
            )
        send = send_webmention if endpoint.protocol == "webmention" else send_pingback
        accepted, detail = send(endpoint.url, source, target)
    except FetchError as error:
        return Notified(SentMention.Outcome.FAILED, endpoint, error.message[:500], error.transient)
    outcome = SentMention.Outcome.SENT if accepted else SentMention.Outcome.FAILED
    return Notified(outcome, endpoint, detail[:500])


def _record(post: Post, target: str, notified: Notified, attempts_before: int) -> SentMention:
    """Store the outcome; a transient failure is tried again later, with growing delays."""
    now = timezone.now()
    attempts = attempts_before + 1 if notified.transient else 0
    retry_at = (
        now + RETRY_DELAYS[attempts - 1]
        if notified.transient and attempts <= len(RETRY_DELAYS)
        else None
    )
    endpoint = notified.endpoint
    sent, _created = SentMention.objects.update_or_create(
        post=post,
        target=target[:2000],
        defaults={
            "protocol": endpoint.protocol if endpoint else "",
            "endpoint": endpoint.url[:2000] if endpoint else "",
            "outcome": notified.outcome,
            "detail": notified.detail,
            "sent_at": now,
            "attempts": attempts,
            "retry_at": retry_at,
        },
    )
    log.info(
        "Mention of %s from post %s: %s (%s)%s",
        target,
        post.pk,
        notified.outcome,
        notified.detail,
        f"; trying again at {retry_at:%Y-%m-%d %H:%M}" if retry_at else "",
    )
    return sent


def send_for_post(post: Post, current: list[str] | None = None) -> list[SentMention]:
    """Notify every page the post links to now, and those it no longer links to.

    ``current`` overrides the post's own links: ``[]`` for a post taken back, whose
    every earlier link is then told it is gone.
    """
    current = outgoing_links(post) if current is None else current
    record = PostLinks.objects.filter(post=post).first()
    kept = {links.normalise(u) for u in current}
    removed = [url for url in (record.links if record else []) if links.normalise(url) not in kept]
    source = source_url(post)
    results = [_record(post, target, notify(source, target), 0) for target in current + removed]
    _remember(post, current)
    return results


def retry_failed(limit: int = 50) -> int:
    """Try again the notifications whose time has come (the other site was away)."""
    now = timezone.now()
    count = 0
    for sent in (
        SentMention.objects.filter(retry_at__lte=now)
        .select_related("post")
        .order_by("retry_at")[:limit]
    ):
        _record(sent.post, sent.target, notify(source_url(sent.post), sent.target), sent.attempts)
        count += 1
    return count


def _remember(post: Post, current: list[str]) -> None:
    PostLinks.objects.update_or_create(
        post=post,
        defaults={
            "links": current,
            "post_updated_at": post.updated_at,
            "checked_at": timezone.now(),
        },
    )


def due_posts():
    """Live posts whose links have not been notified since their last change (a page on
    another site that embeds the conversation has no body here: it links nowhere)."""
    done = PostLinks.objects.filter(post=OuterRef("pk"), post_updated_at=OuterRef("updated_at"))
    return (
        Post.objects.live()
        .exclude(kind=Post.Kind.ELSEWHERE)
        .filter(~Exists(done))
        .order_by("published_at", "pk")
    )


def withdrawn_posts():
    """Posts that were announced while live and are no longer (back to draft, made
    private, rescheduled): the pages they linked to are told again, find the post gone
    and drop its mention, as the Webmention Recommendation asks."""
    done = PostLinks.objects.filter(post=OuterRef("pk"), post_updated_at=OuterRef("updated_at"))
    announced = PostLinks.objects.filter(post=OuterRef("pk")).exclude(links=[])
    return (
        Post.objects.exclude(pk__in=Post.objects.live().values("pk"))
        .filter(Exists(announced), ~Exists(done))
        .order_by("updated_at", "pk")
    )


def remember_deleted(sender: type, instance: Post, **kwargs: object) -> None:
    """Before a post is deleted, keep what it had announced (a ``pre_delete`` receiver)."""
    record = PostLinks.objects.filter(post=instance).exclude(links=[]).first()
    if record is not None:
        DeletedSource.objects.create(source=source_url(instance), links=record.links)


def send_deletions(limit: int = 50) -> int:
    """Tell the pages deleted posts linked to that they are gone (once, no retries: the
    post's own record of them went with it)."""
    count = 0
    for deleted in DeletedSource.objects.order_by("pk")[:limit]:
        for target in deleted.links:
            notified = notify(deleted.source, target)
            log.info(
                "Deletion of %s told to %s: %s (%s)",
                deleted.source,
                target,
                notified.outcome,
                notified.detail,
            )
            count += 1
        deleted.delete()
    return count


def send_pending(limit: int = 50) -> int:
    """Send the mentions of every due post (at most ``limit`` posts); return how many were
    sent to (including failures)."""
    recent = timezone.now() - RECENT
    # Old content seen for the first time (an import, the demo) is recorded, all of it at
    # once: it must neither be announced nor hold up the posts that are.
    seen = PostLinks.objects.filter(post=OuterRef("pk"))
    for post in due_posts().filter(~Exists(seen), published_at__lt=recent).iterator():
        _remember(post, outgoing_links(post))
    count = 0
    for post in due_posts()[:limit]:
        count += len(send_for_post(post))
    for post in withdrawn_posts()[:limit]:
        count += len(send_for_post(post, current=[]))
    return count + send_deletions(limit) + retry_failed(limit)


def mentions_round() -> str:
    """Send what is due once and say so (a job for the background loop); "" if nothing was."""
    count = send_pending()
    return f"Notified {count} linked page(s)." if count else ""
