"""The public JSON API as a widget (or any client) uses it: reading a page's conversation,
commenting, replying, liking, editing and deleting one's own, counts for many pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from salon.discussion.models import Comment, DiscussionSettings
from salon.publishing.models import Post

pytestmark = pytest.mark.django_db


def _ids(comments) -> list[int]:
    return [c["id"] for c in comments]


def test_a_page_without_comments_has_an_open_empty_thread(api, host_site):
    page = host_site.page("/notes/first/")

    answer = api.thread(page)

    assert answer.status == 200
    assert answer.data["thread"] is None
    assert answer.data["open"] is True
    assert answer.data["comments"] == []
    assert answer.data["heading"] == ""
    assert answer.headers["Access-Control-Allow-Origin"] == host_site.base


def test_the_first_comment_opens_the_pages_conversation_outside_the_blog(api, host_site, client):
    page = host_site.page("/notes/first/", title="First notes")

    posted = api.post_comment(page + "#comments", title="First notes", text="Lovely *notes*.")

    assert posted.status == 201, posted.data
    assert posted.data["status"] == "published"
    assert posted.data["comment"]["html"] == "<p>Lovely <em>notes</em>.</p>"
    assert posted.data["token"]
    post = Post.objects.get(kind=Post.Kind.ELSEWHERE)
    assert post.external_url == page
    assert post.title == "First notes"

    thread = api.thread(page)
    assert thread.data["thread"] == post.pk
    assert thread.data["heading"] == "One thought on “First notes”"
    [comment] = thread.data["comments"]
    assert comment["number"] == 1
    assert comment["author"]["avatar"].startswith("http://testserver/avatar/")
    assert comment["replies"] == []

    # The blog itself never lists it.
    assert "First notes" not in client.get("/").content.decode()
    assert "First notes" not in client.get("/feed/").content.decode()


def test_replies_nest_and_comments_are_numbered_in_reading_order(api, host_site):
    page = host_site.page("/essay/")
    first = api.post_comment(page, text="First.").data["comment"]["id"]
    reply = api.post_comment(page, text="A reply.", parent=first).data["comment"]["id"]
    api.post_comment(page, text="A reply to the reply.", parent=reply)
    api.post_comment(page, text="Second.")

    comments = api.thread(page).data["comments"]

    assert [c["number"] for c in comments] == [1, 4]
    [answer] = comments[0]["replies"]
    assert answer["id"] == reply and answer["parent"] == first and answer["number"] == 2
    assert answer["replies"][0]["html"] == "<p>A reply to the reply.</p>"
    assert answer["replies"][0]["number"] == 3


def test_a_big_thread_comes_in_pages_of_top_level_comments(api, host_site):
    page = host_site.page("/busy/")
    tops = [api.post_comment(page, text=f"Top {i}.").data["comment"]["id"] for i in range(3)]
    api.post_comment(page, text="Under the last.", parent=tops[2])

    first = api.thread(page, limit=2)
    second = api.thread(page, limit=2, offset=first.data["next_offset"])

    assert _ids(first.data["comments"]) == tops[:2]
    assert first.data["threads"] == 3 and first.data["next_offset"] == 2
    assert _ids(second.data["comments"]) == tops[2:]
    assert second.data["comments"][0]["replies"][0]["number"] == 4
    assert second.data["next_offset"] is None


def test_a_held_comment_is_shown_to_its_author_alone(api, host_site):
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"hold_all": True})
    page = host_site.page("/held/")

    posted = api.post_comment(page, text="Please let me in.")

    assert posted.status == 201
    assert posted.data["status"] == "awaiting"
    token = posted.data["token"]
    assert api.thread(page).data["comments"] == []
    [mine] = api.thread(page, token=token).data["comments"]
    assert mine["awaiting"] is True
    assert mine["editable_until"] is not None


def test_the_author_edits_within_the_window_and_no_one_else_can(api, host_site):
    page = host_site.page("/edit/")
    posted = api.post_comment(page, text="Teh first draft.")
    comment_id, token = posted.data["comment"]["id"], posted.data["token"]
    path = f"/api/v1/comments/{comment_id}"

    stranger = api.send(
        "PATCH", path, {"text": "Vandalised."}, token=api.post_comment(page).data["token"]
    )
    nobody = api.send("PATCH", path, {"text": "Vandalised."})
    edited = api.send("PATCH", path, {"text": "The first draft."}, token=token)

    assert stranger.status == 403 and nobody.status == 403
    assert edited.status == 200
    assert edited.data["comment"]["html"] == "<p>The first draft.</p>"
    assert api.thread(page, token=token).data["comments"][0]["editable_until"]

    Comment.objects.filter(pk=comment_id).update(created_at=timezone.now() - timedelta(hours=1))
    late = api.send("PATCH", path, {"text": "Too late."}, token=token)
    assert late.status == 403
    assert "minutes after it is posted" in late.data["error"]
    assert Comment.objects.get(pk=comment_id).content == "The first draft."


def test_the_author_deletes_within_the_window(api, host_site):
    page = host_site.page("/delete/")
    posted = api.post_comment(page)
    path = f"/api/v1/comments/{posted.data['comment']['id']}"

    assert api.send("DELETE", path).status == 403
    assert api.send("DELETE", path, token=posted.data["token"]).status == 204
    assert api.thread(page).data["comments"] == []


def test_likes_are_toggled_and_shown_to_the_reader(api, host_site):
    page = host_site.page("/liked/")
    comment_id = api.post_comment(page).data["comment"]["id"]

    liked = api.like(comment_id)
    token = liked.data["token"]
    again = api.like(comment_id, token=token)
    third = api.like(comment_id, token=token)

    assert liked.data == {
        "liked": True,
        "likes": 1,
        "likes_label": "Liked by 1 person",
        "token": token,
    }
    assert again.data["liked"] is False and again.data["likes"] == 0
    assert third.data["liked"] is True
    mine = api.thread(page, token=token).data["comments"][0]
    others = api.thread(page).data["comments"][0]
    assert mine["liked"] is True and mine["likes"] == 1
    assert others["liked"] is False and others["likes_label"] == "Liked by 1 person"


def test_counts_for_many_pages_in_one_request(api, host_site):
    busy, quiet = host_site.page("/busy/"), host_site.page("/quiet/")
    api.post_comment(busy)
    api.post_comment(busy)

    answer = api.get("/api/v1/counts", url=[busy + "#comments", quiet])

    assert answer.status == 200
    assert answer.data["counts"] == {
        busy + "#comments": {"count": 2, "label": "2 comments"},
        quiet: {"count": 0, "label": "0 comments"},
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"url": ', "body"),
        ("[1, 2]", "body"),
        ({"url": "ftp://elsewhere/x", "text": "hi", "name": "A", "email": "a@example.net"}, "url"),
        ({"text": "hi", "name": "A", "email": "a@example.net"}, "url"),
        ({"url": "PAGE", "name": "A", "email": "a@example.net"}, "text"),
        ({"url": "PAGE", "text": "hi", "name": "A", "email": "not an address"}, "email"),
        ({"url": "PAGE", "text": "hi", "email": "a@example.net"}, "name"),
        ({"url": "PAGE", "text": 7, "name": "A", "email": "a@example.net"}, "text"),
        (
            {"url": "PAGE", "text": "hi", "name": "A", "email": "a@example.net", "parent": "x"},
            "parent",
        ),
        (
            {"url": "PAGE", "text": "hi", "name": "A", "email": "a@example.net", "parent": 99},
            "parent",
        ),
    ],
)
def test_bad_input_gets_400_naming_the_field(api, host_site, body, field):
    page = host_site.page("/bad/")
    if isinstance(body, dict) and body.get("url") == "PAGE":
        body["url"] = page

    answer = api.send("POST", "/api/v1/comments", body)

    assert answer.status == 400
    assert answer.data["field"] == field
    assert answer.data["error"]
    assert not Comment.objects.exists()


def test_the_form_messages_are_the_comment_forms_own(api, host_site):
    page = host_site.page("/messages/")
    answer = api.post_comment(page, email="not an address")
    assert answer.data["error"] == "Please enter a valid email address."


def test_a_site_not_allowed_gets_403_and_no_cors(host_site):
    from tests.embed.conftest import ApiClient

    stranger = ApiClient(origin="https://elsewhere.example")
    page = host_site.page("/private/")

    read = stranger.thread(page)
    preflight = stranger.client.options("/api/v1/comments", HTTP_ORIGIN="https://elsewhere.example")

    assert read.status == 403
    assert "Access-Control-Allow-Origin" not in read.headers
    assert preflight.status_code == 403
    assert "Access-Control-Allow-Origin" not in preflight


def test_pages_of_a_site_not_allowed_get_no_conversation(api):
    answer = api.post_comment("https://elsewhere.example/page/")
    assert answer.status == 403
    assert answer.data["field"] == "url"
    assert not Post.objects.filter(kind=Post.Kind.ELSEWHERE).exists()


def test_the_allowed_sites_preflight_is_answered(api, host_site):
    response = api.client.options(
        "/api/v1/comments",
        HTTP_ORIGIN=host_site.base,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, x-salon-token",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == host_site.base
    assert "X-Salon-Token" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_an_allowed_site_can_be_added_in_the_administration(host_site, settings):
    from salon.embed.models import EmbedOrigin
    from tests.embed.conftest import ApiClient

    later = ApiClient(origin="https://later.example")
    assert later.thread("https://later.example/a/").status == 403

    EmbedOrigin.objects.create(origin="HTTPS://Later.Example:443/")

    assert later.thread("https://later.example/a/").status == 200


def test_a_forged_token_gets_401(api, host_site):
    answer = api.thread(host_site.page("/x/"), token="not-a-token")
    assert answer.status == 401
    assert answer.data["field"] == "X-Salon-Token"


def test_the_api_ignores_cookies_so_no_page_can_write_in_a_readers_name(api, host_site, author):
    """A logged-in reader's session cookie does not make an API write theirs: only the
    token does (so a page elsewhere cannot forge a request with the reader's cookies)."""
    api.client.force_login(author)
    page = host_site.page("/cookies/")

    posted = api.post_comment(page, name="Someone", email="someone@example.net")

    comment = Comment.objects.get()
    assert comment.user is None and comment.author_name == "Someone"
    assert "Set-Cookie" not in str(posted.headers.items())
    assert not posted.headers.cookies


def test_comment_rate_limit_is_shared_with_the_form_and_says_when_to_retry(
    api, host_site, settings, post, comment_form
):
    settings.SALON = {**settings.SALON, "COMMENT_RATE": "2/m", "FLOOD_SECONDS": 0}
    page = host_site.page("/limit/")
    api.client.post("/comments/post/", comment_form(post), REMOTE_ADDR="10.1.1.1")

    second = api.post_comment(page, ip="10.1.1.1")
    third = api.post_comment(page, ip="10.1.1.1")

    assert second.status == 201
    assert third.status == 429
    assert 1 <= int(third.headers["Retry-After"]) <= 60
    assert Comment.objects.count() == 2


def test_the_flood_guard_answers_429_with_retry_after(api, host_site):
    page = host_site.page("/flood/")
    assert api.post_comment(page, ip="10.2.2.2").status == 201

    again = api.post_comment(page, ip="10.2.2.2")

    assert again.status == 429
    assert again.headers["Retry-After"] == "15"
    assert again.data["error"] == "You are posting comments too quickly. Slow down."


def _catalogue(path, translations: dict[str, str]) -> None:
    """A compiled gettext catalogue (GNU .mo) holding ``translations``."""
    import struct

    entries = sorted({"": "Content-Type: text/plain; charset=UTF-8\n", **translations}.items())
    ids = b"".join(k.encode() + b"\0" for k, _v in entries)
    strs = b"".join(v.encode() + b"\0" for _k, v in entries)
    n = len(entries)
    start = 7 * 4 + 16 * n
    table_ids, table_strs, offset = [], [], start
    for k, _v in entries:
        table_ids += [len(k.encode()), offset]
        offset += len(k.encode()) + 1
    for _k, v in entries:
        table_strs += [len(v.encode()), offset]
        offset += len(v.encode()) + 1
    header = struct.pack("<7I", 0x950412DE, 0, n, 28, 28 + 8 * n, 0, start)
    body = struct.pack(f"<{4 * n}I", *table_ids, *table_strs)
    path.parent.mkdir(parents=True)
    path.write_bytes(header + body + ids + strs)


def test_the_widget_speaks_the_pages_language_when_salon_has_it(api, settings, tmp_path):
    """Salon ships no catalogue yet, so a French page gets English words and says so; once
    Salon has French, the widget's words come in French, from the same catalogue."""
    french = api.get("/api/v1/config", lang="fr-CA")
    assert french.data["language"] == "en"
    assert french.data["strings"]["submit"] == "Post Comment"

    _catalogue(
        tmp_path / "fr" / "LC_MESSAGES" / "django.mo", {"Post Comment": "Laisser un commentaire"}
    )
    settings.LOCALE_PATHS = [tmp_path]
    french = api.get("/api/v1/config", lang="fr-CA")
    assert french.data["language"] == "fr"
    assert french.data["strings"]["submit"] == "Laisser un commentaire"


def test_an_authors_website_is_a_link_only_when_it_is_a_web_address(api, host_site):
    page = host_site.page("/links/")
    good = api.post_comment(page, website="https://ada.example/").data["comment"]["id"]
    bad = api.post_comment(page).data["comment"]["id"]
    Comment.objects.filter(pk=bad).update(author_url="javascript:alert(1)")  # as an import may

    shown = {c["id"]: c["author"]["website"] for c in api.thread(page).data["comments"]}

    assert shown == {good: "https://ada.example/", bad: ""}


def test_what_other_apps_know_of_a_comment_reaches_the_json(api, host_site):
    """The thread sends ``thread_arranged`` as the post page does, so a reply's handle and
    original (the fediverse's, or any later app's) show in the widget as on the blog."""
    from salon.discussion.signals import thread_arranged

    page = host_site.page("/arranged/")
    comment_id = api.post_comment(page).data["comment"]["id"]

    def decorate(entries, **signal):
        for entry in entries:
            entry.handle = "@ada@social.example"
            entry.original_url = "https://social.example/@ada/1"
            entry.avatar = "/avatar/0123456789abcdef01234567.svg"

    thread_arranged.connect(decorate, dispatch_uid="test.decorate")
    try:
        [shown] = api.thread(page).data["comments"]
    finally:
        thread_arranged.disconnect(dispatch_uid="test.decorate")

    assert shown["id"] == comment_id
    assert shown["author"]["handle"] == "@ada@social.example"
    assert shown["original_url"] == "https://social.example/@ada/1"
    assert shown["author"]["avatar"] == "http://testserver/avatar/0123456789abcdef01234567.svg"
