"""Filters every template may use, in both engines: Django's (``builtins``) and Jinja2's
(the environment below). Each is a function owned elsewhere; this only registers it."""

from __future__ import annotations

from typing import Any

from django import template
from jinja2 import Environment

from salon.web_addresses import web_address

register = template.Library()
register.filter("web_address", web_address)


def jinja_environment(**options: Any) -> Environment:
    """The Jinja2 environment of the comment thread, with the same filters."""
    environment = Environment(**options)
    environment.filters["web_address"] = web_address
    return environment
