"""The fault harness: does a sync cut short, faulted or raced end where a clean sync ends?

Seeds one sandbox org (fixed seed), runs a clean reference sync on a copy of it, then runs
the same org under each fault class and reruns `leadpact sync` (the real command, in its
own process) until it exits 0, plus one more sync. Each end state (every leadpact field,
the CRMs' own role fields, every task with key, status and subject; see
connectors/sandbox/end_state.py) is compared with the reference. Faults are injected by
the sandbox (server side): nothing in leadpact is patched.

Fault classes:
  clean       no fault (the harness's own noise: must be 0)
  random      10 % of API calls fail: 429, 500, 503, HTML 502, answers held past the
              client's read timeout, connections dropped before / after the work, HubSpot
              207 partial batches (the first sync only; then reruns without faults)
  write_loss  the CRM applies a write but the answer is lost (30 % of the writes of a
              run, creates included; the retries see each through)
  write_loss_burst  the answers to the field updates lost 5 times in a row, past the
              retries: the run stops after the CRM applied the page
  kill        kill -9 of the sync process at the Nth API call (before the CRM does it);
              N drawn over the calls of a clean first sync
  kill_commit kill -9 after the Nth write, once the CRM applied it: between the CRM's
              answer and leadpact's state commit (every 2nd write; --full: every write)
  slow_create task creates answered after the client's read timeout
  edit        a person edits buying roles while the run's write of them is on its way
  edit_kill   the same edits inside the first field write a CRM receives, and kill -9
              once the CRM applied it: before the run could check the history (one
              trial per CRM). Compared with the same edits in the same write of a run
              that is not killed: the edits land during the first sync, so records first
              read after them carry the edit's modification stamp in both runs, which a
              reference settled before the edits does not (see README, Known limits)

Per class it prints: trials, exit codes, differing fields, lost writes, duplicate task
keys (and keys open twice), missing / extra / different tasks, person edits lost, pending
rows left in the state, trials whose next sync plans more than the clean run's next sync
plans, and tracebacks.

    .venv/bin/python bench/chaos.py                         # CI size (about 2 min)
    .venv/bin/python bench/chaos.py --full                  # 20 kill points x 2 seeds, 200 people
    .venv/bin/python bench/chaos.py --classes kill --kills 20 --seeds 11,12 --people 200
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leadpact.connectors.sandbox import chaos as sandbox_chaos
from leadpact.connectors.sandbox import end_state
from leadpact.connectors.sandbox.chaos import ChaosSettings
from leadpact.connectors.sandbox.end_state import Diff, EndState, FieldKey
from leadpact.connectors.sandbox.seed import seed_demo_org
from leadpact.connectors.sandbox.server import Fault, Sandbox
from leadpact.connectors.sandbox.store import Store

# Distinctive, so a leak is found by grepping every file a trial left (tests do).
TOKEN = "lpCHAOS-7f3a9c2e41d8-SECRET"
READ_TIMEOUT = 3.0  # seconds the client waits for an answer (LEADPACT_READ_TIMEOUT)
HELD = READ_TIMEOUT + 1.5  # a "slow" answer: past the read timeout
MAX_RUNS = 6  # reruns until exit 0; a trial that never gets there is reported
CLASSES = ("clean", "random", "write_loss", "write_loss_burst", "kill", "kill_commit",
           "slow_create", "edit", "edit_kill")


@dataclass
class Size:
    people: int = 40
    seeds: tuple[int, ...] = (11,)
    random_trials: int = 1
    kills: int = 3  # kill points per seed (drawn over the API calls of a first sync)
    commit_step: int = 2  # kill_commit after every 2nd write (1, 3, 5 …); a page makes ~2
    edits_per_crm: int = 3


@dataclass
class Trial:
    """One faulted org, run to completion and compared with the reference."""

    name: str
    faults: int  # faults the sandbox injected
    exit_codes: list[int]
    diff: Diff
    pending_left: int
    replanned: int  # changes the sync after convergence planned beyond the clean run's
    tracebacks: int
    converged: bool
    seconds: float
    twin_records: int = 0  # differing persons that exist in both CRMs (issue 10 D1)


@dataclass
class ClassResult:
    name: str
    trials: list[Trial] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {"trials": len(self.trials),
                               "faults": sum(t.faults for t in self.trials)}
        for trial in self.trials:
            for key, value in trial.diff.counts().items():
                out[key] = out.get(key, 0) + value
        out["differing_records"] = sum(len(t.diff.records) for t in self.trials)
        out["of_them_twins"] = sum(t.twin_records for t in self.trials)
        out["trials_differing"] = sum(1 for t in self.trials if any(t.diff.counts().values()))
        out["pending_left"] = sum(t.pending_left for t in self.trials)
        out["replans_more"] = sum(1 for t in self.trials if t.replanned > 0)
        out["not_converged"] = sum(1 for t in self.trials if not t.converged)
        out["tracebacks"] = sum(t.tracebacks for t in self.trials)
        return out


# -- one org on disk, run by the real `leadpact` command --------------------------------------


def seed_org(folder: Path, seed: int, people: int) -> Path:
    path = folder / f"org-{seed}.sqlite3"
    store = Store(path)
    seed_demo_org(store, seed=seed, people=people, now=datetime.now(UTC))
    store.close()
    return path


class Org:
    """A fresh copy of the seeded org behind a sandbox, with its own leadpact state."""

    def __init__(self, seeded: Path, folder: Path):
        folder.mkdir(parents=True)
        self.folder = folder
        shutil.copyfile(seeded, folder / "crm.sqlite3")
        self.store = Store(folder / "crm.sqlite3")
        self.box = Sandbox(self.store, token=TOKEN)
        url = self.box.serve(0)
        self.config = folder / "leadpact.toml"
        self.config.write_text(f'[leadpact]\nstate = "state/state.sqlite3"\n\n[salesforce]\n'
                               f'instance_url = "{url}"\n\n[hubspot]\nhost = "{url}"\n')
        self.runs = 0

    @property
    def state(self) -> Path:
        return self.folder / "state" / "state.sqlite3"

    def sync(self, *args: str, started: Callable[[int], None] | None = None) -> int:
        """One `leadpact sync` process; `started(pid)` runs before it makes its first call.
        Its stdout, stderr and log stay in the trial's folder."""
        self.runs += 1
        out = self.folder / f"run{self.runs}"
        env = {**os.environ, "LEADPACT_SALESFORCE_TOKEN": TOKEN, "LEADPACT_HUBSPOT_TOKEN": TOKEN,
               "LEADPACT_READ_TIMEOUT": str(READ_TIMEOUT)}
        env.pop("LEADPACT_DEBUG", None)
        with open(f"{out}.out", "wb") as stdout, open(f"{out}.err", "wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "leadpact", "-v", "--log-file", f"{out}.log", "sync",
                 "--config", str(self.config), "--json", *args],
                stdout=stdout, stderr=stderr, env=env)
            if started is not None:
                started(process.pid)
            return process.wait(timeout=900)

    def converge(self) -> tuple[list[int], bool]:
        codes = []
        for _ in range(MAX_RUNS):
            codes.append(self.sync())
            if codes[-1] == 0:
                return codes, True
        return codes, False

    def planned_next(self) -> int:
        """Changes one more sync writes (0 when the org has settled)."""
        self.sync()
        summary = self.last_summary()
        return sum(s["changes_planned"] for s in summary.get("systems", {}).values())

    def last_summary(self) -> dict[str, Any]:
        lines = (self.folder / f"run{self.runs}.out").read_text().strip().splitlines()
        return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}

    def tracebacks(self) -> int:
        found = 0
        for path in self.folder.glob("run*.err"):
            text = path.read_text(errors="replace")
            found += text.count("Traceback") + text.count("leadpact: unexpected")
        return found

    def close(self) -> None:
        self.box.stop()
        self.store.close()


