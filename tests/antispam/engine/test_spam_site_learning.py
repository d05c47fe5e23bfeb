"""Each site learns on its own, at once, and its state survives storage."""

from __future__ import annotations

import json

import pytest

from salon.antispam.engine import SiteState, Submission

CAMPAIGN = [
    "Great article! I have been reading about {x} for years and your tips on garden ponds helped a lot",
    "Great article!! I have been reading about {x} for many years and your tips on garden ponds helped",
    "Great article! I've been reading about {x} for years and your tips on garden ponds helped a lot",
]


def campaign_text(i: int) -> str:
    return CAMPAIGN[i % len(CAMPAIGN)].format(
        x=["koi", "lilies", "pumps", "algae", "frogs", "reeds"][i % 6]
    )


def test_spam_lessons_raise_campaign_score_for_that_site_only(engine):
    site_a, site_b = SiteState(site_id="a"), SiteState(site_id="b")
    probe = Submission(content=campaign_text(7), author="Pond Fan")
    before_a = engine.check(probe, site_a).score
    before_b = engine.check(probe, site_b).score
    for i in range(5):
        engine.learn(site_a, Submission(content=campaign_text(i), author="Pond Fan"), is_spam=True)
    after_a = engine.check(probe, site_a)
    after_b = engine.check(probe, site_b)
    assert after_a.score > before_a
    assert after_b.score == pytest.approx(before_b)
    assert "campaign" in {r.signal for r in after_a.reasons}
    assert "campaign" not in {r.signal for r in after_b.reasons}
    assert site_a.spam_lessons == 5 and site_b.spam_lessons == 0


def test_campaign_reason_counts_what_the_site_saw(engine, site):
    for i in range(4):
        engine.learn(site, Submission(content=campaign_text(i)), is_spam=True, now=1_000_000.0)
    verdict = engine.check(Submission(content=campaign_text(5)), site)
    reason = next(r for r in verdict.reasons if r.signal == "campaign")
    assert "seen 4 times" in reason.message


def test_ham_lessons_lower_the_score(engine, site):
    text = "Follow my page for daily motivation and free workout plans"
    before = engine.check(Submission(content=text), site).score
    for _ in range(5):
        engine.learn(site, Submission(content=text), is_spam=False)
    assert engine.check(Submission(content=text), site).score < before
    assert site.ham_lessons == 5


def test_ham_lesson_forgets_a_remembered_near_duplicate(engine, site):
    text = campaign_text(0)
    engine.learn(site, Submission(content=text), is_spam=True)
    assert len(site.signature_counts) == 1
    engine.learn(site, Submission(content=text), is_spam=False)
    assert len(site.signature_counts) == 0


def test_state_round_trips_through_bytes(engine, site):
    for i in range(3):
        engine.learn(site, Submission(content=campaign_text(i)), is_spam=True)
    engine.learn(site, Submission(content="Thanks, this helped me fix my bike"), is_spam=False)
    site.sensitivity = "strict"
    data = site.to_bytes()
    json.loads(data)  # plain JSON
    restored = SiteState.from_bytes(data)
    probe = Submission(content=campaign_text(4))
    assert restored.sensitivity == "strict"
    assert restored.spam_lessons == 3 and restored.ham_lessons == 1
    assert engine.check(probe, restored).score == pytest.approx(
        engine.check(probe, site).score, abs=1e-5
    )
    assert SiteState.from_bytes(restored.to_bytes()).to_dict() == restored.to_dict()


def test_empty_state_round_trips(site):
    assert SiteState.from_bytes(site.to_bytes()).to_dict() == site.to_dict()


@pytest.mark.parametrize(
    "data",
    [
        b'{"format": 99}',
        b'{"format": 1, "columns": "AAAA", "weights": "", "squared_gradients": ""}',
        b'{"format": 1, "sensitivity": "paranoid"}',
        b'{"format": 1, "spam_signatures": "not base64!"}',
    ],
)
def test_bad_state_is_refused(data):
    with pytest.raises(ValueError):
        SiteState.from_bytes(data)


def test_site_sensitivity_is_used_by_default(engine):
    text = "Please subscribe to me, I make music videos"
    strict = SiteState(sensitivity="strict")
    verdict = engine.check(Submission(content=text), strict)
    assert verdict.sensitivity == "strict"


def test_the_site_s_learning_alone_never_sends_an_ordinary_comment_to_spam(engine, site):
    """However sure a site's own learning grows, it adds at most its cap: an ordinary
    comment may be held, never spammed, on its word alone."""
    from salon.antispam.engine.checking import SITE_CORRECTION_CAP

    site.bias = 20.0
    verdict = engine.check(
        Submission(content="I enjoyed the photos of the old harbour, thank you."), site
    )
    learned = next(r for r in verdict.reasons if r.signal == "site_learning")
    assert learned.weight == SITE_CORRECTION_CAP
    assert not verdict.spam


def test_what_the_site_learnt_holds_a_comment_it_would_have_spammed(engine, site):
    """A comment the base model finds fairly spammy, pushed over the spam edge only by
    what this site has learnt, is held for a moderator and its last reason says why."""
    text = "Follow my page for daily motivation and free workout plans"
    alone = engine.check(Submission(content=text), site)
    site.bias = 20.0  # a site whose lessons made it sure of spam
    pushed = engine.check(Submission(content=text), site)
    learned = next(r for r in pushed.reasons if r.signal == "site_learning")
    assert learned.weight > 0
    assert pushed.score >= pushed.spam_from > alone.score, "pick another text"
    assert pushed.outcome == "hold"
    assert "only by what this site has learnt" in pushed.reasons[-1].message


def test_the_site_s_learning_may_still_confirm_certain_evidence(engine, site):
    """Evidence of the site's own (a domain its moderators marked spam twice) still
    sends to spam."""
    link = "Cheap pills at http://pills-shop.example/buy today"
    for _ in range(2):
        engine.learn(site, Submission(content=link), is_spam=True)
    verdict = engine.check(Submission(content="Visit http://pills-shop.example/new"), site)
    assert "spam_domain" in {r.signal for r in verdict.reasons}
    assert verdict.outcome == "spam"


def test_a_state_of_the_earlier_format_keeps_its_learnt_words(engine, site):
    """Sites stored before the dense columns were redrawn keep what they learnt of words;
    their weights on the old dense columns, which meant other things, are dropped."""
    from salon.antispam.engine.features import HASHED_COLUMNS, TOTAL_COLUMNS

    for i in range(3):
        engine.learn(site, Submission(content=campaign_text(i)), is_spam=True)
    data = site.to_dict()
    data["format"] = 1
    del data["domains"]
    import base64

    import numpy as np

    columns = np.frombuffer(base64.b64decode(data["columns"]), dtype="<u4")
    extra = np.array([HASHED_COLUMNS + 1], dtype="<u4")
    data["columns"] = base64.b64encode(np.concatenate([columns, extra]).tobytes()).decode()
    for key in ("weights", "squared_gradients"):
        values = np.frombuffer(base64.b64decode(data[key]), dtype="<f4")
        data[key] = base64.b64encode(
            np.concatenate([values, np.array([5.0], dtype="<f4")]).tobytes()
        ).decode()
    restored = SiteState.from_dict(data)
    assert restored.weights is not None and restored.weights[HASHED_COLUMNS + 1] == 0
    assert len(restored.weights) == TOTAL_COLUMNS and restored.domains == {}
    probe = Submission(content=campaign_text(4))
    assert engine.check(probe, restored).score == pytest.approx(
        engine.check(probe, site).score, abs=1e-4
    )
