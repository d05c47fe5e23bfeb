"""A post's stored comment count stays true when comments are committed at once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from salon.discussion.models import Comment

pytestmark = pytest.mark.django_db(transaction=True)


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite writes one transaction at a time (and its shared in-memory test database "
    "refuses a second writer rather than wait)",
)
def test_two_comments_stored_at_once_are_both_counted(post):
    """The second transaction's recount waits for the first to commit (the post's row is
    locked before it counts), then counts both: neither count misses the other's comment."""
    first_counted, release = threading.Event(), threading.Event()
    errors = []

    def store(text: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                Comment.objects.create(post=post, content=text, status=Comment.Status.APPROVED)
                if hold:  # counted, not yet committed
                    first_counted.set()
                    release.wait(10)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=store, args=("First.", True))
    second = threading.Thread(target=store, args=("Second.", False))
    first.start()
    assert first_counted.wait(10)
    second.start()
    deadline = time.monotonic() + 5
    while not _waiting_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    release.set()
    first.join(10)
    second.join(10)
    assert not errors
    post.refresh_from_db()
    assert post.comment_count == 2 == post.comments.approved().count()
