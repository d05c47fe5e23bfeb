"""The Akismet-compatible REST API: Salon's spam engine offered to other sites.

Any Akismet client (WordPress's plugin, the ``akismet`` Python package …) works by pointing it
here instead of ``rest.akismet.com``. Responses follow Akismet's documentation to the byte:
``valid`` / ``invalid``, ``true`` / ``false`` with ``X-akismet-pro-tip: discard`` and an
``X-akismet-guid``, ``Thanks for making the web a better place.``, and the JSON and CSV of
key-sites and usage-limit. Salon adds ``X-Salon-Reasons`` (the signals that moved the score)
and ``X-Salon-Score``.

Each (key, blog) pair has a spam-filter site of its own (``api:<key id>:<blog host>``) that
learns from that client's submit-spam and submit-ham. Nothing a client sends is stored: a
request leaves only counts (per site and day) behind.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import uuid
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from salon.antispam import engine, filtering
from salon.antispam.keys import KEY_PATTERN, KnownKey, blog_host, find_key
from salon.antispam.models import DailyTally, SpamFilterSite

THANKS = "Thanks for making the web a better place."
DEBUG_HELP = "X-akismet-debug-help"
REASONS_SHOWN = 8
RATE_PATTERN = re.compile(r"^\d+/\d*[smhd]$")
_CHARSET_IN_BODY = re.compile(rb"(?:^|&)blog_charset=([A-Za-z0-9_.:-]{1,40})(?:&|$)")
ORDERS = ("total", "spam", "ham", "missed_spam", "false_positives")
TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


def _text(body: str, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _invalid(why: str) -> HttpResponse:
    """Akismet's answer to a bad key: the word ``invalid`` and a header saying what is wrong."""
    return _text("invalid", **{DEBUG_HELP: why})


def _missing(field: str) -> HttpResponse:
    return _text(f"Missing required field: {field}.", **{DEBUG_HELP: f'Empty "{field}" value'})


@dataclass
class Call:
    """One API request's parameters, the key it names, and the blog it speaks for."""

    data: dict[str, str]
    context: list[str]
    key: str
    known: KnownKey | None

    def get(self, name: str) -> str:
        return self.data.get(name, "")

    @property
    def blog(self) -> str:
        return self.get("blog")

    @property
    def is_test(self) -> bool:
        return self.get("is_test").strip().lower() in TRUE_VALUES


def _charset(request: HttpRequest) -> str:
    """The form's encoding: the Content-Type's charset, else ``blog_charset``, else UTF-8."""
    declared = request.content_params.get("charset", "") if request.content_params else ""
    if not declared:
        found = _CHARSET_IN_BODY.search(request.body)
        declared = found.group(1).decode("ascii") if found else ""
    try:
        return codecs.lookup(declared).name if declared else "utf-8"
    except LookupError:
        return "utf-8"


def _read(request: HttpRequest) -> Call:
    """Parameters from the query string and the form body (the body wins), and the key.

    The key is ``api_key`` or ``key``, or else the first label of the host, as old clients
    send it (``<key>.rest.example``).
    """
    data = {k: v for k, v in request.GET.items()}
    context = request.GET.getlist("comment_context[]")
    if request.method == "POST" and request.content_type.startswith("multipart/"):
        data.update({k: v for k, v in request.POST.items()})
        context = request.POST.getlist("comment_context[]") or context
    elif request.method == "POST" and request.body:
        # Parsed here rather than by request.POST so that blog_charset can name the encoding.
        form = QueryDict(request.body, encoding=_charset(request))
        data.update({k: v for k, v in form.items()})
        context = form.getlist("comment_context[]") or context
    key = (data.get("api_key") or data.get("key") or "").strip()
    if not key:
        label = request.get_host().split(":")[0].split(".")[0].lower()
        if KEY_PATTERN.match(label):
            key = label
    return Call(data=data, context=context, key=key, known=find_key(key) if key else None)


def _key_problem(call: Call, check_blog: bool = True) -> HttpResponse | None:
    """Akismet's ``invalid`` answer when the key is missing, unknown, revoked or not for the blog."""
    if not call.key:
        return _invalid('Empty "api_key" value')
    known = call.known
    if known is None:
        return _invalid("We were unable to verify your API key.")
    if known.revoked:
        return _invalid("This API key has been revoked.")
    if check_blog and call.blog and not known.allows(call.blog):
        return _invalid(f"This API key is not valid for the blog {blog_host(call.blog)!r}.")
    return None


def _rate(known: KnownKey) -> str:
    rate = known.rate.strip()
    return rate if RATE_PATTERN.match(rate) else settings.SALON["AKISMET_API_RATE"]


