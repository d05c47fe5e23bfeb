"""Fediverse replies as comments: a ``Note`` answering one of our posts or comments goes
through the same pipeline as any comment (spam filter, moderation words, holding rules),
and its ``Update`` and ``Delete`` edit or remove that comment.

The Note's HTML is someone else's: mentions and hashtags become plain text (so a reply
naming three people is not "a comment with three links"), the leading mention of the blog
is dropped, and what is left is kept to the tags comments may use, then rendered by the
pipeline like any comment.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import lxml.html
import nh3
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salon.discussion.models import AUTHOR_MAX, CONTENT_MAX, URL_MAX, Comment
from salon.discussion.pipeline import (
    CommentRejected,
    CommentSubmission,
    resubmit_comment,
    submit_comment,
)
from salon.discussion.rendering import COMMENT_ATTRIBUTES, COMMENT_TAGS
from salon.fediverse import jsonld
from salon.fediverse.documents import BLOG, actor_uri
from salon.fediverse.local import resolve_target
from salon.fediverse.models import URI_MAX, FediverseSettings, RemoteActor, RemoteReply
from salon.fediverse.remote import host_of

_LEADING_SPACE = re.compile(r"^(<p>)\s+")


@dataclass(frozen=True)
class Outcome:
    """What became of an activity: the HTTP status to answer and a sentence saying why."""

    status: int
    message: str


def _unwrap_links(content: str, plain: set[str], ours: set[str]) -> str:
    """The Note's HTML with mention and hashtag links turned into their text, and leading
    mentions of this site's actors removed."""
    if not content.strip():
        return ""
    root = lxml.html.fragment_fromstring(content, create_parent="div")
    leading = True
    for link in list(root.iter("a")):
        href = link.get("href", "")
        classes = set((link.get("class") or "").split())
        if href in plain or href in ours or classes & {"mention", "hashtag"}:
            text = link.text_content()
            if leading and href in ours and not _text_before(root, link):
                text = ""
            else:
                leading = False
            tail = (link.tail or "").lstrip() if not text else (link.tail or "")
            parent = link.getparent()
            previous = link.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + text + tail
            else:
                parent.text = (parent.text or "") + text + tail
            parent.remove(link)
        else:
            leading = False
    return (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )


def _text_before(root, element) -> bool:
    """Whether any visible text comes before ``element`` in the fragment."""
    marker = "\ue000"  # a private-use character, never in a real post
    saved = element.text
    element.text = marker + (saved or "")
    before = root.text_content().split(marker, 1)[0]
    element.text = saved
    return bool(before.strip())


def note_text(note: dict[str, Any]) -> str:
    """The comment text a Note becomes: its HTML kept to comment tags, on one line (so the
    pipeline's Markdown reads it as one HTML block and leaves its characters alone)."""
    content = jsonld.text(note.get("content"))
    if not content:
        content_map = note.get("contentMap")
        if isinstance(content_map, dict) and content_map:
            content = jsonld.text(next(iter(content_map.values())))
    plain: set[str] = set()
    for tag in jsonld.as_list(note.get("tag")):
        if isinstance(tag, dict) and set(jsonld.types(tag)) & {"Mention", "Hashtag"}:
            plain.add(jsonld.ref(tag.get("href")))
    ours = {actor_uri(BLOG)}
    content = _unwrap_links(content, plain, ours)
    cleaned = nh3.clean(
        content,
        tags=COMMENT_TAGS,
        attributes=COMMENT_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel=None,
    ).strip()
    cleaned = _LEADING_SPACE.sub(r"\1", cleaned)  # what the dropped mention was followed by
    for attachment in jsonld.as_list(note.get("attachment")):
        if not isinstance(attachment, dict):
            continue
        url = jsonld.first_ref(attachment.get("url")) or jsonld.ref(attachment)
        if url.startswith(("https://", "http://")):
            label = html.escape(jsonld.text(attachment.get("name")) or _("attachment"))
            cleaned += f'<p><a href="{html.escape(url)}">{label}</a></p>'
    if cleaned and not cleaned.startswith(("<p", "<blockquote", "<pre", "<ul", "<ol")):
        cleaned = f"<p>{cleaned}</p>"
    return cleaned.replace("\r", "").replace("\n", "&#10;")[:CONTENT_MAX]


