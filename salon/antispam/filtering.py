"""The spam filter applied to this site's comments: the bridge between the comment pipeline
and the pure-Python engine, and each site's learning from its moderators.

A "site" is one learned state (a :class:`SpamFilterSite` row): this Salon's own comments
(``THIS_SITE``), or one (API key, blog) pair of the Akismet-compatible API
(``api:<key id>:<blog host>``). Every site learns on its own; a lesson never changes another
site's verdicts.
"""

from __future__ import annotations

import atexit
import functools
import logging
import threading
import time

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from salon.antispam import engine, submissions
from salon.antispam.models import THIS_SITE, DailyTally, Lesson, SpamFilterSite
from salon.discussion import pipeline
from salon.discussion.models import Comment, same_email
from salon.discussion.moderation import Decision

log = logging.getLogger(__name__)

_APPROVED = Comment.Status.APPROVED
_SPAM = Comment.Status.SPAM

# Each process keeps the sites' learned states it has loaded, with their version; one small
# query per check tells whether another process has taught the site since.
_states: dict[str, tuple[int, engine.SiteState]] = {}
_states_lock = threading.Lock()


def site_state(name: str = THIS_SITE) -> engine.SiteState:
    """The site's learned state, reloaded only when another lesson has changed it."""
    return load_site(name)[1]


@functools.cache
def _id_and_version_sql() -> str:
    quote = connection.ops.quote_name
    table = quote(SpamFilterSite._meta.db_table)
    return f"SELECT {quote('id')}, {quote('version')} FROM {table} WHERE {quote('name')} = %s"


def _id_and_version(name: str) -> tuple[int, int] | None:
    """The site's row id and version (one query on every check, written once: the ORM
    would spend more compiling it than the database answering)."""
    with connection.cursor() as cursor:
        cursor.execute(_id_and_version_sql(), [name])
        row = cursor.fetchone()
    return (row[0], row[1]) if row is not None else None


def load_site(name: str, create: bool = False, **fields) -> tuple[int | None, engine.SiteState]:
    """The site's row id and learned state; with ``create``, the row is made if missing.

    One small query (id and version) per call; the state itself is read again only when
    its version has moved on since this process last loaded it.
    """
    return _site_with_row(name, _id_and_version(name), create, fields)


def _site_with_row(
    name: str, row: tuple[int, int] | None, create: bool, fields: dict
) -> tuple[int | None, engine.SiteState]:
    """:func:`load_site`, the site's id and version (``row``) already read."""
    if row is None:
        if not create:
            return None, engine.SiteState(site_id=name)
        site, _ = SpamFilterSite.objects.get_or_create(name=name, defaults=fields)
        row = (site.pk, site.version)
    site_id, version = row
    cached = _states.get(name)
    if cached and cached[0] == version:
        return site_id, cached[1]
    loaded = SpamFilterSite.objects.filter(pk=site_id).values_list("version", "state").first()
    if loaded is None:  # deleted between the two queries
        return None, engine.SiteState(site_id=name)
    version, blob = loaded
    state = engine.SiteState.from_bytes(bytes(blob)) if blob else engine.SiteState(site_id=name)
    with _states_lock:
        _states[name] = (version, state)
    return site_id, state


def count(site_id: int | None, **increments: int) -> None:
    """Add to today's tally for a site (checked, spam, ham, missed_spam, false_positives),
    in the caller's transaction if there is one."""
    if site_id is None or not increments:
        return
    _add_to_tally(site_id, timezone.localdate(), increments)


@functools.cache
def _tally_update_sql() -> str:
    quote = connection.ops.quote_name
    table = quote(DailyTally._meta.db_table)
    added = ", ".join(f"{quote(field)} = {quote(field)} + %s" for field in DailyTally.COUNTS)
    return f"UPDATE {table} SET {added} WHERE {quote('site_id')} = %s AND {quote('day')} = %s"


def _add_to_tally(site_id: int, day, increments: dict[str, int]) -> None:
    # One statement written once, run with the day's numbers: the ORM would spend more
    # compiling the update than the database running it. A new day's row is created once.
    if unknown := set(increments) - set(DailyTally.COUNTS):
        raise ValueError(f"no such tally: {', '.join(sorted(unknown))}")
    added = [increments.get(field, 0) for field in DailyTally.COUNTS]
    when = DailyTally._meta.get_field("day").get_db_prep_value(day, connection)
    with connection.cursor() as cursor:
        cursor.execute(_tally_update_sql(), [*added, site_id, when])
        if cursor.rowcount:
            return
    try:
        with transaction.atomic():
            DailyTally.objects.create(site_id=site_id, day=day, **increments)
    except IntegrityError:  # another process created the day's row first
        with connection.cursor() as cursor:
            cursor.execute(_tally_update_sql(), [*added, site_id, when])


