"""`leadpact demo`: a fresh seeded sandbox, two syncs against it, a summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leadpact.config import Config, HubSpotConfig, SalesforceConfig
from leadpact.connect import connectors_for, title_classifier
from leadpact.connectors.sandbox.seed import seed_demo_org
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.connectors.sandbox.store import Store
from leadpact.pipeline import COUNTERS, Progress, run_sync
from leadpact.progress import attach
from leadpact.rules.engine import load_rules
from leadpact.state import State


@dataclass(frozen=True, slots=True)
class DemoResult:
    runs: list[dict[str, Any]]
    workdir: Path
    seeded: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        totals: dict[str, dict[str, int]] = {}
        for run in self.runs:
            for system, stats in run["systems"].items():
                into = totals.setdefault(system, dict.fromkeys(COUNTERS, 0))
                for name in COUNTERS:
                    into[name] += stats[name]
        return {"systems": totals, "runs": self.runs, "workdir": str(self.workdir),
                "seeded": self.seeded}


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
    finally:
        state.close()
        box.stop()
        store.close()
    return DemoResult(summaries, workdir, _plain(seeded))


def _plain(seeded: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    if is_dataclass(seeded) and not isinstance(seeded, type):
        return asdict(seeded)
    return dict(seeded) if isinstance(seeded, dict) else {"summary": str(seeded)}
