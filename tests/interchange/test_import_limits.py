"""Hostile export files are refused whole, with the line and the limit, before they can make an
import use unbounded memory (bench/import_wxr.py --adversarial measures the memory itself)."""

from __future__ import annotations

import gzip

import pytest
from django.core.management.base import CommandError

from salon.discussion.models import CONTENT_MAX, Comment
from salon.interchange.models import ImportedItem
from salon.interchange.reading import LIMITS
from salon.publishing.models import Post

pytestmark = pytest.mark.django_db

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Hostile</title><link>http://hostile.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>http://hostile.example</wp:base_blog_url>
"""
TAIL = "</channel></rss>\n"


def item(wp_id: int, inner: str = "") -> str:
    return (
        f"<item><title>Post {wp_id}</title><wp:post_id>{wp_id}</wp:post_id>"
        f"<wp:post_date_gmt>2020-05-01 10:00:00</wp:post_date_gmt>"
        f"<wp:post_name>post-{wp_id}</wp:post_name><wp:status>publish</wp:status>"
        f"<wp:post_type>post</wp:post_type>{inner}</item>\n"
    )


def comment(wp_id: int, text: str) -> str:
    return (
        f"<wp:comment><wp:comment_id>{wp_id}</wp:comment_id>"
        f"<wp:comment_author>Reader {wp_id}</wp:comment_author>"
        f"<wp:comment_date_gmt>2020-05-02 10:00:00</wp:comment_date_gmt>"
        f"<wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_content>{text}</wp:comment_content></wp:comment>"
    )


@pytest.fixture
def wxr(tmp_path):
    """Write a WXR whose first post is harmless and whose second holds ``inner``; the
    harmless one shows that a refusal imports nothing at all."""

    def write(inner: str, *, name: str = "hostile.xml", compress: bool = False):
        text = HEAD + item(1, comment(1, "A fair comment.")) + item(2, inner) + TAIL
        path = tmp_path / name
        if compress:
            with gzip.open(path, "wt", encoding="utf-8") as out:
                out.write(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


def refused(run, path) -> str:
    with pytest.raises(CommandError) as error:
        run("import_wxr", path)
    assert not Post.objects.exists()
    assert not Comment.objects.exists()
    assert not ImportedItem.objects.exists()
    return str(error.value)


def test_elements_nested_deeper_than_any_export_needs_are_refused(run, wxr):
    message = refused(run, wxr("<a>" * 100 + "</a>" * 100))
    assert "hostile.xml, line 7:" in message
    assert f"nested more than {LIMITS.depth} deep" in message
    assert "nothing was imported" in message


def test_a_comment_longer_than_wordpress_allows_is_refused(run, wxr):
    message = refused(run, wxr(comment(2, "x" * (CONTENT_MAX + 1))))
    assert "line 7:" in message
    assert "the text of <comment_content> is longer than 65,525 characters" in message


def test_a_comment_as_long_as_wordpress_allows_is_imported(run, wxr):
    run("import_wxr", wxr(comment(2, "x" * CONTENT_MAX)))
    assert len(Comment.objects.get(post__title="Post 2").content) == CONTENT_MAX


def test_a_field_longer_than_any_post_is_refused(run, wxr):
    body = "<content:encoded>" + "y" * (LIMITS.field_chars + 1) + "</content:encoded>"
    message = refused(run, wxr(body))
    assert "the text of <encoded> is longer than 8,388,608 characters" in message


def test_a_post_with_more_elements_than_real_ones_have_is_refused(run, wxr):
    message = refused(run, wxr("<b/>" * (LIMITS.record_elements + 1)))
    assert "one record holds more than 250,000 elements" in message


def test_a_post_with_more_text_than_real_ones_have_is_refused(run, wxr):
    comments = "".join(comment(n, "z" * 60_000) for n in range(2, 2 + 420))
    message = refused(run, wxr(comments))
    assert "one record holds more than 25,165,824 characters of text" in message


@pytest.mark.parametrize(
    "inner",
    [
        '<category domain="' + "x" * (2 * LIMITS.token_bytes) + '">c</category>',
        "<!--" + "x" * (2 * LIMITS.token_bytes) + "-->",
    ],
    ids=["attribute", "xml-comment"],
)
def test_a_tag_or_xml_comment_longer_than_a_megabyte_is_refused(run, wxr, inner):
    message = refused(run, wxr(inner))
    assert "a single tag or XML comment is longer than 1.0 MB" in message
    assert "line 7:" in message


@pytest.mark.parametrize(
    "inner",
    ["".join(f"<n{i}/>" for i in range(1001)), "".join(f'<b n{i}=""/>' for i in range(1001))],
    ids=["elements", "attributes"],
)
def test_a_file_with_more_different_names_than_exports_use_is_refused(run, wxr, inner):
    message = refused(run, wxr(inner))
    assert "more than 1,000 different element and attribute names" in message


def test_a_compressed_file_that_expands_like_a_bomb_is_refused(run, tmp_path):
    # 6 MB of spaces between the posts, under every other limit: only the expansion (more
    # than a thousandfold) gives it away.
    path = tmp_path / "bomb.xml.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(HEAD + item(1, comment(1, "A fair comment.")) + " " * 6_000_000 + TAIL)
    message = refused(run, path)
    assert "bomb.xml.gz expands more than 100 times its compressed size" in message
    assert "decompression bomb" in message


def test_a_compressed_export_is_imported(run, wxr):
    run("import_wxr", wxr(comment(2, "Compressed, and fine."), name="ok.xml.gz", compress=True))
    assert Comment.objects.count() == 2


def test_a_disqus_message_longer_than_a_comment_may_be_is_refused(run, tmp_path):
    path = tmp_path / "disqus.xml"
    path.write_text(
        '<?xml version="1.0"?><disqus xmlns="http://disqus.com" '
        'xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '<thread dsq:id="1"><link>http://example.org/a/</link></thread>\n'
        f'<post dsq:id="2"><message>{"m" * (CONTENT_MAX + 1)}</message>'
        '<thread dsq:id="1"/></post></disqus>',
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as error:
        run("import_disqus", path)
    assert "disqus.xml, line 3: the text of <message> is longer than 65,525" in str(error.value)
    assert not ImportedItem.objects.exists()