# -- the reference and the classes ------------------------------------------------------------


@dataclass
class Reference:
    seeded_file: Path
    seeded: EndState
    settled: EndState
    calls: int  # API requests of a first sync
    writes: int  # write requests of a first sync
    role_writes: list[FieldKey]  # role fields the clean run set (candidates for edits)
    replanned: int  # changes the sync after the clean one planned (0 unless issue 10 D10)


ROLE_FIELDS = {"Leadpact_Role__c", "leadpact_role"}


def counting(writes: bool) -> Fault:
    """A fault that never fires; what is left of its `skip` counts the requests it saw."""
    return Fault(kind="status", skip=10**9, writes=writes)


def reference(seeded_file: Path, folder: Path) -> Reference:
    org = Org(seeded_file, folder)
    try:
        seeded = end_state.dump(org.store)
        every, writes = counting(False), counting(True)
        org.box.faults.add(every)
        org.box.faults.add(writes)
        codes, converged = org.converge()
        if not converged or codes != [0]:
            raise SystemExit(f"the clean reference sync did not exit 0 at once: {codes} "
                             f"(see {folder})")
        calls, write_calls = 10**9 - every.skip, 10**9 - writes.skip
        org.box.faults.clear()
        replanned = org.planned_next()
        settled = end_state.dump(org.store)
        roles = sorted(k for k, v in settled.fields.items()
                       if k[3] in ROLE_FIELDS and v and seeded.fields.get(k) != v)
        return Reference(seeded_file, seeded, settled, calls, write_calls, roles, replanned)
    finally:
        org.close()


