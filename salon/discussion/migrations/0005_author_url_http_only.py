"""Commenters' websites: http(s) only from now on, and stored rows that are not are emptied.

Imports stored ``javascript:`` (and other) addresses as they came, and the thread wrote them
as the link on the commenter's name. The name stays; the link goes. Posts whose comments were
cleaned get a new conversation version, so no cached thread keeps the old link.
"""

from django.db import migrations, models
from django.db.models import F

import salon.web_addresses


def empty_unsafe_author_urls(apps, schema_editor):
    Comment = apps.get_model("discussion", "Comment")
    Post = apps.get_model("publishing", "Post")
    rows = (
        Comment.objects.exclude(author_url="")
        .values_list("pk", "post_id", "author_url")
        .iterator(chunk_size=2000)
    )
    changes: dict[str, list[int]] = {}
    posts: set[int] = set()
    for pk, post_id, url in rows:
        clean = salon.web_addresses.web_address(url)
        if clean != url:
            changes.setdefault(clean, []).append(pk)
            posts.add(post_id)
    for clean, pks in changes.items():
        for start in range(0, len(pks), 500):
            Comment.objects.filter(pk__in=pks[start : start + 500]).update(author_url=clean)
    ids = sorted(posts)
    for start in range(0, len(ids), 500):
        Post.objects.filter(pk__in=ids[start : start + 500]).update(
            conversation_version=F("conversation_version") + 1
        )


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0004_spam_outcome"),
        ("publishing", "0002_pages_and_sticky_posts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="comment",
            name="author_url",
            field=models.URLField(
                blank=True,
                validators=[salon.web_addresses.validate_web_address],
                verbose_name="website",
            ),
        ),
        migrations.RunPython(empty_unsafe_author_urls, migrations.RunPython.noop, elidable=True),
    ]