def _throttled(request: HttpRequest, known: KnownKey) -> HttpResponse | None:
    """A 429 when the key has used up its requests for now (counted in the cache)."""
    rate = _rate(known)
    limited = is_ratelimited(
        request,
        group="akismet-api",
        key=lambda _group, _request: f"key:{known.id}",
        rate=rate,
        increment=True,
    )
    if not limited:
        return None
    return _text(
        "Too many requests for this API key; try again shortly.",
        status=429,
        **{"Retry-After": "60", DEBUG_HELP: f"This key may make {rate} requests."},
    )


def _site_name(known: KnownKey, blog: str) -> str:
    return f"api:{known.id}:{blog_host(blog)}"


def _submission(call: Call) -> engine.Submission:
    """What the engine is told of a request (Akismet's parameters, one for one)."""
    honeypot_field = call.get("honeypot_field_name")
    return engine.Submission(
        content=call.get("comment_content"),
        author=call.get("comment_author"),
        author_email=call.get("comment_author_email"),
        author_url=call.get("comment_author_url"),
        user_ip=call.get("user_ip"),
        user_agent=call.get("user_agent"),
        referrer=call.get("referrer"),
        permalink=call.get("permalink"),
        comment_type=call.get("comment_type") or "comment",
        honeypot_field_name=honeypot_field,
        honeypot_value=call.get(honeypot_field) if honeypot_field else "",
        blog_lang=call.get("blog_lang"),
        user_role=call.get("user_role"),
    )


def _reasons_header(verdict: engine.Verdict) -> str:
    """The signals that moved the score, strongest first: ``links=+4.9;text_model=-3.7``."""
    return ";".join(f"{r.signal}={r.weight:+.1f}" for r in verdict.reasons[:REASONS_SHOWN])


def _checked_call(request: HttpRequest) -> tuple[Call | None, HttpResponse | None]:
    """Read a comment-check / submit request and answer its errors as Akismet does."""
    call = _read(request)
    problem = _key_problem(call)
    if problem is not None:
        return None, problem
    if not call.blog.strip():
        return None, _missing("blog")
    if not blog_host(call.blog):
        return None, _invalid(f"The blog {call.blog[:100]!r} is not a URL.")
    if not call.get("user_ip").strip():
        return None, _missing("user_ip")
    throttled = _throttled(request, call.known)
    if throttled is not None:
        return None, throttled
    return call, None


@csrf_exempt
@require_POST
def verify_key(request: HttpRequest) -> HttpResponse:
    """``POST /1.1/verify-key``: ``valid`` for a live key used for one of its blogs."""
    call = _read(request)
    problem = _key_problem(call, check_blog=False)
    if problem is not None:
        return problem
    if not call.blog.strip():
        return _invalid('Empty "blog" value')
    if not call.known.allows(call.blog):
        return _invalid(f"This API key is not valid for the blog {blog_host(call.blog)!r}.")
    return _text("valid")


@csrf_exempt
@require_POST
def comment_check(request: HttpRequest) -> HttpResponse:
    """``POST /1.1/comment-check``: ``true`` (spam) or ``false``, with the reasons."""
    call, problem = _checked_call(request)
    if problem is not None:
        return problem
    known = call.known
    site_id, state = filtering.load_site(
        _site_name(known, call.blog), create=True, api_key_id=known.id, blog=blog_host(call.blog)
    )
    verdict = engine.check(_submission(call), site=state)
    filtering.count_soon(site_id, checked=1, **({"spam": 1} if verdict.spam else {"ham": 1}))
    response = _text(
        "true" if verdict.spam else "false",
        **{
            "X-akismet-guid": str(uuid.uuid4()),
            "X-Salon-Reasons": _reasons_header(verdict),
            "X-Salon-Score": f"{verdict.score:.4f}",
        },
    )
    if verdict.spam and verdict.discard:
        response["X-akismet-pro-tip"] = "discard"
    return response


def _submit(request: HttpRequest, is_spam: bool) -> HttpResponse:
    call, problem = _checked_call(request)
    if problem is not None:
        return problem
    if not call.is_test:
        known = call.known
        site = filtering.learn(
            _site_name(known, call.blog),
            _submission(call),
            is_spam,
            api_key_id=known.id,
            blog=blog_host(call.blog),
        )
        filtering.count(site.pk, **({"missed_spam": 1} if is_spam else {"false_positives": 1}))
    return _text(THANKS)


@csrf_exempt
@require_POST
def submit_spam(request: HttpRequest) -> HttpResponse:
    """``POST /1.1/submit-spam``: this blog's filter learns that the submission was spam."""
    return _submit(request, is_spam=True)


