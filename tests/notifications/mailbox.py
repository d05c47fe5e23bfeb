"""A real SMTP server for the tests (aiosmtpd on a free loopback port) and what it received."""

from __future__ import annotations

import email
import re
import socket
from email import policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from salon.discussion.pipeline import CommentSubmission, Verdict

MAIL_FROM = "Salon <blog@example.org>"


class Mailbox:
    """Collects every message the SMTP server accepts, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        # Long headers arrive folded, their value starting with the fold's blank; mail
        # programs ignore it, and so do the tests.
        for name in set(message.keys()):
            message.replace_header(name, str(message[name]).strip())
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    def clear(self) -> None:
        self.messages.clear()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def links(message: EmailMessage) -> list[str]:
    """The site-relative paths of the links in a message's text, in order."""
    return [urlsplit(url).path for url in re.findall(r"https?://\S+", body(message))]


def link_after(message: EmailMessage, label: str) -> str:
    """The path of the link that follows ``label`` in the message's text."""
    text = body(message)
    url = re.search(re.escape(label) + r".*?(https?://\S+)", text, re.S).group(1)
    return urlsplit(url).path


def send_mail() -> None:
    """What `salon serve`'s sender loop does on each round."""
    call_command("send_mail")


def call_it_spam(submission: CommentSubmission) -> Verdict:
    """A spam filter that calls everything spam (set as SALON["SPAM_FILTER"])."""
    return Verdict(spam=True, score=0.99, reasons=[{"signal": "test", "weight": 1.0}])


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mailbox(smtp_port):
    """A running SMTP server; stopped after the test."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def mail_on(settings, smtp_port):
    """The site configured to send mail through the test's SMTP server."""
    settings.SALON = {
        **settings.SALON,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "MAIL_FROM": MAIL_FROM,
    }
    settings.SITE_URL = "http://testserver"
