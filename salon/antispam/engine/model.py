"""The base spam model: training it, storing it and loading it.

The model is a linear support vector machine (squared hinge loss) over the hashed
features of :mod:`.features`, followed by Platt scaling fitted on out-of-fold scores so
that its output is a calibrated probability. A linear SVM spends its weights on the
texts near the boundary rather than on making easy spam surer, and that is what holds
on a site the model has not seen. Measured with ``bench/spam_quality.py`` (the previous
model, logistic regression with C=10, comment block ×2 and MurmurHash columns → this
one, C=0.5, comment block ×3, :mod:`.hashing`'s columns): leave one
video out F1 0.953 with 1.7 % of ham blocked → 0.962 with 1.3 %; SMS 10-fold F1 0.959
with 0.35 % → 0.964 with 0.29 %; YouTube 10-fold F1 0.968 → 0.965. Tried on the text
model alone, leave one video out, and not better: C of 1 and 2, comment block ×1 and ×2,
naive-Bayes feature scaling (F1 0.936 to 0.947), character 2–5 and 3–6-grams.

Spam reads differently in each medium: a public comment under a post, a private
message, an e-mail (a contact form's message). The corpora come from all three, so the
model is trained with shared weights plus one set of weights per medium (feature
augmentation: every row's features appear once in the shared block and once in its
medium's block). What all media share is learnt from every corpus; what is peculiar to
web comments is learnt from web comments. The stored model holds, per medium, the sum of
the shared and that medium's weights, and its own calibration; a submission is scored
with the weights of its medium, known from its comment type.

The model is stored as a NumPy ``.npz`` archive of plain arrays plus a JSON metadata
string (with a format version), read back with ``allow_pickle=False``: no code is ever
loaded from a model file.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import features, hashing
from .corpora import LabelledText, duplicate_groups, load_corpora

if TYPE_CHECKING:
    import scipy.sparse as sp

# SciPy and scikit-learn are imported by the functions that train: a site that only
# checks submissions never loads them (they would double the engine's memory).

FORMAT_VERSION = 4
MODEL_FILENAME = "model.npz"

MEDIA: tuple[str, ...] = ("comment", "message", "email")
"""Public comments (the default), private messages, e-mails."""
COMMENT_TYPE_MEDIUM = {"message": "message", "contact-form": "email"}
"""Akismet comment types that are not public comments; any other type is a comment."""
CALIBRATION_MINIMUM = 50
"""A medium needs this many out-of-fold spam and ham rows for its own calibration."""
HAM_BLOCKED_LIMITS = {"cautious": 0.002, "balanced": 0.01}
"""Share of ham each sensitivity may block on a site the model has not seen; see
:func:`_thresholds`."""
THRESHOLD_FLOORS = {"cautious": 0.85, "balanced": 0.5, "strict": 0.3}


def medium_index(comment_type: str) -> int:
    """The medium (index into :data:`MEDIA`) of an Akismet comment type."""
    name = COMMENT_TYPE_MEDIUM.get((comment_type or "").strip().lower(), "comment")
    return MEDIA.index(name)


@dataclass(frozen=True, slots=True)
class TrainingConfig:
    """Choices made when training; stored in the model's metadata."""

    regularisation: float = 0.5
    """Inverse regularisation strength (scikit-learn's ``C``)."""
    corpus_weights: dict[str, float] = field(
        default_factory=lambda: {"youtube": 1.0, "sms": 0.5, "spamassassin": 0.1}
    )
    """Weight of each corpus's rows: web comments matter most, the others add vocabulary.

    Measured with ``bench/spam_quality.py``: SpamAssassin's e-mails at full weight cost
    F1 on both YouTube and SMS (long, link-heavy ham), so they count for little.
    """
    medium_scales: dict[str, float] = field(
        default_factory=lambda: {"comment": 3.0, "message": 1.0, "email": 1.0}
    )
    """How freely each medium's own weights may depart from the shared ones (the scale
    of its block in the augmented rows). Comments, the medium Salon serves, most."""
    calibration_folds: int = 2
    max_training_chars: int = 600
    """E-mails are cut to this length for training: their first lines carry the signal."""


