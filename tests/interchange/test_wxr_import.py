"""Moving in from WordPress: `salon import_wxr` on the real Theme Unit Test export."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone

from salon.discussion.models import Comment
from salon.discussion.rendering import render_comment
from salon.interchange.models import Attachment, ImportedItem
from salon.publishing.models import Category, Post, Tag

pytestmark = pytest.mark.django_db

WXR_NAMESPACES = [
    "https://wordpress.org/export/1.2/",  # WordPress.com, as in the file
    "http://wordpress.org/export/1.2/",  # WordPress core
    "http://wordpress.org/export/1.1/",
    "http://wordpress.org/export/1.0/",
]


def depth(comment: Comment) -> int:
    n = 1
    while comment.parent_id:
        comment = comment.parent
        n += 1
    return n


def test_theme_unit_test_data_arrives_whole(run, theme_file):
    output = run("import_wxr", theme_file)

    posts = Post.objects.posts()
    assert posts.count() == 58
    assert Post.objects.pages().count() == 21
    # 56 published in WordPress, and here: the password-protected one keeps its password.
    assert posts.filter(status=Post.Status.PUBLISHED).count() == 56
    assert not posts.filter(status=Post.Status.PRIVATE).exists()
    protected = posts.exclude(password="").get()
    assert protected.title.startswith("Template: Password Protected")
    assert protected.password == "enter"
    assert posts.filter(status=Post.Status.SCHEDULED).count() == 1
    assert posts.filter(status=Post.Status.DRAFT).count() == 1
    assert ImportedItem.objects.filter(kind="post", extra__status="publish").count() == 56
    assert "1 password-protected post(s) imported with their passwords" in output

    assert list(posts.filter(is_sticky=True).values_list("title", flat=True)) == [
        "Template: Sticky"
    ]
    excerpt = posts.get(title="Template: Excerpt (Defined)").excerpt
    assert "This is a user-defined post excerpt" in excerpt
    assert posts.get(title="Template: Comments Disabled").comments_open is False

    User = get_user_model()
    authors = User.objects.filter(username__in=["themedemos", "themereviewteam"])
    assert authors.count() == 2 and User.objects.count() == 2
    for author in authors:  # imported authors cannot log in until the owner lets them
        assert not author.is_active and not author.has_usable_password()
    assert posts.get(title="Template: Sticky").author.get_full_name() == "Theme Buster"

    assert Category.objects.count() == 68
    assert Category.objects.get(slug="sub").parent.slug == "aciform"
    assert Tag.objects.count() == 110 + 4  # 110 declared, 4 more used by items only

    assert Attachment.objects.count() == 37
    assert all(a.url.startswith("https://") for a in Attachment.objects.all())
    # Attached to the posts they belong to, and still at their original address.
    bridge = Attachment.objects.get(title="Golden Gate Bridge")
    assert bridge.post.title == "Post Format: Gallery"
    assert bridge.url == "https://wpthemetestdata.files.wordpress.com/2008/06/100_5540.jpg"

    comments = Comment.objects.all()
    assert comments.count() == 33
    assert comments.filter(status=Comment.Status.APPROVED).count() == 30
    assert comments.filter(status=Comment.Status.PENDING).count() == 3
    assert comments.filter(kind=Comment.Kind.TRACKBACK).count() == 2
    assert comments.filter(kind=Comment.Kind.PINGBACK).count() == 2
    assert comments.filter(parent__isnull=False).count() == 10

    template = posts.get(title="Template: Comments")
    thread = list(template.comments.select_related("parent"))
    assert max(depth(c) for c in thread) == 10
    assert template.comment_count == template.comments.approved().count() > 0

    first = Comment.objects.get(
        pk=ImportedItem.objects.get(kind="comment", source_id="881").object_id
    )
    assert first.created_at == datetime(2012, 9, 3, 17, 18, 4, tzinfo=UTC)  # the GMT date
    assert first.author_name and first.content_html.startswith("<p>")


def test_wordpress_comments_read_as_wordpress_shows_them(run, theme_file, post, tmp_path):
    # WordPress ignores the tabs and spaces that begin a comment's line; Markdown would make
    # such lines a code block, showing a reader the comment's HTML as text.
    run("import_wxr", theme_file)

    def html(wp_id: str) -> str:
        record = ImportedItem.objects.get(kind="comment", source_id=wp_id)
        return Comment.objects.get(pk=record.object_id).content_html

    anonymous = html("899")  # "\tThey used a fake email, so there should be no <a …>Gravatar</a>"
    assert "<code>" not in anonymous
    assert '<a href="https://gravatar.com//" title="Gravatar" rel="nofollow ugc">Gravatar</a>' in (
        anonymous
    )
    # A poem in <pre>, its lines indented with tabs: shown as written, "( > º < )" and all.
    poem = html("881")
    assert "\tTwo roads diverged in a yellow wood," in poem
    assert "( &gt; º &lt; )" in poem and "&amp;gt;" not in poem

    # Salon's own export is Markdown, indented code and all: read back as it was written.
    text = "A snippet:\n\n    if a &lt; b:\n        pass"
    Comment.objects.create(
        post=post,
        author_name="Coder",
        content=text,
        content_html=render_comment(text),
        status=Comment.Status.APPROVED,
    )
    before = Comment.objects.get(author_name="Coder").content_html
    assert "<pre><code>" in before
    path = tmp_path / "export.xml"
    run("export_wxr", path)
    Comment.objects.all().delete()
    Post.objects.all().delete()
    ImportedItem.objects.all().delete()
    run("import_wxr", path)
    assert Comment.objects.get(author_name="Coder").content_html == before


def test_the_last_step_of_an_import_is_announced_too(run, theme_file, disqus_file):
    # After the last item comes the commit, which on a big import is the longest silence.
    for command, path in (("import_wxr", theme_file), ("import_disqus", disqus_file)):
        lines = [line.strip() for line in run(command, path).splitlines()]
        read = next(i for i, line in enumerate(lines) if "items read in" in line)
        assert lines[read + 1].startswith("Saving"), lines


def test_dates_are_gmt_and_permalinks_recorded(run, theme_file):
    run("import_wxr", theme_file)
    record = ImportedItem.objects.get(kind="post", source_id="1148")
    post = Post.objects.get(pk=record.object_id)
    assert post.published_at == datetime(2012, 1, 3, 17, 11, 37, tzinfo=UTC)
    assert record.old_link == "/2012/01/03/template-comments/"
    assert record.guid == "https://wpthemetestdata.wordpress.com/2007/09/04/comment-test/"
    assert record.source == "wpthemetestdata.wordpress.com"


def test_running_the_same_import_again_changes_nothing(run, theme_file):
    run("import_wxr", theme_file)

    def state():
        return (
            sorted(Post.objects.values_list("pk", "slug", "status", "updated_at", "comment_count")),
            sorted(Comment.objects.values_list("pk", "parent_id", "status", "content")),
            Category.objects.count(),
            Tag.objects.count(),
            get_user_model().objects.count(),
            Attachment.objects.count(),
            ImportedItem.objects.count(),
        )

    before = state()
    output = run("import_wxr", theme_file)
    assert state() == before
    summary = {line.split()[0]: line.split()[1:] for line in output.splitlines() if line[:1] != " "}
    for kind in ("post", "page", "comment", "category", "tag", "author", "attachment"):
        assert summary[kind][:2] == ["0", "0"], (kind, summary[kind])

    # --update finds nothing to bring in line either.
    output = run("import_wxr", theme_file, "--update")
    assert state() == before


def test_import_merges_into_a_site_that_already_has_content(
    run, theme_file, theme_variant, post, django_user_model
):
    own = Comment.objects.create(
        post=post, author_name="Local", content="Already here", status=Comment.Status.APPROVED
    )
    existing = django_user_model.objects.create_user(
        "buster", "themeshaperwp+demos@gmail.com", "pw-buster-1"
    )
    Category.objects.create(name="Aciform (ours)", slug="aciform")

    run("import_wxr", theme_file)
    # The author with the same e-mail is the existing account, kept as it was.
    existing.refresh_from_db()
    assert existing.is_active and existing.check_password("pw-buster-1")
    assert Post.objects.get(title="Template: Sticky").author == existing
    assert not django_user_model.objects.filter(username="themedemos").exists()
    assert Category.objects.filter(slug="aciform").count() == 1
    assert Category.objects.get(slug="sub").parent.name == "Aciform (ours)"
    assert Post.objects.count() == 1 + 58 + 21
    assert list(post.comments.all()) == [own]

    # The same blog, exported later from its new address, with one new comment and post.
    later = theme_variant(
        (
            "<wp:base_blog_url>https://wpthemetestdata.wordpress.com</wp:base_blog_url>",
            "<wp:base_blog_url>https://blog.moved.example</wp:base_blog_url>",
        ),
        (
            "<wp:post_id>1148</wp:post_id>",
            "<wp:post_id>1148</wp:post_id>"
            "<wp:comment><wp:comment_id>5000</wp:comment_id>"
            "<wp:comment_author>Newcomer</wp:comment_author>"
            "<wp:comment_author_email>new@example.net</wp:comment_author_email>"
            "<wp:comment_date_gmt>2024-03-01 10:00:00</wp:comment_date_gmt>"
            "<wp:comment_content>Written after the first import.</wp:comment_content>"
            "<wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type>"
            "<wp:comment_parent>881</wp:comment_parent></wp:comment>",
        ),
    )
    output = run("import_wxr", later)
    assert Post.objects.count() == 1 + 58 + 21
    assert Comment.objects.count() == 1 + 33 + 1
    newcomer = Comment.objects.get(author_name="Newcomer")
    assert newcomer.post.title == "Template: Comments"
    first = ImportedItem.objects.get(source="blog.moved.example", kind="comment", source_id="881")
    assert newcomer.parent.pk == first.object_id
    assert "comment" in output and Attachment.objects.count() == 37


@pytest.mark.parametrize("namespace", WXR_NAMESPACES)
def test_every_wxr_namespace_is_read(run, theme_variant, namespace):
    path = theme_variant(
        ("https://wordpress.org/export/1.2/excerpt/", namespace + "excerpt/"),
        ('xmlns:wp="https://wordpress.org/export/1.2/"', f'xmlns:wp="{namespace}"'),
    )
    run("import_wxr", path)
    assert Post.objects.posts().count() == 58
    assert Post.objects.pages().count() == 21
    assert Comment.objects.count() == 33
    assert Post.objects.exclude(excerpt="").exists()


def test_an_older_or_hand_made_export_without_wxr_version_is_read(run, theme_file, tmp_path):
    # WXR 1.0 namespaces, and the channel stripped of every wp: element (no wxr_version, no
    # site address, no authors, categories or tags): only the items say it is WordPress's.
    text = theme_file.read_text(encoding="utf-8")
    text = text.replace("https://wordpress.org/export/1.2/", "http://wordpress.org/export/1.0/")
    names = ("wxr_version", "base_site_url", "base_blog_url", "author", "category", "tag", "term")
    for name in names:
        text, n = re.subn(rf"<wp:{name}>.*?</wp:{name}>\s*", "", text, flags=re.DOTALL)
        assert n, name
    head = text[: text.index("<item>")]
    assert "<wp:" not in head
    path = tmp_path / "old.xml"
    path.write_text(text, encoding="utf-8")

    run("import_wxr", path)
    assert Post.objects.posts().count() == 58
    assert Comment.objects.count() == 33
    # Authors come from each item's dc:creator, categories and tags from the items' own.
    assert get_user_model().objects.filter(username="themedemos").exists()
    assert Post.objects.get(title="Template: Sticky").categories.exists()


def test_a_doctype_is_refused(run, tmp_path):
    path = tmp_path / "doctype.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY lol "lol">]>\n'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&lol;</title>'
        "</channel></rss>"
    )
    with pytest.raises(CommandError, match="DOCTYPE"):
        run("import_wxr", path)


def test_an_external_entity_is_refused_and_nothing_read(run, tmp_path):
    path = tmp_path / "xxe.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<item><title>&secret;</title><wp:post_id>1</wp:post_id>"
        "<wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>"
        "</channel></rss>"
    )
    with pytest.raises(CommandError, match="refused"):
        run("import_wxr", path)
    assert not Post.objects.exists()


def test_a_malformed_file_names_the_line_and_leaves_the_database_as_it_was(
    run, theme_file, tmp_path, post
):
    lines = theme_file.read_text(encoding="utf-8").split("\n")
    broken_at = next(i for i, line in enumerate(lines) if "Template: Comments</title>" in line)
    lines[broken_at] = lines[broken_at].replace("</title>", "</titel>")
    path = tmp_path / "broken.xml"
    path.write_text("\n".join(lines), encoding="utf-8")
    before = (Post.objects.count(), Comment.objects.count(), Category.objects.count())

    with pytest.raises(CommandError, match=rf"line {broken_at + 1}, column \d+") as error:
        run("import_wxr", path)
    assert "Nothing was imported" in str(error.value)
    # Items before the broken one had been read: they are gone with the transaction.
    assert (Post.objects.count(), Comment.objects.count(), Category.objects.count()) == before
    assert not ImportedItem.objects.exists()


def test_a_file_saved_in_another_encoding_is_refused_with_the_reason(
    run, theme_file, tmp_path, post
):
    # The real export as an editor re-saves it in Latin-1, its declaration still saying UTF-8.
    text = theme_file.read_text(encoding="utf-8")
    path = tmp_path / "latin1.xml"
    path.write_bytes(text.encode("latin-1", errors="replace"))
    # The first character Latin-1 writes as one byte above 127 ("à" of "Català"; characters
    # it has not, such as "’", became "?").
    lines = text.split("\n")
    first, column = next(
        (n, i)
        for n, line in enumerate(lines)
        for i, char in enumerate(line)
        if 127 < ord(char) < 256
    )
    before = (Post.objects.count(), Comment.objects.count(), Category.objects.count())

    with pytest.raises(CommandError) as error:
        run("import_wxr", path)
    message = str(error.value)
    assert "not UTF-8" in message
    assert f"line {first + 1}, column {column + 1}" in message
    assert "iconv" in message and "Nothing was imported" in message
    assert (Post.objects.count(), Comment.objects.count(), Category.objects.count()) == before


def test_a_cut_short_or_empty_file_is_refused_saying_so(run, theme_file, tmp_path, post):
    # The real export cut off a third of the way, as by an interrupted download or an
    # export that timed out, and an empty file.
    data = theme_file.read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: len(data) // 3])
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    before = (Post.objects.count(), Comment.objects.count(), Category.objects.count())

    with pytest.raises(CommandError, match=r"cut\.xml ends .*cut short.*Nothing was imported"):
        run("import_wxr", cut)
    with pytest.raises(CommandError, match=r"empty\.xml is empty.*Nothing was imported"):
        run("import_wxr", empty)
    with pytest.raises(CommandError, match=r"empty\.xml is empty"):
        run("import_disqus", empty)
    assert (Post.objects.count(), Comment.objects.count(), Category.objects.count()) == before


def test_a_file_that_is_not_a_wordpress_export_is_refused(run, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text('<rss version="2.0"><channel><title>A feed</title></channel></rss>')
    with pytest.raises(CommandError, match="WordPress"):
        run("import_wxr", feed)
    with pytest.raises(CommandError, match="no such file"):
        run("import_wxr", tmp_path / "missing.xml")


SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.1/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.1/">
<channel><title>Small</title><link>http://small.example</link>
<wp:wxr_version>1.1</wp:wxr_version><wp:base_blog_url>http://small.example</wp:base_blog_url>
<wp:author><wp:author_id>7</wp:author_id><wp:author_login>ada</wp:author_login>
<wp:author_email>ada@small.example</wp:author_email></wp:author>
<item><title>Small post</title><link>http://small.example/2020/05/01/small-post/</link>
<dc:creator>ada</dc:creator><guid isPermaLink="false">http://small.example/?p=10</guid>
<content:encoded><![CDATA[<p>Hello</p>]]></content:encoded>
<wp:post_id>10</wp:post_id><wp:post_date_gmt>2020-05-01 10:00:00</wp:post_date_gmt>
<wp:post_name>small-post</wp:post_name><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type>
{comments}
</item></channel></rss>"""


