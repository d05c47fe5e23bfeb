"""The blog as the fediverse finds it: WebFinger, its actor, NodeInfo, posts as Articles."""

from __future__ import annotations

import pytest

from salon.fediverse.models import FediverseSettings
from salon.publishing.models import Post, Tag

pytestmark = pytest.mark.django_db

AP = "application/activity+json"


def test_webfinger_finds_the_blog_by_its_handle(client, fediverse_site):
    response = client.get("/.well-known/webfinger", {"resource": "acct:blog@testserver"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jrd+json")
    jrd = response.json()
    assert jrd["subject"] == "acct:blog@testserver"
    self_link = next(link for link in jrd["links"] if link["rel"] == "self")
    assert self_link == {"rel": "self", "type": AP, "href": "http://testserver/fediverse/blog/"}


def test_webfinger_says_no_for_other_accounts_and_hosts(client, fediverse_site, author, post):
    assert (
        client.get(
            "/.well-known/webfinger", {"resource": "acct:blog@elsewhere.example"}
        ).status_code
        == 404
    )
    # Authors are accounts only when the owner turns it on.
    assert (
        client.get("/.well-known/webfinger", {"resource": "acct:owner@testserver"}).status_code
        == 404
    )
    assert client.get("/.well-known/webfinger").status_code == 400
    FediverseSettings.objects.update_or_create(pk=1, defaults={"author_actors": True})
    found = client.get("/.well-known/webfinger", {"resource": "acct:owner@testserver"})
    assert found.status_code == 200
    assert found.json()["links"][0]["href"] == "http://testserver/fediverse/authors/owner/"
    # An account without posts is not offered.
    assert (
        client.get("/.well-known/webfinger", {"resource": "acct:writer@testserver"}).status_code
        == 404
    )


def test_the_actor_has_what_servers_need(client, fediverse_site):
    actor = client.get("/fediverse/blog/", HTTP_ACCEPT=AP).json()
    assert actor["type"] == "Organization"
    assert actor["preferredUsername"] == "blog"
    for key in ("inbox", "outbox", "followers", "name", "summary", "icon", "url"):
        assert actor[key], key
    assert actor["publicKey"]["owner"] == actor["id"]
    assert actor["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert actor["endpoints"]["sharedInbox"] == "http://testserver/fediverse/inbox/"
    icon = client.get(actor["icon"]["url"].removeprefix("http://testserver"))
    assert icon["Content-Type"] == "image/png" and icon.content.startswith(b"\x89PNG")
    # The key is made once and kept.
    again = client.get("/fediverse/blog/", HTTP_ACCEPT=AP).json()
    assert again["publicKey"]["publicKeyPem"] == actor["publicKey"]["publicKeyPem"]


def test_nodeinfo_is_served(client, fediverse_site, post):
    # A conversation under another site's page is not one of the blog's posts.
    Post.objects.create(
        kind=Post.Kind.ELSEWHERE,
        title="Elsewhere",
        slug="elsewhere",
        external_url="https://static.example/notes/",
        author=post.author,
        status=Post.Status.PUBLISHED,
        published_at=post.published_at,
    )
    links = client.get("/.well-known/nodeinfo").json()["links"]
    info = client.get(links[0]["href"].removeprefix("http://testserver")).json()
    assert info["software"]["name"] == "salon"
    assert info["protocols"] == ["activitypub"]
    assert info["usage"]["localPosts"] == 1


def test_a_post_is_an_article_at_its_permalink(client, fediverse_site, post):
    post.body = '<p>See <a href="/about/">about</a> and <img src="/media/a.png" alt="a"></p>'
    post.excerpt = "A short summary."
    post.save()
    tag = Tag.objects.create(name="slow web")
    post.tags.add(tag)
    page = client.get(post.get_absolute_url())
    assert page["Content-Type"].startswith("text/html")
    assert "Accept" in page["Vary"]
    assert 'type="application/activity+json"' in page.content.decode()
    response = client.get(post.get_absolute_url(), HTTP_ACCEPT=AP)
    assert response["Content-Type"].startswith(AP)
    article = response.json()
    assert article["type"] == "Article"
    assert article["id"] == f"http://testserver/fediverse/posts/{post.pk}/"
    assert article["name"] == post.title
    assert article["url"] == f"http://testserver{post.get_absolute_url()}"
    assert article["summary"] == "A short summary."
    assert article["attributedTo"] == "http://testserver/fediverse/blog/"
    assert 'href="http://testserver/about/"' in article["content"]
    assert 'src="http://testserver/media/a.png"' in article["content"]
    assert article["tag"] == [
        {"type": "Hashtag", "href": "http://testserver/tag/slow-web/", "name": "#SlowWeb"}
    ]
    assert article["published"] and article["updated"]
    replies = client.get(article["replies"].removeprefix("http://testserver"), HTTP_ACCEPT=AP)
    assert replies.json()["totalItems"] == 0
    # Its own id answers with the same object.
    assert client.get(f"/fediverse/posts/{post.pk}/", HTTP_ACCEPT=AP).json()["id"] == article["id"]


def test_drafts_are_not_objects(client, fediverse_site, make_post):
    draft = make_post(status="draft")
    assert client.get(f"/fediverse/posts/{draft.pk}/", HTTP_ACCEPT=AP).status_code == 404
