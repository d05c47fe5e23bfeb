"""The Akismet-compatible REST API: Salon's spam engine offered to other sites.

Any Akismet client (WordPress's plugin, the ``akismet`` Python package …) works by pointing it
here instead of ``rest.akismet.com``. Responses follow Akismet's documentation to the byte:
``valid`` / ``invalid``, ``true`` / ``false`` with ``X-akismet-pro-tip: discard`` and an
``X-akismet-guid``, ``Thanks for making the web a better place.``, and the JSON and CSV of
key-sites and usage-limit. Salon adds ``X-Salon-Reasons`` (the signals that moved the score),
``X-Salon-Score``, and ``X-Salon-Hold`` when a comment is not spam but should wait for a person.

WordPress's Akismet plugin also calls get-subscription, get-stats, deactivate,
verify-wpcom-key and ``GET /1.1/test``, reads the alert headers (``X-akismet-alert-code`` /
``-msg``, shown to the blog's owner) and ``X-akismet-error`` (the comment is held and checked
again later); each is answered in the shape the plugin parses.

Each (key, blog) pair has a spam-filter site of its own (``api:<key id>:<blog host>``) that
learns from that client's submit-spam and submit-ham. Nothing a client sends is stored: a
request leaves only counts (per site and day) behind.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import TooManyFieldsSent
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import (  # the counters get_usage keeps, counted more cheaply
    _SIMPLE_KEYS,
    EXPIRATION_FUDGE,
    _get_window,
    _make_cache_key,
    _split_rate,
    get_usage,
)

from salon.antispam import engine, filtering, statistics, submissions
from salon.antispam.keys import KEY_PATTERN, KnownKey, blog_host, find_key
from salon.antispam.models import DailyTally, SpamFilterSite

THANKS = "Thanks for making the web a better place."
DEBUG_HELP = "X-akismet-debug-help"
REASONS_SHOWN = 8
RATE_PATTERN = re.compile(r"^\d+/\d*[smhd]$")
_CHARSET_IN_BODY = re.compile(rb"(?:^|&)blog_charset=([A-Za-z0-9_.:-]{1,40})(?:&|$)")
ORDERS = ("total", "spam", "ham", "missed_spam", "false_positives")
TRUE_VALUES = frozenset({"1", "true", "yes", "on"})

# Alerts the Akismet plugin shows the blog's owner (its comments screen prints the code and the
# message). Akismet's own codes are 10001-10516 and 30001; Salon's are apart, so that none is
# read as one of Akismet's usage-limit notices (which speak of plans and upgrades).
ALERT_REVOKED = 90001
ALERT_NOT_FOR_BLOG = 90002
ALERT_KEY_THROTTLED = 90003
ALERT_ADDRESS_THROTTLED = 90004

# The Akismet plugin's comment form: a honeypot textarea (empty unless a bot filled it) and
# ak_js, the time (ms since 1970, the browser's clock) its script ran as the page loaded; its
# front-end script adds ak_bfs, the time the form was sent. Forwarded as POST_<field>.
AK_HONEYPOT = "ak_hp_textarea"
_EPOCH_MS = re.compile(r"^\d{13}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _header(value: str) -> str:
    """A header value that may quote what a client sent (a blog address, a field): line
    breaks and other control characters written as escapes, which a header can carry."""
    return _CONTROL.sub(lambda found: repr(found.group())[1:-1], value)


def _text(body: str, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    for name, value in headers.items():
        response[name.replace("_", "-")] = _header(value)
    return response


def _json(body: object) -> HttpResponse:
    return HttpResponse(json.dumps(body), content_type="application/json")


def _alert(response: HttpResponse, code: int, message: str) -> HttpResponse:
    """Add an alert the Akismet plugin stores and shows its owner until an answer lacks it."""
    response["X-akismet-alert-code"] = str(code)
    response["X-akismet-alert-msg"] = _header(message)
    return response


def _invalid(why: str) -> HttpResponse:
    """Akismet's answer to a bad key: the word ``invalid`` and a header saying what is wrong."""
    return _text("invalid", **{DEBUG_HELP: why})


