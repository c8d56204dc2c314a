"""What the HTML report shows, computed from leadpact's local state. Pure functions over
values read by `read_report_inputs` (which opens the state read-only and lock-free, like
`leadpact runs`: no CRM, no token, works while a sync runs).

Figures are the state's own: run counts as each run recorded them, deal verdicts as the
last sync judged them, lead stages as last written.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from leadpact.connectors.roles import VOCABULARIES
from leadpact.history import RunRecord, read_history
from leadpact.model import Ref
from leadpact.role_vocabulary import NO_ROLES
from leadpact.stale_report import OpenDeal, OwnerNames, StaleReport, stale_report

RUN_METRICS = ("records_read", "changes_applied", "changes_failed", "tasks_created",
               "api_calls")
NO_STAGE = "(not judged)"


@dataclass(frozen=True, slots=True)
class RoleCoverage:
    role: str
    present: int  # open deals with someone in this role
    missing: int  # open deals the last sync flagged as lacking it (a required role)


@dataclass(frozen=True, slots=True)
class Coverage:
    open_deals: int
    roles: tuple[RoleCoverage, ...]  # most-missing first
    single_threaded: int
    user_only: int


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """Everything read from the state, as plain values."""

    runs: tuple[RunRecord, ...]  # oldest first
    open_deals: tuple[OpenDeal, ...]
    person_roles: Mapping[str, str]  # person ref → buying role the last sync judged
    person_stages: Mapping[str, str | None]  # person ref → lead stage (None: no verdict)
    owner_names: OwnerNames = field(default_factory=dict)  # learnt by the syncs


@dataclass(frozen=True, slots=True)
class ReportData:
    generated_at: datetime
    runs: tuple[RunRecord, ...]
    systems: tuple[str, ...]
    stale: StaleReport
    coverage: Coverage
    stages: Mapping[str, Mapping[str, int]]  # stage → system → leads


def report_data(inputs: ReportInputs, now: datetime) -> ReportData:
    systems = sorted({s for r in inputs.runs for s in r.systems}
                     | {ref.split(":", 1)[0] for ref in inputs.person_stages}
                     | {ref.system for ref, _, _ in inputs.open_deals})
    return ReportData(now, inputs.runs, tuple(systems), stale_report(inputs.open_deals, now,
                                                                   owner_names=inputs.owner_names),
                      committee_summary(inputs.open_deals, inputs.person_roles),
                      leads_per_stage(inputs.person_stages))


def run_metric(run: RunRecord, system: str, metric: str) -> int:
    return run.systems.get(system, {}).get(metric, 0)


def committee_summary(deals: Iterable[OpenDeal], person_roles: Mapping[str, str]) -> Coverage:
    """Roles present among each open deal's contacts (a role a rep recorded on the deal
    beats our guess, as in the sync) and roles the sync flagged missing (`no_<role>`)."""
    present: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    opened = single = user_only = 0
    for ref, snapshot, verdict in deals:
        opened += 1
        roles = set()
        crm = VOCABULARIES.get(ref.system, NO_ROLES)
        for person, crm_role, _id in snapshot.get("contacts") or ():
            role = crm.role_from_crm(crm_role) or person_roles.get(str(person), "unknown")
            roles.add(role)
        present.update(roles - {"unknown"})
        flags = (verdict or {}).get("flags") or ()
        missing.update(f[3:] for f in flags if f.startswith("no_"))
        single += "single_threaded" in flags
        user_only += "user_only_engagement" in flags
    names = sorted(set(present) | set(missing), key=lambda r: (-missing[r], -present[r], r))
    return Coverage(opened, tuple(RoleCoverage(r, present[r], missing[r]) for r in names),
                    single, user_only)


def leads_per_stage(person_stages: Mapping[str, str | None]) -> dict[str, dict[str, int]]:
    """stage → CRM → number of people/leads, most populated stage first."""
    counts: dict[str, Counter[str]] = {}
    for ref, stage in person_stages.items():
        counts.setdefault(stage or NO_STAGE, Counter())[ref.split(":", 1)[0]] += 1
    order = sorted(counts, key=lambda s: (-sum(counts[s].values()), s))
    return {stage: dict(counts[stage]) for stage in order}


def read_report_inputs(state_path: Path, max_runs: int = 30) -> ReportInputs | None:
    """The state's runs, open deals and people, from one read-only snapshot; None when no
    sync has created the state yet."""
    with read_history(state_path) as history:
        if history is None:
            return None
        runs = tuple(reversed(history.runs(max_runs)))
        db = history.connection
        deals = tuple((Ref.parse(ref), json.loads(snap), json.loads(verdict) if verdict else None)
                      for ref, snap, verdict in db.execute(
                          "SELECT ref, snapshot, verdict FROM deals WHERE is_open=1 ORDER BY ref"))
        roles: dict[str, str] = {}
        stages: dict[str, str | None] = {}
        for ref, verdict_text in db.execute("SELECT ref, verdict FROM persons ORDER BY ref"):
            verdict: dict[str, Any] = json.loads(verdict_text) if verdict_text else {}
            roles[ref] = verdict.get("role") or "unknown"
            stages[ref] = verdict.get("stage")
        names = read_owner_names(db)
    return ReportInputs(runs, deals, roles, stages, names)


def read_owner_names(db: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """(system, owner id) -> name, as the syncs learnt them (none in older state files)."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='owners'"
                      ).fetchone():
        return {}
    return {(system, owner): name for system, owner, name in db.execute(
        "SELECT system, owner_id, name FROM owners WHERE name IS NOT NULL")}
