"""How long this org's winning deals stay in each stage, learned from its own history.
Pure: stage histories in, days per stage out.

A stage's norm is a percentile (default the 80th) of the days that deals later won spent
in it. Only what had happened by `now` counts, so two runs judging as of the same moment
learn the same norms; a stage with fewer than `min_deals` such deals has no learned norm
(the rules file's value applies).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime

History = Sequence[tuple[datetime, str]]  # (entered at, stage), oldest first


def time_in_stages(history: History, ended_at: datetime) -> list[tuple[str, float]]:
    """(stage, days spent) for each stage the deal left before `ended_at`."""
    spans = []
    steps = [(at, stage) for at, stage in history if at <= ended_at]
    for (start, stage), (end, _) in zip(steps, steps[1:], strict=False):
        spans.append((stage, (end - start).total_seconds() / 86400))
    return spans


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of non-empty `values`."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def learn_stage_norms(won: Iterable[tuple[History, datetime]], now: datetime,
                      share: float = 0.8, min_deals: int = 5) -> dict[str, int]:
    """`won`: (stage history, closed at) of deals won. {stage: days allowed}."""
    days: dict[str, list[float]] = {}
    for history, closed_at in won:
        if closed_at > now:
            continue
        for stage, spent in time_in_stages(history, closed_at):
            days.setdefault(stage, []).append(spent)
    return {stage: max(1, math.ceil(percentile(spent, share)))
            for stage, spent in sorted(days.items()) if len(spent) >= min_deals}
