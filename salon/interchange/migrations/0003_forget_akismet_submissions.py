from django.db import migrations

UNKEPT_META = {"akismet_as_submitted"}


def forget_akismet_submissions(apps, schema_editor):
    """Records imported before: drop Akismet's copy of each submission (the commenter's
    e-mail, IP address and browser), which outlived the IP retention period."""
    ImportedItem = apps.get_model("interchange", "ImportedItem")
    changed = []
    for record in ImportedItem.objects.filter(
        kind="comment", extra__has_key="commentmeta"
    ).iterator(chunk_size=2000):
        meta = record.extra["commentmeta"]
        kept = [pair for pair in meta if pair[0] not in UNKEPT_META]
        if len(kept) == len(meta):
            continue
        if kept:
            record.extra["commentmeta"] = kept
        else:
            del record.extra["commentmeta"]
        changed.append(record)
        if len(changed) == 500:
            ImportedItem.objects.bulk_update(changed, ["extra"])
            changed = []
    ImportedItem.objects.bulk_update(changed, ["extra"])


class Migration(migrations.Migration):
    dependencies = [("interchange", "0002_attachment_url_http_only")]

    operations = [migrations.RunPython(forget_akismet_submissions, migrations.RunPython.noop)]
