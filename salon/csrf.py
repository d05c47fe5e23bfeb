"""The page a form refused by the CSRF check shows (``CSRF_FAILURE_VIEW``).

Django's own view renders the project's ``403_csrf.html`` with the request alone, so the
template never learnt why the form was refused. This one tells it whether the browser sent
no cookie, and shows a comment's words back to copy: a reader whose browser refuses cookies,
or who sends a form left open past its token, must not lose what they wrote."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render

KEPT_FIELDS = ("comment", "content", "body")
"""The fields whose words are shown back: a comment (new or edited), a moderator's reply, a
post's body."""


def failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403, saying why the form could not be sent, with the words typed in it."""
    words = ""
    if request.method == "POST":
        words = next((request.POST[f] for f in KEPT_FIELDS if request.POST.get(f)), "")
    return render(
        request,
        "403_csrf.html",
        {"no_cookie": reason == REASON_NO_CSRF_COOKIE, "words": words},
        status=403,
    )