@dataclass
class BaseModel:
    """Weights of the text model and its calibration, one row per medium."""

    weights: np.ndarray
    """Shape ``(len(MEDIA), TOTAL_COLUMNS)``: shared plus medium weights."""
    intercept: float
    idf: np.ndarray
    platt_slopes: np.ndarray
    platt_intercepts: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def common_words(self) -> frozenset[str]:
        """Words too common in the training texts to name what a post is about (see
        :func:`.features.common_words`): submissions are prepared with them, as in training."""
        return frozenset(self.metadata.get("common_words", ()))

    @property
    def version(self) -> str:
        """A short identifier of this model (a digest of its weights)."""
        return str(self.metadata.get("model_version", ""))

    def raw_score(self, rows: sp.csr_matrix, medium: int = 0) -> np.ndarray:
        """Uncalibrated scores (SVM margins) of spam for feature rows of one medium."""
        return np.asarray(rows @ self.weights[medium]).ravel() + self.intercept

    def calibrated_logit(self, raw: np.ndarray | float, medium: int = 0) -> np.ndarray | float:
        """Map raw scores onto calibrated log-odds."""
        return float(self.platt_slopes[medium]) * raw + float(self.platt_intercepts[medium])

    def threshold(self, medium: int, sensitivity: str) -> float | None:
        """The spam threshold training chose for a medium and sensitivity, if any."""
        chosen = self.metadata.get("thresholds", {}).get(MEDIA[medium], {})
        value = chosen.get(sensitivity)
        return float(value) if value is not None else None

    def to_bytes(self) -> bytes:
        """The model as an ``.npz`` archive."""
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            weights=self.weights.astype(np.float32),
            idf=self.idf.astype(np.float32),
            scalars=np.array([self.intercept], dtype=np.float64),
            platt=np.vstack([self.platt_slopes, self.platt_intercepts]).astype(np.float64),
            metadata=np.array(json.dumps(self.metadata, sort_keys=True)),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> BaseModel:
        """Read a model written by :meth:`to_bytes`; refuses unknown formats."""
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            metadata = json.loads(str(archive["metadata"]))
            if metadata.get("format_version") != FORMAT_VERSION:
                raise ValueError(
                    f"spam model format {metadata.get('format_version')!r} is not supported"
                    " (rebuild it with 'salon spam_train')"
                )
            weights = archive["weights"].astype(np.float32)
            idf = archive["idf"].astype(np.float32)
            intercept = float(archive["scalars"][0])
            platt = archive["platt"].astype(np.float64)
        if metadata.get("feature_hashing") != hashing.SCHEME:
            raise ValueError(
                f"spam model hashes its features with {metadata.get('feature_hashing')!r},"
                f" this engine with {hashing.SCHEME!r} (rebuild it with 'salon spam_train')"
            )
        if (
            weights.shape != (len(MEDIA), features.TOTAL_COLUMNS)
            or idf.shape != (features.HASHED_COLUMNS,)
            or platt.shape != (2, len(MEDIA))
        ):
            raise ValueError(
                "spam model does not match this engine's feature layout"
                " (rebuild it with 'salon spam_train')"
            )
        return cls(weights, intercept, idf, platt[0], platt[1], metadata)

    def save(self, path: Path) -> None:
        """Write the model to ``path`` (atomically enough: write then rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_bytes(self.to_bytes())
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> BaseModel:
        """Read a model file."""
        return cls.from_bytes(Path(path).read_bytes())


@dataclass
class PreparedRows:
    """Training rows reduced to hashed counts, so that cross-validation hashes once."""

    counts: tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]
    dense: np.ndarray
    labels: np.ndarray
    sample_weights: np.ndarray
    groups: np.ndarray
    media: np.ndarray
    sources: np.ndarray
    """Where each row was posted (a video, for comments), to calibrate as for a new site."""
    common_words: frozenset[str] = frozenset()
    """The words the rows were prepared with as never naming a post's subject."""

    def subset(self, mask: np.ndarray) -> PreparedRows:
        """The rows where ``mask`` is true (or at the given indices)."""
        return PreparedRows(
            counts=tuple(c[mask] for c in self.counts),  # type: ignore[arg-type]
            dense=self.dense[mask],
            labels=self.labels[mask],
            sample_weights=self.sample_weights[mask],
            groups=self.groups[mask],
            media=self.media[mask],
            sources=self.sources[mask],
            common_words=self.common_words,
        )

    def __len__(self) -> int:
        return len(self.labels)


