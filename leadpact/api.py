"""leadpact from Python: `leadpact.open(config)` gives a `Leadpact` whose methods are the
commands (`plan`, `sync`, `check`, `undo`, `runs`), returning typed results instead of
printing. The CLI is a thin layer over this module.

Connectors are built from the config unless given (`connectors=[...]`, e.g. an
in-memory one in tests); the retry policy is injectable too (`retry=RetryPolicy(...)`),
so tests never sleep through real backoff.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from leadpact.changes import Change
from leadpact.config import Config, load_config
from leadpact.connectors.base import CheckProblem, Connector
from leadpact.connectors.observe import ReadObserver
from leadpact.connectors.retry import RetryPolicy
from leadpact.errors import ConfigError
from leadpact.history import RunRecord, read_history
from leadpact.native_stage import unknown_stages
from leadpact.pipeline import Progress, RunSummary
from leadpact.rules import engine
from leadpact.rules.engine import Rules
from leadpact.undo import UndoResult


@dataclass(frozen=True, slots=True)
class SyncResult:
    """One sync (or plan: `summary.dry_run` is True): its summary and every planned change."""

    summary: RunSummary
    changes: list[Change]

    @property
    def ok(self) -> bool:
        return self.summary.status == "ok"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What `check` found per CRM; `ok` when nothing is wrong anywhere."""

    rules_version: str
    problems: dict[str, list[CheckProblem]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())


class Leadpact:
    """One configured leadpact: a config, its rules, and the connectors to its CRMs.
    Each call opens the local state for its duration only (it holds a lock)."""

    def __init__(self, config: Config, *, connectors: Sequence[Connector] | None = None,
                 retry: RetryPolicy | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self.rules: Rules = engine.load_rules(config.rules_path)
        wrong = unknown_stages(config.native, [stage.name for stage in self.rules.stages])
        if wrong:  # a [native] line naming a stage the rules file does not have
            raise ConfigError(f"{config.source}: {wrong[0]}", path=config.source)
        self._connectors = list(connectors) if connectors is not None else None
        self._retry = retry
        self._clock = clock or (lambda: datetime.now(UTC))

    def connectors(self, now: datetime | None = None) -> list[Connector]:
        """The injected connectors, or fresh ones built from the config."""
        if self._connectors is not None:
            return self._connectors
        from leadpact.connect import connectors_for

        return connectors_for(self.config, now, retry=self._retry)

    def plan(self, *, progress: Progress | None = None,
             observer: ReadObserver | None = None,
             as_of: datetime | None = None, full: bool = False,
             on_change: Callable[[Change], None] | None = None) -> SyncResult:
        """What a sync would write now, writing and recording nothing. `observer` is told
        of every page the connectors read (e.g. leadpact.progress's bars); `as_of` is the
        moment the verdicts are judged at (default: the clock's now); `full` reads every
        record again instead of the changes since the last sync. `on_change`: each change
        is handed to it as planned and `changes` comes back empty (a big org's first plan
        is millions of changes)."""
        return self._run(dry_run=True, progress=progress, observer=observer, as_of=as_of,
                         full=full, keep_changes=on_change is None, on_change=on_change)

    def sync(self, *, progress: Progress | None = None,
             observer: ReadObserver | None = None,
             as_of: datetime | None = None, full: bool = False,
             keep_changes: bool = True) -> SyncResult:
        """Read changes from the CRMs (everything with `full`), judge them (as of `as_of`,
        default now), write the verdicts back, record the run. A new meaning of the rules
        re-judges every known record. Raises a LeadpactError (e.g. QuotaExhausted, or
        RuleError for changed rules under an old version) when something stops the run;
        what was committed before stays committed. `keep_changes` False: `changes` comes
        back empty and the run holds none of them (a big org's sync stays small in memory)."""
        return self._run(dry_run=False, progress=progress, observer=observer, as_of=as_of,
                         full=full, keep_changes=keep_changes)

    def check(self, *, fix: bool = False) -> CheckResult:
        """Connectivity, permissions and every field leadpact writes, per CRM. `fix`
        creates missing HubSpot properties first."""
        found: dict[str, list[CheckProblem]] = {}
        for connector in self.connectors():
            create = getattr(connector, "create_missing_properties", None)
            if fix and create is not None:
                create()
            found[connector.system] = connector.check()
        return CheckResult(self.rules.version, found)

    def undo(self, run_id: str, *, dry_run: bool = False) -> UndoResult:
        """Put back what run `run_id` wrote wherever nobody changed it since; close the
        tasks it created. `dry_run` reads a snapshot of the state (works during a sync)."""
        from leadpact.state import State
        from leadpact.undo import run_undo

        state = State.snapshot(self.config.state_path) if dry_run \
            else State(self.config.state_path)
        try:
            return run_undo(self.connectors(), state, run_id, self._clock(), dry_run)
        finally:
            state.close()

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The most recent syncs and undos, newest first (reads only the local state)."""
        with read_history(self.config.state_path) as history:
            return history.runs(limit) if history else []

    def _run(self, dry_run: bool, progress: Progress | None,
             observer: ReadObserver | None = None,
             as_of: datetime | None = None, full: bool = False,
             keep_changes: bool = True,
             on_change: Callable[[Change], None] | None = None) -> SyncResult:
        from leadpact.connect import title_classifier
        from leadpact.pipeline import run_sync
        from leadpact.state import State

        now = as_of or self._clock()
        connectors = self.connectors(now)
        if observer is not None:
            from leadpact.progress import attach

            attach(connectors, observer)
        check_first = None
        if not dry_run and self._connectors is None:
            from leadpact.preflight import preflight

            # Every CRM ready before the first write to either; a run with nothing to
            # write (most scheduled ones) spends no calls on it.
            def check_first() -> None:
                preflight(connectors)
        # A plan rehearses on a snapshot of the state, so it runs while a sync holds it.
        state = State.snapshot(self.config.state_path) if dry_run \
            else State(self.config.state_path)
        try:
            summary, changes = run_sync(connectors, state, self.rules,
                                        title_classifier(self.rules), now,
                                        dry_run=dry_run, progress=progress, full=full,
                                        before_first_write=check_first,
                                        keep_changes=keep_changes, on_change=on_change,
                                        native=self.config.native,
                                        fields=self.config.fields)
        finally:
            if not dry_run:  # alerts and write-loop freezes: leadpact/alerting.py
                from leadpact.alerting import after_run

                after_run(state, self.config.alerts, now, self._clock(), connectors)
                state.prune_refused(self.config.keep_refused_runs)
            state.close()
        return SyncResult(summary, changes)


def open(config: Config | str | Path, *, connectors: Sequence[Connector] | None = None,  # noqa: A001
         retry: RetryPolicy | None = None,
         clock: Callable[[], datetime] | None = None) -> Leadpact:
    """A `Leadpact` for a config file path (tokens come from the environment or the
    secrets file it names) or an already built `Config`. `clock`: the "now" of each run
    (default: the real time)."""
    loaded = config if isinstance(config, Config) else load_config(Path(config))
    return Leadpact(loaded, connectors=connectors, retry=retry, clock=clock)


def load_rules(path: str | Path | None = None) -> Rules:
    """A rules file (the lead definition), validated; None: the shipped default.
    Raises RuleError naming the file, line and fix when it does not validate."""
    return engine.load_rules(None if path is None else Path(path))
