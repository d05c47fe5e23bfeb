"""What the API accepts: JSON bodies read field by field, checked with the comment form's own
rules (WordPress's limits, the same message for each field as the form gives).

Every refusal is an :class:`ApiError` naming the field in the API's own words (``text``,
``name``, ``email``, ``website``, ``parent``, ``url``, ``title``…).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import gettext as _

from salon.discussion.forms import CommentForm

TITLE_MAX = 300


class ApiError(Exception):
    """A request the API refuses: the HTTP status, a message for the reader, the field at
    fault (None when it is not one field's), and headers to add (``Retry-After``)."""

    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers or {}


# The comment form's field for each of the API's, and back.
_FORM_NAMES = {
    "text": "comment",
    "name": "author",
    "email": "email",
    "website": "url",
    "parent": "parent",
    "nickname": "nickname",
    "shown": "shown",
    "notify_replies": "notify_replies",
    "notify_posts": "notify_posts",
}
_API_NAMES = {form: api for api, form in _FORM_NAMES.items()}
_STRINGS = ("url", "title", "text", "name", "email", "website", "nickname", "shown")
_FLAGS = ("notify_replies", "notify_posts")


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object; 400 when the body is not one."""
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ApiError(400, _("The request is too large."), "body") from None
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, _("The request body is not valid JSON."), "body") from None
    if not isinstance(data, dict):
        raise ApiError(400, _("The request body must be a JSON object."), "body")
    return data


def _typed(data: dict[str, Any]) -> dict[str, Any]:
    """The known fields, each of the type the schema gives it (strings, flags, an id)."""
    for name in _STRINGS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise ApiError(400, _("This must be text."), name)
        if isinstance(value, str) and "\x00" in value:
            raise ApiError(400, _("This contains characters that are not allowed."), name)
    for name in _FLAGS:
        value = data.get(name)
        if value is not None and not isinstance(value, bool):
            raise ApiError(400, _("This must be true or false."), name)
    parent = data.get("parent")
    if parent is not None and (
        isinstance(parent, bool) or not isinstance(parent, int) or not 0 < parent < 2**63
    ):
        raise ApiError(400, _("This must be the id of a comment."), "parent")
    return data


class EmbedCommentForm(CommentForm):
    """The comment form without what only the page's form has (the post's id, which the
    page address replaces, and "save my details", which the widget keeps itself)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("post", "save_identity"):
            self.fields.pop(name, None)


def _first_error(form: CommentForm) -> ApiError:
    for name, errors in form.errors.items():
        return ApiError(400, str(errors[0]), _API_NAMES.get(name, name))
    return ApiError(400, _("The comment could not be read."))


def new_comment(data: dict[str, Any], require_name_email: bool, logged_in: bool) -> dict:
    """A new comment's fields, checked as the comment form checks them (in the form's names:
    ``comment``, ``author``, ``email``, ``url``, ``parent``…)."""
    data = _typed(data)
    title = data.get("title") or ""
    if len(title) > TITLE_MAX:
        raise ApiError(
            400, _("A title can be at most %(limit)d characters.") % {"limit": TITLE_MAX}, "title"
        )
    fields = {
        form: data[api]
        for api, form in _FORM_NAMES.items()
        if data.get(api) is not None and data[api] is not False
    }
    form = EmbedCommentForm(fields, require_name_email=require_name_email, logged_in=logged_in)
    if not form.is_valid():
        raise _first_error(form)
    return form.cleaned_data


def edited_text(data: dict[str, Any]) -> str:
    """The new text of an edited comment, checked as the comment form checks a text."""
    data = _typed(data)
    form = EmbedCommentForm(
        {"comment": data.get("text") or ""}, require_name_email=False, logged_in=True
    )
    if "comment" in form.errors or not form.is_valid():
        raise _first_error(form)
    return form.cleaned_data["comment"]
