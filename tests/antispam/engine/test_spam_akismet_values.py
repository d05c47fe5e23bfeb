"""Akismet's documented test values behave as Akismet says."""

from __future__ import annotations

import pytest

from salon.antispam.engine import Submission


@pytest.mark.parametrize(
    "submission",
    [
        Submission(content="What a lovely post.", author="akismet-guaranteed-spam"),
        Submission(content="What a lovely post.", author="Akismet-Guaranteed-Spam"),
        Submission(
            content="What a lovely post.", author_email="akismet-guaranteed-spam@example.com"
        ),
        Submission(content="What a lovely post.", author="viagra-test-123"),
    ],
)
def test_akismet_spam_values_are_always_spam(engine, submission):
    verdict = engine.check(submission)
    assert verdict.spam
    assert verdict.score == 1.0
    assert [r.signal for r in verdict.reasons] == ["akismet_test"]


def test_administrator_is_always_ham(engine):
    verdict = engine.check(
        Submission(
            content="BUY CHEAP VIAGRA http://bit.ly/x http://pills.xyz [url=http://a.ru]x[/url]",
            user_role="administrator",
            honeypot_value="filled",
        )
    )
    assert not verdict.spam
    assert not verdict.hold
    assert verdict.score == 0.0
    assert verdict.reasons[0].signal == "administrator"
