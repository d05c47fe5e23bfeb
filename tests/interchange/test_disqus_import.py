"""Moving comments in from Disqus: `salon import_disqus` on Isso's Disqus sample export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management.base import CommandError

from salon.discussion.models import Comment
from salon.interchange.models import ImportedItem

pytestmark = pytest.mark.django_db

# Thread 2 was on the old site's front page; --url-map tells the importer where it went.
URL_MAP = "http://example.org/=/2012/12/12/hello-world/"


@pytest.fixture
def hello(make_post):
    return make_post(
        title="Hello, World!",
        slug="hello-world",
        published_at=datetime(2012, 12, 12, 12, 12, 12, tzinfo=UTC),
    )


@pytest.fixture
def redacted(make_post):
    # Thread 7's link is /blog/2013/02/12/redacted/index.html: found by its dated slug.
    return make_post(
        title="Redacted", slug="redacted", published_at=datetime(2013, 2, 12, 16, 0, tzinfo=UTC)
    )


def dsq(dsq_id: str) -> Comment:
    return Comment.objects.get(
        pk=ImportedItem.objects.get(kind="disqus_post", source_id=dsq_id).object_id
    )


def test_threads_become_conversations_under_their_posts(run, disqus_file, hello, redacted):
    output = run("import_disqus", disqus_file, "--url-map", URL_MAP)

    assert "Read 1 categories, 3 threads and 6 comments (2 replies, 1 deleted, 0 spam)" in output
    assert [c.pk for c in hello.comments.all()] == [dsq(i).pk for i in ("4", "9", "5", "11")]
    assert list(redacted.comments.all()) == [dsq("8")]
    assert Comment.objects.count() == 5  # post 6 belongs to a thread missing from the file

    assert dsq("5").parent == dsq("4")
    assert dsq("11").parent == dsq("9")
    assert Comment.objects.filter(parent__isnull=False).count() == 2
    assert dsq("9").status == Comment.Status.TRASH
    assert Comment.objects.filter(status=Comment.Status.APPROVED).count() == 4
    first = dsq("4")
    assert (first.author_name, first.author_email, first.author_ip) == (
        "peter",
        "foo@bar.com",
        "127.0.0.1",
    )
    assert first.created_at == datetime(2013, 10, 10, 19, 20, 29, tzinfo=UTC)
    assert dsq("5").content_html == "<p>Hello, World.</p>"
    hello.refresh_from_db()
    assert hello.comment_count == 3

    # The thread without a link matches nothing and is reported.
    assert "1 thread(s) match no post" in output
    assert "thread 3: (no link)" in output
    assert "1 comment(s) belong to a thread missing from the file" in output


def test_unmatched_threads_are_reported_with_their_comments(run, disqus_file):
    output = run("import_disqus", disqus_file)
    assert "3 thread(s) match no post" in output
    assert "thread 2: http://example.org/ “Hello, World!”, 4 comment(s)" in output
    assert "thread 7: http://localhost:4000/blog/2013/02/12/redacted/index.html" in output
    assert not Comment.objects.exists()


def test_running_it_again_duplicates_nothing(run, disqus_file, hello, redacted):
    run("import_disqus", disqus_file, "--url-map", URL_MAP)
    before = sorted(Comment.objects.values_list("pk", "parent_id", "status", "content"))
    output = run("import_disqus", disqus_file, "--url-map", URL_MAP)
    assert sorted(Comment.objects.values_list("pk", "parent_id", "status", "content")) == before
    rows = {" ".join(line.split()[:-3]): line.split()[-3:] for line in output.splitlines()}
    assert rows["comment"] == ["0", "0", "5"]  # created, updated, skipped
    assert rows["thread"] == ["0", "0", "3"]


def test_spam_flags_are_kept(run, disqus_file, hello, tmp_path):
    text = disqus_file.read_text().replace(
        "<isSpam>false</isSpam>\n        <author>\n            <email>foo@bar.com</email>\n"
        "            <name>user</name>",
        "<isSpam>true</isSpam>\n        <author>\n            <email>foo@bar.com</email>\n"
        "            <name>user</name>",
        1,
    )
    path = tmp_path / "spam.xml"
    path.write_text(text)
    output = run("import_disqus", path, "--url-map", URL_MAP)
    assert "1 spam" in output
    assert dsq("5").status == Comment.Status.SPAM


def test_a_reply_whose_parent_is_missing_is_kept_and_reported(run, disqus_file, hello, tmp_path):
    # The sample with comment 5's parent (comment 4) named by an id the file does not hold,
    # as when a comment was removed from Disqus before the export.
    text = disqus_file.read_text().replace('<parent dsq:id="4" />', '<parent dsq:id="404" />')
    path = tmp_path / "orphan.xml"
    path.write_text(text)
    output = run("import_disqus", path, "--url-map", URL_MAP)
    assert dsq("5").parent is None
    assert dsq("11").parent == dsq("9")
    assert (
        "1 comment(s) replied to a comment missing from the file; "
        "they were imported as top-level comments." in output
    )
    # Nothing to say when every parent is there.
    Comment.objects.all().delete()
    ImportedItem.objects.all().delete()
    assert "missing from the file;" not in run("import_disqus", disqus_file, "--url-map", URL_MAP)


def test_both_readings_of_the_file_show_progress(run, disqus_file, hello):
    # The file is read twice: the threads first (a big export takes a while, and their
    # matching more), then the comments. Each reading says what it did and how long it took.
    output = run("import_disqus", disqus_file, "--url-map", URL_MAP)
    lines = [line.strip() for line in output.splitlines()]
    threads = next(i for i, line in enumerate(lines) if line.startswith("3 threads read"))
    comments = next(i for i, line in enumerate(lines) if line.startswith("6 items read"))
    assert threads < comments


def test_unsafe_or_foreign_files_are_refused(run, tmp_path, theme_file):
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        '<disqus xmlns="http://disqus.com"><category>&b;</category></disqus>'
    )
    with pytest.raises(CommandError, match="DOCTYPE"):
        run("import_disqus", path)
    with pytest.raises(CommandError, match="not a Disqus export"):
        run("import_disqus", theme_file)


def test_only_http_and_https_author_addresses_are_stored(run, tmp_path, hello):
    """A hostile export cannot put a script into the link on a commenter's name."""
    posts = "".join(
        f"""<post dsq:id="{n}"><message>Comment {n}</message>
        <createdAt>2013-10-1{n}T19:20:29Z</createdAt><isDeleted>false</isDeleted>
        <isSpam>false</isSpam><author><name>Person {n}</name><email>p{n}@example.net</email>
        <url>{url}</url></author><thread dsq:id="2"/></post>"""
        for n, url in enumerate(
            ["javascript:alert(document.domain)", "vbscript:x", "https://kept.example/"], 1
        )
    )
    path = tmp_path / "hostile.xml"
    path.write_text(
        f"""<?xml version="1.0"?><disqus xmlns="http://disqus.com"
        xmlns:dsq="http://disqus.com/disqus-internals">
        <thread dsq:id="2"><link>http://example.org/</link><title>Hello</title></thread>
        {posts}</disqus>""",
        encoding="utf-8",
    )

    run("import_disqus", path, "--url-map", URL_MAP)

    assert [(c.author_name, c.author_url) for c in hello.comments.order_by("created_at")] == [
        ("Person 1", ""),
        ("Person 2", ""),
        ("Person 3", "https://kept.example/"),
    ]


def test_a_comment_marked_spam_by_an_update_keeps_the_whole_spam_period(
    run, disqus_file, hello, redacted, tmp_path
):
    """Retention counts from when a comment became spam: comments the export now marks spam,
    imported long ago as approved, are not deleted at the next retention round."""
    run("import_disqus", disqus_file, "--url-map", URL_MAP)
    long_ago = datetime.now(UTC) - timedelta(days=400)
    Comment.objects.update(status_since=long_ago)
    marked = tmp_path / "marked.xml"
    marked.write_text(
        disqus_file.read_text().replace("<isSpam>false</isSpam>", "<isSpam>true</isSpam>")
    )
    run("import_disqus", marked, "--url-map", URL_MAP, "--update")
    spam = Comment.objects.filter(status=Comment.Status.SPAM)
    assert spam.count() == 4 and not spam.filter(status_since=long_ago).exists()
    run("retention")
    assert Comment.objects.filter(status=Comment.Status.SPAM).count() == 4