def prepare_rows(
    rows: Sequence[LabelledText], config: TrainingConfig | None = None
) -> PreparedRows:
    """Hash the texts of labelled rows once.

    The common words (:func:`.features.common_words`) are read off these rows' texts and
    kept with them, so that a model trained on them prepares submissions the same way.
    """
    config = config or TrainingConfig()
    common = features.common_words(row.text for row in rows)
    parts = [
        features.prepare(
            row.text[: config.max_training_chars] if row.corpus == "spamassassin" else row.text,
            author_url=row.url,
            author_email=row.email,
            permalink=row.permalink,
            title=row.title,
            common=common,
        )
        for row in rows
    ]
    counts = features.raw_counts(parts)
    return PreparedRows(
        counts=counts,
        dense=np.vstack([p.dense for p in parts])
        if parts
        else np.zeros((0, features.DENSE_COLUMNS)),
        labels=np.array([row.is_spam for row in rows], dtype=np.int8),
        sample_weights=np.array(
            [config.corpus_weights.get(row.corpus, 1.0) for row in rows], dtype=np.float64
        ),
        groups=np.array(duplicate_groups(rows)),
        media=np.array([medium_index(row.comment_type) for row in rows], dtype=np.int8),
        sources=np.array([f"{row.corpus}/{row.part}" for row in rows]),
        common_words=common,
    )


def _fit_linear(
    prepared: PreparedRows, config: TrainingConfig
) -> tuple[np.ndarray, float, np.ndarray]:
    """Fit shared plus per-medium weights; return them summed per medium."""
    import scipy.sparse as sp
    from sklearn.svm import LinearSVC

    idf = features.inverse_document_frequency(
        features.document_frequencies(prepared.counts), len(prepared)
    )
    matrix = features.weigh(prepared.counts, prepared.dense, idf)
    scales = [float(config.medium_scales.get(name, 1.0)) for name in MEDIA]
    blocks = [matrix] + [
        sp.diags((prepared.media == m).astype(np.float32) * scales[m]) @ matrix
        for m in range(len(MEDIA))
    ]
    classifier = LinearSVC(
        C=config.regularisation,
        loss="squared_hinge",
        dual=True,
        max_iter=5000,
        tol=1e-3,
        random_state=0,
    )
    classifier.fit(
        sp.hstack(blocks, format="csr"), prepared.labels, sample_weight=prepared.sample_weights
    )
    coef = classifier.coef_[0]
    width = matrix.shape[1]
    # A medium without training rows keeps only the shared weights (its block is zero).
    weights = np.vstack(
        [
            coef[:width] + scales[m] * coef[width * (m + 1) : width * (m + 2)]
            for m in range(len(MEDIA))
        ]
    ).astype(np.float32)
    return weights, float(classifier.intercept_[0]), idf


def _raw_scores(
    weights: np.ndarray, intercept: float, matrix: sp.csr_matrix, media: np.ndarray
) -> np.ndarray:
    """Each weighed row's raw score with the weights of its own medium."""
    scores = np.zeros(matrix.shape[0])
    for m in range(len(MEDIA)):
        rows = media == m
        if rows.any():
            scores[rows] = np.asarray(matrix[rows] @ weights[m]).ravel() + intercept
    return scores