def run_trial(ref: Reference, folder: Path, name: str,
              first: Callable[[Org], list[int]], *, wait: float = 0.0,
              edits: Mapping[FieldKey, Any] | None = None,
              expected: EndState | None = None) -> Trial:
    """`first` runs the faulted sync(s) and returns their exit codes; then reruns to exit
    0, one more sync, and the comparison."""
    start = time.monotonic()
    org = Org(ref.seeded_file, folder / name)
    try:
        codes = first(org)
        faults = org.box.faults.fired + sum(org.box.chaos.injected.values())
        org.box.faults.clear()
        org.box.chaos.configure(None)
        if wait:
            time.sleep(wait)  # answers still held by the sandbox land before the reruns
        more, converged = org.converge()
        # what the clean run's next sync also plans (issue 10 D10) is not the fault's doing
        replanned = max(0, org.planned_next() - ref.replanned) if converged else -1
        got = end_state.dump(org.store)
        diff = end_state.compare(ref.seeded, expected or ref.settled, got, edits)
        twins = len(diff.records & end_state.twins(org.state))
        return Trial(name, faults, codes + more, diff, end_state.pending_rows(org.state),
                     replanned, org.tracebacks(), converged, time.monotonic() - start, twins)
    finally:
        org.close()


def clean(ref: Reference, folder: Path, size: Size, seed: int) -> list[Trial]:
    return [run_trial(ref, folder, f"clean-{seed}", lambda org: [])]


def random_faults(ref: Reference, folder: Path, size: Size, seed: int) -> list[Trial]:
    trials = []
    for n in range(size.random_trials):
        def faulted(org: Org, n: int = n) -> list[int]:
            org.box.chaos.configure(ChaosSettings(rate=0.1, seed=seed * 1000 + n,
                                                  timeout_after=HELD))
            return [org.sync()]
        trials.append(run_trial(ref, folder, f"random-{seed}-{n}", faulted, wait=HELD))
    return trials


def write_loss(ref: Reference, folder: Path, size: Size, seed: int) -> list[Trial]:
    """30 % of the write answers lost; the retries (5 attempts) see every one through."""
    def lost(org: Org) -> list[int]:
        org.box.chaos.configure(ChaosSettings(rate=0.3, seed=seed, kinds=("drop_after",),
                                              writes_only=True, spare_creates=False))
        return [org.sync()]
    return [run_trial(ref, folder, f"write_loss-{seed}", lost)]


def write_loss_burst(ref: Reference, folder: Path, size: Size, seed: int) -> list[Trial]:
    """Every answer to the field updates lost, 5 times in a row: past the retries, so the
    run stops after the CRM applied the page."""
    def five_in_a_row(org: Org) -> list[int]:  # past the 5 attempts of the retry policy
        org.box.faults.add(Fault("salesforce", "PATCH", "/composite/sobjects",
                                 kind="drop_after", times=5))
        org.box.faults.add(Fault("hubspot", "POST", "/contacts/batch/update",
                                 kind="drop_after", times=5))
        return [org.sync()]

    return [run_trial(ref, folder, f"write_loss_burst-{seed}", five_in_a_row)]


def kill_points(total: int, count: int, rng: random.Random) -> list[int]:
    return sorted(rng.sample(range(1, total + 1), min(count, total)))


def kills(ref: Reference, folder: Path, size: Size, seed: int) -> list[Trial]:
    trials = []
    for point in kill_points(ref.calls, size.kills, random.Random(seed)):
        def killed(org: Org, point: int = point) -> list[int]:
            return [org.sync(started=lambda pid: org.box.faults.add(
                Fault(kind="kill", pid=pid, skip=point - 1)))]
        trials.append(run_trial(ref, folder, f"kill-{seed}-call{point}", killed))
    return trials


