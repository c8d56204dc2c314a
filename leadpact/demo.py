"""`leadpact demo`: a fresh seeded sandbox, two syncs against it, a summary."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leadpact.account_summary import lead_definition_summary
from leadpact.config import Config, HubSpotConfig, SalesforceConfig
from leadpact.connect import connectors_for, title_classifier
from leadpact.connectors.sandbox.seed import TRUTH_META, seed_demo_org
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.connectors.sandbox.store import Store
from leadpact.model import DEAL, SYSTEMS, Ref, System
from leadpact.pipeline import COUNTERS, LEVELS, Progress, run_sync
from leadpact.progress import attach
from leadpact.rules.engine import load_rules
from leadpact.state import State


@dataclass(frozen=True, slots=True)
class DemoResult:
    runs: list[dict[str, Any]]
    workdir: Path
    seeded: dict[str, Any]
    # per kind of deal the seed built: {"deals": n, "stale": flagged after the last run}
    stale_by_story: dict[str, dict[str, int]] = field(default_factory=dict)
    # per CRM after the last run: leads_by_stage, accounts_sales_ready
    lead_definition: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        totals: dict[str, dict[str, Any]] = {}
        for run in self.runs:
            for system, stats in run["systems"].items():
                into = totals.setdefault(system, dict.fromkeys(COUNTERS, 0))
                for name in COUNTERS:
                    # levels (how many deals are stale now) are the last run's, not a sum
                    into[name] = stats[name] if name in LEVELS else into[name] + stats[name]
        for system, staged in self.lead_definition.items():
            totals.setdefault(system, {}).update(staged)
        return {"systems": totals, "runs": self.runs, "workdir": str(self.workdir),
                "seeded": self.seeded, "stale_by_story": self.stale_by_story}


# What the seed built each kind of deal to show (its answer key proves the wiring only:
# the judgement is measured on labelled data, bench/stale_eval.py).
STORIES = {
    "silently_dead": "the buyer went silent and the rep kept chasing",
    "stuck": "stuck in its stage, the buyer gone quiet",
    "pushed": "merely slow: close date pushed while the buyer still talks",
    "healthy": "healthy",
}


def stale_by_story(store: Store, state: State) -> dict[str, dict[str, int]]:
    """How many deals of each seeded story leadpact flagged stale."""
    raw = store.get_meta(TRUTH_META)
    truth = json.loads(raw)["deals"] if raw else {}
    found: dict[str, dict[str, int]] = {}
    for key, deal in truth.items():
        system, id_ = key.split(":")
        if deal["archetype"] not in STORIES:
            continue
        known = state.deal(Ref(System(system), DEAL, id_))
        counts = found.setdefault(deal["archetype"], {"deals": 0, "stale": 0})
        counts["deals"] += 1
        counts["stale"] += bool(known and known.verdict and known.verdict.stale)
    return {story: found[story] for story in STORIES if story in found}


def lead_definition_lines(systems: dict[str, dict[str, Any]]) -> list[str]:
    """The demo summary's lines on how people and accounts are staged, per CRM."""
    lines = []
    for system, stats in systems.items():
        stages = stats.get("leads_by_stage") or {}
        staged = ", ".join(f"{stage} {n}" for stage, n in stages.items())
        lines.append(f"Lead stages in {system}: {staged or 'none'}; accounts sales-ready "
                     f"(buying group): {stats.get('accounts_sales_ready', 0)}; account "
                     f"fields written: {stats.get('account_fields_written', 0)}.")
    return lines


def sandbox_config(url: str, state_path: Path) -> Config:
    return Config(source=Path("<sandbox>"), state_path=state_path, rules_path=None,
                  salesforce=SalesforceConfig(url, "59.0", SANDBOX_TOKEN),
                  hubspot=HubSpotConfig(url, SANDBOX_TOKEN))


def run_demo(workdir: Path, *, people: int = 3000, seed: int = 7, runs: int = 2,
             progress: Progress | None = None,
             on_run: Callable[[int, dict[str, Any]], None] | None = None,
             now: datetime | None = None, observer: Any = None) -> DemoResult:
    """`now`: one fixed time for the seed and every run (tests); default: the real time,
    read afresh for each run. `observer`: a ReadObserver the connectors report reads to."""
    workdir.mkdir(parents=True, exist_ok=True)
    for old in workdir.glob("*.sqlite3*"):
        old.unlink()  # a demo always starts from a fresh org and fresh state
    store = Store(workdir / "sandbox.sqlite3")
    seeded = seed_demo_org(store, seed=seed, people=people, now=now or datetime.now(UTC))
    box = Sandbox(store)
    box.serve(0)
    state = State(workdir / "state.sqlite3")
    try:
        config = sandbox_config(box.url, workdir / "state.sqlite3")
        rules = load_rules(None)
        classify = title_classifier(rules)
        summaries = []
        for number in range(1, runs + 1):
            run_now = now or datetime.now(UTC)
            connectors = connectors_for(config, run_now)
            if observer is not None:
                attach(connectors, observer)
            summary, _ = run_sync(connectors, state, rules, classify, run_now,
                                  progress=progress)
            summaries.append(summary.as_dict())
            if on_run:
                on_run(number, summaries[-1])
        stories = stale_by_story(store, state)
        staged = lead_definition_summary(state, rules.lead, now or datetime.now(UTC),
                                         SYSTEMS)
    finally:
        state.close()
        box.stop()
        store.close()
    return DemoResult(summaries, workdir, _plain(seeded), stories, staged)


def _plain(seeded: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    if is_dataclass(seeded) and not isinstance(seeded, type):
        return asdict(seeded)
    return dict(seeded) if isinstance(seeded, dict) else {"summary": str(seeded)}
