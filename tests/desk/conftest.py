"""Fixtures for the moderation screen: comments in every status, made as the pipeline would."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from salon.discussion.models import Comment

_n = itertools.count(1)


@pytest.fixture
def make_comment(post):
    def make(status: str = Comment.Status.PENDING, **fields) -> Comment:
        n = next(_n)
        values = {
            "post": post,
            "author_name": f"Commenter {n}",
            "author_email": f"c{n}@example.net",
            "author_ip": f"198.51.100.{n % 250 + 1}",
            "content": f"Remark number {n}.",
            "content_html": f"<p>Remark number {n}.</p>",
            "status": status,
            "created_at": timezone.now() - timedelta(minutes=n),
        }
        values.update(fields)
        return Comment.objects.create(**values)

    return make


@pytest.fixture
def staff(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


JSON = {"HTTP_ACCEPT": "application/json"}
SCREEN = "/admin/moderation/"
ACT = "/admin/moderation/act/"
