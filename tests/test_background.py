"""The periodic work beside the server: each job on its own rhythm, none stopping another."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from salon.background import Job, run_jobs


@pytest.mark.django_db  # the loop checks its database connection before each round
def test_jobs_repeat_on_their_own_rhythm_and_survive_a_failing_round():
    runs = {"fast": 0, "slow": 0, "broken": 0}

    def counter(name, fail=False):
        def run():
            runs[name] += 1
            if fail:
                raise RuntimeError("a bad round")
            return f"{name} ran"

        return run

    lines: list[str] = []
    run_jobs(
        [
            Job("fast", counter("fast"), 0.05),
            Job("slow", counter("slow"), 10),
            Job("broken", counter("broken", fail=True), 0.05),
        ],
        lines.append,
        stop_after=0.5,
    )
    assert runs["slow"] == 1
    assert runs["fast"] >= 4
    assert runs["broken"] >= 4  # it kept being tried, and "fast" kept running beside it
    assert lines.count("slow ran") == 1


def test_run_once_lets_errors_reach_the_caller():
    def broken():
        raise RuntimeError("no database")

    with pytest.raises(RuntimeError):
        run_jobs([Job("broken", broken, 1)], print, loop=False)


@pytest.mark.django_db
def test_background_says_what_it_runs_and_nothing_when_all_is_off(capsys):
    call_command("background", "--no-retention", "--no-mail", "--no-mentions", "--no-fediverse")
    assert "Nothing to do" in capsys.readouterr().out
