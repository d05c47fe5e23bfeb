"""Salon's spam engine: pure Python, no Django.

Typical use::

    from salon.antispam.engine import Submission, SiteState, check, learn

    verdict = check(Submission(content=..., author=...), site=state)
    verdict.outcome                          # "approve", "hold" or "spam"
    learn(state, submission, is_spam=True)   # a moderator's decision
    stored = state.to_bytes()                # persist per site

A verdict is one of three outcomes (:mod:`.outcomes` states the rule): ``spam`` only for
near-certain spam (``discard`` too for blatant spam that may be dropped unseen), ``hold``
for what a person should decide, and neither for what may be published. The site's own
moderation words, disallowed words and link limit are not the engine's: the comment
pipeline applies them.
"""

from . import outcomes
from .checking import SpamEngine, check, default_engine, learn
from .corpora import LabelledText, load_corpora, read_labelled_csv
from .model import BaseModel, TrainingConfig, build_base_model, train
from .site import SiteState
from .verdicts import History, Reason, Sensitivity, Submission, Verdict

__all__ = [
    "BaseModel",
    "History",
    "LabelledText",
    "Reason",
    "Sensitivity",
    "SiteState",
    "SpamEngine",
    "Submission",
    "TrainingConfig",
    "Verdict",
    "build_base_model",
    "check",
    "default_engine",
    "learn",
    "load_corpora",
    "outcomes",
    "read_labelled_csv",
    "train",
]
