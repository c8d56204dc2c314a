"""When to alert, decided from run records and ledger rows alone. Pure: no I/O, no clock.

Alerts are about the run that just finished (the newest record): a failed run, the Nth
quota stop in a row, too large a share of refused writes, and fields leadpact keeps
writing that something else keeps changing back (a write loop: freeze them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from leadpact.history import RunRecord


@dataclass(frozen=True, slots=True)
class AlertSettings:
    quota_repeats: int = 3  # alert when this many runs in a row stopped on a quota
    refused_share: float = 0.2  # alert when more than this share of a run's writes failed
    min_writes: int = 5  # ... and the run tried at least this many (1 of 2 is noise)
    write_loop_runs: int = 3  # freeze a field fought over in this many runs in a row


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # failed | quota | refused | write_loop
    run_id: str
    text: str


@dataclass(frozen=True, slots=True)
class LedgerWrite:
    """One row of the ledger: leadpact set `field` of `record` from `old` to `new`."""

    run_id: str
    record: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class WriteLoop:
    record: str
    field: str
    runs: tuple[str, ...]  # the runs that wrote it, oldest first
    value: str | None  # what leadpact kept writing
    found: tuple[str | None, ...]  # what it found there instead each time


def run_alerts(runs_newest_first: Sequence[RunRecord], settings: AlertSettings) -> list[Alert]:
    """Alerts about the newest run, given the runs before it (syncs only; undos are the
    operator's own doing)."""
    syncs = [r for r in runs_newest_first if r.kind == "sync" and r.status != "running"]
    if not syncs:
        return []
    run, alerts = syncs[0], []
    if run.status == "failed" and not run.quota_exhausted:
        alerts.append(Alert("failed", run.run_id,
                            f"leadpact sync {run.run_id} failed: {run.error or 'no reason'}"))
    streak = 0
    for earlier in syncs:
        if not earlier.quota_exhausted:
            break
        streak += 1
    if streak and streak == settings.quota_repeats:  # once per streak, not every run after
        alerts.append(Alert("quota", run.run_id,
                            f"leadpact sync stopped on a CRM's API quota {streak} runs in a "
                            f"row (latest {run.run_id}: {run.error or 'quota exhausted'}); "
                            "raise the allowance or schedule fewer runs"))
    failed = run.refused_changes
    tried = failed + sum(s.get("changes_applied", 0) for s in run.systems.values())
    if tried >= settings.min_writes and failed / tried > settings.refused_share:
        alerts.append(Alert("refused", run.run_id,
                            f"leadpact sync {run.run_id}: the CRMs refused {failed} of {tried} "
                            f"writes ({failed / tried:.0%}, over "
                            f"{settings.refused_share:.0%}); `leadpact runs show "
                            f"{run.run_id}` lists them with the CRM's reasons"))
    return alerts


def write_loops(ledger: Sequence[LedgerWrite], sync_runs_oldest_first: Sequence[str],
                runs_needed: int) -> list[WriteLoop]:
    """Fields that leadpact wrote in each of the last `runs_needed` syncs, each time
    finding a value other than the one it wrote before: something else changes them back.
    `ledger`: rows in write order; only real writes (old != new) count."""
    if runs_needed < 2 or len(sync_runs_oldest_first) < runs_needed:
        return []
    window = list(sync_runs_oldest_first)[-runs_needed:]
    position = {run: i for i, run in enumerate(window)}
    history: dict[tuple[str, str], list[LedgerWrite]] = {}
    for row in ledger:
        history.setdefault((row.record, row.field), []).append(row)
    loops = []
    for (record, field), rows in history.items():
        writes = [r for r in rows if r.old != r.new]
        recent = [r for r in writes if r.run_id in position]
        if [position[r.run_id] for r in recent] != list(range(runs_needed)):
            continue  # not written exactly once in every one of the last runs
        if rows[rows.index(recent[0]):] != recent:
            continue  # an undo or an adopted value in between: leadpact itself, not a fight
        fought = all(later.old != earlier.new for earlier, later in pairwise(recent))
        if fought and len({r.new for r in recent}) == 1:
            loops.append(WriteLoop(record, field, tuple(window), recent[-1].new,
                                   tuple(r.old for r in recent)))
    return sorted(loops, key=lambda loop: (loop.record, loop.field))


def loop_alert(loop: WriteLoop, run_id: str, changed_by: str | None) -> Alert:
    who = f"changed back by {changed_by}" if changed_by else (
        "changed back by someone else (the CRM did not say who)")
    return Alert("write_loop", run_id,
                 f"leadpact froze {loop.field} on {loop.record}: it wrote {loop.value!r} in "
                 f"{len(loop.runs)} runs in a row and each time it was {who} "
                 f"(found {', '.join(repr(v) for v in loop.found)}). leadpact no longer "
                 "writes it; find the workflow or integration that resets it")