def _missing(field: str) -> HttpResponse:
    return _text(f"Missing required field: {field}.", **{DEBUG_HELP: f'Empty "{field}" value'})


@dataclass
class Call:
    """One API request's parameters, the key it names, and the blog it speaks for.

    ``known`` is the key once :func:`_authenticate` has found it.
    """

    data: dict[str, str]
    context: list[str]
    key: str
    known: KnownKey | None = None

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


def _form(body: bytes, encoding: str) -> tuple[dict[str, str], list[str]]:
    """A urlencoded form's fields (the last of a repeated name) and its ``comment_context[]``
    list: what ``QueryDict(body, encoding)`` gives, with its limit on the number of fields,
    without building one (that took about 3 % of a comment-check)."""
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        text = body.decode("iso-8859-1")  # as QueryDict reads a misbehaving client's form
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding=encoding,
            max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        )
    except ValueError as error:
        raise TooManyFieldsSent(
            "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
        ) from error
    return dict(pairs), [value for name, value in pairs if name == "comment_context[]"]


def _read(request: HttpRequest) -> Call:
    """Parameters from the query string and the form body (the body wins), and the key.

    The key is ``key`` or ``api_key``, or else the first label of the host, as old clients
    send it (``<key>.rest.example``). ``key`` comes first: the Akismet plugin adds the key it
    has saved as ``api_key`` to every request, also when it verifies a new one as ``key``.
    """
    data: dict[str, str] = {}
    context: list[str] = []
    if request.META.get("QUERY_STRING"):
        data = {k: v for k, v in request.GET.items()}
        context = request.GET.getlist("comment_context[]")
    if request.method == "POST" and request.content_type.startswith("multipart/"):
        data.update({k: v for k, v in request.POST.items()})
        context = request.POST.getlist("comment_context[]") or context
    elif request.method == "POST" and request.body:
        # Parsed here rather than by request.POST so that blog_charset can name the encoding.
        form, form_context = _form(request.body, _charset(request))
        data.update(form)
        context = form_context or context
    key = (data.get("key") or data.get("api_key") or "").strip()
    if not key:
        label = request.get_host().split(":")[0].split(".")[0].lower()
        if KEY_PATTERN.match(label):
            key = label
    return Call(data=data, context=context, key=key)


def _rate(known: KnownKey) -> str:
    rate = known.rate.strip()
    return rate if RATE_PATTERN.match(rate) else settings.SALON["AKISMET_API_RATE"]


_UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


def _rate_words(rate: str) -> str:
    """``600/m`` → ``600 a minute``; ``5/10s`` → ``5 every 10 seconds``."""
    count, _, period = rate.partition("/")
    number, unit = period[:-1], _UNITS.get(period[-1:], period[-1:])
    if number and number != "1":
        return f"{count} every {number} {unit}s"
    return f"{count} a {unit}"


def _wait(usage: dict) -> int:
    """Seconds until a limited counter's window ends (a minute if the cache could not say)."""
    left = usage.get("time_left", -1)
    return max(1, left) if left >= 0 else 60


@functools.lru_cache(maxsize=64)
def _limit_and_period(rate: str) -> tuple[int, int]:
    return _split_rate(rate)


@functools.lru_cache(maxsize=4096)
def _counter_key(group: str, window: int, rate: str, value: str) -> str:
    """django-ratelimit's name for a counter, made once per window (it hashes the parts)."""
    return _make_cache_key(group, window, rate, value, get_usage.ALL)


