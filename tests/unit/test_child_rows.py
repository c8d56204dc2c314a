"""The run's child rows kept in a temporary SQLite file: looked up by parent, in the order
they were read, past the size of one lookup statement."""

from __future__ import annotations

from leadpact.connectors.salesforce.child_rows import ChildRows


def test_given_rows_of_many_parents_when_looking_up_a_page_then_theirs_in_read_order() -> None:
    rows = ChildRows()
    try:
        rows.add("task", ((f"p{n % 700}", {"Id": f"t{n}", "n": n}) for n in range(2100)))
        rows.add("event", [("p1", {"Id": "e1"}), ("", {"Id": "orphan"})])
        wanted = [f"p{n}" for n in range(0, 700, 2)] + ["p1", "unknown"]
        found = rows.of("task", wanted)
        assert rows.rows == 2101  # the row without a parent is not kept
        assert [r["n"] for r in found] == [n for n in range(2100)
                                           if n % 700 % 2 == 0 or n % 700 == 1]
        assert rows.of("event", ["p1", "p2"]) == [{"Id": "e1"}]
        assert rows.of("response", ["p1"]) == []
    finally:
        rows.close()
