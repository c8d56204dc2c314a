"""The sandbox is a stand-in for two CRMs, not part of the product: it imports nothing
from leadpact's own code, so a product bug (a wrong field name, say) cannot be mirrored
by the fake and pass unnoticed."""

from __future__ import annotations

import ast
from pathlib import Path

SANDBOX = Path(__file__).parents[2] / "connectors" / "sandbox"
OWN = "leadpact.connectors.sandbox"


def first_party_imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved inside the sandbox package only if shallow
                found.append((node.lineno, "." * node.level + (node.module or "")))
            elif node.module:
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found
            if name.split(".")[0] in ("leadpact", "connectors", "enrichment", "rules")
            or name.startswith("..")]


def test_the_sandbox_imports_only_itself_from_the_project() -> None:
    modules = sorted(SANDBOX.glob("*.py"))
    assert len(modules) > 20  # the whole package is looked at, not an empty glob
    wrong = [f"{p.name}:{line} imports {name}" for p in modules
             for line, name in first_party_imports(p)
             if not (name == OWN or name.startswith(OWN + "."))]
    assert wrong == []


def test_the_check_catches_a_product_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from leadpact.fields import FIELDS\n"
                      "import leadpact.connectors.sandbox.store\n")
    assert first_party_imports(module) == [(1, "leadpact.fields"),
                                           (2, "leadpact.connectors.sandbox.store")]
