"""Imported attachments' addresses: http(s) only from now on, and stored rows that are not
are emptied (the admin showed them as links)."""

from django.db import migrations, models

import salon.web_addresses


def empty_unsafe_attachment_urls(apps, schema_editor):
    Attachment = apps.get_model("interchange", "Attachment")
    rows = Attachment.objects.exclude(url="").values_list("pk", "url").iterator(chunk_size=2000)
    changes = [(pk, salon.web_addresses.web_address(url)) for pk, url in rows]
    for pk, clean in changes:
        Attachment.objects.filter(pk=pk).exclude(url=clean).update(url=clean)


class Migration(migrations.Migration):
    dependencies = [
        ("interchange", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="url",
            field=models.URLField(
                max_length=1000,
                validators=[salon.web_addresses.validate_web_address],
                verbose_name="URL",
            ),
        ),
        migrations.RunPython(
            empty_unsafe_attachment_urls, migrations.RunPython.noop, elidable=True
        ),
    ]
