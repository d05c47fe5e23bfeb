"""Moving out: `salon export_wxr` writes WXR 1.2 that reads back into the same site."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from salon.discussion.models import Comment
from salon.interchange.models import Attachment, ImportedItem
from salon.publishing.models import Category, Post, Tag

from .conftest import DATA

pytestmark = pytest.mark.django_db

WP = "{http://wordpress.org/export/1.2/}"


def site_state() -> dict:
    """What a reader or moderator would see, keyed by slugs and names rather than ids."""

    # WXR carries dates to the second, as WordPress stores them.
    def comment_key(comment: Comment | None):
        return (comment.author_name, comment.created_at.replace(microsecond=0)) if comment else None

    posts = {}
    for post in Post.objects.prefetch_related("categories", "tags").select_related("author"):
        comments = sorted(
            (
                comment_key(c),
                c.author_email,
                c.author_url,
                c.author_ip,
                c.content,
                c.status,
                c.kind,
                comment_key(c.parent),
            )
            for c in post.comments.select_related("parent")
        )
        posts[post.slug] = (
            post.title,
            post.kind,
            post.status,
            post.password,
            post.published_at.replace(microsecond=0),
            post.body,
            post.excerpt,
            post.is_sticky,
            post.comments_open,
            post.author.get_username(),
            sorted(c.slug for c in post.categories.all()),
            sorted(t.slug for t in post.tags.all()),
            post.comment_count,
            comments,
        )
    return {
        "posts": posts,
        "categories": sorted(
            (c.slug, c.name, c.parent.slug if c.parent else None)
            for c in Category.objects.select_related("parent")
        ),
        "tags": sorted(Tag.objects.values_list("slug", "name")),
        "attachments": sorted(Attachment.objects.values_list("url", "title")),
        "authors": sorted(get_user_model().objects.values_list("username", "email")),
    }


def test_the_export_is_wxr_1_2_as_wordpress_reads_it(run, theme_file, tmp_path):
    run("import_wxr", theme_file)
    path = tmp_path / "export.xml"
    output = run("export_wxr", path)
    assert "79 posts" in output and "33 comments" in output

    channel = ET.parse(path).getroot().find("channel")
    assert channel.findtext(f"{WP}wxr_version") == "1.2"
    assert len(channel.findall(f"{WP}author")) == 2
    assert len(channel.findall(f"{WP}category")) == 68
    assert len(channel.findall(f"{WP}tag")) == 114
    # WordPress's importer reads categories in order: parents come before their children.
    seen: set[str] = set()
    for category in channel.findall(f"{WP}category"):
        parent = category.findtext(f"{WP}category_parent")
        assert not parent or parent in seen
        seen.add(category.findtext(f"{WP}category_nicename"))

    items = channel.findall("item")
    types = [item.findtext(f"{WP}post_type") for item in items]
    assert (types.count("post"), types.count("page"), types.count("attachment")) == (58, 21, 37)
    comments = [c for item in items for c in item.findall(f"{WP}comment")]
    approved = [c.findtext(f"{WP}comment_approved") for c in comments]
    assert (approved.count("1"), approved.count("0")) == (30, 3)
    kinds = [c.findtext(f"{WP}comment_type") for c in comments]
    assert (kinds.count("pingback"), kinds.count("trackback")) == (2, 2)
    sticky = [i for i in items if i.findtext(f"{WP}is_sticky") == "1"]
    assert [i.findtext("title") for i in sticky] == ["Template: Sticky"]
    statuses = [i.findtext(f"{WP}status") for i in items if i.findtext(f"{WP}post_type") == "post"]
    assert statuses.count("future") == 1 and statuses.count("draft") == 1


def test_an_import_of_the_export_of_an_import_is_the_same_site(run, theme_file, tmp_path):
    run("import_wxr", theme_file)
    before = site_state()
    path = tmp_path / "export.xml"
    run("export_wxr", path)

    # A new, empty site.
    Comment.objects.all().delete()
    Post.objects.all().delete()
    Category.objects.all().delete()
    Tag.objects.all().delete()
    Attachment.objects.all().delete()
    ImportedItem.objects.all().delete()
    get_user_model().objects.all().delete()

    # The password-protected post goes out with its password, published as it was.
    exported = ET.parse(path).getroot()
    passwords = [e.text for e in exported.iter(f"{WP}post_password") if e.text]
    assert passwords == ["enter"]

    run("import_wxr", path)
    after = site_state()
    assert after["posts"].keys() == before["posts"].keys()
    protected = after["posts"]["template-password-protected"]
    assert protected[2:4] == (Post.Status.PUBLISHED, "enter")
    for slug, state in before["posts"].items():
        assert after["posts"][slug] == state, slug
    assert after == before


def test_importing_the_export_into_the_same_site_duplicates_nothing(run, theme_file, tmp_path):
    run("import_wxr", theme_file)
    before = site_state()
    path = tmp_path / "export.xml"
    run("export_wxr", path)
    run("import_wxr", path)
    assert site_state() == before


def test_native_posts_and_comments_round_trip(run, post, tmp_path):
    reply_to = Comment.objects.create(
        post=post, author_name="Ann", content="First", status=Comment.Status.APPROVED
    )
    Comment.objects.create(
        post=post,
        parent=reply_to,
        author_name="Bob",
        content="A reply ]]> with a CDATA end",
        status=Comment.Status.SPAM,
    )
    before = site_state()
    path = tmp_path / "export.xml"
    run("export_wxr", path)
    run("import_wxr", path)  # the site's own export read back: its own ids are found
    assert site_state() == before
    Comment.objects.all().delete()
    Post.objects.all().delete()
    run("import_wxr", path)
    assert site_state()["posts"] == before["posts"]


def test_webmentions_and_fediverse_replies_keep_their_type_into_a_new_site(run, post, tmp_path):
    # The export writes each comment's type; a site moving to a new Salon by WXR must not
    # find its Webmentions and fediverse replies turned into ordinary comments.
    for kind in (Comment.Kind.WEBMENTION, Comment.Kind.FEDIVERSE, Comment.Kind.PINGBACK):
        Comment.objects.create(
            post=post,
            author_name=f"A {kind}",
            content=f"A {kind} of this post",
            kind=kind,
            status=Comment.Status.APPROVED,
        )
    before = site_state()
    path = tmp_path / "export.xml"
    run("export_wxr", path)
    Comment.objects.all().delete()
    Post.objects.all().delete()
    run("import_wxr", path)
    assert site_state()["posts"] == before["posts"]
    assert sorted(Comment.objects.values_list("kind", flat=True)) == [
        "fediverse",
        "pingback",
        "webmention",
    ]


def test_conversations_elsewhere_go_out_and_come_back(run, owner, tmp_path):
    # Comments moved in from Isso live under conversations elsewhere (pages of another site).
    run("import_isso", DATA / "isso-comments.db", "--site", "https://isso.example")
    before = site_state()
    addresses = sorted(Post.objects.elsewhere().values_list("external_url", flat=True))
    path = tmp_path / "export.xml"
    run("export_wxr", path)

    # As WordPress reads it: a private page (nothing shown, its comments kept) linking to
    # the page elsewhere, its comments inside, the address again in the postmeta.
    channel = ET.parse(path).getroot().find("channel")
    items = [i for i in channel.iter("item") if i.findtext("link").startswith("https://isso.")]
    assert sorted(i.findtext("link") for i in items) == addresses
    for item in items:
        assert item.findtext(f"{WP}post_type") == "page"
        assert item.findtext(f"{WP}status") == "private"
        meta = {
            m.findtext(f"{WP}meta_key"): m.findtext(f"{WP}meta_value")
            for m in item.iter(f"{WP}postmeta")
        }
        assert meta["_salon_external_url"] == item.findtext("link")
    assert sum(len(i.findall(f"{WP}comment")) for i in items) == 14

    # Into an empty site and back: the same conversations, comments, states and threads.
    Comment.objects.all().delete()
    Post.objects.all().delete()
    ImportedItem.objects.all().delete()
    run("import_wxr", path)
    assert sorted(Post.objects.elsewhere().values_list("external_url", flat=True)) == addresses
    assert Post.objects.exclude(kind=Post.Kind.ELSEWHERE).count() == 0
    assert site_state() == before
    # Read again, nothing doubles.
    run("import_wxr", path)
    assert site_state() == before


def test_an_export_to_a_directory_or_nowhere_is_refused_clearly(run, post, tmp_path):
    with pytest.raises(CommandError, match="is a directory"):
        run("export_wxr", tmp_path)
    with pytest.raises(CommandError, match="no such directory"):
        run("export_wxr", tmp_path / "missing" / "export.xml")
    assert list(tmp_path.iterdir()) == []  # nothing left behind
