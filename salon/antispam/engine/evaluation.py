"""Measuring the engine on labelled rows: fixed, and online ("prequential").

Fixed: the model judges every row as it is. Online: rows are judged in the order
given (the order comments arrived), and after each verdict the site learns the row's
true label, as if a moderator had just decided it. Online figures are also given for
the second half alone, once the site has had time to learn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .checking import SpamEngine, default_engine
from .corpora import LabelledText
from .site import SiteState
from .verdicts import Sensitivity, Submission


@dataclass(frozen=True, slots=True)
class Metrics:
    """Quality figures of a set of verdicts. ``fpr`` is the share of ham blocked."""

    rows: int
    spam: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    mcc: float
    roc_auc: float
    fpr: float
    true_positives: int
    false_positives: int
    true_negatives: int
    false_negatives: int

    def line(self) -> str:
        """The figures on one line."""
        return (
            f"n={self.rows} spam={self.spam} acc={self.accuracy:.3f} P={self.precision:.3f} "
            f"R={self.recall:.3f} F1={self.f1:.3f} MCC={self.mcc:.3f} AUC={self.roc_auc:.3f} "
            f"FPR={self.fpr:.3f} (FP={self.false_positives} FN={self.false_negatives})"
        )

    def to_dict(self) -> dict[str, float | int]:
        """JSON-able figures."""
        return asdict(self)


def compute_metrics(
    labels: Sequence[bool], predicted: Sequence[bool], scores: Sequence[float]
) -> Metrics:
    """Accuracy, precision, recall, F1, MCC, ROC-AUC and FPR of predictions."""
    from sklearn.metrics import roc_auc_score  # for evaluations only; checking never needs it

    y = np.asarray(labels, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    try:
        auc = (
            float(roc_auc_score(y, np.asarray(scores, dtype=float)))
            if 0 < y.sum() < len(y)
            else float("nan")
        )
    except ValueError:
        auc = float("nan")
    return _from_counts(
        int(np.sum(y & p)), int(np.sum(~y & p)), int(np.sum(~y & ~p)), int(np.sum(y & ~p)), auc
    )


def pooled(parts: Sequence[Metrics]) -> Metrics:
    """The figures of several evaluations taken together, as one set of verdicts.

    ROC-AUC is not defined for pooled counts (scores of different models do not share
    a scale), so it is NaN.
    """
    return _from_counts(
        sum(m.true_positives for m in parts),
        sum(m.false_positives for m in parts),
        sum(m.true_negatives for m in parts),
        sum(m.false_negatives for m in parts),
        float("nan"),
    )


def _from_counts(tp: int, fp: int, tn: int, fn: int, auc: float) -> Metrics:
    n = tp + fp + tn + fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = (tp * tn - fp * fn) / denominator if denominator else 0.0
    return Metrics(
        rows=n,
        spam=tp + fn,
        accuracy=(tp + tn) / n if n else 0.0,
        precision=precision,
        recall=recall,
        f1=f1,
        mcc=mcc,
        roc_auc=auc,
        fpr=fp / (fp + tn) if fp + tn else 0.0,
        true_positives=tp,
        false_positives=fp,
        true_negatives=tn,
        false_negatives=fn,
    )


def submission_for(row: LabelledText) -> Submission:
    """The submission a labelled row stands for."""
    return Submission(
        content=row.text,
        author=row.author,
        author_url=row.url,
        author_email=row.email,
        permalink=row.permalink,
        post_title=row.title,
        comment_type=row.comment_type,
    )


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """Fixed figures, and online figures when asked for."""

    fixed: Metrics | None
    online: Metrics | None = None
    online_second_half: Metrics | None = None

    def lines(self) -> list[str]:
        """Human-readable lines, ending in ``F1=… FPR=…`` of the main figures."""
        out: list[str] = []
        if self.fixed is not None:
            out.append("fixed:              " + self.fixed.line())
        if self.online is not None:
            out.append("online:             " + self.online.line())
        if self.online_second_half is not None:
            out.append("online, 2nd half:   " + self.online_second_half.line())
        main = self.online if self.online is not None else self.fixed
        if main is not None:
            out.append(f"F1={main.f1:.3f} FPR={main.fpr:.3f}")
        return out


def evaluate_fixed(
    rows: Sequence[LabelledText],
    engine: SpamEngine | None = None,
    sensitivity: Sensitivity | str = Sensitivity.BALANCED,
) -> Metrics:
    """Judge every row with the base model alone."""
    engine = engine or default_engine()
    verdicts = [engine.check(submission_for(row), None, sensitivity) for row in rows]
    return compute_metrics(
        [r.is_spam for r in rows], [v.spam for v in verdicts], [v.score for v in verdicts]
    )


def evaluate_online(
    rows: Sequence[LabelledText],
    engine: SpamEngine | None = None,
    sensitivity: Sensitivity | str = Sensitivity.BALANCED,
    site: SiteState | None = None,
) -> tuple[Metrics, Metrics]:
    """Prequential run over rows in order: figures for all rows and for the second half."""
    engine = engine or default_engine()
    site = site if site is not None else SiteState(site_id="evaluation")
    predicted: list[bool] = []
    scores: list[float] = []
    for row in rows:
        submission = submission_for(row)
        verdict = engine.check(submission, site, sensitivity)
        predicted.append(verdict.spam)
        scores.append(verdict.score)
        engine.learn(site, submission, row.is_spam)
    labels = [r.is_spam for r in rows]
    half = len(rows) // 2
    return (
        compute_metrics(labels, predicted, scores),
        compute_metrics(labels[half:], predicted[half:], scores[half:]),
    )


def evaluate(
    rows: Sequence[LabelledText],
    engine: SpamEngine | None = None,
    online: bool = False,
    sensitivity: Sensitivity | str = Sensitivity.BALANCED,
) -> EvaluationReport:
    """Fixed figures, plus online ones when ``online`` is true."""
    fixed = evaluate_fixed(rows, engine, sensitivity)
    if not online:
        return EvaluationReport(fixed)
    whole, second_half = evaluate_online(rows, engine, sensitivity)
    return EvaluationReport(fixed, whole, second_half)
