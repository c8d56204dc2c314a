"""The page a Salesforce change read just yielded is written without reading its values
again, once `check` found history kept for leadpact's fields (connectors/salesforce/
just_read.py): a person's edit landing between that read and the write is found in the
field history and put back. Without that check the values are read again before writing,
which keeps the edit from being written over at all."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from leadpact.connectors.base import Connector
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.model import Ref
from leadpact.pipeline import run_sync
from leadpact.rules.engine import load_rules
from leadpact.state import State
from tests.contract.orgs import SalesforceFace
from tests.sf_builders import ManualClock
from tests.unit.test_pipeline import classify

RULES = load_rules(None)


@pytest.fixture
def org(sandbox: Sandbox) -> SalesforceFace:
    return SalesforceFace(sandbox, ManualClock())


def sync_with_edit_before_writing(org: SalesforceFace, crm: Connector, ann: Ref,
                                  checked: bool) -> tuple[int, int]:
    """A first sync; right before its first write (after the page was read), `check` runs
    when `checked`, then a person sets Ann's role. (manual values kept, values re-read)"""
    re_reads: list[str] = []
    query: Callable[..., object] = crm._query  # type: ignore[attr-defined]

    def counting(soql: str, include_deleted: bool, what: str) -> object:
        if what.startswith("re-reading Contact values"):
            re_reads.append(soql)
        return query(soql, include_deleted, what)

    crm._query = counting  # type: ignore[attr-defined]

    def edit() -> None:
        if checked:
            assert crm.check() == []  # type: ignore[attr-defined]
        org.set_field(ann, "role", "influencer")

    summary, _ = run_sync([crm], State(":memory:"), RULES, classify, org.clock.now,
                          before_first_write=edit)
    return summary.systems["salesforce"].manual_values_kept, len(re_reads)


def test_given_history_is_kept_then_the_page_is_not_read_again_and_an_edit_is_put_back(
        org: SalesforceFace) -> None:
    ann = org.person("CFO", "ann@acme.example")
    kept, re_reads = sync_with_edit_before_writing(org, org.connector(), ann, checked=True)
    assert re_reads == 0
    assert org.field(ann, "role") == "influencer"
    assert org.field(ann, "seniority") == "c_level"  # the rest of the write stands
    assert kept >= 1


def test_given_history_not_checked_then_the_page_is_read_again_before_writing(
        org: SalesforceFace) -> None:
    ann = org.person("CFO", "ann@acme.example")
    kept, re_reads = sync_with_edit_before_writing(org, org.connector(), ann, checked=False)
    assert re_reads == 1
    assert org.field(ann, "role") == "influencer"
    assert kept >= 1
