"""The API against its own description, by schemathesis: generated requests (valid ones and
broken ones) for every operation, each answered as described and never with a 500.

Bounded: a fixed number of examples per operation, no deadline per example (the machine is
shared), so the whole file takes seconds, not minutes.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from salon.discussion.models import Comment
from salon.embed.openapi import EXAMPLE_PAGE
from tests.embed.conftest import HOST

EXAMPLES = 40


# The description as the site serves it, called in-process through Salon's WSGI app.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def target(request, db, host_site, settings):  # noqa: F811  (pytest-django's settings)
    """Writes are not limited here (every example comes from one address within seconds):
    the limits have their own tests, and the fuzzer's job is what lies behind them. A
    conversation with a comment exists, so ids and addresses can hit something real."""
    settings.SALON = {
        **settings.SALON,
        "COMMENT_RATE": "100000/m",
        "LIKE_RATE": "100000/m",
        "FLOOD_SECONDS": 0,
        # The site of the description's examples (whose pages Salon never fetches).
        "EMBED_ORIGINS": [HOST, "https://blog.example"],
    }
    from django.test import Client

    Client().post(
        "/api/v1/comments",
        {
            "url": HOST + "/fuzzed/",
            "text": "A comment to aim at.",
            "name": "Target",
            "email": "target@example.net",
        },
        content_type="application/json",
    )
    assert Comment.objects.exists()
    # Requests go through the WSGI app, which closes the database connection after each one;
    # inside the test's transaction it must not (Django's own test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    if request.node.name.endswith("[POST /api/v1/comments]"):
        # The description's own example was sent as it is, and taken.
        assert Comment.objects.filter(post__external_url=EXAMPLE_PAGE).exists()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_answers_as_described_and_never_fails(case, target):
    # Every check but one: that each request the schema allows is accepted. The schema
    # cannot say everything a page address or a comment must be (a host that resolves to
    # a name, a text that is not blank), so some requests it allows are refused with 400,
    # naming the field, as they should be.
    # Called through WSGI, where nothing undoes a gzip encoding an HTTP client would: ask
    # for the body as it is (what it says is the schema's business, not how it travels).
    case.call_and_validate(
        headers={"Origin": HOST, "Accept-Encoding": "identity"},
        excluded_checks=[positive_data_acceptance],
    )
