"""The base spam model: training it, storing it and loading it.

The model is a linear support vector machine (squared hinge loss) over the hashed
features of :mod:`.features`, followed by Platt scaling fitted on out-of-source scores
so that its output is a calibrated probability. A linear SVM spends its weights on the
texts near the boundary rather than on making easy spam surer, and that is what holds
on a site the model has not seen.

Every corpus is one medium: YouTube and Instagram comments, Stack Exchange posts and
comments, SMS messages and e-mails all train one weight vector. (An earlier model kept
one block of weights per medium; with YouTube as the only public comments, that block
learnt the shape of YouTube comments, short and almost never with a link, and judged
blog comments by it.) Each corpus's rows count with a weight (:class:`TrainingConfig`),
so that no single corpus's style decides what spam looks like.

The calibration is fitted on scores of rows from sources the fold's model did not see
(each video, each Stack Exchange site, Instagram, SMS, each SpamAssassin group is one
source), which is where Salon's model always works: on a site it was not trained on.

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
from .blocklist import Blocklist, blocklist_for
from .corpora import LabelledText, duplicate_groups, load_corpora, spam_data_dir
from .language import guess_language
from .links import ODD_TLDS, URL_SHORTENERS, top_level_domain

if TYPE_CHECKING:
    import scipy.sparse as sp

# SciPy and scikit-learn are imported by the functions that train: a site that only
# checks submissions never loads them (they would double the engine's memory).

FORMAT_VERSION = 5
MODEL_FILENAME = "model.npz"


@dataclass(frozen=True, slots=True)
class TrainingConfig:
    """Choices made when training; stored in the model's metadata."""

    regularisation: float = 0.5
    """Inverse regularisation strength (scikit-learn's ``C``)."""
    corpus_weights: dict[str, float] = field(
        default_factory=lambda: {
            "youtube": 0.5,
            "instagram": 1.0,
            "stackexchange-spam": 0.15,
            "stackexchange-ham": 1.0,
            "sms": 0.5,
            "spamassassin": 1.0,
        }
    )
    """Weight of each corpus's rows. YouTube's self-promotion ("check out", "subscribe")
    and the Stack Exchange spam's SEO prose would otherwise teach that ordinary words are
    spam; the long prose of e-mail and Stack Exchange ham teaches what ordinary writing
    reads like. SMS is another medium. The Stack Exchange spam (10,405 long posts) weighs
    0.15: at 0.5, left out of training, a sixth of Stack Exchange's ordinary comments were
    held for their prose alone (measured with ``bench/spam_quality.py``)."""
    calibration_folds: int = 3
    band_corpora: tuple[str, ...] = ("youtube", "instagram", "stackexchange-ham")
    """The comment corpora whose out-of-source ham places the uncertain band's edges
    (each counts alike, whatever its size)."""
    max_training_chars: dict[str, int] = field(default_factory=lambda: {"spamassassin": 1000})
    """E-mails are cut to this length for training: their first lines carry the signal
    (and quoted headers below them would teach the e-mail format)."""
    balance_lengths: bool = True
    """Weigh the training rows so that, among texts of about the same length, spam and
    ham weigh in the same proportion as in all the rows (see :func:`length_balanced`)."""
    balance_languages: bool = True
    """Weigh down the spam of a language whose rows are mostly or only spam (see
    :func:`language_balanced`)."""


