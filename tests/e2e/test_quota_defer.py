"""A small daily allowance makes a sync defer the rest of its reads instead of failing;
the next sync, after the allowance starts over, ends where one unconstrained sync ends.

One seeded org, two copies: A syncs once with the sandbox's ample allowance; B's CRMs
allow barely the calls A's sync made, so B's first sync stops reading at the plan's
budget (quota decision `guard`: nothing known yet to estimate from) and says so; then each
new day (the same small allowance again) B syncs once more, until a sync reads to the end.
Same clock for every run, so verdicts can only differ by what was read."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

import leadpact
from leadpact.connectors.retry import RetryPolicy
from leadpact.connectors.sandbox import end_state
from leadpact.connectors.sandbox.seed import seed_demo_org
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.connectors.sandbox.store import Store

NOW = datetime.now(UTC).replace(microsecond=0)  # the sandbox stamps writes in real time
DAYS = 4  # a deferred sync reads on the next day; this many days are plenty at this size
PEOPLE = 120


@dataclass
class Org:
    box: Sandbox
    config: Path

    def sync(self) -> dict:
        lp = leadpact.open(self.config, clock=lambda: NOW,
                           retry=RetryPolicy(attempts=3, sleep=lambda s: None))
        return lp.sync().summary.as_dict()

    def calls(self) -> dict[str, int]:
        return {s: self.box.store.calls(s) for s in ("salesforce", "hubspot")}


@pytest.fixture
def orgs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Org, Org]]:
    monkeypatch.setenv("LEADPACT_SALESFORCE_TOKEN", SANDBOX_TOKEN)
    monkeypatch.setenv("LEADPACT_HUBSPOT_TOKEN", SANDBOX_TOKEN)
    seeded = tmp_path / "seeded.sqlite3"
    store = Store(seeded)
    seed_demo_org(store, seed=5, people=PEOPLE, now=NOW)
    store.close()
    made = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copyfile(seeded, folder / "crm.sqlite3")
        box = Sandbox(Store(folder / "crm.sqlite3"))
        url = box.serve(0)
        config = folder / "leadpact.toml"
        config.write_text(f'[leadpact]\nstate = "state.sqlite3"\n[salesforce]\n'
                          f'instance_url = "{url}"\n[hubspot]\nhost = "{url}"\n')
        made.append(Org(box, config))
    try:
        yield made[0], made[1]
    finally:
        for org in made:
            org.box.stop()
            org.box.store.close()


def test_given_a_small_allowance_when_syncing_then_reads_are_deferred_and_the_next_day_completes(
        orgs: tuple[Org, Org]) -> None:
    a, b = orgs
    seeded = end_state.dump(a.box.store)
    before = a.calls()
    unconstrained = a.sync()
    needed = {s: n - before[s] for s, n in a.calls().items()}
    assert unconstrained["status"] == "ok"
    assert {s: q["decision"] for s, q in unconstrained["quota"].items()} == {
        "salesforce": "guard", "hubspot": "guard"}  # a first sync: nothing to estimate from
    assert not any(q["deferred"] for q in unconstrained["quota"].values())

    # B's day allows exactly the calls A's sync made: with the 10 % reserve and the calls
    # kept for the end-of-run passes, not enough to read everything in one run, but each
    # run must still read some pages (a fixed tail reserve once left Salesforce a read
    # budget of 8 calls here, less than one page, and no day finished).
    b.box.salesforce_daily_limit = needed["salesforce"] + b.calls()["salesforce"]
    b.box.hubspot_daily_limit = needed["hubspot"] + b.calls()["hubspot"]  # type: ignore[attr-defined]
    first = b.sync()
    assert first["status"] == "ok" and not first["quota_exhausted"]
    assert any(q["deferred"] for q in first["quota"].values()), first["quota"]
    assert end_state.dump(b.box.store) != end_state.dump(a.box.store)  # not all read yet

    later = []
    while len(later) < DAYS and (not later or any(q["deferred"]
                                                   for q in later[-1]["quota"].values())):
        b.box.new_day()
        later.append(b.sync())
        assert later[-1]["status"] == "ok", later[-1]
    assert not any(q["deferred"] for q in later[-1]["quota"].values()), later[-1]["quota"]
    for before_it, run in zip([first, *later], later, strict=False):
        for system, plan in run["quota"].items():  # a backlog of unknown size: no estimate
            if before_it["quota"][system]["deferred"]:
                assert (plan["decision"], plan["estimated_calls"]) == ("guard", None)
    diff = end_state.compare(seeded, end_state.dump(a.box.store), end_state.dump(b.box.store))
    assert (diff.differing_fields, diff.missing_tasks, diff.extra_tasks,
            diff.task_differences, diff.duplicate_task_keys) == (0, 0, 0, 0, 0), diff.examples

    b.box.new_day()  # nothing left behind: the next plan estimates from what state knows
    settled = b.sync()["quota"]
    assert {s: (q["decision"], q["deferred"]) for s, q in settled.items()} == {
        "salesforce": ("fits", False), "hubspot": ("fits", False)}
    assert all(q["estimated_calls"] is not None for q in settled.values())