# The API counts its checks in memory and writes them at most once a second: one UPDATE per
# check would make every check a database write, which SQLite serialises across workers.
# A worker that dies loses at most its last second of counts; reads flush this process first.
FLUSH_SECONDS = 1.0
_pending: dict[tuple[int, object], dict[str, int]] = {}
_pending_lock = threading.Lock()
_last_flush = [time.monotonic()]


def count_soon(site_id: int | None, **increments: int) -> None:
    """Like :func:`count`, batched: written within a second (or by :func:`flush_counts`)."""
    if site_id is None or not increments:
        return
    key = (site_id, timezone.localdate())
    with _pending_lock:
        tally = _pending.setdefault(key, {})
        for field, n in increments.items():
            tally[field] = tally.get(field, 0) + n
        due = time.monotonic() - _last_flush[0] >= FLUSH_SECONDS
    if due:
        flush_counts()


def flush_counts() -> None:
    """Write this process's batched counts now."""
    with _pending_lock:
        batch = dict(_pending)
        _pending.clear()
        _last_flush[0] = time.monotonic()
    for index, ((site_id, day), increments) in enumerate(batch.items()):
        try:
            _add_to_tally(site_id, day, increments)
        except Exception:
            # Keep what was not written for the next flush rather than lose it.
            log.exception("Could not write spam-filter counts; retrying at the next flush")
            with _pending_lock:
                for (other_site, other_day), other in list(batch.items())[index:]:
                    tally = _pending.setdefault((other_site, other_day), {})
                    for field, n in other.items():
                        tally[field] = tally.get(field, 0) + n
            return


def discard_pending_counts() -> None:
    """Forget this process's unwritten counts (tests: their rows were rolled back)."""
    with _pending_lock:
        _pending.clear()


atexit.register(lambda: _pending and flush_counts())


def learn(name: str, submission: engine.Submission, is_spam: bool, **fields) -> SpamFilterSite:
    """Teach the site ``name`` that ``submission`` was (or was not) spam, effective at once.

    The site row is locked while it learns, so two lessons never overwrite each other;
    ``fields`` are stored on the row if it has to be created.
    """
    with transaction.atomic():
        site, _ = SpamFilterSite.objects.select_for_update().get_or_create(
            name=name, defaults=fields
        )
        state = (
            engine.SiteState.from_bytes(bytes(site.state))
            if site.state
            else engine.SiteState(site_id=name)
        )
        engine.learn(state, submission, is_spam)
        site.state = state.to_bytes()
        site.version += 1
        if is_spam:
            site.spam_lessons += 1
        else:
            site.ham_lessons += 1
        site.save()
    with _states_lock:
        _states[name] = (site.version, state)
    return site


def learn_from_comments(
    comments, name: str = THIS_SITE, progress=None, every: int = 1000
) -> tuple[int, int]:
    """Teach the site from stored comments at once: approved ones as ham, spam as spam.

    For a site's history (an import, say) rather than a moderator's decision: the state is
    loaded and saved once for the whole batch, and no Lesson is recorded. ``progress`` is
    called with the number taught so far every ``every`` comments. Returns (spam, ham).
    """
    taught = {True: 0, False: 0}
    with transaction.atomic():
        site, _ = SpamFilterSite.objects.select_for_update().get_or_create(name=name)
        state = (
            engine.SiteState.from_bytes(bytes(site.state))
            if site.state
            else engine.SiteState(site_id=name)
        )
        rows = comments.filter(status__in=[_APPROVED, _SPAM]).select_related(
            "post", "parent", "user"
        )
        for n, comment in enumerate(rows.order_by("created_at", "pk").iterator(), start=1):
            is_spam = comment.status == _SPAM
            engine.learn(state, _lesson(comment), is_spam)
            taught[is_spam] += 1
            if progress is not None and n % every == 0:
                progress(n)
        if taught[True] or taught[False]:
            site.state = state.to_bytes()
            site.version += 1
            site.spam_lessons += taught[True]
            site.ham_lessons += taught[False]
            site.save()
    if taught[True] or taught[False]:
        with _states_lock:
            _states[name] = (site.version, state)
    return taught[True], taught[False]


def history_for(email: str, ip: str | None, url: str) -> engine.History:
    """How this site has judged earlier comments sharing the author's e-mail, IP or website."""
    return _site_row_and_history(None, email, ip, url)[1]