def kills_after_commit_point(ref: Reference, folder: Path, size: Size,
                             seed: int) -> list[Trial]:
    trials = []
    for point in range(1, ref.writes + 1, size.commit_step):
        def killed(org: Org, point: int = point) -> list[int]:
            return [org.sync(started=lambda pid: org.box.faults.add(
                Fault(kind="kill_after", pid=pid, skip=point - 1, writes=True)))]
        trials.append(run_trial(ref, folder, f"kill_commit-{seed}-write{point}", killed))
    return trials


def slow_creates(ref: Reference, folder: Path, size: Size, seed: int) -> list[Trial]:
    def held(org: Org) -> list[int]:
        org.box.faults.add(Fault("salesforce", "PATCH", "/composite/sobjects/Task/",
                                 kind="delay", delay=HELD))
        org.box.faults.add(Fault("hubspot", "POST", "/objects/tasks/batch/create",
                                 kind="delay", delay=HELD))
        return [org.sync()]
    return [run_trial(ref, folder, f"slow_create-{seed}", held, wait=HELD)]


def person_edits(ref: Reference, folder: Path, size: Size, seed: int) -> list[Trial]:
    """A person sets buying roles on records the run is about to write: the edit lands
    when the run's first field write reaches each CRM (after the run read the records)."""
    rng = random.Random(seed)
    chosen: dict[FieldKey, Any] = {}
    for system in ("salesforce", "hubspot"):
        candidates = [k for k in ref.role_writes if k[0] == system]
        for key in rng.sample(candidates, min(size.edits_per_crm, len(candidates))):
            written = ref.settled.fields[key]
            chosen[key] = "influencer" if written != "influencer" else "user"
    expected = settled_with_edits(ref, folder / f"edit-reference-{seed}", chosen)

    def edited(org: Org) -> list[int]:
        for system, method, path in (("salesforce", "PATCH", "/composite/sobjects"),
                                     ("hubspot", "POST", "/batch/update")):
            edits = [{"system": k[0], "type": k[1], "id": k[2], "fields": {k[3]: v}}
                     for k, v in chosen.items() if k[0] == system]
            org.box.faults.add(Fault(system, method, path, kind="edit", edits=edits))
        return [org.sync()]
    return [run_trial(ref, folder, f"edit-{seed}", edited, edits=chosen, expected=expected)]


def edit_and_kill(ref: Reference, folder: Path, size: Size, seed: int) -> list[Trial]:
    """A double fault: the person's edits land inside a CRM's first field write, and the
    sync is killed once that write is applied, between it and its history check."""
    rng = random.Random(seed * 7)
    trials = []
    for system, method, path in (("salesforce", "PATCH", "/composite/sobjects"),
                                 ("hubspot", "POST", "/batch/update")):
        candidates = [k for k in ref.role_writes if k[0] == system]
        chosen: dict[FieldKey, Any] = {
            key: "influencer" if ref.settled.fields[key] != "influencer" else "user"
            for key in rng.sample(candidates, min(size.edits_per_crm, len(candidates)))}
        name = f"edit_kill-{seed}-{system}"
        edits = [{"system": k[0], "type": k[1], "id": k[2], "fields": {k[3]: v}}
                 for k, v in chosen.items()]

        def edited(org: Org, kind: str, system: str = system, method: str = method,
                   path: str = path, edits: list[dict[str, Any]] = edits) -> list[int]:
            return [org.sync(started=lambda pid: org.box.faults.add(
                Fault(system, method, path, kind=kind, edits=edits, pid=pid)))]
        expected = unkilled(ref, folder / f"{name}-reference",
                            lambda org: edited(org, "edit"))
        trials.append(run_trial(ref, folder, name, lambda org: edited(org, "edit_kill_after"),
                                edits=chosen, expected=expected))
    return trials


def unkilled(ref: Reference, folder: Path, first: Callable[[Org], list[int]]) -> EndState:
    """Where the same faulted first sync ends when nothing kills it: the yardstick for a
    kill, which must change nothing."""
    org = Org(ref.seeded_file, folder)
    try:
        first(org)
        org.box.faults.clear()
        org.converge()
        org.planned_next()
        return end_state.dump(org.store)
    finally:
        org.close()


