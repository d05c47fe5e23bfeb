"""The base spam model: training it, storing it and loading it.

The model is a logistic regression over the hashed features of :mod:`.features`,
followed by Platt scaling fitted on out-of-fold scores so that its output is a
calibrated probability. It is stored as a NumPy ``.npz`` archive of plain arrays plus
a JSON metadata string (with a format version), read back with ``allow_pickle=False``:
no code is ever loaded from a model file.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from . import features
from .corpora import LabelledText, duplicate_groups, load_corpora

FORMAT_VERSION = 1
MODEL_FILENAME = "model.npz"


@dataclass(frozen=True, slots=True)
class TrainingConfig:
    """Choices made when training; stored in the model's metadata."""

    regularisation: float = 10.0
    """Inverse regularisation strength (scikit-learn's ``C``)."""
    corpus_weights: dict[str, float] = field(
        default_factory=lambda: {"youtube": 1.0, "sms": 0.5, "spamassassin": 0.1}
    )
    """Weight of each corpus's rows: web comments matter most, the others add vocabulary.

    Measured with ``bench/spam_quality.py``: SpamAssassin's e-mails at full weight cost
    F1 on both YouTube and SMS (long, link-heavy ham), so they count for little.
    """
    calibration_folds: int = 2
    max_training_chars: int = 600
    """E-mails are cut to this length for training: their first lines carry the signal."""


@dataclass
class BaseModel:
    """Weights of the text model and its calibration."""

    weights: np.ndarray
    intercept: float
    idf: np.ndarray
    platt_slope: float
    platt_intercept: float
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """A short identifier of this model (a digest of its weights)."""
        return str(self.metadata.get("model_version", ""))

    def raw_score(self, rows: sp.csr_matrix) -> np.ndarray:
        """Uncalibrated log-odds of spam for feature rows."""
        return np.asarray(rows @ self.weights).ravel() + self.intercept

    def calibrated_logit(self, raw: np.ndarray | float) -> np.ndarray | float:
        """Map raw log-odds onto calibrated log-odds."""
        return self.platt_slope * raw + self.platt_intercept

    def to_bytes(self) -> bytes:
        """The model as an ``.npz`` archive."""
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            weights=self.weights.astype(np.float32),
            idf=self.idf.astype(np.float32),
            scalars=np.array(
                [self.intercept, self.platt_slope, self.platt_intercept], dtype=np.float64
            ),
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
                )
            weights = archive["weights"].astype(np.float32)
            idf = archive["idf"].astype(np.float32)
            intercept, slope, platt_intercept = (float(x) for x in archive["scalars"])
        if weights.shape != (features.TOTAL_COLUMNS,) or idf.shape != (features.HASHED_COLUMNS,):
            raise ValueError("spam model does not match this engine's feature layout")
        return cls(weights, intercept, idf, slope, platt_intercept, metadata)

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

    def subset(self, mask: np.ndarray) -> PreparedRows:
        """The rows where ``mask`` is true (or at the given indices)."""
        return PreparedRows(
            counts=tuple(c[mask] for c in self.counts),  # type: ignore[arg-type]
            dense=self.dense[mask],
            labels=self.labels[mask],
            sample_weights=self.sample_weights[mask],
            groups=self.groups[mask],
        )

    def __len__(self) -> int:
        return len(self.labels)