def _site_row_and_history(
    site: str | None, email: str, ip: str | None, url: str
) -> tuple[tuple[int, int] | None, engine.History]:
    """The row id and version of the site named ``site`` (None: not asked) and
    :func:`history_for` the author, read with one query."""
    if not (email or ip or url):
        return (_id_and_version(site) if site is not None else None), engine.History()
    sql, slots = _history_sql(bool(email), bool(ip), bool(url))
    values = {
        "email": email,
        # As the ORM would pass it (PostgreSQL takes an address type, SQLite the text).
        "ip": Comment._meta.get_field("author_ip").get_db_prep_value(ip, connection) if ip else ip,
        "url": url,
    }
    params = [values[slot] if slot in values else fixed for slot, fixed in slots]
    if site is not None:
        # The counts are one row (an aggregate over the whole filter); the site's, one or none.
        before, after = _with_site_sql()
        sql = f"{before}({sql}){after}"
        params.append(site)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    site_row = None
    if site is not None:
        site_row, row = ((row[0], row[1]) if row[0] is not None else None), row[2:]
    counts = {name: n or 0 for name, n in zip(_HISTORY_COUNTS, row, strict=True)}
    return site_row, engine.History(**counts)


@functools.cache
def _with_site_sql() -> tuple[str, str]:
    """What goes before and after the history query to read the site's id and version
    beside its counts (the site named by the last parameter)."""
    quote = connection.ops.quote_name
    counts = ", ".join(f"history.{quote(name)}" for name in _HISTORY_COUNTS)
    return (
        f"SELECT site.{quote('id')}, site.{quote('version')}, {counts} FROM ",
        f" history LEFT JOIN {quote(SpamFilterSite._meta.db_table)} site"
        f" ON site.{quote('name')} = %s",
    )


_HISTORY_COUNTS = (
    "email_approved",
    "email_spam",
    "ip_approved",
    "ip_spam",
    "url_approved",
    "url_spam",
)
_history_queries: dict[tuple[str, bool, bool, bool], tuple[str, list[tuple[str, object]]]] = {}


def _history_sql(email: bool, ip: bool, url: bool) -> tuple[str, list[tuple[str, object]]]:
    """The history query for this combination of known fields, compiled by the ORM once per
    process: compiling its six filtered counts cost ~8 times more than the database running
    it. Returns the SQL and, for each parameter, which value goes there ("email", "ip",
    "url", or "fixed" with the value itself)."""
    key = (connection.vendor, email, ip, url)
    if key not in _history_queries:
        marks = {"email": "\x00email\x00", "ip": "192.0.2.255", "url": "\x00url\x00"}
        who = Q()
        email_q = ip_q = url_q = Q(pk__in=[])
        if email:
            email_q = same_email(marks["email"])
            who |= email_q
        if ip:
            ip_q = Q(author_ip=marks["ip"])
            who |= ip_q
        if url:
            url_q = Q(author_url=marks["url"])
            who |= url_q

        def counted(field: Q, status: str) -> Count:
            return Count("pk", filter=field & Q(status=status))

        counts = dict(
            zip(
                _HISTORY_COUNTS,
                (
                    counted(email_q, _APPROVED),
                    counted(email_q, _SPAM),
                    counted(ip_q, _APPROVED),
                    counted(ip_q, _SPAM),
                    counted(url_q, _APPROVED),
                    counted(url_q, _SPAM),
                ),
                strict=True,
            )
        )
        # As QuerySet.aggregate() builds it: the counts over the whole filter, no GROUP BY.
        query = Comment.objects.filter(who).order_by().query.chain()
        for name, count in counts.items():
            query.add_annotation(count, name, select=True)
        query.select = ()
        query.default_cols = False
        sql, params = query.get_compiler(connection=connection).as_sql()
        slots = []
        for param in params:
            if param == marks["email"]:
                slots.append(("email", None))
            elif str(param) == marks["ip"]:
                slots.append(("ip", None))
            elif param == marks["url"]:
                slots.append(("url", None))
            elif param in (_APPROVED, _SPAM) or isinstance(param, int | bool):
                slots.append(("fixed", param))  # a status, or a constant for an absent field
            else:  # pragma: no cover (a parameter this function does not know: say so)
                raise RuntimeError(f"unexpected parameter {param!r} in the history query")
        _history_queries[key] = (sql, slots)
    return _history_queries[key]


def _lesson(comment: Comment) -> engine.Submission:
    """What the engine is taught about a stored comment."""
    return submissions.for_engine(pipeline.CommentSubmission.of(comment))


def check_comment(submission: pipeline.CommentSubmission) -> pipeline.Verdict:
    """Judge a comment with the engine and this site's learning (the pipeline's spam check)."""
    # The site's version and the author's history, in one query.
    row, history = _site_row_and_history(
        THIS_SITE, submission.author_email, submission.ip, submission.author_url
    )
    site_id, state = _site_with_row(THIS_SITE, row, True, {})
    verdict = engine.check(
        submissions.for_engine(submission, history),
        site=state,
        sensitivity=settings.SALON.get("SPAM_SENSITIVITY") or engine.Sensitivity.BALANCED,
    )
    return pipeline.Verdict(
        spam=verdict.spam,
        score=verdict.score,
        discard=verdict.discard,
        hold=verdict.hold,
        reasons=[_say_whose(reason, history) for reason in verdict.reason_dicts()],
        # Today's count of checks, written by the pipeline in the transaction that stores
        # the comment: the comment and its count are kept together, or neither.
        record=functools.partial(
            count, site_id, checked=1, **({"spam": 1} if verdict.spam else {"ham": 1})
        ),
    )


