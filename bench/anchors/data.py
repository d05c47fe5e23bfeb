"""The conversations the anchors are measured on, read from the Salon site being measured.

Run in a child process with the site's environment (``SALON_DATA_DIR``); prints JSON: the
demo post and the busy post, each with its title, its body (HTML) and the comments a new
reader sees (approved ones, oldest first), each with its parent's index in that list.
Comments posted while Salon was measured are held, so they are not among them.
"""

from __future__ import annotations

import json
import os
import sys

BUSY_SLUG = "a-busy-conversation"


def export() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salon.settings")
    import django

    django.setup()
    from salon.discussion.models import Comment
    from salon.management.commands.demo import SLUG
    from salon.publishing.models import Post

    def post(slug: str) -> dict:
        row = Post.objects.get(slug=slug)
        comments = list(
            row.comments.filter(status=Comment.Status.APPROVED).order_by("created_at", "pk")
        )
        index = {comment.pk: n for n, comment in enumerate(comments)}
        return {
            "title": row.title,
            "body": row.body or row.reblog_excerpt,
            "published": row.published_at.timestamp(),
            "comments": [
                {
                    "parent": index.get(comment.parent_id),
                    "text": comment.content,
                    "author": comment.author_name,
                    "email": comment.author_email,
                    "website": comment.author_url,
                    "created": comment.created_at.timestamp(),
                    "likes": comment.like_count,
                }
                for comment in comments
            ],
        }

    return {"demo": post(SLUG), "busy": post(BUSY_SLUG)}


if __name__ == "__main__":
    json.dump(export(), sys.stdout)
