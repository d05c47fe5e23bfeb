"""Moving in from Isso, Remark42 and Commento: `salon import_isso`, `import_remark42` and
`import_commento` on real files from those projects (see tests/data/interchange/PROVENANCE.md)."""

from __future__ import annotations

import gzip
import json
import sqlite3

import pytest
from django.core.management.base import CommandError

from salon.discussion.models import Comment, Like
from salon.embed.pages import imported_conversation
from salon.interchange.models import ImportedItem
from salon.publishing.models import Post

from .conftest import DATA

pytestmark = pytest.mark.django_db

ISSO = DATA / "isso-comments.db"
REMARK42 = DATA / "remark42-backup.jsonl"
REMARK42_REPLY = DATA / "remark42-backup-reply.jsonl"
COMMENTO = DATA / "commento-export.json"
SITE = "https://isso.example"


def imported(source: str, source_id: str) -> Comment:
    record = ImportedItem.objects.get(kind="comment", source=source, source_id=source_id)
    return Comment.objects.get(pk=record.object_id)


def conversation(address: str) -> Post:
    return Post.objects.elsewhere().get(external_url=address)


# ------------------------------------------------------------------------------------ Isso


def test_isso_database_arrives_whole(run, owner):
    output = run("import_isso", ISSO, "--site", SITE)

    assert Comment.objects.count() == 14
    by_status = {s: Comment.objects.filter(status=s).count() for s in Comment.Status.values}
    assert by_status["approved"] == 11 and by_status["pending"] == 1 and by_status["trash"] == 2
    assert "2 comment(s) deleted in Isso were kept in the trash" in output
    assert (
        "once their sites are allowed (SALON_EMBED_ORIGINS, or the admin): https://isso.example"
        in output
    )

    # Isso's pages become conversations under those pages, titled as Isso knew them.
    test_page = conversation(f"{SITE}/2014/test/")
    assert test_page.title == "Hello, World…"
    assert test_page.author == owner and test_page.status == Post.Status.PUBLISHED
    assert test_page.comment_count == 6  # approved only: the held and the deleted are not
    # "/?p=4" and "/" are one page to Salon (an address has no query), as the embed sees it.
    assert Post.objects.elsewhere().count() == 3

    # Threads: the deleted comment keeps its three replies under it, in the trash.
    deleted = imported("isso:isso.example", "2")
    assert deleted.status == Comment.Status.TRASH
    assert sorted(deleted.replies.values_list("content", flat=True)) == [
        "...",
        "Drölfter!",
        "Yet another reply.",
    ]
    first = imported("isso:isso.example", "1")
    assert first.author_name == "Ohai" and first.author_url == "http://example.tld/"
    assert first.created_at.isoformat() == "2014-01-14T17:32:12+00:00"
    # Likes arrive as likes the page counts.
    assert first.like_count == 2 == Like.objects.filter(comment=first).count()
    assert imported("isso:isso.example", "6").like_count == 1

    held = imported("isso:isso.example", "14")
    assert held.status == Comment.Status.PENDING and held.parent == first
    assert held.author_url == ""  # javascript:alert(1) is no web address
    assert "<em>held</em>" in held.content_html  # Markdown, rendered as the form renders it
    assert '<a href="https://example.org/" rel="nofollow ugc">' in held.content_html
    assert "<script" not in held.content_html


def test_isso_import_runs_again_without_duplicates(run, owner, settings):
    run("import_isso", ISSO, "--site", SITE)
    settings.SALON = {**settings.SALON, "EMBED_ORIGINS": [SITE]}
    again = run("import_isso", ISSO, "--site", SITE)
    assert "SALON_EMBED_ORIGINS" not in again  # the site is allowed now: nothing to say
    assert Comment.objects.count() == 14 and Like.objects.count() == 3
    assert Post.objects.elsewhere().count() == 3
    assert "comment                  0         0        14" in again


