"""``salon demo``: the demo site, recreating the page in the project's reference.

The post, its two comments, the reply and the like are those of a real reblog page. The page's
text does not carry the source article's address, so the reblog links to a placeholder on the
reserved ``.example`` domain.
"""

from __future__ import annotations

import io
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from salon.discussion.counts import refresh_comment_counts, refresh_like_count
from salon.discussion.models import Comment, Like
from salon.discussion.rendering import render_comment
from salon.publishing.models import Category, Media, Post, Tag

TITLE = (
    "Is Turkey Now “Officially” an Ally of Russia? Acquires Russia’s S-400 making Exit from "
    "NATO Imminent?"
)
SLUG = "is-turkey-now-officially-an-ally-of-russia"
SOURCE_URL = f"https://blogfactory.example/2019/07/13/{SLUG}/"

EXCERPT = """
<p>Turkey is taking delivery of Russia’s S 400 missile defence system. What this signifies is
that Turkey and Russia are now “officially” allies. The first shipment of the S-400 landed in
Ankara on July 12, according to Turkey’s Ministry of Defense. (see image below)</p>
<figure><img src="{image}" alt="The first S-400 shipment unloaded from a cargo plane in Ankara (illustration)" width="800" height="450"><figcaption>The first shipment, Ankara, July 12, 2019 (illustration).</figcaption></figure>
<p>Two more shipments are due, with the third delivery of “over 120 anti-aircraft missiles of
various types… [scheduled] tentatively at the end of the summer, by sea.”</p>
<p>Reports confirm that the “Turkish S-400 operators will travel to Russia for training in July
and August. About 20 Turkish servicemen underwent training at a Russian training center in May
and June, …”(CNN, July 12, 2019)</p>
<p>How will the US respond?</p>
<p>In all likelihood, Erdogan’s presidency will be the object of an attempted regime change, not
to mention ongoing financial reprisals directed against the Turkish Lira as well as economic
sanctions.</p>
<p>What is unfolding is an all out crisis in the structure of military alliances. Turkey cannot
reasonably retain its NATO membership while at the same time entering into a military
cooperation agreement with the Russian Federation</p>
"""

FIRST_COMMENT = (
    "We’re standing firmly upon the ever-shifting sands of imperial political and military "
    "“alliances.” If the Europeans had had the balls to quit NATO when the Soviet Bloc imploded, "
    "things would be very different today. Instead of being an incestuous, genocidal, endless "
    "war theater, the Middle East might still be the place where you go to get your oil and "
    "America might be in international relations elementary school learning how not to be a "
    "bully. Israel might be contemplating sharing space with Palestinians and who knows but "
    "Russia might be a part of the EU with great economic benefit to all sides."
)
REPLY = (
    "Excellent point, Sha’Tara. It’s my understanding that the reunified German government "
    "strongly wanted to include Russia in the EU after the Soviet Union collapse. It was vetoed "
    "by the US, course – with Russia in the EU the US would have immediately lost any global "
    "economic advantage."
)


def draw_illustration() -> bytes:
    """A simple drawn picture for the post (made here, so it needs no outside source)."""
    from PIL import Image, ImageDraw

    width, height = 800, 450
    image = Image.new("RGB", (width, height), "#9cc3e6")
    draw = ImageDraw.Draw(image)
    for y in range(height // 2):  # sky gradient
        shade = 156 + int(70 * y / (height / 2))
        draw.line([(0, y), (width, y)], fill=(shade - 40, shade - 10, 230))
    draw.rectangle([0, 300, width, height], fill="#7d7f74")  # apron
    draw.polygon([(60, 210), (520, 190), (560, 215), (520, 240), (60, 250)], fill="#d9dde0")
    draw.polygon([(250, 205), (330, 120), (360, 120), (320, 210)], fill="#c4c9cc")  # wing
    draw.polygon([(60, 210), (40, 150), (80, 150), (100, 212)], fill="#c4c9cc")  # tail
    draw.rectangle([420, 300, 700, 350], fill="#4a5a3a")  # truck
    draw.rectangle([640, 270, 700, 300], fill="#4a5a3a")
    for x in (440, 500, 580, 660):
        draw.ellipse([x, 340, x + 30, 370], fill="#222")
    for i in range(4):  # launch tubes
        draw.rectangle([430, 286 - i * 6, 640, 290 - i * 6], fill="#5d6e49")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


class Command(BaseCommand):
    help = "Load the demo post, its comments, a reply and a like (once), and an admin account."

    def handle(self, *args, **options):
        admin = self._admin()
        if Post.objects.filter(slug=SLUG).exists():
            self.stdout.write("Demo content is already loaded.")
            return
        with transaction.atomic():
            self._load(admin)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))

    def _admin(self):
        User = get_user_model()
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        if admin is not None:
            return admin
        password = secrets.token_urlsafe(12)
        admin = User.objects.create_superuser("admin", "admin@localhost", password)
        password_file = Path(settings.DATA_DIR) / "admin-password.txt"
        password_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")
        self.stdout.write(f"Created the administrator “admin”; the password is in {password_file}.")
        return admin

    def _load(self, admin) -> None:
        media = Media(
            alt_text="The first S-400 shipment in Ankara (illustration)", uploaded_by=admin
        )
        media.file.save("s-400-delivery.png", ContentFile(draw_illustration()), save=True)

        published = datetime(2019, 7, 13, 9, 30, tzinfo=UTC)
        post = Post.objects.create(
            title=TITLE,
            slug=SLUG,
            author=admin,
            status=Post.Status.PUBLISHED,
            published_at=published,
            reblog_url=SOURCE_URL,
            reblog_title=TITLE,
            reblog_site="blogfactory",
            reblog_excerpt=EXCERPT.format(image=media.url),
        )
        world, _ = Category.objects.get_or_create(slug="world", defaults={"name": "World"})
        post.categories.add(world)
        for name in ("NATO", "Russia", "Turkey"):
            tag, _ = Tag.objects.get_or_create(slug=name.lower(), defaults={"name": name})
            post.tags.add(tag)

        first = Comment.objects.create(
            post=post,
            author_name="Sha’Tara",
            author_email="shatara@example.net",
            author_url="https://shatara.example/",
            content=FIRST_COMMENT,
            content_html=render_comment(FIRST_COMMENT),
            status=Comment.Status.APPROVED,
            created_at=datetime(2019, 7, 13, 16, 2, tzinfo=UTC),
        )
        reply = Comment.objects.create(
            post=post,
            parent=first,
            user=admin,
            author_name=admin.get_full_name() or admin.get_username(),
            author_email=admin.email,
            content=REPLY,
            content_html=render_comment(REPLY),
            status=Comment.Status.APPROVED,
            created_at=datetime(2019, 7, 13, 18, 45, tzinfo=UTC),
        )
        Like.objects.create(post=post, comment=reply, liker="g:demo-reader")
        refresh_like_count(post.pk, reply.pk)
        refresh_comment_counts([post.pk])
