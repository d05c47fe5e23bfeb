"""The moderation screen in a real browser: a moderator works the queue by keyboard alone
(approve, spam, undo, reply), and the same screen works with JavaScript off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.e2e.accessibility import page_width, serious_violations

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests need Playwright (pip install -e '.[test]')"
)
expect = sync_api.expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def queue(transactional_db, live_server, django_user_model):
    """Three comments waiting on a post, newest first: Ada, Bea, Cy; and the owner's session."""
    from salon.discussion.models import Comment
    from salon.publishing.models import Post

    owner = django_user_model.objects.create_superuser("owner", "owner@example.org", "pw-owner-1")
    post = Post.objects.create(
        title="Treaties and their words",
        author=owner,
        body="<p>A post.</p>",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
    )
    made = {}
    for minutes, name in enumerate(["Ada", "Bea", "Cy"]):
        made[name] = Comment.objects.create(
            post=post,
            author_name=name,
            author_email=f"{name.lower()}@example.net",
            author_ip=f"198.51.100.{minutes + 1}",
            content=f"{name}'s remark.",
            content_html=f"<p>{name}'s remark.</p>",
            status=Comment.Status.PENDING,
            created_at=timezone.now() - timedelta(minutes=minutes + 1),
            spam_score=0.3,
            spam_reasons=[{"signal": "hold_all", "weight": 0.0, "message": "held for review"}],
        )
    client = Client()
    client.force_login(owner)
    session = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    return live_server.url, session, made


def _logged_in(page, base: str, session: dict) -> None:
    page.context.add_cookies([{**session, "url": base}])


def test_a_moderator_works_the_queue_by_keyboard(page, queue):
    from salon.discussion.models import Comment

    base, session, made = queue
    _logged_in(page, base, session)
    page.goto(f"{base}/admin/moderation/?status=pending")
    pending_tab = page.locator(".desk-tabs a[data-tab=pending] .desk-count")
    expect(pending_tab).to_have_text("(3)")
    expect(page.locator("#nav-sidebar .desk-badge")).to_contain_text("3")

    row = lambda name: page.locator(f"#desk-c-{made[name].pk}")  # noqa: E731
    page.keyboard.press("j")
    expect(row("Ada")).to_be_focused()
    page.keyboard.press("a")  # approve
    expect(row("Ada")).to_contain_text("Comment by Ada approved.")
    expect(pending_tab).to_have_text("(2)")
    expect(page.locator("#nav-sidebar .desk-badge")).to_contain_text("2")
    assert Comment.objects.get(pk=made["Ada"].pk).status == "approved"

    page.keyboard.press("j")
    expect(row("Bea")).to_be_focused()
    page.keyboard.press("s")  # spam
    expect(row("Bea")).to_contain_text("Comment by Bea marked as spam.")
    assert Comment.objects.get(pk=made["Bea"].pk).status == "spam"
    page.keyboard.press("z")  # undo
    expect(row("Bea")).to_have_attribute("data-status", "pending")
    expect(row("Bea")).to_contain_text("Bea's remark.")
    expect(page.locator("#desk-notices")).to_contain_text("1 change undone.")
    assert Comment.objects.get(pk=made["Bea"].pk).status == "pending"

    page.keyboard.press("r")  # reply, which approves the comment it answers
    box = row("Bea").get_by_label("Reply to Bea")
    expect(box).to_be_focused()
    page.keyboard.type("Thank you, Bea.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#desk-notices")).to_contain_text("Comment approved and your reply")
    reply = Comment.objects.get(parent=made["Bea"].pk)
    assert reply.status == "approved" and reply.user.username == "owner"
    assert Comment.objects.get(pk=made["Bea"].pk).status == "approved"
    expect(page.locator(f"#desk-c-{reply.pk}")).to_be_attached()
    expect(pending_tab).to_have_text("(1)")

    assert serious_violations(page, "#content") == []
    page.set_viewport_size({"width": 390, "height": 800})
    assert page_width(page) <= 390


def test_the_screen_works_without_javascript(page_without_js, queue):
    from salon.discussion.models import Comment

    base, session, made = queue
    page = page_without_js
    _logged_in(page, base, session)
    page.goto(f"{base}/admin/moderation/?status=pending")
    page.locator(f"#desk-c-{made['Cy'].pk}").get_by_role("button", name="Spam").click()
    expect(page.locator("#desk-notices")).to_contain_text("1 comment marked as spam.")
    assert Comment.objects.get(pk=made["Cy"].pk).status == "spam"
    expect(page.locator(f"#desk-c-{made['Cy'].pk}")).to_have_count(0)
    page.locator("#desk-notices").get_by_role("button", name="Undo").click()
    expect(page.locator(f"#desk-c-{made['Cy'].pk}")).to_be_visible()
    assert Comment.objects.get(pk=made["Cy"].pk).status == "pending"


def test_spam_is_deleted_permanently_from_its_tab(page, queue):
    from salon.discussion.models import Comment

    base, session, made = queue
    Comment.objects.filter(pk=made["Cy"].pk).update(status=Comment.Status.SPAM)
    _logged_in(page, base, session)
    page.goto(f"{base}/admin/moderation/?status=spam")
    spam_tab = page.locator(".desk-tabs a[data-tab=spam] .desk-count")
    expect(spam_tab).to_have_text("(1)")
    row = page.locator(f"#desk-c-{made['Cy'].pk}")
    assert serious_violations(page, "#content") == []

    row.get_by_role("button", name="Delete permanently").click()

    expect(row).to_contain_text("Comment by Cy deleted permanently.")
    expect(page.locator("#desk-notices")).to_contain_text("1 comment deleted permanently.")
    expect(page.locator("#desk-notices").get_by_role("button", name="Undo")).to_have_count(0)
    expect(spam_tab).to_have_text("(0)")
    assert not Comment.objects.filter(pk=made["Cy"].pk).exists()
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 2