def wxr_comment(wp_id, parent=0, approved="1", kind="", ip="192.0.2.1", user=0, meta=""):
    return (
        f"<wp:comment><wp:comment_id>{wp_id}</wp:comment_id>"
        f"<wp:comment_author>Person {wp_id}</wp:comment_author>"
        f"<wp:comment_author_email>p{wp_id}@example.net</wp:comment_author_email>"
        f"<wp:comment_author_url>https://p{wp_id}.example.net/</wp:comment_author_url>"
        f"<wp:comment_author_IP>{ip}</wp:comment_author_IP>"
        f"<wp:comment_date>2020-05-02 12:00:{wp_id % 60:02d}</wp:comment_date>"
        f"<wp:comment_date_gmt>2020-05-02 10:00:{wp_id % 60:02d}</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[Comment {wp_id}\n\nsecond paragraph]]></wp:comment_content>"
        f"<wp:comment_approved>{approved}</wp:comment_approved>"
        f"<wp:comment_type>{kind}</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent>"
        f"<wp:comment_user_id>{user}</wp:comment_user_id>{meta}</wp:comment>"
    )


def test_comment_states_types_threads_and_metadata(run, tmp_path):
    comments = [
        wxr_comment(101, parent=103),  # a reply listed before its parent
        wxr_comment(
            103,
            meta="<wp:commentmeta><wp:meta_key>akismet_result</wp:meta_key>"
            "<wp:meta_value>false</wp:meta_value></wp:commentmeta>",
        ),
        wxr_comment(104, approved="spam"),
        wxr_comment(105, approved="trash", ip="2001:db8::1"),
        wxr_comment(106, kind="pingback"),
        wxr_comment(107, approved="0", kind="trackback"),
        wxr_comment(108, kind="webmention", ip="not an address"),
        wxr_comment(109, parent=101, user=7),
        wxr_comment(110, parent=999),
        wxr_comment(111, kind="review"),  # a plugin's own type (WooCommerce)
    ]
    path = tmp_path / "small.xml"
    path.write_text(SMALL.format(comments="".join(comments)), encoding="utf-8")
    output = run("import_wxr", path)

    def imported(wp_id: int) -> Comment:
        return Comment.objects.get(
            pk=ImportedItem.objects.get(kind="comment", source_id=str(wp_id)).object_id
        )

    assert imported(101).parent == imported(103)
    assert imported(109).parent == imported(101)
    assert imported(110).parent is None and "missing from the file" in output
    assert imported(104).status == Comment.Status.SPAM
    assert imported(105).status == Comment.Status.TRASH
    assert imported(105).author_ip == "2001:db8::1"
    assert imported(106).kind == Comment.Kind.PINGBACK
    assert (imported(107).kind, imported(107).status) == ("trackback", "pending")
    assert imported(108).kind == Comment.Kind.WEBMENTION and imported(108).author_ip is None
    assert imported(111).kind == Comment.Kind.COMMENT
    assert ImportedItem.objects.get(source_id="111", kind="comment").extra["type"] == "review"
    assert imported(109).user.username == "ada"
    assert ImportedItem.objects.get(source_id="103", kind="comment").extra["commentmeta"] == [
        ["akismet_result", "false"]
    ]
    first = imported(103)
    assert first.created_at == datetime(2020, 5, 2, 10, 0, 43, tzinfo=UTC)
    assert (first.author_name, first.author_email, first.author_url, first.author_ip) == (
        "Person 103",
        "p103@example.net",
        "https://p103.example.net/",
        "192.0.2.1",
    )
    assert first.content_html.count("<p>") == 2
    post = Post.objects.get(slug="small-post")
    assert post.comment_count == 7  # 101, 103, 106, 108, 109, 110, 111


