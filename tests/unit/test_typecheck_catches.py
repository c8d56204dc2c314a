"""mypy, as CI runs it (.ci/typecheck's tree, pyproject's settings), must reject code that
misuses the typed vocabulary and the state's rows: if a change let `Any` leak out of
State again, or loosened the settings, these misuses would pass and this test fails."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]

# Each misuse line ends with `# expect: <mypy error code>`; every other line must pass.
MISUSE = '''\
from __future__ import annotations

from leadpact.connectors.roles import VOCABULARIES
from leadpact.enrichment.labels import BuyingRole, Function
from leadpact.known import Known
from leadpact.model import DEAL, Ref, System
from leadpact.state import State


def fine(state: State) -> str:
    ref = Ref(System.SALESFORCE, DEAL, "006A")
    row = state.deal(ref)
    roles: list[BuyingRole] = list(row.verdict.missing) if row and row.verdict else []
    started = state.runs()[0].started_at.isoformat()
    return f"{row.deal.stage if row else ''} {roles} {started}"


def stray_string_for_a_system() -> Ref:
    return Ref("salesforce", DEAL, "006A")  # expect: arg-type


def snapshot_read_as_a_dict(state: State) -> object:
    row = state.deal(Ref(System.HUBSPOT, DEAL, "901"))
    return row.deal["amount"] if row else None  # expect: index


def run_time_used_as_a_number(state: State) -> object:
    return state.runs()[0].started_at + 1  # expect: operator


def verdict_read_as_a_dict(state: State, ref: Ref) -> object:
    known = state.person(ref)
    return known.verdict.get("role") if known and known.verdict else None  # expect: attr-defined


def ledger_row_field_misspelt(state: State) -> object:
    rows = state.ledger_of_fields_written_by_each(["r1"])
    return [row.new_value for row in rows]  # expect: attr-defined


def read_model_deal_read_as_a_snapshot(known: Known, ref: Ref) -> object:
    found = known.deal(ref)
    return found.snapshot if found else None  # expect: attr-defined


def crm_role_asked_with_stray_strings() -> str | None:
    hubspot = VOCABULARIES[System.HUBSPOT]
    fine = hubspot.person_role(BuyingRole.BLOCKER, Function.LEGAL)
    return fine or hubspot.person_role("blocker", Function.LEGAL)  # expect: arg-type


def bare_generic(rows: dict) -> int:  # expect: type-arg
    return len(rows)
'''


def load_typecheck() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("ci_typecheck", str(ROOT / ".ci" / "typecheck"))
    spec = importlib.util.spec_from_loader("ci_typecheck", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_given_misuses_of_state_rows_and_enums_then_mypy_reports_each_and_only_them(
        tmp_path: Path) -> None:
    tree = tmp_path / "typed"
    load_typecheck().link_tree(tree)
    (tree / "leadpact" / "_misuse.py").write_text(MISUSE, "utf-8")
    expected = set()
    for number, line in enumerate(MISUSE.splitlines(), start=1):
        marked = re.search(r"# expect: ([\w-]+)$", line)
        if marked:
            expected.add((number, marked[1]))

    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / "cache"), "leadpact/_misuse.py"],
        cwd=tree, capture_output=True, text=True, timeout=300)

    reported = {(int(m[1]), m[2]) for m in re.finditer(
        r"^leadpact/_misuse\.py:(\d+): error: .*\[([\w-]+)\]$", done.stdout, re.MULTILINE)}
    assert reported == expected, done.stdout
    assert done.returncode == 1