@dataclass
class BaseModel:
    """Weights of the text model and its calibration."""

    weights: np.ndarray
    """Shape ``(TOTAL_COLUMNS,)``."""
    intercept: float
    idf: np.ndarray
    platt_slope: float
    platt_intercept: float
    metadata: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def common_words(self) -> frozenset[str]:
        """Words too common in the training texts to name what a post is about (see
        :func:`.features.common_words`): submissions are prepared with them, as in training."""
        return frozenset(self.metadata.get("common_words", ()))

    @cached_property
    def cited_domains(self) -> frozenset[str]:
        """Domains the training corpora's ordinary comments link to and their spam never
        does (see :func:`cited_domains`): a link to one is not "newly seen"."""
        return frozenset(self.metadata.get("cited_domains", ()))

    @cached_property
    def band_edges(self) -> dict[str, tuple[float, float]]:
        """The uncertain band's (hold, spam) edges for a ``new`` and a ``settled`` site,
        as training chose them (empty for a model trained without calibration folds)."""
        return {k: (float(v[0]), float(v[1])) for k, v in self.metadata.get("band", {}).items()}

    @property
    def version(self) -> str:
        """A short identifier of this model (a digest of its weights)."""
        return str(self.metadata.get("model_version", ""))

    def raw_score(self, rows: sp.csr_matrix) -> np.ndarray:
        """Uncalibrated scores (SVM margins) of spam for feature rows."""
        return np.asarray(rows @ self.weights).ravel() + self.intercept

    def calibrated_logit(self, raw: np.ndarray | float) -> np.ndarray | float:
        """Map raw scores onto calibrated log-odds."""
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
                    " (rebuild it with 'salon spam_train')"
                )
            weights = archive["weights"].astype(np.float32)
            idf = archive["idf"].astype(np.float32)
            scalars = archive["scalars"].astype(np.float64)
        if metadata.get("feature_hashing") != hashing.SCHEME:
            raise ValueError(
                f"spam model hashes its features with {metadata.get('feature_hashing')!r},"
                f" this engine with {hashing.SCHEME!r} (rebuild it with 'salon spam_train')"
            )
        if (
            weights.shape != (features.TOTAL_COLUMNS,)
            or idf.shape != (features.HASHED_COLUMNS,)
            or scalars.shape != (3,)
            or metadata.get("dense_signals") != list(features.DENSE_SIGNALS)
        ):
            raise ValueError(
                "spam model does not match this engine's feature layout"
                " (rebuild it with 'salon spam_train')"
            )
        return cls(weights, float(scalars[0]), idf, float(scalars[1]), float(scalars[2]), metadata)

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
    sources: np.ndarray
    """Where each row was posted (a video, a site, a corpus), to calibrate as for a new site."""
    lengths: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Each row's length in characters, as it was read for training."""
    domains: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    """The ordinary domains (not well known) each row links to, space-separated."""
    languages: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    """Each row's language as :func:`.language.guess_language` guesses it ("" unsure)."""
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
            sources=self.sources[mask],
            lengths=self.lengths[mask] if len(self.lengths) else self.lengths,
            domains=self.domains[mask] if len(self.domains) else self.domains,
            languages=self.languages[mask] if len(self.languages) else self.languages,
            common_words=self.common_words,
        )

    def __len__(self) -> int:
        return len(self.labels)