def _submission(
    note: dict[str, Any], actor: RemoteActor, post, parent: Comment | None
) -> CommentSubmission:
    options = FediverseSettings.current()
    url = jsonld.first_ref(note.get("url"))
    return CommentSubmission(
        post=post,
        parent=parent,
        content=note_text(note),
        author_name=(actor.name or actor.handle or actor.uri)[:AUTHOR_MAX],
        author_url=actor.profile_url if len(actor.profile_url) <= URL_MAX else "",
        referrer=url if len(url) <= 2000 else "",
        kind=Comment.Kind.FEDIVERSE,
        hold_reason=(
            _("this site holds every reply from the fediverse for moderation")
            if options.replies == FediverseSettings.Replies.HOLD
            else ""
        ),
    )


def _check_note(note: dict[str, Any], actor: RemoteActor) -> Outcome | None:
    """Why this Note cannot be taken from this actor, if it cannot."""
    uri = jsonld.ref(note)
    if "Note" not in jsonld.types(note):
        return Outcome(202, "Ignored: only replies (Notes) become comments here.")
    if not uri or len(uri) > URI_MAX:
        return Outcome(400, "The Note has no usable id.")
    if host_of(uri) != actor.host or jsonld.first_ref(note.get("attributedTo")) != actor.uri:
        return Outcome(403, "The Note is not the sender's own.")
    return None


def receive_note(note: dict[str, Any], actor: RemoteActor) -> Outcome:
    """A Note arrived (Create, or an Update of one not seen before): show it as a comment
    if it answers one of ours, is public, and the owner takes replies."""
    refused = _check_note(note, actor)
    if refused:
        return refused
    uri = jsonld.ref(note)
    existing = RemoteReply.objects.filter(note_uri=uri).select_related("comment").first()
    if existing is not None:
        return update_note(note, actor)
    target = resolve_target(jsonld.ref(note.get("inReplyTo")))
    if target is None:
        return Outcome(202, "Ignored: the Note does not answer a post or comment shown here.")
    if not jsonld.is_public(note):
        return Outcome(202, "Ignored: only public replies are shown as comments.")
    if FediverseSettings.current().replies == FediverseSettings.Replies.OFF:
        return Outcome(202, "Ignored: this blog does not take replies from the fediverse.")
    submission = _submission(note, actor, target.post, target.comment)
    if not submission.content:
        return Outcome(202, "Ignored: the reply is empty.")
    url = jsonld.first_ref(note.get("url"))
    try:
        with transaction.atomic():
            comment = submit_comment(submission)
            if comment is None:
                return Outcome(202, "Accepted, and discarded as spam.")
            RemoteReply.objects.create(
                note_uri=uri,
                url=url if url.startswith(("https://", "http://")) and len(url) <= URI_MAX else "",
                actor=actor,
                comment=comment,
            )
    except CommentRejected as rejected:
        return Outcome(rejected.status, rejected.message)
    return Outcome(202, f"Accepted: the reply is a comment ({comment.get_status_display()}).")


def update_note(note: dict[str, Any], actor: RemoteActor) -> Outcome:
    """An edited Note: its comment is judged again like any edit (never lifted out of
    moderation by it)."""
    refused = _check_note(note, actor)
    if refused:
        return refused
    reply = (
        RemoteReply.objects.filter(note_uri=jsonld.ref(note))
        .select_related("comment", "comment__post", "comment__parent")
        .first()
    )
    if reply is None:
        return receive_note(note, actor)
    if reply.actor_id != actor.pk:
        return Outcome(403, "The Note is not the sender's own.")
    comment = reply.comment
    submission = _submission(note, actor, comment.post, comment.parent)
    if not submission.content:
        return Outcome(202, "Ignored: the edited reply is empty.")
    with transaction.atomic():
        resubmit_comment(comment, submission)
        reply.updated_at = timezone.now()
        reply.save(update_fields=["updated_at"])
    return Outcome(202, f"Accepted: the comment was changed ({comment.get_status_display()}).")


def delete_note(uri: str, actor: RemoteActor) -> Outcome:
    reply = RemoteReply.objects.filter(note_uri=uri).first()
    if reply is None:
        return Outcome(202, "Ignored: no comment here comes from that Note.")
    if reply.actor_id != actor.pk:
        return Outcome(403, "The Note is not the sender's own.")
    with transaction.atomic():
        Comment.objects.filter(pk=reply.comment_id).delete()  # its RemoteReply goes with it
    return Outcome(202, "Accepted: the comment was removed.")
