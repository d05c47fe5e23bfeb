"""The Jinja2 environment (used for the comment thread): autoescaping, and Django's
translations through Jinja2's i18n extension, so translated strings live in the template."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext
from jinja2 import Environment


def environment(**options) -> Environment:
    """Django's Jinja2 backend calls this to build the environment."""
    env = Environment(**{**options, "extensions": ["jinja2.ext.i18n"]})
    # New-style gettext: ``_("…%(n)s", n=…)`` formats, and the active language is read at
    # each call, so one environment serves every request's language.
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    return env
