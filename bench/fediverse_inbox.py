"""The fediverse inbox's cost per reply, against the comment form's.

Run: ``python bench/fediverse_inbox.py [--replies N]``. Prints figures; asserts nothing.

It makes a throw-away install (a temporary ``SALON_DATA_DIR``, ``salon migrate``, one post),
then, in this process through Django's test client (no network, no server: the figures are
Salon's own CPU), sends N signed ``Create`` activities of reply Notes to the shared inbox,
and N comments through the comment form. The remote account's key is already cached, as it
is for every reply after a server's first. Both paths end in the same comment pipeline, with
Salon's spam engine on; what the inbox adds is reading the signature (draft-cavage,
RSA-2048), the digest, JSON-LD compaction (PyLD) and turning the Note's HTML into a comment.

Anchor: the comment form. ``inbox / form`` is the ratio of CPU per reply.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=200)
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="salon-bench-fedi-")
    os.environ["SALON_DATA_DIR"] = data
    os.environ["SALON_SITE_URL"] = "http://testserver"
    os.environ["SALON_FEDIVERSE_INBOX_RATE"] = "100000/m"  # the bench is one remote host
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salon.settings")
    sys.path.insert(0, str(ROOT))
    try:
        run(args.replies)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def run(n: int) -> None:
    import django

    django.setup()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from salon.discussion.models import Comment
    from salon.discussion.visitors import render_time_token
    from salon.fediverse.models import RemoteActor
    from salon.fediverse.signatures import sign
    from salon.publishing.models import Post

    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_superuser("owner", "owner@example.org", "pw")
    post = Post.objects.create(
        title="A post worth answering",
        author=owner,
        body="<p>Body.</p>",
        status="published",
        published_at=timezone.now() - timezone.timedelta(days=1),
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    actor_uri = "https://social.example/users/alice"
    RemoteActor.objects.create(
        uri=actor_uri,
        handle="alice@social.example",
        name="Alice",
        profile_url="https://social.example/@alice",
        inbox="https://social.example/users/alice/inbox",
        key_id=f"{actor_uri}#main-key",
        public_key_pem=key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    )
    # Warm up both paths (imports, the spam model, caches).
    client = Client()
    object_id = f"http://testserver/fediverse/posts/{post.pk}/"

    def inbox_reply(i: int) -> int:
        note = {
            "id": f"https://social.example/users/alice/statuses/{i}",
            "type": "Note",
            "attributedTo": actor_uri,
            "inReplyTo": object_id,
            "content": f'<p><span class="h-card"><a href="http://testserver/fediverse/blog/" class="u-url mention">@<span>blog</span></a></span> Reply number {i}: I think the second point holds.</p>',
            "url": f"https://social.example/@alice/{i}",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": ["https://social.example/users/alice/followers"],
        }
        activity = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{note['id']}/activity",
            "type": "Create",
            "actor": actor_uri,
            "object": note,
        }
        body = json.dumps(activity).encode()
        headers = sign(
            "POST",
            "http://testserver/fediverse/inbox/",
            f"{actor_uri}#main-key",
            key,
            body=body,
            headers={"Content-Type": "application/activity+json"},
        )
        extra = {
            f"HTTP_{k.upper().replace('-', '_')}": v
            for k, v in headers.items()
            if k not in ("Content-Type", "Host")
        }
        return client.post(
            "/fediverse/inbox/", body, content_type="application/activity+json", **extra
        ).status_code

    def form_comment(i: int) -> int:
        return client.post(
            "/comments/post/",
            {
                "post": str(post.pk),
                "comment": f"Comment number {i}: I think the second point holds.",
                "author": f"Reader {i}",
                "email": f"reader{i}@example.net",
                "url": "",
                "shown": render_time_token(),
            },
            REMOTE_ADDR=f"10.1.{i // 250}.{i % 250 + 1}",
        ).status_code

    for i in range(5):
        inbox_reply(10_000 + i)
        form_comment(10_000 + i)

    def measure(label: str, send) -> float:
        statuses: dict[int, int] = {}
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(n):
            status = send(i)
            statuses[status] = statuses.get(status, 0) + 1
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        per = cpu / n * 1000
        print(
            f"{label:<22} {n} replies  CPU {per:6.2f} ms each  wall {wall / n * 1000:6.2f} ms each  statuses {statuses}"
        )
        return per

    form = measure("comment form (anchor)", form_comment)
    inbox = measure("fediverse inbox", inbox_reply)
    kinds = Comment.objects.values_list("kind", flat=True)
    print(
        f"comments stored: {sum(1 for k in kinds if k == 'fediverse')} from the inbox, "
        f"{sum(1 for k in kinds if k == 'comment')} from the form"
    )
    print(f"inbox / form CPU per reply: {inbox / form:.2f}×")


if __name__ == "__main__":
    main()
