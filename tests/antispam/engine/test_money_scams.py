"""The money-testimonial scam is held, with a reason that names it, even by a model that
never learnt the genre; ordinary comments with prices, investments and @-replies are not.

The scam comments here were written for this test, after the genre (none is copied from
a corpus); so were the ordinary ones.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from salon.antispam.engine import SpamEngine, Submission, money_scams
from salon.antispam.engine.features import clean_text
from salon.antispam.engine.outcomes import logit

POST = "https://blog.example/2026/03/notes-from-the-harbour/"
TITLE = "Notes from the harbour"

SCAMS = [
    "I was sceptical at first but I invested $800 and within 7 days I got $12 000 back. "
    "All thanks to @earn_with_kathryn_fx, she is the best!",
    "Honestly receiving $15 500 after investing $1 500 is what i never expected, thanks for "
    "putting an undying smile on my face #__melissa_grant__",
    "i made $70k with @victoria.tradesfx",
    "I'm paying 5 grands to the first 10 people to DM me 'hard times', stay blessed y'all",
    "You saved my life out of debt, i will keep telling people about your good work "
    "@coach_helena_wealth",
    "As a professional bitcoin trader I can turn your investment of $500 into $7 000 in 5 "
    "trading days. DM me now or write on WhatsApp.",
    "I lost $4,000 to a fake broker until @cyber_recovery_pro helped me recover my funds, "
    "contact them",
    "Buy and hold $FRZW before it is too late, next 1000x gem, contract address "
    "0x800e9d435dcef7a5d43be2bbc5b5cb280fcdbfff",
    "ɪ ᴅᴇᴘᴏꜱɪᴛᴇᴅ $1000 ᴀɴᴅ ᴀꜰᴛᴇʀ 3 ᴅᴀʏꜱ ɪ ɢᴏᴛ $10 200 ᴀꜱ ᴍʏ ᴘʀᴏꜰɪᴛ @maria_richardfxt",
    # The account written without its "@", or alone with pictures.
    "i made $25k in two weeks with tradingwithmelissa, no joke",
    "🌹🌹 @growwealthwith_irene 🌹🌹",
    "Ask @jonas.meyer_profits how",
    # A hashtag credited first: nobody is addressed by a hashtag.
    "#daniel_okafor_7 you got me out of all my debt, i keep telling everyone about you",
    # Nothing but a lure to write privately.
    "kindly inbox me for more details",
    "For partnership proposal DM 📩",
    # The paid-promotion page, a token named and hyped, the scam translated.
    "Nice work! Send pic on @art.feature_daily",
    "Get that Orbion token before it is too late 🚀🚀",
    "Ich habe meine Gewinne pünktlich erhalten, mit Hilfe von @anna.koenig",
]

ORDINARY = [
    "@Anna thanks, I got mine for $20 on Amazon and it works fine with the older model too.",
    "@sam_k thanks, that fixed it. The upgrade cost me $300 but the old card was dying anyway.",
    "Ticket prices went from $40 to $130 in three years, which is why we stopped going.",
    "I paid $1,200 for the course and it was worth it; the trading chapter alone saved me "
    "from a bad bet. Thanks @lena for recommending it.",
    "For comparison, I paid €1,249 for the 14-inch model in March and the same shop now "
    "lists it at €1,099, so it might be worth waiting for the autumn sales.",
    "My index fund returned about 7% last year, nothing magic. Great post, @the_author!",
    "Great post! I shared it with @jane_doe who is learning Python. #python #beginners",
    "In C you write #include <stdio.h> first, and main returns 0, not $1.",
    "DM me if you want the spreadsheet, happy to share it with the club.",
    "The museum raised $3,400 for the new roof, thank you all who came to the fair!",
    "I bought my house in 2015 with help from @localcreditunion, their rates were fair.",
    "Text me when you're back and we'll sort out the tickets.",
    "I sent you a DM about the meetup, check your inbox when you can.",
    "My access token expired again 🔥 and the deploy failed, same as in your post.",
    "Is a decentralized exchange any safer than a bank? Genuine question.",
    "Congratulations @sara_okafor on the new home 🏡 and on the job!",
    "Started with_statement() in my code and it worked, thanks @dev_with_tea",
]


@pytest.fixture(scope="module")
def blind(engine) -> SpamEngine:
    """An engine whose model learnt nothing: every text scores 5 %, well below the hold edge,
    as the genre scores with a model that never saw it."""
    model = engine.model
    intercept = (logit(0.05) - model.platt_intercept) / model.platt_slope
    empty = dataclasses.replace(model, weights=np.zeros_like(model.weights), intercept=intercept)
    return SpamEngine(empty, engine.rules, engine.blocklist)


def judge(engine: SpamEngine, text: str):
    return engine.check(
        Submission(content=text, author="A reader", permalink=POST, post_title=TITLE)
    )


@pytest.mark.parametrize("text", SCAMS)
def test_the_scam_is_held_with_its_reason_by_a_model_that_never_saw_it(blind, text):
    verdict = judge(blind, text)
    assert verdict.outcome == "hold", verdict.reasons
    reason = next(r for r in verdict.reasons if r.signal == "money_scam")
    assert reason.message.startswith("reads like ")
    assert reason.message.endswith("; held for a person to check")
    assert reason.weight == 0.0


def test_the_reason_quotes_the_money_and_the_contact(blind):
    verdict = judge(blind, SCAMS[0])
    reason = next(r for r in verdict.reasons if r.signal == "money_scam")
    assert "money-testimonial scam" in reason.message
    assert "invested $800" in reason.message and "@earn_with_kathryn_fx" in reason.message


@pytest.mark.parametrize("text", SCAMS)
def test_the_shipped_model_never_publishes_the_scam(engine, text):
    assert judge(engine, text).outcome != "approve"


def test_the_rule_alone_never_makes_spam(blind):
    """Held, not spam: a reader telling how an investment went can read the same way."""
    assert all(not judge(blind, text).spam for text in SCAMS)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_comments_with_money_and_handles_are_not_held_for_it(blind, text):
    verdict = judge(blind, text)
    assert "money_scam" not in {r.signal for r in verdict.reasons}
    assert verdict.outcome == "approve", verdict.reasons


def test_long_texts_are_read_only_so_far():
    """A long text is read up to READ_CHARS characters: what lies beyond is not searched
    (such a text is held for its length anyway)."""
    scam = "i made $70k with @victoria.tradesfx"
    assert money_scams.find(clean_text(scam)) is not None
    padding = "An ordinary sentence about the harbour and its boats. " * 80
    assert money_scams.find(clean_text(padding + scam)) is None
