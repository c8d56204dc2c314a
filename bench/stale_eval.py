"""Score leadpact's stale-deal flags on a labelled org.

    python bench/stale_eval.py [--org DIR] [--flags OUT.json] [--scorer PATH]

DIR holds `org.fixture.json` (a sandbox fixture of a two-CRM org) and `labels.json` (its
`now` and, per open deal, dead or alive); default ../shared/data/stale_dev. The script
loads the fixture into a fresh sandbox, serves it over HTTP, runs one sync *as of* the
labels' `now` with the shipped rules, reads the `leadpact_stale` flags back from the
sandbox (what a rep would see in the CRM), and prints precision, recall and F1 — with the
shared scorer (`../shared/tools/stale_score.py`) when it is there, else its own count.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from leadpact.connect import connectors_for, title_classifier
from leadpact.connectors.sandbox.fixture import load_fixture
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.connectors.sandbox.store import Store
from leadpact.demo import sandbox_config
from leadpact.fields import BY_NAME
from leadpact.pipeline import run_sync
from leadpact.rules.engine import load_rules
from leadpact.state import State

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"


def flags_from_sandbox(store: Store) -> dict[str, bool]:
    """{"salesforce:<Id>" | "hubspot:<id>": flagged} for every open deal in the sandbox."""
    spec = BY_NAME["stale"]
    flags = {}
    for row in store.scan("salesforce", "Opportunity"):
        if not row.fields.get("IsClosed"):
            flags[f"salesforce:{row.id}"] = row.fields.get(spec.salesforce) == "yes"
    for row in store.scan("hubspot", "deals"):
        if row.fields.get("hs_is_closed") != "true":
            flags[f"hubspot:{row.id}"] = row.fields.get(spec.hubspot) == "yes"
    return flags


def score(labels: dict[str, str], flags: dict[str, bool]) -> dict[str, Any]:
    flagged = {ref for ref, on in flags.items() if on}
    tp = sum(1 for ref, label in labels.items() if label == "dead" and ref in flagged)
    fp = sum(1 for ref, label in labels.items() if label == "alive" and ref in flagged)
    fn = sum(1 for ref, label in labels.items() if label == "dead" and ref not in flagged)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def evaluate(org: Path, workdir: Path) -> tuple[dict[str, bool], dict[str, Any]]:
    labels = json.loads((org / "labels.json").read_text("utf-8"))
    now = datetime.fromisoformat(labels["now"].replace("Z", "+00:00"))
    store = Store(workdir / "sandbox.sqlite3")
    load_fixture(store, org / "org.fixture.json")
    box = Sandbox(store)
    box.serve(0)
    try:
        state = State(workdir / "state.sqlite3")
        try:
            rules = load_rules(None)
            started = time.perf_counter()
            summary, _ = run_sync(connectors_for(sandbox_config(box.url, workdir / "state.sqlite3"),
                                                 now),
                                  state, rules, title_classifier(rules), now)
            seconds = time.perf_counter() - started
        finally:
            state.close()
    finally:
        box.stop()
    flags = flags_from_sandbox(store)
    info = {"now": labels["now"], "sync_seconds": round(seconds, 1), "status": summary.status,
            **score(labels["open_deals"], flags)}
    return flags, info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", type=Path, default=SHARED / "data" / "stale_dev")
    parser.add_argument("--flags", type=Path, help="write the flags here as JSON")
    parser.add_argument("--scorer", type=Path, default=SHARED / "tools" / "stale_score.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        flags, info = evaluate(args.org, Path(tmp))
        out = args.flags or Path(tmp) / "flags.json"
        out.write_text(json.dumps(flags, indent=1, sort_keys=True), "utf-8")
        print(f"synced as of {info['now']} in {info['sync_seconds']} s ({info['status']})")
        if args.scorer.exists():
            done = subprocess.run([sys.executable, str(args.scorer),
                                   str(args.org / "labels.json"), str(out)], check=False)
            return done.returncode
        print(f"precision {info['precision']:.3f}  recall {info['recall']:.3f}  "
              f"F1 {info['f1']:.3f}  (tp {info['tp']} fp {info['fp']} fn {info['fn']})")
        print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
