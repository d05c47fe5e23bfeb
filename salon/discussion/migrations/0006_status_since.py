import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """When each comment took its present status. Comments already stored get the time of
    the upgrade: one in the spam or the trash keeps its whole retention period from then on,
    rather than being deleted at once for having been written long ago."""

    dependencies = [
        ("discussion", "0005_author_url_http_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="status_since",
            field=models.DateTimeField(
                default=django.utils.timezone.now, editable=False, verbose_name="status since"
            ),
        ),
    ]