_HISTORY_SIGNALS = {
    "history_approved": ("approved before", "_approved"),
    "history_spam": ("marked spam before", "_spam"),
}
_SOURCES = (
    ("email", "from this e-mail address"),
    ("ip", "from this IP address"),
    ("url", "from this website"),
)


def _say_whose(reason: dict, history: engine.History) -> dict:
    """The engine speaks of "this author" for what is the best of three separate histories
    (e-mail, IP, website); the stored reason names which of them it was, with their counts,
    so that a shared IP address is not read as the commenter's own record."""
    described = _HISTORY_SIGNALS.get(reason.get("signal", ""))
    if described is None:
        return reason
    lead, suffix = described
    parts = [
        f"{n} {words}"
        for source, words in _SOURCES
        if (n := getattr(history, f"{source}{suffix}", 0))
    ]
    if not parts:
        return reason
    return {**reason, "message": f"{lead}: {', '.join(parts)}"}


def _said_spam(comment: Comment) -> bool | None:
    """Whether the filter called the comment spam (True) or let it through (False); None when
    it held it for a person (uncertain) or never judged it. Only True and False can be
    corrected by a moderator, and counted as missed spam or a false positive."""
    if comment.spam_outcome:
        return {"spam": True, "approve": False}.get(comment.spam_outcome)
    # Judged before the filter had three outcomes: a score of one half or more was spam.
    return None if comment.spam_score is None else comment.spam_score >= 0.5


def teach(decision: Decision, **signal) -> None:
    """Learn from a moderator's decision: marked spam, or rescued from spam or the queue.

    Receives ``discussion.signals.comment_status_changed``.

    Runs inside the moderation transaction. The lesson is recorded (who, when, what the
    engine had said) and counted as a correction when the moderator disagreed. When the
    site's comments are checked by a remote Akismet-compatible endpoint
    (``SALON_AKISMET_URL``), the decision goes to its submit-spam / submit-ham after commit;
    otherwise this site's own state learns it.
    """
    comment = decision.comment
    if decision.status == _SPAM:
        is_spam = True
    elif decision.status == _APPROVED and decision.previous_status in (
        _SPAM,
        Comment.Status.PENDING,
    ):
        is_spam = False
    else:
        return
    engine_said_spam = _said_spam(comment)
    with transaction.atomic():
        if settings.SALON.get("AKISMET_URL"):
            from salon.antispam import remote

            site, _ = SpamFilterSite.objects.get_or_create(name=THIS_SITE)
            SpamFilterSite.objects.filter(pk=site.pk).update(
                **(
                    {"spam_lessons": F("spam_lessons") + 1}
                    if is_spam
                    else {"ham_lessons": F("ham_lessons") + 1}
                )
            )
            transaction.on_commit(lambda: remote.submit(comment, is_spam))
        else:
            site = learn(THIS_SITE, _lesson(comment), is_spam)
        _withdraw_earlier_correction(site.pk, comment)
        Lesson.objects.create(
            comment=comment,
            site=site,
            moderator=decision.moderator
            if decision.moderator is not None and decision.moderator.is_authenticated
            else None,
            previous_status=decision.previous_status,
            status=decision.status,
            is_spam=is_spam,
            engine_said_spam=engine_said_spam,
            engine_score=comment.spam_score,
        )
        if engine_said_spam is not None and engine_said_spam != is_spam:
            count(site.pk, **({"missed_spam": 1} if is_spam else {"false_positives": 1}))


def _withdraw_earlier_correction(site_id: int, comment: Comment) -> None:
    """A moderator's new decision on a comment replaces their earlier one in the counts.

    Marking a comment spam and then "not spam" (an undo, a second thought) leaves the
    engine's verdict standing; the first decision's correction is taken back from the day it
    was counted, so the statistics count each comment's last decision only. The engine
    itself has learnt both lessons, as it always has.
    """
    earlier = Lesson.objects.filter(site_id=site_id, comment=comment).order_by("-pk").first()
    if earlier is None or not earlier.correction:
        return
    field = "missed_spam" if earlier.is_spam else "false_positives"
    DailyTally.objects.filter(
        site_id=site_id, day=timezone.localdate(earlier.decided_at), **{f"{field}__gt": 0}
    ).update(**{field: F(field) - 1})