def test_isso_page_of_a_blog_that_moved_here_finds_its_post(run, make_post, settings):
    post = make_post(title="Hello, World…", slug="hello-isso")
    run(
        "import_isso",
        ISSO,
        "--site",
        settings.SITE_URL,
        "--url-map",
        f"/2014/test/={post.get_absolute_url()}",
    )
    assert post.comments.count() == 8
    post.refresh_from_db()
    assert post.comment_count == 6
    assert not Post.objects.elsewhere().filter(external_url__endswith="/2014/test/").exists()


def test_isso_page_that_already_has_a_conversation_gets_its_comments(run, owner):
    opened, _ = imported_conversation(f"{SITE}/2014/test/", "Opened by the widget", None)
    run("import_isso", ISSO, "--site", SITE)
    assert opened.comments.count() == 8
    assert conversation(f"{SITE}/2014/test/").pk == opened.pk


def test_isso_paths_need_the_site(run, owner):
    with pytest.raises(CommandError, match=r"comment 1: the page is named by its path.*--site"):
        run("import_isso", ISSO)
    assert not Comment.objects.exists() and not Post.objects.exists()


def test_isso_refuses_what_is_not_its_database(run, owner, tmp_path):
    with pytest.raises(CommandError, match="not an SQLite database"):
        run("import_isso", COMMENTO, "--site", SITE)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE threads (id INTEGER, uri TEXT, title TEXT)")
    with pytest.raises(CommandError, match="not an Isso database: it has no table 'comments'"):
        run("import_isso", other, "--site", SITE)


def test_isso_comment_past_the_limit_refuses_the_whole_file(run, owner, tmp_path):
    copy = tmp_path / "big.db"
    copy.write_bytes(ISSO.read_bytes())
    with sqlite3.connect(copy) as db:
        db.execute("UPDATE comments SET text = ? WHERE id = 13", ("x" * 65_526,))
    with pytest.raises(CommandError, match=r"big.db, comment 13: .*longer than 65,525"):
        run("import_isso", copy, "--site", SITE)
    # The twelve comments before it were stored, then rolled back with the rest.
    assert not Comment.objects.exists() and not Post.objects.exists()


# -------------------------------------------------------------------------------- Remark42


def test_remark42_backup_arrives(run, owner):
    output = run("import_remark42", REMARK42)
    assert Comment.objects.count() == 2
    home = conversation("https://radio-t.com/")
    first = home.comments.get()
    assert first.content_html == (
        'some text, <a href="http://radio-t.com" rel="nofollow ugc">link</a>'
    )
    assert first.author_name == "user name" and first.author_ip is None  # a hash, not an IP
    assert first.created_at.isoformat() == "2017-12-20T21:18:22+00:00"
    # Its parent "1234" is not in the file: it stands at the top, and the summary says so.
    # The header made https://radio-t.com read-only: its conversation here is closed.
    assert home.comments_open is False
    assert conversation("https://radio-t.com/2").comments_open is True
    orphan = conversation("https://radio-t.com/2").comments.get()
    assert orphan.parent is None
    assert "1 comment(s) replied to a comment missing from the file" in output


def test_remark42_reply_and_header_on_one_line_and_rerun(run, owner):
    run("import_remark42", REMARK42)
    run("import_remark42", REMARK42_REPLY)  # shares its first comment with the other file
    home = conversation("https://radio-t.com/")
    assert home.comments.count() == 2
    reply = imported("remark42:radio-t", "afbc17f177ee1a1c0ee6e1e025749966ec071adc")
    assert reply.parent == imported("remark42:radio-t", "efbc17f177ee1a1c0ee6e1e025749966ec071adc")
    run("import_remark42", REMARK42_REPLY)
    assert Comment.objects.count() == 3