def test_update_brings_imported_items_in_line_with_the_file(run, tmp_path):
    path = tmp_path / "small.xml"
    path.write_text(SMALL.format(comments=wxr_comment(201, approved="0")), encoding="utf-8")
    run("import_wxr", path)
    path.write_text(
        SMALL.replace("Small post", "Small post, edited").format(
            comments=wxr_comment(201, approved="1")
        ),
        encoding="utf-8",
    )
    run("import_wxr", path)  # without --update, local state wins
    assert Post.objects.get().title == "Small post"
    assert Comment.objects.get().status == Comment.Status.PENDING

    output = run("import_wxr", path, "--update")
    assert Post.objects.get().title == "Small post, edited"
    assert Comment.objects.get().status == Comment.Status.APPROVED
    assert Post.objects.get().comment_count == 1
    rows = {" ".join(line.split()[:-3]): line.split()[-3:] for line in output.splitlines()}
    assert rows["post"] == ["0", "1", "0"] and rows["comment"] == ["0", "1", "0"]

    # Nothing left to bring in line: a second --update run changes nothing.
    output = run("import_wxr", path, "--update")
    rows = {" ".join(line.split()[:-3]): line.split()[-3:] for line in output.splitlines()}
    assert rows["post"] == ["0", "0", "1"] and rows["comment"] == ["0", "0", "1"]


