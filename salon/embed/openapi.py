"""The API's description, OpenAPI 3.0, served at ``/api/v1/openapi.json``.

Written by hand beside the views it describes (:mod:`salon.embed.api`); the test suite runs
schemathesis against it, so a view that answers otherwise than described fails there.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from salon.discussion.models import AUTHOR_MAX, CONTENT_MAX, EMAIL_MAX, URL_MAX
from salon.embed.addresses import MAX_ADDRESS
from salon.embed.api import COUNTS_MAX, endpoint, json_response, site_base
from salon.embed.forms import TITLE_MAX
from salon.embed.readers import HEADER
from salon.embed.thread_json import PAGE_DEFAULT, PAGE_MAX


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
_TOO_MANY = {
    **_error("Over the rate limit, or too soon after the last comment (the flood guard)."),
    "headers": _RETRY_AFTER,
}
_COMMON = {
    "401": _error(f"The {HEADER} token is forged, expired, or its account changed."),
    "403": _error("Asked from a page of a site that may not embed this conversation."),
}
_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "The reader's language (BCP 47); this site's own when it does not have it.",
    "schema": {"type": "string"},
}
_COMMENT_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
}
EXAMPLE_PAGE = "https://blog.example/2026/05/first-light/"
_ADDRESS = {
    "type": "string",
    "minLength": 1,
    "maxLength": 2 * MAX_ADDRESS,
    "description": "A page's address: http:// or https://, a host, a path (the query and "
    "the fragment are not part of it).",
    "example": EXAMPLE_PAGE,
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "field"],
        "properties": {
            "error": {"type": "string", "description": "What is wrong, for the reader."},
            "field": {
                "type": "string",
                "nullable": True,
                "description": "The field (or parameter, or header) at fault, if one is.",
            },
        },
    },
    "Author": {
        "type": "object",
        "required": ["name", "website", "avatar", "handle"],
        "properties": {
            "name": {"type": "string"},
            "website": {"type": "string", "description": "The author's site, or empty."},
            "avatar": {"type": "string", "description": "An image's address (48×48)."},
            "handle": {
                "type": "string",
                "description": "For a reply from the fediverse, the author's @user@server.",
            },
        },
    },
    "Comment": {
        "type": "object",
        "required": [
            "id",
            "liked",
            "editable_until",
            "text",
            "parent",
            "number",
            "depth",
            "kind",
            "author",
            "original_url",
            "created",
            "date",
            "html",
            "likes",
            "likes_label",
            "awaiting",
            "replies",
        ],
        "properties": {
            "id": {"type": "integer"},
            "liked": {"type": "boolean", "description": "Whether this reader likes it."},
            "editable_until": {
                "type": "string",
                "format": "date-time",
                "nullable": True,
                "description": "Until when this reader may edit or delete it (theirs, "
                "within the edit window); null when they may not.",
            },
            "text": {
                "type": "string",
                "nullable": True,
                "description": "The text as its author wrote it (Markdown), for its author "
                "while they may edit it; null otherwise.",
            },
            "parent": {
                "type": "integer",
                "nullable": True,
                "description": "The comment it answers, when shown as a reply.",
            },
            "number": {
                "type": "integer",
                "nullable": True,
                "description": "Its number in reading order (null outside a thread).",
            },
            "depth": {"type": "integer", "nullable": True},
            "kind": {
                "type": "string",
                "enum": ["comment", "pingback", "trackback", "webmention", "fediverse"],
            },
            "author": _ref("Author"),
            "original_url": {
                "type": "string",
                "description": "Where a reply from the fediverse was first published, or empty.",
            },
            "created": {"type": "string", "format": "date-time"},
            "date": {"type": "string", "description": "The date written for readers."},
            "html": {
                "type": "string",
                "description": 'The text as sanitised HTML (links get rel="nofollow ugc").',
            },
            "likes": {"type": "integer", "minimum": 0},
            "likes_label": {"type": "string", "description": "“Liked by N people”, or empty."},
            "awaiting": {
                "type": "boolean",
                "description": "Awaiting moderation (shown to its own author only).",
            },
            "replies": {"type": "array", "items": _ref("Comment")},
        },
    },
    "Thread": {
        "type": "object",
        "required": [
            "url",
            "thread",
            "title",
            "open",
            "count",
            "heading",
            "threads",
            "offset",
            "limit",
            "next_offset",
            "shown",
            "comments",
        ],
        "properties": {
            "url": {"type": "string", "description": "The page's address, normalised."},
            "thread": {"type": "integer", "nullable": True, "description": "null: none yet."},
            "title": {"type": "string"},
            "open": {"type": "boolean", "description": "Whether comments are accepted."},
            "count": {"type": "integer", "minimum": 0, "description": "Approved comments."},
            "heading": {"type": "string", "description": "“N thoughts on …”, or empty."},
            "threads": {"type": "integer", "minimum": 0, "description": "Top-level comments."},
            "offset": {"type": "integer", "minimum": 0},
            "limit": {"type": "integer", "minimum": 1},
            "next_offset": {"type": "integer", "nullable": True},
            "shown": {
                "type": "string",
                "description": "Send it back as `shown` with a comment written on this page.",
            },
            "comments": {"type": "array", "items": _ref("Comment")},
        },
    },
    "Count": {
        "type": "object",
        "required": ["count", "label"],
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "label": {"type": "string", "description": "“N comments”, in the reader's language."},
        },
    },
    "NewComment": {
        "type": "object",
        "required": ["url", "text"],
        "example": {
            "url": EXAMPLE_PAGE,
            "title": "First light on the ridge",
            "text": "What a morning to be up there. *Thank you* for the photos.",
            "name": "Ada Walker",
            "email": "ada@example.net",
            "website": "https://ada.example/",
        },
        "properties": {
            "url": {**_ADDRESS, "description": "The address of the page the comment is on."},
            "title": {
                "type": "string",
                "nullable": True,
                "maxLength": TITLE_MAX,
                "description": "The page's title, for a page with no conversation yet (the "
                "page's own title wins when this site can fetch it).",
            },
            "text": {"type": "string", "maxLength": CONTENT_MAX, "description": "Markdown."},
            "name": {"type": "string", "nullable": True, "maxLength": AUTHOR_MAX},
            "email": {"type": "string", "nullable": True, "maxLength": EMAIL_MAX},
            "website": {"type": "string", "nullable": True, "maxLength": URL_MAX},
            "parent": {
                "type": "integer",
                "nullable": True,
                "minimum": 1,
                "maximum": 2**63 - 1,
                "description": "The approved comment this answers.",
            },
            "notify_replies": {"type": "boolean", "nullable": True},
            "notify_posts": {"type": "boolean", "nullable": True},
            "shown": {"type": "string", "nullable": True, "description": "The thread's `shown`."},
            "nickname": {
                "type": "string",
                "nullable": True,
                "description": "Leave empty (only bots fill it).",
            },
        },
    },
    "Edit": {
        "type": "object",
        "required": ["text"],
        "example": {"text": "What a morning to be up there."},
        "properties": {"text": {"type": "string", "maxLength": CONTENT_MAX}},
    },
    "Posted": {
        "type": "object",
        "required": ["status", "token", "comment"],
        "properties": {
            "status": {"type": "string", "enum": ["published", "awaiting"]},
            "token": {
                "type": "string",
                "nullable": True,
                "description": f"A new guest token: keep it and send it as {HEADER}.",
            },
            "comment": {**_ref("Comment"), "nullable": True},
        },
    },
    "Liked": {
        "type": "object",
        "required": ["liked", "likes", "likes_label", "token"],
        "properties": {
            "liked": {"type": "boolean"},
            "likes": {"type": "integer", "minimum": 0},
            "likes_label": {"type": "string"},
            "token": {"type": "string", "nullable": True},
        },
    },
    "Config": {
        "type": "object",
        "required": [
            "language",
            "site_name",
            "strings",
            "spam_notice",
            "privacy_url",
            "login_url",
            "mail",
            "require_name_email",
            "edit_minutes",
            "limits",
        ],
        "properties": {
            "language": {"type": "string"},
            "site_name": {"type": "string"},
            "strings": {"type": "object", "additionalProperties": {"type": "string"}},
            "spam_notice": {"type": "string"},
            "privacy_url": {"type": "string"},
            "login_url": {"type": "string", "description": "Open with ?origin=<page's site>."},
            "mail": {"type": "boolean", "description": "Whether “Notify me” can be offered."},
            "require_name_email": {"type": "boolean"},
            "edit_minutes": {"type": "integer"},
            "limits": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    },
}


def _operation(summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "responses": {**responses, **_COMMON}, **extra}


def schema(base: str) -> dict[str, Any]:
    """The description, with this site's address as the server."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Salon conversation API",
            "version": "1",
            "description": (
                "Read and join this site's conversations from any page of a site it allows. "
                "No cookies: a reader is known by the token in the "
                f"{HEADER} header. Every error is JSON naming the field at fault."
            ),
        },
        "servers": [{"url": base}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"reader": {"type": "apiKey", "in": "header", "name": HEADER}},
        },
        "security": [{}, {"reader": []}],
        "paths": {
            "/api/v1/config": {
                "get": _operation(
                    "The widget's words and the comment form's rules",
                    {"200": _json(_ref("Config"), "The settings.")},
                    parameters=[_LANG],
                )
            },
            "/api/v1/thread": {
                "get": _operation(
                    "The conversation under a page",
                    {
                        "200": _json(_ref("Thread"), "One page of its top-level comments."),
                        "400": _error("A parameter is wrong (`field` says which)."),
                    },
                    parameters=[
                        {"name": "url", "in": "query", "required": True, "schema": _ADDRESS},
                        {
                            "name": "offset",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 0, "maximum": 10**6},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": PAGE_MAX,
                                "default": PAGE_DEFAULT,
                            },
                        },
                        _LANG,
                    ],
                )
            },
            "/api/v1/counts": {
                "get": _operation(
                    "How many comments each page has",
                    {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["counts"],
                                "properties": {
                                    "counts": {
                                        "type": "object",
                                        "additionalProperties": _ref("Count"),
                                        "description": "By each address as it was given.",
                                    }
                                },
                            },
                            "The counts.",
                        ),
                        "400": _error("An address is wrong, or there are too many."),
                    },
                    parameters=[
                        {
                            "name": "url",
                            "in": "query",
                            "required": True,
                            "style": "form",
                            "explode": True,
                            "schema": {
                                "type": "array",
                                "items": _ADDRESS,
                                "minItems": 1,
                                "maxItems": COUNTS_MAX,
                                "example": [EXAMPLE_PAGE, "https://blog.example/about/"],
                            },
                        },
                        _LANG,
                    ],
                )
            },
            "/api/v1/comments": {
                "post": _operation(
                    "Post a comment or a reply (a page's first opens its conversation)",
                    {
                        "201": _json(_ref("Posted"), "Stored: published or awaiting moderation."),
                        "202": _json(_ref("Posted"), "Received (`comment` is null)."),
                        "400": _error("A field is wrong (`field` says which)."),
                        "404": _error("The page does not exist (it answered 404 or 410)."),
                        "409": _error("The same comment was already posted."),
                        "429": _TOO_MANY,
                        "503": _error("The site has no administrator yet."),
                    },
                    requestBody={
                        "required": True,
                        "content": {"application/json": {"schema": _ref("NewComment")}},
                    },
                    parameters=[_LANG],
                )
            },
            "/api/v1/comments/{id}": {
                "patch": _operation(
                    "Edit one's own comment within the edit window",
                    {
                        "200": _json(_ref("Posted"), "Stored and judged again."),
                        "400": _error("The text is wrong."),
                        "404": _error("No such comment."),
                        "429": _TOO_MANY,
                    },
                    parameters=[_COMMENT_ID, _LANG],
                    requestBody={
                        "required": True,
                        "content": {"application/json": {"schema": _ref("Edit")}},
                    },
                ),
                "delete": _operation(
                    "Delete one's own comment within the edit window",
                    {"204": {"description": "Deleted."}, "404": _error("No such comment.")},
                    parameters=[_COMMENT_ID, _LANG],
                ),
            },
            "/api/v1/comments/{id}/like": {
                "post": _operation(
                    "Like a comment, or take the like back",
                    {
                        "200": _json(_ref("Liked"), "Whether it is now liked, and its likes."),
                        "404": _error("No approved comment there."),
                        "429": _TOO_MANY,
                    },
                    parameters=[_COMMENT_ID, _LANG],
                )
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This description",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.0",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **_COMMON,
                    },
                }
            },
        },
    }


@endpoint("GET")
def openapi(request: HttpRequest) -> HttpResponse:
    """The API's description, for people and tools."""
    response = json_response(schema(site_base(request)))
    response["Cache-Control"] = "public, max-age=3600"
    return response
