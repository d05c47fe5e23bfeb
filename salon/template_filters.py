"""Filters every Django template may use (registered as a builtin in ``TEMPLATES``); the
Jinja2 environment (``salon/jinja2.py``) registers the same functions. Each is owned
elsewhere; this only registers it."""

from __future__ import annotations

from django import template

from salon.web_addresses import web_address

register = template.Library()
register.filter("web_address", web_address)