def _platt(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    platt = LogisticRegression(C=1e4, solver="lbfgs")
    platt.fit(scores.reshape(-1, 1), labels, sample_weight=weights)
    return float(platt.coef_[0][0]), float(platt.intercept_[0])


def _calibration_groups(prepared: PreparedRows) -> np.ndarray:
    """Folds for calibration: a medium whose rows come from several places (videos) is
    split by place, so that its out-of-fold scores are those of a site the model has
    not seen, which is where Salon's model always works; other rows are split by text,
    with duplicates kept together."""
    keys = []
    spread = {
        m: len(set(prepared.sources[prepared.media == m].tolist())) >= 2 for m in range(len(MEDIA))
    }
    for medium, source, group in zip(
        prepared.media.tolist(), prepared.sources.tolist(), prepared.groups.tolist(), strict=True
    ):
        keys.append(f"s:{source}" if spread[medium] else f"g:{group}")
    return np.unique(np.array(keys), return_inverse=True)[1]


def _thresholds(probabilities: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Spam thresholds on the calibrated score for each sensitivity, read off the
    out-of-fold scores: cautious and balanced are raised above their floors until at
    most their share of ham (:data:`HAM_BLOCKED_LIMITS`) scores above them."""
    ham = np.sort(probabilities[labels == 0])[::-1]
    chosen = dict(THRESHOLD_FLOORS)
    for name, limit in HAM_BLOCKED_LIMITS.items():
        allowed = int(limit * len(ham))
        if allowed < len(ham):
            chosen[name] = max(chosen[name], min(float(ham[allowed]) + 1e-6, 0.99))
    chosen["strict"] = min(chosen["strict"], chosen["balanced"])
    return {name: round(value, 6) for name, value in chosen.items()}


def _quiet(message: str) -> None:
    """The default progress callback: says nothing."""


def train_prepared(
    prepared: PreparedRows,
    config: TrainingConfig | None = None,
    progress: Callable[[str], None] = _quiet,
) -> BaseModel:
    """Train on already hashed rows (see :func:`prepare_rows`).

    ``progress`` is called with a line before each step (there are a few, of seconds each).
    """
    from sklearn.model_selection import GroupKFold

    config = config or TrainingConfig()
    started = time.perf_counter()
    if len(set(prepared.labels.tolist())) < 2:
        raise ValueError("training needs both spam and ham examples")
    # Out-of-fold scores, with duplicate texts kept in one fold, fit the calibration:
    # each medium's own where it has enough rows, else the one fitted on all media.
    slopes = np.ones(len(MEDIA))
    platt_intercepts = np.zeros(len(MEDIA))
    calibrated_on = ["none"] * len(MEDIA)
    thresholds: dict[str, dict[str, float]] = {}
    out_of_fold = np.zeros(len(prepared))
    # The same rows scored with the shared weights alone, which are all a medium without
    # training rows has: its calibration is fitted on these.
    shared_out_of_fold = np.zeros(len(prepared))
    present = [
        min(
            int(prepared.labels[prepared.media == m].sum()),
            int((prepared.media == m).sum()) - int(prepared.labels[prepared.media == m].sum()),
        )
        for m in range(len(MEDIA))
    ]
    missing = next((m for m in range(len(MEDIA)) if not (prepared.media == m).any()), None)
    calibration_groups = _calibration_groups(prepared)
    folds = min(config.calibration_folds, len(set(calibration_groups.tolist())))
    splits = (
        [
            (train_idx, test_idx)
            for train_idx, test_idx in GroupKFold(n_splits=folds).split(
                prepared.dense, prepared.labels, calibration_groups
            )
            if len(set(prepared.labels[train_idx].tolist())) == 2
        ]
        if folds >= 2
        else []
    )
    # One after another: liblinear draws from one process-wide random generator, so
    # fits run side by side would not give the same weights twice.
    fitted = []
    for number, (train_idx, test_idx) in enumerate(splits, 1):
        progress(f"fitting calibration fold {number} of {len(splits)} ({len(train_idx)} rows)")
        fitted.append((_fit_linear(prepared.subset(train_idx), config), test_idx))
    progress(f"fitting the model on all {len(prepared)} rows")
    weights, intercept, idf = _fit_linear(prepared, config)
    if fitted:
        for (w, b, fold_idf), test_idx in fitted:
            held = prepared.subset(test_idx)
            matrix = features.weigh(held.counts, held.dense, fold_idf)
            out_of_fold[test_idx] = _raw_scores(w, b, matrix, held.media)
            if missing is not None:
                shared_out_of_fold[test_idx] = np.asarray(matrix @ w[missing]).ravel() + b
        overall = _platt(
            shared_out_of_fold if missing is not None else out_of_fold,
            prepared.labels,
            prepared.sample_weights,
        )
        for m, name in enumerate(MEDIA):
            rows = prepared.media == m
            if present[m] >= CALIBRATION_MINIMUM:
                slopes[m], platt_intercepts[m] = _platt(
                    out_of_fold[rows], prepared.labels[rows], np.ones(int(rows.sum()))
                )
                calibrated_on[m] = name
                logits = slopes[m] * out_of_fold[rows] + platt_intercepts[m]
                thresholds[name] = _thresholds(1.0 / (1.0 + np.exp(-logits)), prepared.labels[rows])
            else:
                slopes[m], platt_intercepts[m] = overall
                calibrated_on[m] = "all media"
    # A medium with no rows of its own is judged as public comments are, when those were
    # trained on: their weights carry the link and shape habits of spam meant for many
    # readers, which the shared weights alone do not (each medium's block absorbed its
    # own). Without comments either, it keeps the shared weights and overall calibration.
    comment = MEDIA.index("comment")
    if calibrated_on[comment] == "comment":
        for m, name in enumerate(MEDIA):
            if not (prepared.media == m).any():
                weights[m] = weights[comment]
                slopes[m], platt_intercepts[m] = slopes[comment], platt_intercepts[comment]
                thresholds[name] = dict(thresholds["comment"])
                calibrated_on[m] = "comment (no rows of its own)"
    digest = hashlib.blake2b(weights.tobytes() + idf.tobytes(), digest_size=6).hexdigest()
    metadata = {
        "format_version": FORMAT_VERSION,
        "model_version": f"salon-spam-{digest}",
        "feature_hashing": hashing.SCHEME,
        "hashed_columns": features.HASHED_COLUMNS,
        "dense_signals": list(features.DENSE_SIGNALS),
        "common_words": sorted(prepared.common_words),
        "media": list(MEDIA),
        "calibrated_on": dict(zip(MEDIA, calibrated_on, strict=True)),
        "thresholds": thresholds,
        "training_rows": int(len(prepared)),
        "training_spam": int(prepared.labels.sum()),
        "training_rows_by_medium": {
            name: int((prepared.media == m).sum()) for m, name in enumerate(MEDIA)
        },
        "config": {
            "regularisation": config.regularisation,
            "corpus_weights": dict(sorted(config.corpus_weights.items())),
            "medium_scales": dict(sorted(config.medium_scales.items())),
            "calibration_folds": config.calibration_folds,
            "max_training_chars": config.max_training_chars,
        },
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    # Timing varies between runs; keep it out of the digest, which is taken above.
    return BaseModel(weights, intercept, idf, slopes, platt_intercepts, metadata)


def train(
    rows: Sequence[LabelledText] | None = None,
    config: TrainingConfig | None = None,
    progress: Callable[[str], None] = _quiet,
) -> BaseModel:
    """Train a base model on labelled rows (default: every shipped corpus).

    Deterministic: the same rows and config give the same weights.
    """
    config = config or TrainingConfig()
    started = time.perf_counter()
    if rows is None:
        rows = load_corpora()
    progress(f"reading and hashing {len(rows)} texts")
    model = train_prepared(prepare_rows(rows, config), config, progress)
    # Reading and hashing the texts is part of training time too.
    model.metadata["training_seconds"] = round(time.perf_counter() - started, 2)
    return model


def build_base_model(
    path: Path | str | None = None,
    config: TrainingConfig | None = None,
    progress: Callable[[str], None] = _quiet,
) -> BaseModel:
    """Train on the shipped corpora and write the model file (default ``data/spam/model.npz``).

    Also writes the SmokeDetector index (``smokedetector-index.json``) beside it, so
    that loading the engine does not have to parse 21,000 regular expressions.
    """
    from .corpora import spam_data_dir
    from .smokedetector import build_index

    data_dir = spam_data_dir()
    model = train(load_corpora(data_dir=data_dir), config, progress)
    target = Path(path) if path is not None else data_dir / MODEL_FILENAME
    model.save(target)
    lists = data_dir / "smokedetector"
    if lists.is_dir():
        index = json.dumps(build_index(lists), separators=(",", ":"), sort_keys=True)
        (target.parent / "smokedetector-index.json").write_text(index, encoding="utf-8")
    return model