def test_a_comment_trashed_by_an_update_keeps_the_whole_trash_period(run, tmp_path):
    """Retention counts from when a comment was trashed: a comment the file now says is in
    the trash, imported as approved long ago, is not deleted at the next retention round."""
    path = tmp_path / "small.xml"
    path.write_text(SMALL.format(comments=wxr_comment(301, approved="1")), encoding="utf-8")
    run("import_wxr", path)
    long_ago = timezone.now() - timedelta(days=400)
    Comment.objects.update(status_since=long_ago)
    path.write_text(SMALL.format(comments=wxr_comment(301, approved="trash")), encoding="utf-8")
    run("import_wxr", path, "--update")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.TRASH and comment.status_since > long_ago
    run("retention")
    assert Comment.objects.filter(pk=comment.pk).exists()


ATTACHMENT = """<item><title>Picture</title><link>http://small.example/picture/</link>
<guid isPermaLink="false">http://small.example/?attachment_id=11</guid>
<wp:post_id>11</wp:post_id><wp:post_parent>10</wp:post_parent><wp:status>inherit</wp:status>
<wp:post_type>attachment</wp:post_type>
<wp:attachment_url>{url}</wp:attachment_url></item>"""


def test_only_http_and_https_author_and_attachment_addresses_are_stored(run, tmp_path):
    """A hostile export cannot put a script into the link on a commenter's name."""
    addresses = {
        201: "javascript:alert(document.domain)",
        202: " JavaScript:alert(1)",
        203: "data:text/html,<script>alert(1)</script>",
        204: "ada.example/me",  # no scheme: WordPress shows it as http://
        205: "https://kept.example/",
    }
    comments = "".join(
        wxr_comment(wp_id).replace(f"https://p{wp_id}.example.net/", url.replace("<", "&lt;"))
        for wp_id, url in addresses.items()
    )
    text = SMALL.format(comments=comments).replace(
        "</item></channel>",
        "</item>" + ATTACHMENT.format(url="javascript:alert(1)") + "</channel>",
    )
    path = tmp_path / "hostile.xml"
    path.write_text(text, encoding="utf-8")

    run("import_wxr", path)

    stored = {
        int(record.source_id): Comment.objects.get(pk=record.object_id).author_url
        for record in ImportedItem.objects.filter(kind="comment")
    }
    assert stored == {
        201: "",
        202: "",
        203: "",
        204: "http://ada.example/me",
        205: "https://kept.example/",
    }
    assert Comment.objects.count() == 5  # the comments themselves are all kept
    assert Attachment.objects.get().url == ""


