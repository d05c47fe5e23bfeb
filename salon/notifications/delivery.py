"""The outbox: queue a message with the change that caused it, send it later, retry on failure.

Nothing here runs inside a request. Views and after-commit hooks only call :func:`enqueue`;
``salon send_mail`` (started by ``salon serve``) calls :func:`deliver_due`.
"""

from __future__ import annotations

import functools
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from salon.discussion.models import Comment
from salon.notifications.models import OutgoingMail
from salon.prepared import insert

log = logging.getLogger(__name__)

# The first retry waits a minute, each later one twice as long: a short outage costs a
# minute, a long one does not hammer the server.
FIRST_RETRY_SECONDS = 60
# A claimed message is not picked up by another sender for this long (several sender
# loops may run, one per host); a sender that dies mid-send frees it by the lease running out.
LEASE_SECONDS = 300
# Sent and abandoned messages hold addresses and text; they are deleted after this long.
KEEP_SENT_DAYS = 7
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to hand mail over."""

    host: str
    port: int
    username: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    timeout: float = 20.0


def smtp_server() -> SmtpServer | None:
    """The SMTP server from SALON_SMTP_URL or SALON_EMAIL_*; None when mail is off."""
    conf = settings.SALON
    url = conf.get("SMTP_URL", "")
    if url:
        return _server_at(url)
    if conf.get("EMAIL_HOST"):
        tls = bool(conf.get("EMAIL_USE_TLS"))
        return SmtpServer(
            host=conf["EMAIL_HOST"],
            port=conf.get("EMAIL_PORT") or (587 if tls else 25),
            username=conf.get("EMAIL_USER", ""),
            password=conf.get("EMAIL_PASSWORD", ""),
            use_tls=tls,
        )
    return None


@functools.lru_cache(maxsize=8)
def _server_at(url: str) -> SmtpServer:
    """The server SALON_SMTP_URL names, read once per address (every comment asks, twice)."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"SALON_SMTP_URL must look like smtp://user:pass@host:587?tls=1, not {url!r}"
        )
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    ssl = parts.scheme == "smtps" or query.get("ssl") in _TRUE
    return SmtpServer(
        host=parts.hostname,
        port=parts.port or (465 if ssl else 587 if query.get("tls") in _TRUE else 25),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=not ssl and query.get("tls") in _TRUE,
        use_ssl=ssl,
        timeout=float(query.get("timeout", "20")),
    )


def mail_configured() -> bool:
    """Whether this site can send mail: an SMTP server and a sender address are set."""
    try:
        return bool(settings.SALON.get("MAIL_FROM")) and smtp_server() is not None
    except ImproperlyConfigured:
        # Reported by `salon check`; pages must not fail over it, they offer no mail.
        log.error("Mail is off: SALON_SMTP_URL is not a valid smtp:// URL")
        return False


def absolute_url(path: str) -> str:
    """``path`` on the public site (mail has no request to take the host from); an address
    that is already whole (a conversation embedded in another site's page) is kept."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def enqueue(
    to: str,
    subject: str,
    body: str,
    *,
    topic: str = "",
    unsubscribe_url: str = "",
    comment: Comment | None = None,
) -> OutgoingMail:
    """Put a message in the outbox; it leaves on the sender's next round.

    ``unsubscribe_url`` becomes the RFC 8058 one-click headers, so mail programs show their
    own "Unsubscribe" button that needs no visit to the site.
    """
    headers: dict[str, str] = {"Auto-Submitted": "auto-generated"}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # A title with a line break must not break (or inject) a header.
    subject = " ".join(subject.split())
    # As OutgoingMail.objects.create() stores it, with its INSERT compiled once (every
    # comment queues one).
    return insert(
        OutgoingMail(
            to=to, subject=subject[:300], body=body, headers=headers, topic=topic, comment=comment
        )
    )


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    skipped: int = 0


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure (1, 2, 4, 8 … minutes)."""
    return timedelta(seconds=FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1))


