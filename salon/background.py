"""Periodic work beside the web server: one process runs each job when it is due.

Retention, the mail outbox and outgoing mentions each need a loop that survives a bad round
and a restarted database. They share this one, and `salon serve` starts one process for all
of them instead of one per job.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import close_old_connections

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """Work to repeat: ``run`` returns a one-line summary, or "" when there was nothing to do."""

    name: str
    run: Callable[[], str]
    every: float


def run_jobs(
    jobs: Sequence[Job],
    write: Callable[[str], None],
    loop: bool = True,
    stop_after: float | None = None,
) -> None:
    """Run every job once, then (with ``loop``) each again every ``job.every`` seconds.

    A round that raises is logged and tried again at the job's next time, except when not
    looping, where the error reaches the caller. ``stop_after`` (seconds) ends the loop, for
    tests.
    """
    started = time.monotonic()
    due = {job.name: started for job in jobs}
    while True:
        for job in jobs:
            if time.monotonic() < due[job.name]:
                continue
            if loop:
                # A long-running loop must survive a restarted database: a dead connection is
                # dropped here and reopened by the next query.
                close_old_connections()
                try:
                    summary = job.run()
                except Exception:
                    log.exception("%s failed; trying again in %s s", job.name, job.every)
                    summary = ""
            else:
                summary = job.run()
            if summary:
                write(summary)
            due[job.name] = time.monotonic() + job.every
        if not loop or not jobs:
            return
        if stop_after is not None and time.monotonic() - started >= stop_after:
            return
        time.sleep(max(0.05, min(due.values()) - time.monotonic()))