def test_a_password_protected_wordpress_post_asks_for_its_password_here(run, theme_file, client):
    run("import_wxr", theme_file)
    post = Post.objects.get(slug="template-password-protected")
    hidden = "should not be visible until the password is entered"
    page = client.get(post.get_absolute_url()).content.decode()
    assert "This content is password protected." in page
    assert hidden not in page  # neither the post's text nor its comment

    unlocked = client.post(f"/post-password/{post.pk}/", {"post_password": "enter"})
    assert unlocked.status_code == 303
    page = client.get(post.get_absolute_url()).content.decode()
    assert "This content, comments, pingbacks, and trackbacks " + hidden in page
    assert "This comment " + hidden in page


AS_SUBMITTED = (
    "<wp:commentmeta><wp:meta_key>akismet_as_submitted</wp:meta_key><wp:meta_value><![CDATA["
    'a:4:{s:14:"comment_author";s:10:"Person 303";s:20:"comment_author_email";'
    's:16:"p303@example.net";s:7:"user_ip";s:11:"203.0.113.9";s:10:"user_agent";'
    's:13:"Firefox/120.0";}]]></wp:meta_value></wp:commentmeta>'
    "<wp:commentmeta><wp:meta_key>hc_avatar</wp:meta_key>"
    "<wp:meta_value>https://gravatar.example/avatar/p303</wp:meta_value></wp:commentmeta>"
    "<wp:commentmeta><wp:meta_key>akismet_result</wp:meta_key>"
    "<wp:meta_value>false</wp:meta_value></wp:commentmeta>"
)


def test_what_the_old_site_kept_about_a_commenter_goes_with_their_data(run, tmp_path):
    """WordPress's Akismet keeps, beside each comment, the submission it checked: the
    commenter's e-mail, IP address and browser. It is not kept at import (the IP address
    would outlive the retention period the privacy page promises), and the rest of an
    erased person's comment records (other plugins' notes, such as an avatar address) goes
    with their data."""
    path = tmp_path / "small.xml"
    path.write_text(
        SMALL.format(comments=wxr_comment(303, meta=AS_SUBMITTED) + wxr_comment(304)),
        encoding="utf-8",
    )
    run("import_wxr", path)
    record = ImportedItem.objects.get(kind="comment", source_id="303")
    assert "203.0.113.9" not in json.dumps(record.extra)
    assert ["akismet_result", "false"] in record.extra["commentmeta"]

    exported = json.loads(run("personal_data", "export", "p303@example.net"))
    assert "gravatar.example/avatar/p303" in json.dumps(exported)

    run("personal_data", "erase", "p303@example.net", "--yes")
    left = json.dumps(list(ImportedItem.objects.values_list("extra", flat=True)))
    assert "p303" not in left and "Person 303" not in left
    assert Comment.objects.filter(author_email="p304@example.net").exists()
