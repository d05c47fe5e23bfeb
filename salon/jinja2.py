"""The Jinja2 environment (used for the comment thread): autoescaping, Django's translations
through Jinja2's i18n extension, so translated strings live in the template, and the same
filters as Django's templates (``salon/template_filters.py``)."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext
from jinja2 import Environment

from salon.web_addresses import web_address


def environment(**options) -> Environment:
    """Django's Jinja2 backend calls this to build the environment."""
    env = Environment(**{**options, "extensions": ["jinja2.ext.i18n"]})
    # New-style gettext: ``_("…%(n)s", n=…)`` formats, and the active language is read at
    # each call, so one environment serves every request's language.
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.filters["web_address"] = web_address
    return env