def _usage(group: str, value: str, rate: str, increment: bool) -> dict | None:
    """As django-ratelimit's ``get_usage`` (the same counter in the shared cache), with one
    write at most: a look that does not count reads the counter (``get_usage`` would ``add``
    it first, a write on every request), and a count is an atomic ``incr``, adding the counter
    only when the window has none yet."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    limit, period = _limit_and_period(rate)
    window = _get_window(value, period)
    cache = caches[settings.RATELIMIT_USE_CACHE]
    key = _counter_key(group, window, rate, value)
    if increment:
        count = _add(cache, key, 1, period)
    else:
        count = cache.get(key, 0)
    return _figures(count, limit, window)


def _add(cache, key: str, amount: int, period: int) -> int | None:
    """Add ``amount`` to a window's counter in one atomic step (creating it if the window has
    none yet); its new value, or None when the cache could not count."""
    try:
        return cache.incr(key, amount)
    except ValueError:  # no counter yet in this window
        if cache.add(key, amount, period + EXPIRATION_FUDGE):
            return amount
        try:  # another request added it meanwhile
            return cache.incr(key, amount)
        except ValueError:
            return None


def _figures(count: int | None, limit: int, window: int) -> dict:
    if count is None:  # the cache could not count: refuse, as get_usage does
        return {"count": 0, "limit": 0, "should_limit": True, "time_left": -1}
    return {
        "count": count,
        "limit": limit,
        "should_limit": count > limit,
        "time_left": window - int(time.time()),
    }


LEASE_SHARE = 64
"""A worker takes at most this share (1/64) of what is left of a key's window, as it last saw
it, in one write to the shared counter."""
# Counting each request would make each a write to the shared cache (in the embedded setup a
# lock on one SQLite file, the same for every worker, taken on every check). A worker takes
# instead a lease, a run of the window's numbers, in one atomic increment of the shared
# counter, and answers from memory until it has used them. Leases shrink as the window fills,
# to one request at a time near its end, so no number is given twice: a key never gets more
# than its rate, whichever worker answers. A worker that falls quiet holds back unused at most
# 1/LEASE_SHARE of the window from the others (the limit reached that much early).
_leases: dict[tuple[str, str], tuple[str, int, int]] = {}  # → (counter, next number, last)
_lease_locks: dict[tuple[str, str], threading.Lock] = {}  # one per counter: others go on
_leases_lock = threading.Lock()


def _count_leased(group: str, value: str, rate: str) -> dict | None:
    """As ``_usage(group, value, rate, increment=True)``, the number taken from this
    process's lease of the window's count, the shared counter written only for a new lease."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    limit, period = _limit_and_period(rate)
    window = _get_window(value, period)
    key = _counter_key(group, window, rate, value)
    name = (group, value)
    lock = _lease_locks.get(name)
    if lock is None:
        with _leases_lock:
            lock = _lease_locks.setdefault(name, threading.Lock())
    with lock:
        counter, number, last = _leases.get(name, (key, 1, 0))
        if counter != key:  # a new window (or rate): nothing of it seen yet
            number, last = 1, 0
        if number > last:
            # ``last`` is the most of the window this process has seen counted (up to the
            # limit): the lease is a share of what is left after it, at least one request.
            size = max(1, (limit - last) // LEASE_SHARE)
            total = _add(caches[settings.RATELIMIT_USE_CACHE], key, size, period)
            if total is None:
                return _figures(None, limit, window)
            number, last = total - size + 1, min(total, limit)
        _leases[name] = (key, number + 1, last)
    return _figures(number, limit, window)


def forget_leases() -> None:
    """Drop this process's leases of the shared counters (after the cache was cleared)."""
    with _leases_lock:
        _leases.clear()
        _lease_locks.clear()


def _address_usage(request: HttpRequest, increment: bool) -> dict | None:
    """This client address's requests with unknown keys in the current window."""
    return _usage(
        "akismet-invalid-key",
        _SIMPLE_KEYS["ip"](request),
        settings.SALON["AKISMET_INVALID_KEY_RATE"],
        increment,
    )


def _address_refused(usage: dict) -> HttpResponse:
    wait = _wait(usage)
    rate = _rate_words(settings.SALON["AKISMET_INVALID_KEY_RATE"])
    response = _text(
        f"Too many requests with unknown API keys from this address; try again in {wait} seconds.",
        status=429,
        **{
            "Retry-After": str(wait),
            DEBUG_HELP: f"Requests with unknown keys are limited to {rate} per address.",
            "X-akismet-error": "Too many requests with unknown API keys from this address.",
        },
    )
    return _alert(
        response,
        ALERT_ADDRESS_THROTTLED,
        "Salon: too many requests from this site's address carried an API key Salon does not "
        f"know, so Salon refuses every key from this address for {wait} seconds. Check the key "
        "under Settings > Akismet Anti-Spam.",
    )


def _not_for_blog(call: Call) -> HttpResponse:
    host = blog_host(call.blog) or call.blog[:100]
    response = _invalid(f"This API key is not valid for the blog {host!r}.")
    return _alert(
        response,
        ALERT_NOT_FOR_BLOG,
        f"Salon: this API key is not valid for {host}. Ask the Salon administrator who gave you "
        "the key to add this blog's address to it.",
    )


def _authenticate(request: HttpRequest, call: Call, check_blog: bool = True) -> HttpResponse | None:
    """Find the request's key, or Akismet's ``invalid`` answer when it is missing, unknown,
    revoked or not for the blog.

    Requests with unknown keys are counted per client address; over
    ``SALON_AKISMET_INVALID_KEY_RATE`` every key from that address is refused, valid or not,
    until the window ends (answering a valid key then would tell a guesser it was right).
    """
    if not call.key:
        return _invalid('Empty "api_key" value')
    usage = _address_usage(request, increment=False)
    if usage and usage["count"] >= usage["limit"]:
        return _address_refused(usage)
    known = find_key(call.key)
    if known is None:
        # Counted and checked in one step (an atomic increment in the shared cache), so that
        # requests sent at once get no more "invalid" answers than the rate allows.
        usage = _address_usage(request, increment=True)
        if usage and usage["should_limit"]:
            return _address_refused(usage)
        return _invalid("We were unable to verify your API key.")
    call.known = known
    if known.revoked:
        return _alert(
            _invalid("This API key has been revoked."),
            ALERT_REVOKED,
            "Salon: this API key has been revoked by the Salon administrator who issued it. "
            "Ask them for a new key and enter it under Settings > Akismet Anti-Spam.",
        )
    if check_blog and call.blog and not known.allows(call.blog):
        return _not_for_blog(call)
    return None


def _key_usage(request: HttpRequest, known: KnownKey, increment: bool) -> dict | None:
    """The key's requests in the current window of its rate (counted in the cache, in leases
    when ``increment``)."""
    if increment:
        return _count_leased("akismet-api", f"key:{known.id}", _rate(known))
    return _usage("akismet-api", f"key:{known.id}", _rate(known), increment)


def _throttle_alert(response: HttpResponse, known: KnownKey, usage: dict) -> HttpResponse:
    wait = _wait(usage)
    return _alert(
        response,
        ALERT_KEY_THROTTLED,
        f"Salon: this API key is over its request limit ({_rate_words(_rate(known))}). "
        f"Salon answers it again in {wait} seconds; comments that arrive meanwhile are held "
        "for moderation and checked again then.",
    )


def _throttled(request: HttpRequest, known: KnownKey) -> HttpResponse | None:
    """Count this request against the key's rate; over it, a 429 saying when to come back.

    The body is neither ``true`` nor ``false`` and ``X-akismet-error`` is set, so the Akismet
    plugin holds the comment for moderation and checks it again later; ``Retry-After`` says
    when (Salon's must-use plugin for WordPress moves the plugin's recheck to that moment).
    """
    usage = _key_usage(request, known, increment=True)
    if not usage or not usage["should_limit"]:
        return None
    wait = _wait(usage)
    rate = _rate(known)
    response = _text(
        f"Too many requests for this API key; try again in {wait} seconds.",
        status=429,
        **{
            "Retry-After": str(wait),
            DEBUG_HELP: f"This key may make {rate} requests.",
            "X-akismet-error": "This API key is over its request limit.",
        },
    )
    return _throttle_alert(response, known, usage)


def _with_key_state(request: HttpRequest, known: KnownKey, response: HttpResponse) -> HttpResponse:
    """For requests that do not count against the rate (the plugin's settings page): the
    throttle alert while the key is over it, so the owner sees why comments wait."""
    usage = _key_usage(request, known, increment=False)
    if usage and usage["should_limit"]:
        return _throttle_alert(response, known, usage)
    return response


def _site_name(known: KnownKey, blog: str) -> str:
    return f"api:{known.id}:{blog_host(blog)}"


def _epoch_seconds(value: str) -> float | None:
    value = value.strip()
    return int(value) / 1000 if _EPOCH_MS.match(value) else None


def _seconds_to_submit(call: Call, now: float | None) -> float | None:
    """How long the comment form was open: the Akismet plugin's ``ak_bfs`` − ``ak_js`` (both
    the browser's clock), or ``now`` − ``ak_js`` when only the load time came.

    ``ak_js`` keeps its random placeholder (0-250) when the page's script did not run; that
    says nothing of the time, so it gives None. Learning (``now`` None) uses only the first.
    """
    loaded = _epoch_seconds(call.get("POST_ak_js"))
    if loaded is None:
        return None
    sent = _epoch_seconds(call.get("POST_ak_bfs"))
    if sent is None:
        sent = now
    if sent is None or sent < loaded:
        return None
    return sent - loaded


def _honeypot(call: Call) -> tuple[str, str]:
    """The honeypot field's name and value: the one ``honeypot_field_name`` names, else the
    Akismet plugin's own (sent as ``POST_ak_hp_textarea``, with no field name)."""
    name = call.get("honeypot_field_name")
    if name:
        return name, call.get(name)
    if f"POST_{AK_HONEYPOT}" in call.data:
        return AK_HONEYPOT, call.get(f"POST_{AK_HONEYPOT}")
    return "", ""


def _submission(call: Call, now: float | None = None) -> engine.Submission:
    """What the engine is told of a request (Akismet's parameters, one for one)."""
    honeypot_field, honeypot_value = _honeypot(call)
    return submissions.from_akismet_fields(
        call.get,
        honeypot_field_name=honeypot_field,
        honeypot_value=honeypot_value,
        seconds_to_submit=_seconds_to_submit(call, now),
    )


def _reasons_header(verdict: engine.Verdict) -> str:
    """The signals that moved the score, strongest first: ``links=+4.9;text_model=-3.7``."""
    return ";".join(f"{r.signal}={r.weight:+.1f}" for r in verdict.reasons[:REASONS_SHOWN])


def _checked_call(request: HttpRequest) -> tuple[Call | None, HttpResponse | None]:
    """Read a comment-check / submit request and answer its errors as Akismet does."""
    call = _read(request)
    problem = _authenticate(request, call)
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


def _blog_call(request: HttpRequest) -> tuple[Call | None, HttpResponse | None]:
    """Read a request about the key and one of its blogs (the plugin's settings page)."""
    call = _read(request)
    problem = _authenticate(request, call, check_blog=False)
    if problem is not None:
        return None, problem
    if not call.blog.strip():
        return None, _invalid('Empty "blog" value')
    if not call.known.allows(call.blog):
        return None, _not_for_blog(call)
    return call, None


@csrf_exempt
@require_POST
def verify_key(request: HttpRequest) -> HttpResponse:
    """``POST /1.1/verify-key``: ``valid`` for a live key used for one of its blogs."""
    call, problem = _blog_call(request)
    if problem is not None:
        return problem
    return _with_key_state(request, call.known, _text("valid"))


@csrf_exempt
@require_POST
def comment_check(request: HttpRequest) -> HttpResponse:
    """``POST /1.1/comment-check``: ``true`` (spam) or ``false``, with the reasons.

    A comment the engine would hold for a person (not certainly spam) is ``false`` with
    ``X-Salon-Hold: true``: Akismet's protocol has no third answer, and ``true`` would file
    a reader's words with the spam that WordPress deletes after 15 days.
    """
    call, problem = _checked_call(request)
    if problem is not None:
        return problem
    known = call.known
    site_id, state = filtering.load_site(
        _site_name(known, call.blog), create=True, api_key_id=known.id, blog=blog_host(call.blog)
    )
    verdict = engine.check(_submission(call, now=time.time()), site=state)
    spam = verdict.spam and not verdict.hold
    filtering.count_soon(site_id, checked=1, **({"spam": 1} if spam else {"ham": 1}))
    response = _text(
        "true" if spam else "false",
        **{
            "X-akismet-guid": str(uuid.uuid4()),
            "X-Salon-Reasons": _reasons_header(verdict),
            "X-Salon-Score": f"{verdict.score:.4f}",
        },
    )
    if spam and verdict.discard:
        response["X-akismet-pro-tip"] = "discard"
    if verdict.hold:
        response["X-Salon-Hold"] = "true"
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


def _subscription(known: KnownKey) -> dict:
    """What the Akismet plugin reads of an account: an active subscription, named for this
    Salon (the plugin shows the name as the subscription type)."""
    return {
        "account_id": known.id,
        "account_name": f"Salon spam filter at {urlsplit(settings.SITE_URL).hostname}",
        "account_type": "salon",
        "status": "active",
        "next_billing_date": None,
        "limit_reached": False,
    }


@csrf_exempt
@require_POST
def get_subscription(request: HttpRequest) -> HttpResponse:
    """``POST /1.1/get-subscription``: the key's subscription, which the Akismet plugin needs
    to be ``active`` before its settings page saves a key."""
    call, problem = _blog_call(request)
    if problem is not None:
        return problem
    return _with_key_state(request, call.known, _json(_subscription(call.known)))


@csrf_exempt
@require_POST
def verify_wpcom_key(request: HttpRequest) -> HttpResponse:
    """``POST /1.1/verify-wpcom-key``: the account behind a key. Salon has no WordPress.com
    accounts: a Salon key gets its subscription, anything else ``invalid`` (which the
    plugin reads as "no account", and asks for a key instead)."""
    call = _read(request)
    problem = _authenticate(request, call, check_blog=False)
    if problem is not None:
        return problem
    body = {**_subscription(call.known), "api_key": call.key}
    return _with_key_state(request, call.known, _json(body))


@csrf_exempt
@require_POST
def deactivate(request: HttpRequest) -> HttpResponse:
    """``POST /1.1/deactivate``: sent when the plugin is turned off. Salon keeps no list of
    active sites, so there is nothing to undo; the key stays valid."""
    call, problem = _blog_call(request)
    if problem is not None:
        return problem
    return _text("deactivated")


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def connection_test(request: HttpRequest) -> HttpResponse:
    """``GET /1.1/test``: the plugin's connectivity check; no key needed."""
    return _text("connected")


STAT_INTERVALS = ("all", "6-months", "60-days")


def _stats_range(interval: str, site: SpamFilterSite | None) -> tuple[date, date, bool] | None:
    """First day, the day after the last, and whether the breakdown is by month."""
    today = timezone.localdate()
    end = today + timedelta(days=1)
    if interval == "60-days":
        return today - timedelta(days=59), end, False
    if interval == "6-months":
        month = today.month - 5
        year = today.year + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1), end, True
    if interval == "all":
        first = statistics.first_day(site) or today
        return first.replace(day=1), end, True
    return None