def test_remark42_deleted_and_voted_comments(run, owner, tmp_path):
    # The real backups carry no deleted comment and no votes: a copy of one is edited.
    lines = REMARK42_REPLY.read_text().splitlines()
    reply = json.loads(lines[1])
    reply.update(delete=True, votes={"user2": True, "user3": True, "user4": False}, score=1)
    lines[1] = json.dumps(reply)
    path = tmp_path / "backup.jsonl"
    path.write_text("\n".join(lines) + "\n")
    output = run("import_remark42", path)
    comment = imported("remark42:radio-t", reply["id"])
    assert comment.status == Comment.Status.TRASH
    assert comment.like_count == 2 == comment.likes.count()  # up-votes only
    assert conversation("https://radio-t.com/").comment_count == 1
    assert "1 comment(s) deleted in Remark42 were kept in the trash" in output


def test_remark42_refuses_bad_files_naming_the_line(run, owner, tmp_path):
    wrong = tmp_path / "v2.jsonl"
    wrong.write_text(REMARK42.read_text().replace('{"version":1', '{"version":2', 1))
    with pytest.raises(CommandError, match=r"v2.jsonl, line 1: backup version 2"):
        run("import_remark42", wrong)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(REMARK42_REPLY.read_text() + '{"id": "x", "text": \n')
    with pytest.raises(CommandError, match=r"broken.jsonl, line 3: not JSON"):
        run("import_remark42", broken)
    # The two good comments before the broken line were not kept: all or nothing.
    assert not Comment.objects.exists() and not Post.objects.exists()
    with pytest.raises(CommandError, match=r"line 1: a Remark42 backup starts with its header"):
        run("import_remark42", COMMENTO)


# -------------------------------------------------------------------------------- Commento


def test_commento_export_arrives(run, owner):
    run("import_commento", COMMENTO)
    assert Comment.objects.count() == 3
    post_1 = conversation("https://example.com/blog/post/1")
    parent = post_1.comments.get(parent=None)
    assert parent.author_name == "User5276"
    assert parent.author_email == "somegreatmail@gmail.com"
    assert parent.author_url == "https://example.com/profile/257"
    reply = post_1.comments.get(parent=parent)
    assert reply.author_name == "Saturnin Uf" and reply.content_html == "<p>Great reply!</p>"
    anonymous = conversation("https://example.com/blog/post/2").comments.get()
    assert anonymous.author_name == "Anonymous" and anonymous.like_count == 1
    assert anonymous.created_at.isoformat() == "2021-03-12T11:21:56+00:00"
    run("import_commento", COMMENTO)
    assert Comment.objects.count() == 3 and Like.objects.count() == 1


def test_commento_states(run, owner, tmp_path):
    data = json.loads(COMMENTO.read_text())
    data["comments"][0]["state"] = "flagged"  # a spam filter doubted it: held, not dropped
    data["comments"][1]["deleted"] = True
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data))
    run("import_commento", path)
    assert imported("commento", data["comments"][0]["commentHex"]).status == "pending"
    assert imported("commento", data["comments"][1]["commentHex"]).status == "trash"
    # The reply to the deleted comment keeps its place under it.
    assert imported("commento", data["comments"][2]["commentHex"]).parent.status == "trash"


def test_commento_refuses_other_files(run, owner, tmp_path):
    newer = tmp_path / "v2.json"
    newer.write_text(COMMENTO.read_text().replace('"version": 1', '"version": 2'))
    with pytest.raises(CommandError, match="Commento export version 2"):
        run("import_commento", newer)
    with pytest.raises(CommandError, match=r"remark42-backup.jsonl, line 2: not JSON"):
        run("import_commento", REMARK42)


def test_remark42_daily_backup_is_read_gzipped(run, owner, tmp_path):
    # Remark42's automatic backups are backup-SITE-YYYYMMDD.gz.
    path = tmp_path / "backup-radio-t-20171220.gz"
    path.write_bytes(gzip.compress(REMARK42_REPLY.read_bytes()))
    run("import_remark42", path)
    assert conversation("https://radio-t.com/").comments.count() == 2