def settled_with_edits(ref: Reference, folder: Path,
                       edits: Mapping[FieldKey, Any]) -> EndState:
    """Where a clean run ends when the same edits come after it: the person's values kept,
    everything derived from them recomputed."""
    org = Org(ref.seeded_file, folder)
    try:
        org.converge()
        sandbox_chaos.apply_edits(org.store, [
            {"system": system, "type": type_, "id": id_, "fields": {name: value}}
            for (system, type_, id_, name), value in edits.items()], org.box.actors.person())
        org.converge()
        org.planned_next()
        return end_state.dump(org.store)
    finally:
        org.close()


RUNNERS: dict[str, Callable[[Reference, Path, Size, int], list[Trial]]] = {
    "clean": clean, "random": random_faults, "write_loss": write_loss,
    "write_loss_burst": write_loss_burst, "kill": kills,
    "kill_commit": kills_after_commit_point, "slow_create": slow_creates, "edit": person_edits,
    "edit_kill": edit_and_kill,
}


def run(size: Size, classes: Sequence[str], folder: Path,
        say: Callable[[str], None] = print) -> dict[str, ClassResult]:
    results = {name: ClassResult(name) for name in classes}
    for seed in size.seeds:
        seeded = seed_org(folder, seed, size.people)
        ref = reference(seeded, folder / f"reference-{seed}")
        say(f"seed {seed}: {size.people} people; a clean first sync makes {ref.calls} API "
            f"calls, {ref.writes} of them writes; the sync after it plans {ref.replanned} "
            "change(s)")
        for name in classes:
            for trial in RUNNERS[name](ref, folder, size, seed):
                results[name].trials.append(trial)
                say(f"  {trial.name:28} faults {trial.faults:3} exits {trial.exit_codes} "
                    f"{_nonzero(trial.diff.counts())} pending {trial.pending_left} "
                    f"replan {trial.replanned} ({trial.seconds:.0f} s)"
                    + (f"; {len(trial.diff.records)} record(s) differ, {trial.twin_records} "
                       "in both CRMs" if trial.diff.records else "")
                    + "".join(f"\n      {e}" for e in trial.diff.examples[:3]))
    return results


def _nonzero(counts: Mapping[str, int]) -> str:
    shown = {k: v for k, v in counts.items() if v}
    return ", ".join(f"{k} {v}" for k, v in shown.items()) or "same end state"


COLUMNS = ("trials", "faults", "trials_differing", "differing_fields", "differing_records",
           "of_them_twins", "lost_writes",
           "duplicate_task_keys", "open_twice", "missing_tasks", "extra_tasks",
           "task_differences", "person_edits_lost", "pending_left", "replans_more",
           "not_converged", "tracebacks")


def table(results: Mapping[str, ClassResult]) -> Iterable[str]:
    yield "| class | " + " | ".join(COLUMNS) + " |"
    yield "|---|" + "---|" * len(COLUMNS)
    for name, result in results.items():
        totals = result.totals()
        yield f"| {name} | " + " | ".join(str(totals.get(c, 0)) for c in COLUMNS) + " |"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true",
                        help="20 kill points x 2 seeds, 3 random trials, 200 people")
    parser.add_argument("--classes", default=",".join(CLASSES))
    parser.add_argument("--seeds", help="comma-separated org seeds (default 11; --full 11,12)")
    parser.add_argument("--people", type=int)
    parser.add_argument("--kills", type=int, help="kill points per seed (class kill)")
    parser.add_argument("--keep", type=Path, help="keep every trial's files in this folder")
    parser.add_argument("--json", action="store_true", help="also print totals as JSON")
    args = parser.parse_args(argv)
    size = Size(people=200, seeds=(11, 12), random_trials=3, kills=20, commit_step=1) \
        if args.full else Size()
    if args.seeds:
        size.seeds = tuple(int(s) for s in args.seeds.split(","))
    if args.people:
        size.people = args.people
    if args.kills:
        size.kills = args.kills
    classes = [c.strip() for c in args.classes.split(",") if c.strip()]
    unknown = set(classes) - set(CLASSES)
    if unknown:
        parser.error(f"unknown class(es) {', '.join(sorted(unknown))}; pick from "
                     f"{', '.join(CLASSES)}")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="leadpact-chaos-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        results = run(size, classes, folder)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print()
    for line in table(results):
        print(line)
    print(f"\n{time.monotonic() - started:.0f} s; seeds {list(size.seeds)}, "
          f"{size.people} people, read timeout {READ_TIMEOUT} s")
    if args.json:
        print(json.dumps({name: r.totals() for name, r in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