def _stat_numbers(counts: dict[str, int]) -> dict:
    accuracy = statistics.estimated_accuracy(
        counts["checked"], counts["missed_spam"] + counts["false_positives"]
    )
    return {
        "spam": counts["spam"],
        "ham": counts["ham"],
        "missed_spam": counts["missed_spam"],
        "false_positives": counts["false_positives"],
        "accuracy": None if accuracy is None else round(100 * accuracy, 1),
    }


@csrf_exempt
@require_POST
def get_stats(request: HttpRequest) -> HttpResponse:
    """``POST /1.1/get-stats`` (``from``: ``all``, ``6-months`` or ``60-days``): the blog's
    spam caught, ham passed, missed spam, false positives and accuracy, as Salon's
    statistics page counts them, with a ``breakdown`` by month (by day for 60 days)."""
    call, problem = _blog_call(request)
    if problem is not None:
        return problem
    interval = call.get("from").strip() or "all"
    site = SpamFilterSite.objects.filter(name=_site_name(call.known, call.blog)).first()
    found = _stats_range(interval, site)
    if found is None:
        return _text(
            f"Unknown period {interval[:40]!r}: use {', '.join(STAT_INTERVALS)}.",
            status=400,
            **{DEBUG_HELP: 'Bad "from" value'},
        )
    start, end, monthly = found
    filtering.flush_counts()
    periods = statistics.totals_by_period(site, start, end, monthly)
    totals = {
        field: sum(period[field] for period in periods.values()) for field in statistics.FIELDS
    }
    body = {
        **_stat_numbers(totals),
        "breakdown": {
            label: {"date": label, **_stat_numbers(counts)} for label, counts in periods.items()
        },
    }
    return _with_key_state(request, call.known, _json(body))


