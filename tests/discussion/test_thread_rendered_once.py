"""After a change to a conversation, the readers who ask for its page at once, whichever
worker of a real ``salon serve`` answers them, are served the new thread rendered once in the
whole server; and the guard behind that never fails a reader nor serves them an old thread.

Renders are counted in the server's log: each one is logged at INFO with the thread's key
(``SALON_LOG_LEVEL=INFO``), wherever it happens, by the one function that renders."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.core.cache import cache

from salon import render_once as guard
from tests.served import Reader, make_site

READERS = 12
COMMENTS = 400

SEED = """
from datetime import timedelta
from django.utils import timezone
from salon.discussion.counts import refresh_comment_counts
from salon.discussion.models import Comment
from salon.publishing.models import Post
post = Post.objects.get()
start = timezone.now() - timedelta(days=1)
Comment.objects.bulk_create(
    Comment(post=post, author_name=f"Reader {n}", author_email=f"r{n}@example.net",
            content=f"Remark {n}", content_html=f"<p>Remark {n}</p>", status="approved",
            created_at=start + timedelta(minutes=n))
    for n in range(COMMENTS)
)
refresh_comment_counts([post.pk])
print("seeded")
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = tmp_path_factory.mktemp("render-once")
    site = make_site(data, "site", workers=3, SALON_FLOOD_SECONDS="0")
    site.python(f"COMMENTS = {COMMENTS}\n" + SEED)
    log = data / "server.log"
    site.serve(log=log, SALON_LOG_LEVEL="INFO")
    yield site, log
    site.stop()


def _renders(log, post_id: int, since: int) -> list[str]:
    """The renders of the post's thread logged after ``since`` bytes of the log."""
    with log.open() as text:
        text.seek(since)
        return re.findall(rf"rendered salon:thread:\d+:{post_id}:\S+", text.read())


def _at_once(site, clients: list[httpx.Client]) -> list[str]:
    """Every client asks for the post's page at the same moment; their pages."""
    start = threading.Barrier(len(clients))

    def ask(client: httpx.Client) -> str:
        start.wait()
        response = client.get(site.post_path)
        assert response.status_code == 200
        return response.text

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(ask, clients))


def test_readers_at_once_after_a_change_cost_one_thread_render(served):
    site, log = served
    commenter = Reader(site)  # its first page renders the seeded thread
    liker = Reader(site)
    assert len(_renders(log, site.post_id, 0)) == 1

    since = log.stat().st_size
    answer = commenter.comment("192.0.2.7", "A new thought, just now.", "new@example.net")
    assert answer.status_code == 302
    readers = [httpx.Client(base_url=site.url, timeout=60) for _ in range(READERS)]
    pages = _at_once(site, [*readers, commenter.client])
    assert all("A new thought, just now." in page for page in pages)
    assert all(page.count('<li id="comment-') == COMMENTS + 1 for page in pages)
    assert len(_renders(log, site.post_id, since)) == 1, log.read_text()[-3000:]

    # A like is a change too: the count under the comment is rendered again, once.
    first = re.search(r'<li id="comment-(\d+)"', pages[0]).group(1)
    since = log.stat().st_size
    liked = liker.client.post(
        "/likes/",
        data={"csrfmiddlewaretoken": liker.token, "post": site.post_id, "comment": first},
        headers={"Referer": site.url + site.post_path},
    )
    assert liked.status_code == 302
    pages = _at_once(site, [httpx.Client(base_url=site.url, timeout=60) for _ in range(READERS)])
    assert all(page.count("Liked by 1 person") == 1 for page in pages)
    assert len(_renders(log, site.post_id, since)) == 1
    assert "rendering it here" not in log.read_text()


# The guard itself, in one process, with each cache a site runs on (diskcache in the data
# directory, or Redis): other readers are threads here, processes in a server.


@pytest.fixture(params=["diskcache", "redis"])
def shared_cache(request):
    if request.param == "redis":
        request.getfixturevalue("redis_cache")


def _reader(key: str):
    return lambda: cache.get(key)


def _storing(key: str, value: str, rendered: list[str]):
    def render() -> str:
        rendered.append(value)
        cache.set(key, value)
        return value

    return render


def test_a_reader_waits_for_the_render_another_holds_and_is_served_it(shared_cache):
    key = "test:render-once:wait"
    cache.delete(key)
    claimed, waiting, release = threading.Event(), threading.Event(), threading.Event()
    rendered: list[str] = []

    def slow() -> str:
        claimed.set()
        release.wait(10)
        return _storing(key, "first", rendered)()

    looks = []

    def look_while_waiting() -> str | None:
        looks.append(1)
        if len(looks) == 2:  # it looked, found nothing, could not claim, and looks again
            waiting.set()
        return cache.get(key)

    with ThreadPoolExecutor(2) as pool:
        holder = pool.submit(guard.render_once, key, _reader(key), slow)
        claimed.wait(10)
        waiter = pool.submit(
            guard.render_once, key, look_while_waiting, _storing(key, "second", rendered), 10
        )
        assert waiting.wait(10)
        release.set()
        assert (holder.result(), waiter.result()) == ("first", "first")
    assert rendered == ["first"]


def test_a_reader_renders_for_itself_when_the_holder_died(shared_cache):
    key = "test:render-once:dead"
    cache.delete(key)
    cache.set(f"{key}:rendering", "a process that was killed", 60)
    rendered: list[str] = []
    value = guard.render_once(key, _reader(key), _storing(key, "fresh", rendered), wait=0.05)
    assert value == "fresh" and rendered == ["fresh"]
    cache.delete(f"{key}:rendering")


def test_a_failed_render_frees_the_claim_for_the_next_reader(shared_cache):
    key = "test:render-once:failed"
    cache.delete(key)

    def broken() -> str:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        guard.render_once(key, _reader(key), broken)
    # Released: the next reader claims the render at once, rather than wait in vain.
    assert cache.get(f"{key}:rendering") is None
    rendered: list[str] = []
    value = guard.render_once(key, _reader(key), _storing(key, "fresh", rendered))
    assert value == "fresh" and rendered == ["fresh"]
