"""Run history, read straight from the state file: what each sync and undo did.

Read-only and lock-free: it opens the SQLite file with `mode=ro` and never takes the
state's run lock, so it works while a sync is running (WAL gives it a consistent snapshot)
and needs no CRM tokens. A state file from before refusals were recorded reads fine.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

from leadpact.errors import ConfigError
from leadpact.state_lock import held

FIRST_ERRORS = 3  # errors shown per run in the list
DIED = ("stopped without finishing: the process was killed or crashed (nothing holds the "
        "state's lock); the next sync picks up where it stopped")


@dataclass(frozen=True, slots=True)
class Refusal:
    record: str
    change: str
    reason: str


@dataclass(frozen=True, slots=True)
class RunRecord:
    run_id: str
    kind: str  # "sync" or "undo"
    status: str  # running, ok, partial, failed, died (killed: never finished)
    started_at: str
    finished_at: str | None
    rules_version: str | None
    undoes: str | None  # for an undo: the run it put back
    error: str | None  # what stopped the run, if something did
    failures: list[str]  # the first refused changes, "record: reason"
    systems: dict[str, dict[str, int]] = field(default_factory=dict)
    refused: list[Refusal] = field(default_factory=list)  # filled by `run()` only
    left_alone: int = 0  # undo: values not put back because they changed since
    quota_exhausted: bool = False  # stopped by a CRM's API allowance

    def first_errors(self, limit: int = FIRST_ERRORS) -> list[str]:
        """What stopped the run, then its first distinct refusals."""
        distinct = list(dict.fromkeys(self.failures))[:limit]
        return ([self.error] if self.error else []) + distinct

    @property
    def refused_changes(self) -> int:
        return sum(stats.get("changes_failed", 0) for stats in self.systems.values())

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# A runs row as SQLite hands it out: id, started, finished, status, summary (JSON).
_RunRow = tuple[str, str, str | None, str, str | None]


def _record(row: _RunRow) -> RunRecord:
    run_id, started, finished, status, summary_text = row
    loaded: object = json.loads(summary_text) if summary_text else {}
    summary = loaded if isinstance(loaded, dict) else {}
    kind = summary.get("kind") or ("undo" if run_id.startswith("undo-") else "sync")
    systems = summary.get("systems")
    return RunRecord(
        run_id=run_id, kind=str(kind), status=status, started_at=started,
        finished_at=finished, rules_version=_text(summary.get("rules_version")),
        undoes=_text(summary.get("undoes")), error=_text(summary.get("error")),
        failures=[str(f) for f in summary.get("failures") or []],
        systems={str(name): {str(k): v for k, v in stats.items() if isinstance(v, int)}
                 for name, stats in (systems if isinstance(systems, dict) else {}).items()
                 if isinstance(stats, dict)},
        left_alone=int(summary.get("left_alone_count") or 0),
        quota_exhausted=bool(summary.get("quota_exhausted", False)))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


class History:
    def __init__(self, db: sqlite3.Connection, lock_held: bool = True):
        """`lock_held`: whether a sync or undo holds the state's lock. Only that one can be
        running (the newest row so marked); any other row still marked running died."""
        self._db = db
        self._alive = self._newest_running() if lock_held else None

    def _newest_running(self) -> str | None:
        row = self._db.execute("SELECT run_id FROM runs WHERE status='running' "
                               "ORDER BY started_at DESC, rowid DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def _record(self, row: _RunRow) -> RunRecord:
        found = _record(row)
        if found.status == "running" and found.run_id != self._alive:
            return replace(found, status="died", error=found.error or DIED)
        return found

    @property
    def connection(self) -> sqlite3.Connection:
        """The read-only snapshot, for readers of other tables (the HTML report)."""
        return self._db

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The most recent runs, newest first (undos included: they are runs too)."""
        rows = self._db.execute(
            "SELECT run_id, started_at, finished_at, status, summary FROM runs "
            "ORDER BY started_at DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
        return [self._record(r) for r in rows]

    def run(self, wanted: str) -> RunRecord:
        """One run in full, by its id or an unambiguous start of it."""
        rows = self._db.execute(
            "SELECT run_id, started_at, finished_at, status, summary FROM runs "
            "WHERE run_id = ? OR substr(run_id, 1, length(?)) = ? ORDER BY run_id",
            (wanted, wanted, wanted)).fetchall()
        exact = [r for r in rows if r[0] == wanted]
        if exact:
            rows = exact
        if not rows:
            raise ConfigError(f"no run {wanted!r} in this state; `leadpact runs` lists them")
        if len(rows) > 1:
            raise ConfigError(f"{wanted!r} starts {len(rows)} run ids "
                              f"({', '.join(r[0] for r in rows[:3])}, …); give more of it")
        base = self._record(rows[0])
        refused = []
        if self._has_table("refused"):
            refused = [Refusal(*r) for r in self._db.execute(
                "SELECT record, change, reason FROM refused WHERE run_id=? ORDER BY seq",
                (base.run_id,))]
        return replace(base, refused=refused)

    def _has_table(self, name: str) -> bool:
        return self._db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                                (name,)).fetchone() is not None