def prepare_rows(
    rows: Sequence[LabelledText],
    config: TrainingConfig | None = None,
    blocklist: Blocklist | None = None,
) -> PreparedRows:
    """Hash the texts of labelled rows once.

    The common words (:func:`.features.common_words`) are read off these rows' texts and
    kept with them, so that a model trained on them prepares submissions the same way.
    ``blocklist`` defaults to the one shipped with the corpora.
    """
    config = config or TrainingConfig()
    if blocklist is None:
        blocklist = blocklist_for(spam_data_dir())
    common = features.common_words(row.text for row in rows)
    parts = [
        features.prepare(
            row.text[: config.max_training_chars.get(row.corpus, len(row.text))],
            author_url=row.url,
            author_email=row.email,
            permalink=row.permalink,
            title=row.title,
            common=common,
            blocklist=blocklist,
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
        sources=np.array([row.source for row in rows]),
        lengths=np.array([len(p.cleaned) for p in parts], dtype=np.float64),
        domains=np.array([" ".join(p.links.ordinary_domains) for p in parts], dtype=object),
        languages=np.array([guess_language(p.cleaned) or "" for p in parts], dtype=object),
        common_words=common,
    )


CITED_MIN_ROWS = 2
"""A domain is cited when at least this many ordinary training rows link to it."""


def cited_domains(
    prepared: PreparedRows,
    blocklist: Blocklist | None = None,
    corpora: tuple[str, ...] = ("youtube", "instagram", "stackexchange-ham"),
) -> list[str]:
    """The domains readers cite: linked from at least :data:`CITED_MIN_ROWS` ham rows of
    the comment ``corpora`` (not e-mail, whose newsletters link to ad servers and
    trackers), from no spam row of any corpus, neither a URL shortener nor under a
    top-level domain favoured by spam, and on no blocklist (the WordPress comment
    blocklist, searched in the domain's name).

    This is the evidence that a domain is not "newly seen": readers of other sites cited
    it, and nobody's spam did. It is read off the rows a model is trained on, so that a
    benchmark leaving a source out learns nothing from that source's links."""
    if not len(prepared.domains):
        return []
    ham: dict[str, int] = {}
    spammed: set[str] = set()
    for linked, label, source in zip(
        prepared.domains.tolist(),
        prepared.labels.tolist(),
        prepared.sources.tolist(),
        strict=True,
    ):
        if not linked:
            continue
        for domain in linked.split():
            if label:
                spammed.add(domain)
            elif str(source).split("/")[0] in corpora:
                ham[domain] = ham.get(domain, 0) + 1
    return sorted(
        domain
        for domain, rows in ham.items()
        if rows >= CITED_MIN_ROWS
        and domain not in spammed
        and domain not in URL_SHORTENERS
        and top_level_domain(domain) not in ODD_TLDS
        and not (blocklist is not None and blocklist.matches(domain))
    )


LENGTH_BANDS = np.array([50, 100, 200, 400, 800, 1600])
"""Edges (characters) of the length bands :func:`length_balanced` weighs alike."""
LENGTH_FACTOR_LIMIT = 5.0
"""The most :func:`length_balanced` multiplies or divides a row's weight by."""


def length_balanced(labels: np.ndarray, weights: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Sample weights under which length tells nothing of spam.

    In the corpora, long texts are mostly spam (Stack Exchange's SEO articles, e-mail
    spam) and short ones mostly ham (YouTube, SMS, Instagram), so a model learns that
    long prose is spam: left out of training, Stack Exchange's ordinary posts of 400–800
    characters were held a third of the time, those over 800 four times in five. Within
    each band of lengths (:data:`LENGTH_BANDS`), spam and ham are weighed to the same
    proportion as in all the rows, keeping the band's total weight; no row's weight is
    multiplied or divided by more than :data:`LENGTH_FACTOR_LIMIT`."""
    if not len(lengths) or len(lengths) != len(labels):
        return weights
    spam = labels == 1
    total_spam, total_ham = weights[spam].sum(), weights[~spam].sum()
    if total_spam <= 0 or total_ham <= 0:
        return weights
    share = total_spam / (total_spam + total_ham)
    band = np.searchsorted(LENGTH_BANDS, lengths, side="right")
    balanced = weights.astype(np.float64).copy()
    for number in np.unique(band).tolist():
        rows = band == number
        band_spam, band_ham = weights[rows & spam].sum(), weights[rows & ~spam].sum()
        if band_spam <= 0 or band_ham <= 0:
            continue
        band_total = band_spam + band_ham
        for chosen, now, wanted in (
            (rows & spam, band_spam, band_total * share),
            (rows & ~spam, band_ham, band_total * (1.0 - share)),
        ):
            factor = min(max(wanted / now, 1.0 / LENGTH_FACTOR_LIMIT), LENGTH_FACTOR_LIMIT)
            balanced[chosen] *= factor
    return balanced


def language_balanced(labels: np.ndarray, weights: np.ndarray, languages: np.ndarray) -> np.ndarray:
    """Sample weights under which a language is no evidence of spam.

    A language the corpora hold mostly as spam would be learnt as spam: left out of
    training, the French of Stack Exchange's ordinary comments met French only in spam
    (38 rows, no ham), and a fifth of it was held. In each language
    :func:`.language.guess_language` recognises, spam weighing more than its share of
    all the recognised rows is weighed down to that share (a language with spam alone, by
    :data:`LENGTH_FACTOR_LIMIT`); no weight is ever raised, and text whose language is
    not recognised keeps its weight."""
    if not len(languages) or len(languages) != len(labels):
        return weights
    spam, recognised = labels == 1, languages != ""
    total_spam = weights[spam & recognised].sum()
    total_ham = weights[~spam & recognised].sum()
    if total_spam <= 0 or total_ham <= 0:
        return weights
    share = total_spam / (total_spam + total_ham)
    balanced = weights.astype(np.float64).copy()
    for language in set(languages.tolist()) - {""}:
        rows = languages == language
        language_spam, language_ham = weights[rows & spam].sum(), weights[rows & ~spam].sum()
        if language_spam <= 0:
            continue
        wanted = language_ham * share / (1.0 - share)
        if wanted < language_spam:
            factor = max(wanted / language_spam, 1.0 / LENGTH_FACTOR_LIMIT)
            balanced[rows & spam] *= factor
    return balanced


def _fit_linear(
    prepared: PreparedRows, config: TrainingConfig
) -> tuple[np.ndarray, float, np.ndarray]:
    """Fit the weights, intercept and IDF on prepared rows."""
    from sklearn.svm import LinearSVC

    idf = features.inverse_document_frequency(
        features.document_frequencies(prepared.counts), len(prepared)
    )
    matrix = features.weigh(prepared.counts, prepared.dense, idf)
    classifier = LinearSVC(
        C=config.regularisation,
        loss="squared_hinge",
        dual=True,
        max_iter=5000,
        tol=1e-3,
        random_state=0,
    )
    weights = prepared.sample_weights
    if config.balance_lengths:
        weights = length_balanced(prepared.labels, weights, prepared.lengths)
    if config.balance_languages:
        weights = language_balanced(prepared.labels, weights, prepared.languages)
    classifier.fit(matrix, prepared.labels, sample_weight=weights)
    return classifier.coef_[0].astype(np.float32), float(classifier.intercept_[0]), idf


def _platt(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    platt = LogisticRegression(C=1e4, solver="lbfgs")
    platt.fit(scores.reshape(-1, 1), labels, sample_weight=weights)
    return float(platt.coef_[0][0]), float(platt.intercept_[0])


def _calibration_groups(prepared: PreparedRows) -> np.ndarray:
    """Folds for calibration: rows are split by source, so that out-of-fold scores are
    those of sources the model has not seen; duplicate texts across sources follow the
    first source they appear in."""
    first_source: dict[int, str] = {}
    keys = [
        first_source.setdefault(int(group), str(source))
        for group, source in zip(prepared.groups.tolist(), prepared.sources.tolist(), strict=True)
    ]
    return np.unique(np.array(keys), return_inverse=True)[1]


BAND_SHARES = {"new": (0.03, 0.002), "settled": (0.015, 0.002)}
"""Where the uncertain band's edges lie, as shares of out-of-source comment ham scoring
above them: a new site holds from the score only 3 % of such ham reaches and sends to
spam from the one 0.2 % reaches; a settled site (many lessons) holds from the 1.5 % score
(its own lessons have pulled its ham's scores down meanwhile). The spam edge stays: a
reader's comment sent to spam is the costliest mistake, however much a site has learnt.

Measured with ``bench/spam_quality.py --quick`` (each comment source left out): at 5 % and
2 %, rules and the score together held 12.6 % of the Psy video's ham, 13.0 % of
Instagram's and 17.3 % of the Stack Exchange ham; at 3 % and 1.5 %, 8.6 %, 9.6 % and
12.2 %, while spam published stayed under 25 % on every source but Instagram (which misses
it either way)."""


def _band_edges(
    probabilities: np.ndarray, prepared: PreparedRows, scored: np.ndarray, config: TrainingConfig
) -> dict[str, list[float]]:
    """The band's edges for a new and a settled site, read off out-of-source scores of
    the comment corpora's ham (see :data:`BAND_SHARES`)."""
    corpora = np.array([s.split("/")[0] for s in prepared.sources.tolist()])
    ham = scored & (prepared.labels == 0) & np.isin(corpora, config.band_corpora)
    if not ham.any():
        return {}
    values = probabilities[ham]
    sizes = {c: int((corpora[ham] == c).sum()) for c in set(corpora[ham].tolist())}
    weights = np.array([1.0 / sizes[c] for c in corpora[ham].tolist()])
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()

    def above(share: float) -> float:
        at = min(int(np.searchsorted(cumulative, 1.0 - share)), len(values) - 1)
        return round(float(values[order][at]), 6)

    return {name: [above(hold), above(spam)] for name, (hold, spam) in BAND_SHARES.items()}


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
    out_of_fold = np.zeros(len(prepared))
    scored = np.zeros(len(prepared), dtype=bool)
    for number, (train_idx, test_idx) in enumerate(splits, 1):
        progress(f"fitting calibration fold {number} of {len(splits)} ({len(train_idx)} rows)")
        w, b, fold_idf = _fit_linear(prepared.subset(train_idx), config)
        held = prepared.subset(test_idx)
        matrix = features.weigh(held.counts, held.dense, fold_idf)
        out_of_fold[test_idx] = np.asarray(matrix @ w).ravel() + b
        scored[test_idx] = True
    progress(f"fitting the model on all {len(prepared)} rows")
    weights, intercept, idf = _fit_linear(prepared, config)
    slope, platt_intercept = 1.0, 0.0
    band: dict[str, list[float]] = {}
    if scored.any() and len(set(prepared.labels[scored].tolist())) == 2:
        slope, platt_intercept = _platt(
            out_of_fold[scored], prepared.labels[scored], prepared.sample_weights[scored]
        )
        probabilities = 1.0 / (1.0 + np.exp(-(slope * out_of_fold + platt_intercept)))
        band = _band_edges(probabilities, prepared, scored, config)
    digest = hashlib.blake2b(weights.tobytes() + idf.tobytes(), digest_size=6).hexdigest()
    metadata = {
        "format_version": FORMAT_VERSION,
        "model_version": f"salon-spam-{digest}",
        "feature_hashing": hashing.SCHEME,
        "hashed_columns": features.HASHED_COLUMNS,
        "dense_signals": list(features.DENSE_SIGNALS),
        "common_words": sorted(prepared.common_words),
        "cited_domains": cited_domains(
            prepared, blocklist_for(spam_data_dir()), config.band_corpora
        ),
        "band": band,
        "training_rows": int(len(prepared)),
        "training_spam": int(prepared.labels.sum()),
        "training_rows_by_corpus": {
            corpus: int(n)
            for corpus, n in zip(
                *np.unique(
                    [s.split("/")[0] for s in prepared.sources.tolist()], return_counts=True
                ),
                strict=True,
            )
        }
        if len(prepared)
        else {},
        "config": {
            "regularisation": config.regularisation,
            "corpus_weights": dict(sorted(config.corpus_weights.items())),
            "calibration_folds": config.calibration_folds,
            "band_corpora": list(config.band_corpora),
            "max_training_chars": dict(sorted(config.max_training_chars.items())),
            "balance_lengths": config.balance_lengths,
            "balance_languages": config.balance_languages,
        },
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    # Timing varies between runs; keep it out of the digest, which is taken above.
    return BaseModel(weights, intercept, idf, slope, platt_intercept, metadata)


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
