"""A reblog's address: http(s) only from now on.

Stored rows are left as they are: a reblog is fetched over http(s), so only an address typed
in the admin (which allowed ftp://) could be another, and emptying it would turn the post
into an ordinary one and hide the excerpt. The post page links it only if it is http(s).
"""

from django.db import migrations, models

import salon.web_addresses


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0003_pages_elsewhere"),
    ]

    operations = [
        migrations.AlterField(
            model_name="post",
            name="reblog_url",
            field=models.URLField(
                blank=True,
                max_length=500,
                validators=[salon.web_addresses.validate_web_address],
                verbose_name="reblogged article's URL",
            ),
        ),
    ]
