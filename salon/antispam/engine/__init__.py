"""Salon's spam engine: pure Python, no Django.

Typical use::

    from salon.antispam.engine import Submission, SiteState, check, learn

    verdict = check(Submission(content=..., author=...), site=state)
    learn(state, submission, is_spam=True)   # a moderator's decision
    stored = state.to_bytes()                # persist per site
"""

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
    "read_labelled_csv",
    "train",
]
