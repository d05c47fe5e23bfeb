"""Salon's django-allauth adapters: where people may be sent, and what is trusted."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.sites.shortcuts import get_current_site
from django.utils.http import url_has_allowed_host_and_scheme

log = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """Local accounts: redirects stay on this site; log-in messages are not queued."""

    def is_safe_url(self, url: str) -> bool:
        """Only this site: a path, or an absolute URL on the host the request came to.

        allauth's default also accepts every host in ALLOWED_HOSTS; a ``next`` parameter
        pointing at a sibling host could still be abused to phish, so it is refused.
        """
        request = allauth_context.request
        return url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Queue allauth's mail (confirm your address, reset your password) in Salon's outbox.

        Salon never talks to an SMTP server inside a request: the outbox's sender delivers
        it, retrying while the server is away, with the owner's SMTP settings. When the owner
        has set up no mail at all, nothing can be delivered and nothing is queued (a reset
        link arriving days later, once mail is set up, would only confuse).
        """
        from salon.notifications.delivery import enqueue, mail_configured

        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                **context,
            },
        )
        if not mail_configured():
            log.warning("Not sending %r to a reader: this site has no mail set up", template_prefix)
            return
        enqueue(to=email, subject=message.subject, body=message.body, topic="account")

    def add_message(self, *args: Any, **kwargs: Any) -> None:
        """Drop allauth's "You have signed in" notices.

        The site's layout shows no message area; the comment form itself says who is
        commenting. Unshown messages would otherwise pile up in a cookie.
        """


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Social log-in: an address is trusted only on the provider's own word."""

    def is_email_verified(self, provider: Any, email: str) -> bool:
        """Never trust a provider's addresses wholesale (allauth's VERIFIED_EMAIL setting).

        Each provider's data says per address whether the person confirmed it (Google's
        and OpenID Connect's ``email_verified``, GitHub's ``verified``, WordPress.com's
        ``email_verified``); only those addresses are stored as verified.
        """
        return False