# What may run in the statistics page: nothing but its own inline styles (it is shown inside
# the WordPress admin, so it gets no scripts and no origin of its own).
STATS_PAGE_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'"


@csrf_exempt
@require_POST
def stats_page(request: HttpRequest) -> HttpResponse:
    """``POST /1.1/stats-page`` (``view``: ``snapshot`` or ``detailed``): the blog's checks
    as a page, chart and all, for the frames of the Akismet plugin's settings page.

    Salon's must-use plugin fetches it from the WordPress server, with the key in the body,
    and shows it in place of Akismet's frames, which the owner's browser would load from
    Akismet with the key and the blog's address in the URL.
    """
    call, problem = _blog_call(request)
    if problem is not None:
        return problem
    detailed = call.get("view").strip() == "detailed"
    days = 183 if detailed else 30
    site = SpamFilterSite.objects.filter(name=_site_name(call.known, call.blog)).first()
    filtering.flush_counts()
    summary = statistics.summarise(site, days=days)
    months = []
    if detailed:
        start = summary.days[0].day
        periods = statistics.totals_by_period(site, start, start + timedelta(days=days), True)
        months = sorted(periods.items(), reverse=True)
    accuracy = summary.estimated_accuracy
    page = render_to_string(
        "antispam/stats_page.html",
        {
            "blog": blog_host(call.blog),
            "salon": urlsplit(settings.SITE_URL).hostname,
            "days": days,
            "summary": summary,
            "accuracy": None if accuracy is None else f"{100 * accuracy:.1f}",
            "chart": mark_safe(statistics.chart_svg(summary.days)),  # drawn from numbers only
            "months": months,
        },
    )
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = STATS_PAGE_POLICY
    return _with_key_state(request, call.known, response)


@csrf_exempt
def unknown_endpoint(request: HttpRequest) -> HttpResponse:
    """Any other path under ``/1.1/`` or ``/1.2/``: a plain-text 404 naming what exists."""
    return _text(
        f"Unknown Akismet API endpoint: {request.path[:100]}",
        status=404,
        **{
            DEBUG_HELP: "Salon answers verify-key, comment-check, submit-spam, submit-ham, "
            "get-subscription, get-stats, deactivate, verify-wpcom-key, test and stats-page "
            "under /1.1/, and key-sites and usage-limit under /1.2/."
        },
    )


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
    problem = _authenticate(request, call, check_blog=False) or _throttled(request, call.known)
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
    problem = _authenticate(request, call, check_blog=False) or _throttled(request, call.known)
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
