"""Scores for a labelled title set: accuracy, macro-F1 and a confusion matrix (pure).

Each function takes (expected, predicted) label pairs for one column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ColumnScore:
    accuracy: float
    macro_f1: float


@dataclass(frozen=True, slots=True)
class ConfusionMatrix:
    """counts[i][j]: how often expected labels[i] was predicted as labels[j]."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def count(self, expected: str, predicted: str) -> int:
        return self.counts[self.labels.index(expected)][self.labels.index(predicted)]


def accuracy(pairs: Sequence[Pair]) -> float:
    """Share of pairs where the prediction equals the expectation (0.0 for no pairs)."""
    if not pairs:
        return 0.0
    return sum(expected == predicted for expected, predicted in pairs) / len(pairs)


def macro_f1(pairs: Sequence[Pair], labels: Iterable[str] | None = None) -> float:
    """Unweighted mean of per-label F1 over `labels` (default: every label expected or
    predicted). A label never expected but predicted scores 0, so spurious labels cost."""
    if not pairs:
        return 0.0
    chosen = _labels(pairs) if labels is None else tuple(labels)
    if not chosen:
        return 0.0
    hits = Counter(e for e, p in pairs if e == p)
    expected = Counter(e for e, _ in pairs)
    predicted = Counter(p for _, p in pairs)
    total = 0.0
    for label in chosen:
        denominator = expected[label] + predicted[label]
        total += 2 * hits[label] / denominator if denominator else 0.0
    return total / len(chosen)


def confusion_matrix(pairs: Sequence[Pair], labels: Iterable[str] | None = None) -> ConfusionMatrix:
    """Counts of (expected, predicted); labels default to those seen, in sorted order."""
    chosen = _labels(pairs) if labels is None else tuple(labels)
    seen = Counter(pairs)
    counts = tuple(tuple(seen[(e, p)] for p in chosen) for e in chosen)
    return ConfusionMatrix(chosen, counts)


def score_column(pairs: Sequence[Pair]) -> ColumnScore:
    return ColumnScore(accuracy(pairs), macro_f1(pairs))


def _labels(pairs: Sequence[Pair]) -> tuple[str, ...]:
    return tuple(sorted({label for pair in pairs for label in pair}))
