"""The modules that decide read values and return values: none of them imports the state
store or the run, directly or through another first-party module, so every rule can be
table-tested without SQLite (the read model: leadpact/known.py)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).parents[2]
# Installed names of the top folders (pyproject package-dir).
FOLDERS = {"leadpact.connectors": ROOT / "connectors", "leadpact.enrichment": ROOT / "enrichment",
           "leadpact.rules": ROOT / "rules", "leadpact": ROOT / "leadpact"}
DECIDING = (
    "leadpact.judging", "leadpact.planner", "leadpact.plan", "leadpact.identity",
    "leadpact.lead_facts", "leadpact.sales_ready", "leadpact.task_lifecycle",
    "leadpact.verdicts", "leadpact.lead_by_time", "leadpact.account_verdicts",
    "leadpact.known", "leadpact.updates", "leadpact.changes", "leadpact.model",
    "leadpact.enrichment.*", "leadpact.rules.*",
)
# The store, the run and the modules that load or record state for them.
EDGE = ("leadpact.state", "leadpact.pipeline", "leadpact.known_load", "leadpact.commit",
        "leadpact.time_moves", "leadpact.account_summary", "sqlite3")


def source_of(module: str) -> Path | None:
    for package, folder in FOLDERS.items():
        if module == package or module.startswith(package + "."):
            rest = module[len(package):].lstrip(".").split(".") if module != package else []
            path = folder.joinpath(*rest)
            if path.with_suffix(".py").is_file():
                return path.with_suffix(".py")
            if (path / "__init__.py").is_file():
                return path / "__init__.py"
            return None
    return None


@cache
def imports_of(path: Path) -> tuple[str, ...]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
            # `from leadpact import judging` names a module too
            found += [f"{node.module}.{alias.name}" for alias in node.names
                      if source_of(f"{node.module}.{alias.name}") is not None]
    return tuple(found)


def deciding_modules() -> list[str]:
    names = []
    for pattern in DECIDING:
        if pattern.endswith(".*"):
            package = pattern[:-2]
            folder = FOLDERS[package]
            names += [f"{package}.{p.stem}" for p in sorted(folder.glob("*.py"))
                      if p.stem != "__init__"]
        else:
            names.append(pattern)
    return names


def path_to_edge(start: str) -> list[str] | None:
    """The chain of first-party imports from `start` to an edge module, if there is one."""
    seen, todo = {start}, [[start]]
    while todo:
        chain = todo.pop()
        path = source_of(chain[-1])
        if path is None:
            continue
        for name in imports_of(path):
            if any(name == e or name.startswith(e + ".") for e in EDGE):
                return [*chain, name]
            if name not in seen and source_of(name) is not None:
                seen.add(name)
                todo.append([*chain, name])
    return None


def test_no_deciding_module_reaches_the_store_or_the_run() -> None:
    modules = deciding_modules()
    assert len(modules) > 30  # the enrichment and rules folders are looked at too
    assert all(source_of(m) is not None for m in modules)
    wrong = {m: " -> ".join(chain) for m in modules if (chain := path_to_edge(m))}
    assert wrong == {}


def test_the_check_follows_imports_through_other_modules(tmp_path: Path) -> None:
    # judging reaches the edge if it imported the pipeline; the pipeline imports the store
    assert path_to_edge("leadpact.pipeline") == ["leadpact.pipeline", "leadpact.commit"]
    assert path_to_edge("leadpact.known_load") == ["leadpact.known_load", "leadpact.state"]
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlite3\nfrom leadpact import judging\n")
    assert imports_of(bad) == ("sqlite3", "leadpact", "leadpact.judging")


# CRM spellings of buying roles belong to the connectors' mappings (connectors/roles.py).
CRM_SPELLINGS = ("hs_buying_role", "contact_role:", "BUDGET_HOLDER", "END_USER",
                 "Economic Buyer", "Business User", "OpportunityContactRole")


def crm_spellings_in(path: Path) -> list[str]:
    """String constants in code (not comments or docstrings) naming a CRM's role fields."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [f"{path.name}:{node.lineno} {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and any(s in node.value for s in CRM_SPELLINGS)]


def test_the_core_names_no_crm_role_field_or_value() -> None:
    core = [p for folder in ("leadpact", "enrichment", "rules")
            for p in sorted((ROOT / folder).glob("*.py"))]
    assert len(core) > 80
    assert [hit for path in core for hit in crm_spellings_in(path)] == []


def test_the_spelling_check_sees_code_but_not_prose(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""Writes hs_buying_role."""\n# contact_role: a comment\n'
                      'FIELD = "hs_buying_role"\n')
    assert crm_spellings_in(module) == ["m.py:3 'hs_buying_role'"]
