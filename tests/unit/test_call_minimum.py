"""bench/call_minimum.py, the bar the benchmark holds calls to: rows per endpoint at each
API's maximum batch, and a Salesforce history row read twice counted once (history rows
never change, so the second read was not needed); other rows read again still count."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

SCRIPT = Path(__file__).parents[2] / "bench" / "call_minimum.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("call_minimum_under_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page(ids: range) -> dict[str, Any]:
    return {"records": [{"Id": f"r{i}"} for i in ids], "done": True}


def test_given_history_rows_read_twice_then_the_minimum_counts_them_once() -> None:
    tally = load().Tally()
    path = "/services/data/v59.0/query/"
    for answer in (page(range(0, 1500)), page(range(1000, 2500))):
        tally.add("salesforce", "reads", "SOQL ContactHistory by ContactId", "GET", path,
                  b"", answer)
        tally.add("salesforce", "reads", "SOQL Contact by Id", "GET", path, b"", answer)
    history = ("salesforce", "reads", "SOQL ContactHistory by ContactId")
    assert tally.units[history] == 2500  # 3,000 rows moved, 2,500 distinct
    assert tally.minimum_of(history) == 2
    assert tally.units[("salesforce", "reads", "SOQL Contact by Id")] == 3000
    assert tally.minimum("salesforce", "reads") == 2 + 2
    tally.clear()
    tally.add("salesforce", "reads", "SOQL ContactHistory by ContactId", "GET", path, b"",
              page(range(0, 10)))
    assert tally.units[history] == 10  # a new run: nothing read before
