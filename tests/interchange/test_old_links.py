"""Old WordPress links keep working after the move: they answer 301 to the new addresses."""

from __future__ import annotations

import pytest

from salon.discussion.models import Comment
from salon.interchange.models import ImportedItem
from salon.publishing.models import Post

pytestmark = pytest.mark.django_db


def _post(wp_id: str) -> Post:
    return Post.objects.get(
        pk=ImportedItem.objects.get(source_id=wp_id, kind__in=["post", "page"]).object_id
    )


@pytest.fixture
def imported(run, theme_file):
    run("import_wxr", theme_file)


def test_query_links_redirect_permanently(client, imported):
    comments = _post("1148")  # Template: Comments
    response = client.get("/?p=1148")
    assert response.status_code == 301
    assert response["Location"] == comments.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200

    level_2 = Post.objects.get(title="Level 2", kind=Post.Kind.PAGE)
    wp_id = ImportedItem.objects.get(kind="page", object_id=level_2.pk).source_id
    response = client.get(f"/?page_id={wp_id}")
    assert response.status_code == 301
    assert response["Location"] == level_2.get_absolute_url() == "/level-2/"


def test_old_permalinks_redirect_permanently(client, imported):
    # WordPress nested the page under its parent; Salon's pages live at /slug/.
    response = client.get("/level-1/level-2/")
    assert response.status_code == 301
    assert response["Location"] == "/level-2/"
    # The post's old link without its final slash is found too.
    record = ImportedItem.objects.get(kind="post", source_id="1148")
    Post.objects.filter(pk=record.object_id).update(slug="comments-template")
    response = client.get(record.old_link.rstrip("/"))
    assert response.status_code == 301
    assert response["Location"] == _post("1148").get_absolute_url()


def test_hidden_or_unknown_items_are_not_revealed(client, imported):
    draft = Post.objects.get(status=Post.Status.DRAFT)
    wp_id = ImportedItem.objects.get(kind="post", object_id=draft.pk).source_id
    assert client.get(f"/?p={wp_id}").status_code == 200  # the home page, no redirect
    assert client.get("/?p=999999").status_code == 200
    assert client.get("/?p=not-a-number").status_code == 200
    assert client.get("/no/such/old/link/").status_code == 404
    assert client.post("/level-1/level-2/").status_code != 301


def _comment_record(wp_id: str) -> ImportedItem:
    return ImportedItem.objects.get(kind="comment", source_id=wp_id)


def test_old_comment_anchors_land_on_the_same_comment(client, imported):
    # A WordPress link to a comment is /?p=1148#comment-ID; the fragment stays with the
    # browser through the redirect, and the imported comment answers at that anchor.
    record = ImportedItem.objects.filter(kind="comment").order_by("pk").first()
    comment = Comment.objects.get(pk=record.object_id)
    assert comment.pk == int(record.source_id)
    old_id = ImportedItem.objects.get(kind__in=["post", "page"], object_id=comment.post_id)
    response = client.get(f"/?p={old_id.source_id}", follow=True)
    assert f'id="comment-{record.source_id}"' in response.content.decode()
    assert comment.get_absolute_url().endswith(f"#comment-{record.source_id}")


def test_paged_comment_links_lead_to_the_post(client, imported):
    record = ImportedItem.objects.get(kind="post", source_id="1148")
    response = client.get(record.old_link.rstrip("/") + "/comment-page-2/")
    assert response.status_code == 301
    assert response["Location"] == _post("1148").get_absolute_url()


def test_a_comment_number_already_taken_is_renumbered_and_said(run, theme_file, make_post):
    # The site already has a comment numbered like one in the file.
    wp_id = "881"  # a comment on "Template: Comments"
    assert f"<wp:comment_id>{wp_id}</wp:comment_id>" in theme_file.read_text(encoding="utf-8")
    here = Comment.objects.create(
        pk=int(wp_id), post=make_post(), author_name="Already here", content="Mine."
    )
    output = run("import_wxr", theme_file)
    assert "1 comment(s) got a new number" in output
    moved = Comment.objects.get(pk=_comment_record(wp_id).object_id)
    assert moved.pk != here.pk and moved.post != here.post
    assert Comment.objects.get(pk=here.pk).content == "Mine."
    assert Comment.objects.count() == 34
    # The next comment written here gets a number of its own (PostgreSQL's sequence moved).
    after = Comment.objects.create(post=here.post, content="Later.")
    assert after.pk > max(Comment.objects.exclude(pk=after.pk).values_list("pk", flat=True))
