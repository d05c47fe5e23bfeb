"""Comments found by their author's e-mail address (compared without case) and website through
an index, not by reading every comment: each new comment asks for its author's history, the
flood guard and earlier approvals by these. The index on the address as typed answered
none of them, since every rule compares addresses without case."""

from django.db import migrations, models
from django.db.models.functions import Lower


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0006_status_since"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="comment",
            name="discussion__author__0b1e5b_idx",
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                Lower("author_email"), models.F("status"), name="discussion_comment_email"
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                fields=["author_url", "status"], name="discussion__author__8f820a_idx"
            ),
        ),
    ]
