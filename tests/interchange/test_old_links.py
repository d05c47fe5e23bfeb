"""Old WordPress links keep working after the move: they answer 301 to the new addresses."""

from __future__ import annotations

import pytest

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