@contextmanager
def read_history(state_path: Path) -> Iterator[History | None]:
    """The history of a state file, or None when no sync has created it yet."""
    if not state_path.exists():
        yield None
        return
    try:
        db = sqlite3.connect(f"{state_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ConfigError(f"{state_path}: cannot open the state read-only ({exc})") from None
    try:
        lock_held = held(state_path)
        db.execute("BEGIN")  # one snapshot for everything read below
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name='runs'").fetchone():
            yield None
        else:  # asked before and after the snapshot began: a run live in it is seen
            yield History(db, lock_held or held(state_path))
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{state_path}: not a leadpact state file ({exc})") from None
    finally:
        db.close()


def duration(run: RunRecord) -> str:
    if not run.finished_at:
        return "never finished" if run.status == "died" else "still running"
    seconds = (datetime.fromisoformat(run.finished_at)
               - datetime.fromisoformat(run.started_at)).total_seconds()
    if seconds < 120:
        return f"{seconds:.0f}s"
    return f"{seconds / 60:.1f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def system_line(kind: str, stats: dict[str, int]) -> str:
    if kind == "undo":
        return (f"put back {stats.get('changes_applied', 0)} · failed "
                f"{stats.get('changes_failed', 0)} · tasks closed {stats.get('tasks_closed', 0)}")
    return (f"read {stats.get('records_read', 0)} · applied {stats.get('changes_applied', 0)}"
            f" · failed {stats.get('changes_failed', 0)} · tasks +{stats.get('tasks_created', 0)}"
            f" -{stats.get('tasks_closed', 0)} · api calls {stats.get('api_calls', 0)}")


def describe(run: RunRecord, errors: int = FIRST_ERRORS) -> list[str]:
    """A run as a few plain lines: the heading, one line per CRM, the first errors."""
    what = f"undo of {run.undoes}" if run.kind == "undo" and run.undoes else run.kind
    rules = f"  rules {run.rules_version}" if run.rules_version else ""
    lines = [f"{run.run_id}  {what}  {run.status}  {_when(run.started_at)} → "
             f"{_when(run.finished_at) if run.finished_at else '…'} ({duration(run)}){rules}"]
    lines += [f"    {name}: {system_line(run.kind, stats)}" for name, stats in run.systems.items()]
    if run.left_alone:
        lines.append(f"    left alone {run.left_alone} value(s) changed since")
    lines += [f"    error: {text}" for text in run.first_errors(errors)]
    if errors and run.refused_changes:
        lines.append(f"    {run.refused_changes} change(s) refused in all; "
                     f"`leadpact runs show {run.run_id}` lists them")
    return lines


def _when(stamp: str) -> str:
    """An ISO time without the microseconds, e.g. 2026-12-05 14:06:53+00:00."""
    return datetime.fromisoformat(stamp).isoformat(sep=" ", timespec="seconds")
