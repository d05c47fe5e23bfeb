"""What one site has taught the engine: its own correction to the base model.

A site's moderators mark submissions spam or not spam. Each decision updates, at once,
a per-site weight delta over the same hashed features as the base model (online
logistic regression with AdaGrad step sizes); spam joins the site's memory of recent
spam for campaign detection; and the domains a submission links to are counted as
approved or as spam, so that a link to a domain the site has approved before no longer
holds a comment, and one its moderators marked spam counts against it. Nothing here touches the base model or any other
site, so one site's feedback never changes another's verdicts.

The state serialises to JSON (UTF-8 bytes): plain numbers and base64, no code.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .campaigns import SIGNATURE_SIZE, similarities
from .features import HASHED_COLUMNS, TOTAL_COLUMNS
from .verdicts import Sensitivity

STATE_FORMAT = 2
"""Format 1 (before the dense columns were redrawn) is still read: its hashed weights are
kept, its weights on the old dense columns dropped, and it has no domain memory."""
RECENT_SPAM_CAPACITY = 1000
DOMAIN_CAPACITY = 20_000
"""Domains remembered per site; the least used are forgotten first."""
# A remembered spam and a new text count as one campaign at or above this similarity.
CAMPAIGN_SIMILARITY = 0.5
# Step size of the site's online learner, and how much more a "not spam" lesson counts:
# blocking a real reader costs more than letting one spam through to moderation.
LEARNING_RATE = 0.5
HAM_LESSON_WEIGHT = 8.0
BIAS_RATE = 0.2


@dataclass
class CampaignMatch:
    """The remembered spam a submission most resembles."""

    similarity: float
    times_seen: int
    last_seen: float


@dataclass
class SiteState:
    """Per-site learning, serialisable with :meth:`to_bytes` / :meth:`from_bytes`."""

    site_id: str = ""
    sensitivity: str = Sensitivity.BALANCED.value
    weights: np.ndarray | None = None
    """Dense per-site weight delta over every feature column (``None`` until a lesson)."""
    squared_gradients: np.ndarray | None = None
    bias: float = 0.0
    bias_squared_gradient: float = 0.0
    spam_lessons: int = 0
    ham_lessons: int = 0
    spam_signatures: np.ndarray = field(
        default_factory=lambda: np.zeros((0, SIGNATURE_SIZE), dtype=np.uint32)
    )
    signature_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    signature_last_seen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    domains: dict[str, list[int]] = field(default_factory=dict)
    """Per linked domain: ``[approved, spam]`` lessons that linked to it."""

    @property
    def lessons(self) -> int:
        """Moderator lessons so far, spam and not spam."""
        return self.spam_lessons + self.ham_lessons

    # -- domains -----------------------------------------------------------------------

    def domain_counts(self, domain: str) -> tuple[int, int]:
        """How many approved and spam lessons linked to ``domain``."""
        approved, spam = self.domains.get(domain, (0, 0))
        return approved, spam

    def remember_domains(self, domains: tuple[str, ...] | list[str], is_spam: bool) -> None:
        """Count a lesson's linked domains as approved or as spam."""
        for domain in dict.fromkeys(domains):
            counts = self.domains.setdefault(domain[:253], [0, 0])
            counts[1 if is_spam else 0] += 1
        if len(self.domains) > DOMAIN_CAPACITY:
            ranked = sorted(self.domains.items(), key=lambda item: sum(item[1]))
            for domain, _ in ranked[: len(self.domains) - DOMAIN_CAPACITY]:
                del self.domains[domain]

    # -- the learned correction ------------------------------------------------------

    def correction(self, indices: np.ndarray, values: np.ndarray) -> float:
        """The site's log-odds correction for one feature row."""
        if self.weights is None:
            return self.bias
        return self.bias + float(np.dot(self.weights[indices], values))

    def update(
        self, indices: np.ndarray, values: np.ndarray, predicted: float, is_spam: bool
    ) -> None:
        """One AdaGrad step of logistic loss, given the probability the engine predicted."""
        error = predicted - (1.0 if is_spam else 0.0)
        if not is_spam:
            error *= HAM_LESSON_WEIGHT
        if abs(error) < 1e-6:
            return
        if self.weights is None or self.squared_gradients is None:
            self.weights = np.zeros(TOTAL_COLUMNS, dtype=np.float32)
            self.squared_gradients = np.zeros(TOTAL_COLUMNS, dtype=np.float32)
        gradient = (error * values).astype(np.float32)
        self.squared_gradients[indices] += gradient * gradient
        totals = self.squared_gradients[indices]
        step = np.divide(gradient, np.sqrt(totals), out=np.zeros_like(gradient), where=totals > 0)
        self.weights[indices] -= LEARNING_RATE * step
        self.bias_squared_gradient += error * error
        self.bias -= LEARNING_RATE * BIAS_RATE * error / math.sqrt(self.bias_squared_gradient)

    # -- campaigns ---------------------------------------------------------------------

    @property
    def remembers_spam(self) -> bool:
        """Whether the campaign memory holds any confirmed spam."""
        return len(self.signature_counts) > 0

    def closest_campaign(self, signature: np.ndarray | None) -> CampaignMatch | None:
        """The remembered spam most like ``signature``, if similar enough."""
        if signature is None or len(self.signature_counts) == 0:
            return None
        scores = similarities(signature, self.spam_signatures)
        best = int(np.argmax(scores))
        if scores[best] < CAMPAIGN_SIMILARITY:
            return None
        return CampaignMatch(
            similarity=float(scores[best]),
            times_seen=int(self.signature_counts[best]),
            last_seen=float(self.signature_last_seen[best]),
        )

    def remember_spam(self, signature: np.ndarray | None, now: float) -> None:
        """Add a confirmed spam to the campaign memory (or count it against its twin)."""
        if signature is None:
            return
        if len(self.signature_counts):
            scores = similarities(signature, self.spam_signatures)
            best = int(np.argmax(scores))
            if scores[best] >= CAMPAIGN_SIMILARITY:
                self.signature_counts[best] += 1
                self.signature_last_seen[best] = now
                return
        if len(self.signature_counts) >= RECENT_SPAM_CAPACITY:
            oldest = int(np.argmin(self.signature_last_seen))
            keep = np.arange(len(self.signature_counts)) != oldest
            self.spam_signatures = self.spam_signatures[keep]
            self.signature_counts = self.signature_counts[keep]
            self.signature_last_seen = self.signature_last_seen[keep]
        self.spam_signatures = np.vstack([self.spam_signatures, signature[None, :]])
        self.signature_counts = np.append(self.signature_counts, 1)
        self.signature_last_seen = np.append(self.signature_last_seen, now)

    def forget_spam_like(self, signature: np.ndarray | None) -> None:
        """A moderator said a text is not spam: drop remembered spam nearly identical to it."""
        if signature is None or len(self.signature_counts) == 0:
            return
        keep = similarities(signature, self.spam_signatures) < 0.8
        self.spam_signatures = self.spam_signatures[keep]
        self.signature_counts = self.signature_counts[keep]
        self.signature_last_seen = self.signature_last_seen[keep]

    # -- storage -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form of the state."""
        if self.weights is not None and self.squared_gradients is not None:
            keys = np.flatnonzero(self.squared_gradients)
            weights = self.weights[keys]
            squares = self.squared_gradients[keys]
        else:
            keys = weights = squares = np.zeros(0)
        return {
            "format": STATE_FORMAT,
            "site_id": self.site_id,
            "sensitivity": str(self.sensitivity),
            "columns": _pack(keys.astype("<u4")),
            "weights": _pack(weights.astype("<f4")),
            "squared_gradients": _pack(squares.astype("<f4")),
            "bias": self.bias,
            "bias_squared_gradient": self.bias_squared_gradient,
            "spam_lessons": self.spam_lessons,
            "ham_lessons": self.ham_lessons,
            "spam_signatures": base64.b64encode(
                self.spam_signatures.astype("<u4").tobytes()
            ).decode("ascii"),
            "signature_counts": self.signature_counts.astype(int).tolist(),
            "signature_last_seen": self.signature_last_seen.astype(float).tolist(),
            "domains": self.domains,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SiteState:
        """Rebuild a state from :meth:`to_dict` output; rejects unknown formats."""
        if data.get("format") not in (1, STATE_FORMAT):
            raise ValueError(f"site spam state format {data.get('format')!r} is not supported")
        columns = _unpack(data.get("columns", ""), "<u4").astype(np.int64)
        column_weights = _unpack(data.get("weights", ""), "<f4")
        column_squares = _unpack(data.get("squared_gradients", ""), "<f4")
        if not (len(columns) == len(column_weights) == len(column_squares)):
            raise ValueError("site spam state is inconsistent")
        if data.get("format") == 1:
            # The dense columns of format 1 meant other things: keep the hashed weights.
            hashed = columns < HASHED_COLUMNS
            columns, column_weights, column_squares = (
                columns[hashed],
                column_weights[hashed],
                column_squares[hashed],
            )
        if len(columns) and int(columns.max()) >= TOTAL_COLUMNS:
            raise ValueError("site spam state does not match this engine's feature layout")
        weights = squares = None
        if len(columns):
            weights = np.zeros(TOTAL_COLUMNS, dtype=np.float32)
            squares = np.zeros(TOTAL_COLUMNS, dtype=np.float32)
            weights[columns] = column_weights
            squares[columns] = column_squares
        raw = base64.b64decode(data.get("spam_signatures", ""), validate=True)
        signatures = np.frombuffer(raw, dtype="<u4").astype(np.uint32).reshape(-1, SIGNATURE_SIZE)
        counts = np.array(data.get("signature_counts", []), dtype=np.int64)
        last_seen = np.array(data.get("signature_last_seen", []), dtype=np.float64)
        if not (len(signatures) == len(counts) == len(last_seen)):
            raise ValueError("site spam state is inconsistent")
        domains = data.get("domains", {})
        if not isinstance(domains, dict) or not all(
            isinstance(v, list) and len(v) == 2 and all(isinstance(n, int) for n in v)
            for v in domains.values()
        ):
            raise ValueError("site spam state has malformed domain counts")
        sensitivity = str(data.get("sensitivity", Sensitivity.BALANCED.value))
        if sensitivity not in {s.value for s in Sensitivity}:
            raise ValueError(f"unknown sensitivity {sensitivity!r}")
        return cls(
            site_id=str(data.get("site_id", "")),
            sensitivity=sensitivity,
            weights=weights,
            squared_gradients=squares,
            bias=float(data.get("bias", 0.0)),
            bias_squared_gradient=float(data.get("bias_squared_gradient", 0.0)),
            spam_lessons=int(data.get("spam_lessons", 0)),
            ham_lessons=int(data.get("ham_lessons", 0)),
            spam_signatures=signatures,
            signature_counts=counts,
            signature_last_seen=last_seen,
            domains={str(k): [int(v[0]), int(v[1])] for k, v in domains.items()},
        )

    def to_bytes(self) -> bytes:
        """The state as UTF-8 JSON."""
        return json.dumps(self.to_dict(), separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes | str) -> SiteState:
        """Read a state written by :meth:`to_bytes`."""
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        return cls.from_dict(json.loads(data))


def _pack(array: np.ndarray) -> str:
    return base64.b64encode(array.tobytes()).decode("ascii")


def _unpack(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text or "", validate=True), dtype=dtype).copy()
