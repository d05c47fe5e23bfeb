"""Threads: replies nest under their parents, to the configured depth and no deeper."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from salon.discussion.models import Comment, DiscussionSettings
from salon.discussion.threads import ThreadEntry, arrange

pytestmark = pytest.mark.django_db


def _chain(post, length: int) -> list[Comment]:
    """A reply to a reply to … ``length`` comments, stored directly (as an import would)."""
    start = timezone.now() - timedelta(hours=1)
    chain: list[Comment] = []
    for i in range(length):
        chain.append(
            Comment.objects.create(
                post=post,
                parent=chain[-1] if chain else None,
                author_name=f"Level {i + 1}",
                content=f"level {i + 1}",
                content_html=f"<p>level {i + 1}</p>",
                status=Comment.Status.APPROVED,
                created_at=start + timedelta(minutes=i),
            )
        )
    return chain


def test_replies_nest_in_ordered_lists_and_are_numbered(client, post, post_comment):
    post_comment(post, author="First")
    first = Comment.objects.get()
    post_comment(post, author="Second")
    post_comment(post, author="Answer", parent=first.pk)
    page = client.get(post.get_absolute_url()).content.decode()
    answer = Comment.objects.get(author_name="Answer")
    assert answer.parent_id == first.pk
    nested = re.search(
        rf'id="comment-{first.pk}".*?<ol class="children"><li id="comment-{answer.pk}"', page, re.S
    )
    assert nested, "the reply should be inside the first comment's list item"
    numbers = re.findall(r'<span class="comment-number">(\d+)\.</span>', page)
    assert numbers == ["1", "2", "3"]
    # Display order: First, its reply, then Second.
    assert page.index(">Answer<") < page.index(">Second<")


def test_threads_render_at_the_configured_depth(client, post):
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"thread_depth": 3})
    chain = _chain(post, 6)
    page = client.get(post.get_absolute_url()).content.decode()
    for c in chain[:3]:
        assert f'class="comment depth-{chain.index(c) + 1}"' in page
    # Levels 4–6 are shown at the last level (3), in date order, as WordPress does.
    for c in chain[3:]:
        assert re.search(rf'<li id="comment-{c.pk}" class="comment depth-3">', page)
    assert page.count('<ol class="children">') == 2
    assert page.count("<li ") == page.count("</li>")
    assert page.count("<ol") == page.count("</ol>")


def test_a_reply_beyond_the_depth_attaches_at_the_last_level(post, post_comment):
    chain = _chain(post, 5)  # the default depth is 5
    response = post_comment(post, parent=chain[-1].pk, author="Deep")
    assert response.status_code == 302
    deep = Comment.objects.get(author_name="Deep")
    assert deep.parent_id == chain[3].pk  # a sibling of level 5, so it shows at level 5


def test_arrange_puts_orphans_at_the_top_and_keeps_dates_in_order(post):
    chain = _chain(post, 3)
    # The middle one is held, so its reply has no shown parent.
    visible = [ThreadEntry.of(chain[0]), ThreadEntry.of(chain[2])]
    entries = arrange(visible, 5)
    assert [e.id for e in entries] == [chain[0].pk, chain[2].pk]
    assert [e.depth for e in entries] == [1, 1]


def test_the_demo_post_reads_like_the_reference_page(client):
    from django.core.management import call_command

    call_command("demo")
    page = client.get("/2019/07/13/is-turkey-now-officially-an-ally-of-russia/").content.decode()
    assert "2 thoughts on “Is Turkey Now “Officially” an Ally of Russia?" in page
    assert "the Russian Federation […]</p>" in page
    assert "— © blogfactory</p>" in page
    assert "(see image below)" in page and '<img src="/media/' in page
    sha = page.index("Sha’Tara</a></b>")
    reply = page.index("Excellent point, Sha’Tara.")
    assert sha < page.index('<ol class="children">') < reply
    assert "Liked by 1 person" in page
    assert "Leave a Reply" in page