@csrf_exempt
@require_POST
def submit_ham(request: HttpRequest) -> HttpResponse:
    """``POST /1.1/submit-ham``: this blog's filter learns that the submission was not spam."""
    return _submit(request, is_spam=False)


def _month(value: str) -> tuple[str, date, date] | None:
    """``YYYY-MM`` (default: this month) and its first day and the next month's."""
    value = value.strip() or timezone.localdate().strftime("%Y-%m")
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1 <= year <= 9998):
        return None
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return value, start, end


def _int(value: str, default: int, upper: int) -> int | None:
    if not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 0 <= number <= upper else None


def _month_usage(known: KnownKey, start: date, end: date) -> int:
    filtering.flush_counts()
    total = DailyTally.objects.filter(
        site__api_key_id=known.id, day__gte=start, day__lt=end
    ).aggregate(calls=Sum("checked"))["calls"]
    return total or 0


@csrf_exempt
@require_http_methods(["GET", "POST"])
def key_sites(request: HttpRequest) -> HttpResponse:
    """``GET /1.2/key-sites``: each of the key's blogs with its calls and corrections this month."""
    call = _read(request)
    problem = _key_problem(call, check_blog=False) or _throttled(request, call.known)
    if problem is not None:
        return problem
    month = _month(call.get("month"))
    if month is None:
        return _text("Malformed month: use YYYY-MM.", status=400, **{DEBUG_HELP: "month"})
    label, start, end = month
    limit = _int(call.get("limit"), 500, 10_000)
    offset = _int(call.get("offset"), 0, 10**9)
    if limit is None or offset is None:
        return _text("limit and offset must be whole numbers.", status=400, **{DEBUG_HELP: "limit"})
    order = call.get("order") if call.get("order") in ORDERS else "total"
    known = call.known
    filtering.flush_counts()
    in_month = Q(tallies__day__gte=start, tallies__day__lt=end)
    sites = SpamFilterSite.objects.filter(api_key_id=known.id).annotate(
        total=Sum("tallies__checked", filter=in_month),
        spam=Sum("tallies__spam", filter=in_month),
        ham=Sum("tallies__ham", filter=in_month),
        missed_spam=Sum("tallies__missed_spam", filter=in_month),
        false_positives=Sum("tallies__false_positives", filter=in_month),
    )
    site_filter = call.get("filter").strip().lower()
    rows = [
        site
        for site in sites
        if any((site.total, site.missed_spam, site.false_positives))
        and (not site_filter or site_filter in site.blog)
    ]
    rows.sort(key=lambda s: (-(getattr(s, order) or 0), s.blog))
    page = rows[offset : offset + limit]

    def numbers(site) -> list[str]:
        return [
            str(getattr(site, field) or 0)
            for field in ("total", "spam", "ham", "missed_spam", "false_positives")
        ]

    def revoked(site) -> bool:
        return known.revoked or not known.allows(site.blog)

    if call.get("format").strip().lower() == "csv":
        out = io.StringIO()
        out.write(
            f"Active sites for {call.key} during {label} "
            f"(limit:{limit}, offset: {offset}, total: {len(rows)})\n"
        )
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "Site",
                "Total API Calls",
                "Spam",
                "Ham",
                "Missed Spam",
                "False Positives",
                "Is Revoked",
            ]
        )
        for site in page:
            writer.writerow([site.blog, *numbers(site), "true" if revoked(site) else "false"])
        return HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    body = {
        label: [
            dict(
                zip(
                    ("site", "api_calls", "spam", "ham", "missed_spam", "false_positives"),
                    [site.blog, *numbers(site)],
                    strict=True,
                ),
                is_revoked=revoked(site),
            )
            for site in page
        ],
        "limit": limit,
        "offset": offset,
        "total": len(rows),
    }
    return HttpResponse(json.dumps(body), content_type="application/json")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def usage_limit(request: HttpRequest) -> HttpResponse:
    """``GET /1.2/usage-limit``: this month's comment checks against the key's monthly limit."""
    call = _read(request)
    problem = _key_problem(call, check_blog=False) or _throttled(request, call.known)
    if problem is not None:
        return problem
    known = call.known
    _label, start, end = _month("")
    usage = _month_usage(known, start, end)
    limit = known.monthly_limit
    body = {
        "limit": limit if limit is not None else "none",
        "usage": usage,
        "percentage": f"{100 * usage / limit:.2f}" if limit else "0.00",
        "throttled": bool(limit) and usage > limit,
    }
    return HttpResponse(json.dumps(body), content_type="application/json")