def _claim(mail_id: int, now: datetime) -> bool:
    # An UPDATE that only one sender can win: works alike on SQLite and PostgreSQL and
    # holds no transaction open while talking to the SMTP server.
    return (
        OutgoingMail.objects.waiting()
        .filter(pk=mail_id, next_attempt_at__lte=now)
        .update(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
        == 1
    )


def _connection(server: SmtpServer) -> BaseEmailBackend:
    # Named explicitly: Django's EMAIL_BACKEND is swapped for an in-memory one under tests,
    # and Salon's mail settings are its own.
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=server.host,
        port=server.port,
        username=server.username or None,
        password=server.password or None,
        use_tls=server.use_tls,
        use_ssl=server.use_ssl,
        timeout=server.timeout,
        fail_silently=False,
    )


def deliver_due(now: datetime | None = None, limit: int = 200) -> DeliveryReport:
    """Send the messages whose time has come; reschedule those the server refuses."""
    report = DeliveryReport()
    if not mail_configured():
        return report
    server = smtp_server()
    sender = settings.SALON["MAIL_FROM"]
    now = now or timezone.now()
    max_attempts = max(1, int(settings.SALON.get("MAIL_MAX_ATTEMPTS", 8)))
    due = list(
        OutgoingMail.objects.waiting()
        .filter(next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    connection = None
    for mail_id in due:
        if not _claim(mail_id, now):
            continue
        mail = OutgoingMail.objects.select_related("comment").get(pk=mail_id)
        if mail.comment is not None and mail.comment.status in (
            Comment.Status.SPAM,
            Comment.Status.TRASH,
        ):
            # Marked as spam (or trashed) after the notice was queued: it must not go out.
            OutgoingMail.objects.filter(pk=mail.pk).update(
                failed_at=now, last_error="not sent: the comment is spam or in the trash"
            )
            report.skipped += 1
            continue
        message = EmailMessage(
            subject=mail.subject,
            body=mail.body,
            from_email=sender,
            to=[mail.to],
            headers=mail.headers,
        )
        try:
            if connection is None:
                connection = _connection(server)
                connection.open()
            connection.send_messages([message])
        except (smtplib.SMTPException, OSError, ValueError) as error:
            # ValueError: a message Django refuses to build (a bad address); it is retried
            # and given up like any other, never blocking the messages behind it.
            if connection is not None:
                try:
                    connection.close()
                except (smtplib.SMTPException, OSError):
                    pass
            connection = None
            attempts = mail.attempts + 1
            if attempts >= max_attempts:
                log.warning(
                    "Gave up on outgoing mail %s after %d attempts: %s", mail.pk, attempts, error
                )
                OutgoingMail.objects.filter(pk=mail.pk).update(
                    attempts=attempts, last_error=str(error)[:2000], failed_at=now
                )
                report.given_up += 1
            else:
                log.info("Mail %s not sent (attempt %d): %s", mail.pk, attempts, error)
                OutgoingMail.objects.filter(pk=mail.pk).update(
                    attempts=attempts,
                    last_error=str(error)[:2000],
                    next_attempt_at=now + retry_delay(attempts),
                )
                report.retrying += 1
            continue
        OutgoingMail.objects.filter(pk=mail.pk).update(
            attempts=mail.attempts + 1, sent_at=timezone.now(), last_error=""
        )
        report.sent += 1
    if connection is not None:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            pass
    return report


def forget_old_mail(now: datetime | None = None) -> int:
    """Delete sent and abandoned messages older than KEEP_SENT_DAYS; return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_SENT_DAYS)
    deleted, _ = OutgoingMail.objects.filter(sent_at__lt=cutoff).delete()
    abandoned, _ = OutgoingMail.objects.filter(failed_at__lt=cutoff).delete()
    return deleted + abandoned


def mail_summary(posts: int, report: DeliveryReport) -> str:
    return (
        f"Mail: {report.sent} sent, {report.retrying} to retry, {report.given_up} given up, "
        f"{report.skipped} withheld (spam); {posts} new posts announced."
    )
