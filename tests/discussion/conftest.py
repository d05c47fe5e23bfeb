"""Fixtures for the discussion tests: a real web site on loopback, for mentions."""

from tests.mentions.article_server import allow_loopback, other_site  # noqa: F401
