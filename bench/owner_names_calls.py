"""What learning deal owners' names costs per CRM: API calls for a first lookup of every
owner id a demo org's deals have, then for a sync where every owner is known. The sandbox
on loopback, no network. Prints figures; asserts nothing.

    .venv/bin/python bench/owner_names_calls.py [PEOPLE]
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from leadpact.connect import connectors_for
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.connectors.sandbox.store import Store
from leadpact.demo import run_demo, sandbox_config
from leadpact.owner_names import learn_owner_names
from leadpact.state import State


def main(people: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        run_demo(work, people=people, seed=7, now=datetime.now(UTC))  # two syncs
        store = Store(work / "sandbox.sqlite3")
        box = Sandbox(store)
        state = State(work / "state.sqlite3")
        try:
            connectors = connectors_for(sandbox_config(box.serve(0), work / "state.sqlite3"),
                                        datetime.now(UTC))
            for system in ("salesforce", "hubspot"):
                named = len(state.known_owner_ids(system))
                print(f"{system}: {len(state.deal_owner_ids(system))} deal owner ids, "
                      f"{named} looked up by the demo's syncs")
            known = {s: state.known_owner_ids(s) for s in ("salesforce", "hubspot")}
            for system, ids in known.items():  # forget them: as before any sync
                for owner in ids:
                    state.forget_owner(system, owner)
            for label in ("first lookup (no owner known)", "next sync (all known)"):
                before = {c.system: c.api_calls for c in connectors}
                learnt = learn_owner_names(connectors, state)
                calls = {c.system: c.api_calls - before[c.system] for c in connectors}
                print(f"{label}: " + ", ".join(
                    f"{s} {calls[s]} call(s), {learnt.get(s, 0)} name(s)" for s in calls))
        finally:
            state.close()
            box.stop()
            store.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