def prepare_rows(
    rows: Sequence[LabelledText], config: TrainingConfig | None = None
) -> PreparedRows:
    """Hash the texts of labelled rows once."""
    config = config or TrainingConfig()
    parts = [
        features.prepare(
            row.text[: config.max_training_chars] if row.corpus == "spamassassin" else row.text,
            row.author,
            row.url,
            row.email,
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
    )


def _fit_linear(
    prepared: PreparedRows, config: TrainingConfig
) -> tuple[np.ndarray, float, np.ndarray]:
    idf = features.inverse_document_frequency(
        features.document_frequencies(prepared.counts), len(prepared)
    )
    matrix = features.weigh(prepared.counts, prepared.dense, idf)
    classifier = LogisticRegression(
        C=config.regularisation, solver="liblinear", max_iter=500, tol=1e-3, random_state=0
    )
    classifier.fit(matrix, prepared.labels, sample_weight=prepared.sample_weights)
    return classifier.coef_[0].astype(np.float32), float(classifier.intercept_[0]), idf


def _raw_scores(
    weights: np.ndarray, intercept: float, idf: np.ndarray, prepared: PreparedRows
) -> np.ndarray:
    matrix = features.weigh(prepared.counts, prepared.dense, idf)
    return np.asarray(matrix @ weights).ravel() + intercept


def train_prepared(prepared: PreparedRows, config: TrainingConfig | None = None) -> BaseModel:
    """Train on already hashed rows (see :func:`prepare_rows`)."""
    config = config or TrainingConfig()
    started = time.perf_counter()
    if len(set(prepared.labels.tolist())) < 2:
        raise ValueError("training needs both spam and ham examples")
    # Out-of-fold scores, with duplicate texts kept in one fold, fit the calibration.
    out_of_fold = np.zeros(len(prepared))
    folds = min(config.calibration_folds, len(set(prepared.groups.tolist())))
    if folds >= 2:
        for train_idx, test_idx in GroupKFold(n_splits=folds).split(
            prepared.dense, prepared.labels, prepared.groups
        ):
            part = prepared.subset(train_idx)
            if len(set(part.labels.tolist())) < 2:
                continue
            w, b, idf = _fit_linear(part, config)
            out_of_fold[test_idx] = _raw_scores(w, b, idf, prepared.subset(test_idx))
        platt = LogisticRegression(C=1e4, solver="lbfgs")
        platt.fit(
            out_of_fold.reshape(-1, 1), prepared.labels, sample_weight=prepared.sample_weights
        )
        slope, platt_intercept = float(platt.coef_[0][0]), float(platt.intercept_[0])
    else:
        slope, platt_intercept = 1.0, 0.0
    weights, intercept, idf = _fit_linear(prepared, config)
    digest = hashlib.blake2b(weights.tobytes() + idf.tobytes(), digest_size=6).hexdigest()
    metadata = {
        "format_version": FORMAT_VERSION,
        "model_version": f"salon-spam-{digest}",
        "hashed_columns": features.HASHED_COLUMNS,
        "dense_signals": list(features.DENSE_SIGNALS),
        "training_rows": int(len(prepared)),
        "training_spam": int(prepared.labels.sum()),
        "config": {
            "regularisation": config.regularisation,
            "corpus_weights": dict(sorted(config.corpus_weights.items())),
            "calibration_folds": config.calibration_folds,
            "max_training_chars": config.max_training_chars,
        },
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    # Timing varies between runs; keep it out of the digest, which is taken above.
    return BaseModel(weights, intercept, idf, slope, platt_intercept, metadata)


def train(
    rows: Sequence[LabelledText] | None = None, config: TrainingConfig | None = None
) -> BaseModel:
    """Train a base model on labelled rows (default: every shipped corpus).

    Deterministic: the same rows and config give the same weights.
    """
    config = config or TrainingConfig()
    started = time.perf_counter()
    if rows is None:
        rows = load_corpora()
    model = train_prepared(prepare_rows(rows, config), config)
    # Reading and hashing the texts is part of training time too.
    model.metadata["training_seconds"] = round(time.perf_counter() - started, 2)
    return model


def build_base_model(
    path: Path | str | None = None, config: TrainingConfig | None = None
) -> BaseModel:
    """Train on the shipped corpora and write the model file (default ``data/spam/model.npz``).

    Also writes the SmokeDetector index (``smokedetector-index.json``) beside it, so
    that loading the engine does not have to parse 21,000 regular expressions.
    """
    from .corpora import spam_data_dir
    from .smokedetector import build_index

    data_dir = spam_data_dir()
    model = train(load_corpora(data_dir=data_dir), config)
    target = Path(path) if path is not None else data_dir / MODEL_FILENAME
    model.save(target)
    lists = data_dir / "smokedetector"
    if lists.is_dir():
        index = json.dumps(build_index(lists), separators=(",", ":"), sort_keys=True)
        (target.parent / "smokedetector-index.json").write_text(index, encoding="utf-8")
    return model
