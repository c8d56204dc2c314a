"""Is an open deal still alive? Pure: takes the deal, the time and the thresholds.

Buyers shortlist fast and rarely tell the vendors they drop, so silence is the strongest
signal; a passed close date and an empty calendar add to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leadpact.model import Deal


@dataclass(frozen=True, slots=True)
class StaleThresholds:
    silent_days: int = 30  # no activity for this long: stale on its own
    close_date_grace_days: int = 7  # close date passed by more than this
    min_signals: int = 2  # weaker signals need company before a deal counts as stale
    max_close_date_pushes: int = 3  # pushed this often: the date means nothing any more
    stage_days: int = 60  # the org's norm for days in one stage…
    stage_days_by_stage: tuple[tuple[str, int], ...] = ()  # …and per stage, where it differs

    def days_allowed_in(self, stage: str) -> int:
        return dict(self.stage_days_by_stage).get(stage, self.stage_days)


@dataclass(frozen=True, slots=True)
class StaleSignal:
    name: str
    reason: str
    strong: bool = False


@dataclass(frozen=True, slots=True)
class StaleVerdict:
    stale: bool
    signals: tuple[StaleSignal, ...]

    @property
    def reasons(self) -> str:
        return "; ".join(s.reason for s in self.signals)


def stale_signals(deal: Deal, now: datetime, t: StaleThresholds) -> tuple[StaleSignal, ...]:
    signals: list[StaleSignal] = []
    since = deal.last_activity_at or deal.created_at
    # Reasons name dates, not day counts, so an unchanged deal keeps the same text
    # (and is not rewritten) from one day to the next.
    if since is not None and (now - since).days >= t.silent_days:
        signals.append(StaleSignal("silent", f"no activity since {since.date()}", strong=True))
    pushes = deal.close_date_pushes
    if pushes is not None and pushes >= t.max_close_date_pushes:
        signals.append(StaleSignal("pushed", f"close date pushed {pushes} times", strong=True))
    allowed = t.days_allowed_in(deal.stage)
    if deal.stage_entered_at is not None and (now - deal.stage_entered_at).days > allowed:
        signals.append(StaleSignal(
            "stuck", f"in stage {deal.stage or '?'} since {deal.stage_entered_at.date()} "
                     f"(norm: {allowed} days)"))
    if deal.close_date is not None and \
            (now.date() - deal.close_date).days > t.close_date_grace_days:
        signals.append(StaleSignal("close_date_passed",
                                   f"close date {deal.close_date} has passed"))
    # None means the connector could not tell: not evidence of anything.
    if deal.next_activity_at is not None and deal.next_activity_at < now:
        signals.append(StaleSignal("nothing_scheduled", "nothing scheduled next"))
    if len(deal.contacts) <= 1:
        signals.append(StaleSignal("single_threaded",
                                   f"{len(deal.contacts)} contact(s) on the deal"))
    return tuple(signals)


def judge_staleness(deal: Deal, now: datetime, t: StaleThresholds) -> StaleVerdict:
    """Closed deals are never stale. Open ones are stale on one strong signal, or on
    `min_signals` weaker ones."""
    if deal.is_closed or deal.deleted:
        return StaleVerdict(False, ())
    signals = stale_signals(deal, now, t)
    stale = any(s.strong for s in signals) or len(signals) >= t.min_signals
    return StaleVerdict(stale, signals if stale else ())
