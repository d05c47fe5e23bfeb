"""What every importer does to a field that comes from elsewhere before Salon stores it."""

from __future__ import annotations

import ipaddress

from django.utils import timezone

from salon.web_addresses import web_address


def imported_address(text: str) -> str:
    """A web address from an export file as Salon stores it: http(s) only, else "".

    An address without a scheme ("example.com") is read as WordPress shows it, with
    ``http://``; ``javascript:`` and every other scheme are dropped, since the address
    becomes a link on the page.
    """
    return web_address(text, assume_scheme="http")


def valid_ip(text: str) -> str | None:
    """The address if it is a valid IPv4/IPv6 address (the database column insists)."""
    text = (text or "").strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def with_status_since(fields: dict, previous_status: str) -> dict:
    """An update of an imported comment, with ``status_since`` set to now when the update
    changes its status: retention counts the spam and trash periods from that moment."""
    if "status" in fields and fields["status"] != previous_status:
        return {**fields, "status_since": timezone.now()}
    return fields
