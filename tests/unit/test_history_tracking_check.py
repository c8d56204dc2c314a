"""`leadpact check` asks Salesforce once, for every object leadpact writes, which of its
fields keep history, and names leadpact's fields that do not. The history read after each
page's writes starts no earlier than the previous check's answer (less a margin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from leadpact.connectors.salesforce.field_history import (
    CHECKED_MARGIN,
    full_pages,
    untracked,
    window_start,
)
from leadpact.crm_schema import HISTORY_SOBJECTS, salesforce_fields

TRACKED = [(f.sobject, f.name) for f in salesforce_fields()
           if f.sobject in HISTORY_SOBJECTS and f.track_history]


def answer(tracked: set[tuple[str, str]]) -> list[dict[str, Any]]:
    """FieldDefinition rows as Salesforce returns them: the object as a nested parent."""
    return [{"EntityDefinition": {"QualifiedApiName": sobject}, "QualifiedApiName": name,
             "IsFieldHistoryTracked": (sobject, name) in tracked}
            for sobject, name in TRACKED]


def test_given_one_field_untracked_then_one_query_names_it() -> None:
    asked: list[str] = []
    off = TRACKED[-1]

    def query(soql: str, include_deleted: bool, what: str) -> list[dict[str, Any]]:
        asked.append(soql)
        return answer(set(TRACKED) - {off})

    problem = untracked(query)
    assert len(asked) == 1
    assert all(f"'{sobject}'" in asked[0] for sobject in HISTORY_SOBJECTS)
    assert problem is not None and problem.advisory
    assert f"{off[0]}.{off[1]}" in problem.what
    assert f"{TRACKED[0][0]}.{TRACKED[0][1]}" not in problem.what


def test_given_every_field_tracked_then_no_problem() -> None:
    assert untracked(lambda soql, deleted, what: answer(set(TRACKED))) is None


def test_given_an_earlier_check_then_the_history_window_starts_at_it_less_the_margin() -> None:
    read = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)
    checked = read + timedelta(minutes=3)
    assert window_start(read, checked) == checked - CHECKED_MARGIN
    assert window_start(read, read - timedelta(minutes=1)) == read  # the re-read is later
    assert window_start(read, None) == read  # no check yet this run
    assert window_start(None, checked) is None  # no re-read: the whole history


def test_given_ten_writes_per_record_then_history_lists_fill_whole_pages() -> None:
    expected = {f"003{n:04}": 10 for n in range(1708)}
    lists = full_pages(expected)
    assert [len(ids) for ids in lists] == [400, 400, 400, 400, 108]  # 2 pages each
    assert [i for ids in lists for i in ids] == list(expected)


def test_given_few_rows_then_one_list_takes_up_to_450_records() -> None:
    assert [len(ids) for ids in full_pages({f"a{n}": 1 for n in range(1000)})] == \
        [450, 450, 100]
    assert [len(ids) for ids in full_pages({"big": 5000, "small": 1})] == [2]  # the rest
