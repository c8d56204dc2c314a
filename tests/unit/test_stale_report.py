"""`leadpact report stale`, pure part: grouping, totals, sorting, days silent, output shapes."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from rich.console import Console

from leadpact.model import Ref
from leadpact.stale_report import OpenDeal, days_silent, stale_report
from leadpact.stale_report_output import CSV_COLUMNS, print_report, report_csv, report_dict

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def open_deal(id_: str, owner: str | None, amount: float | None = 1000.0, stale: bool = True,
              system: str = "salesforce", **verdict: Any) -> OpenDeal:
    snapshot = {"name": f"Deal {id_}", "stage": "Proposal", "amount": amount,
                "owner_id": owner, "close_date": "2026-10-31"}
    summary = {"stale": stale, "reasons": "buyer silent 30 days; close date pushed 3 times",
               "score": 0.8, "days_buyer_silent": 30,
               "last_buyer_activity_at": "2026-10-21T12:00:00+00:00", **verdict}
    return Ref(system, "deal", id_), snapshot, summary


def test_given_deals_of_two_owners_then_grouped_with_value_at_risk_and_open_counts() -> None:
    report = stale_report([
        open_deal("a1", "ann", 5000), open_deal("a2", "ann", 2000, stale=False),
        open_deal("b1", "bob", 3000), open_deal("b2", "bob", 4000),
        open_deal("c1", "cyd", 9000, stale=False),
    ], AS_OF)
    by_owner = {o.owner_id: o for o in report.owners}
    assert (by_owner["ann"].open_deals, len(by_owner["ann"].deals)) == (2, 1)
    assert by_owner["ann"].value_at_risk == 5000
    assert by_owner["bob"].value_at_risk == 7000
    assert (by_owner["cyd"].open_deals, by_owner["cyd"].deals) == (1, ())
    assert (report.open_deals, report.stale_deals, report.value_at_risk) == (5, 3, 12000)


def test_given_owners_then_sorted_by_value_at_risk_descending_and_deals_by_amount() -> None:
    report = stale_report([
        open_deal("a1", "ann", 5000), open_deal("b1", "bob", 3000),
        open_deal("b2", "bob", 4000), open_deal("z1", "zed", 0, stale=False),
    ], AS_OF)
    assert [o.owner_id for o in report.owners] == ["bob", "ann", "zed"]
    assert [d.ref.id for d in report.owners[0].deals] == ["b2", "b1"]


def test_given_equal_value_at_risk_then_more_stale_deals_first_then_owner_id() -> None:
    report = stale_report([open_deal("c1", "cyd", 1000), open_deal("a1", "ann", 500),
                           open_deal("a2", "ann", 500), open_deal("b1", "bob", 1000)], AS_OF)
    assert [o.owner_id for o in report.owners] == ["ann", "bob", "cyd"]


def test_given_no_owner_or_no_amount_then_own_group_and_counted_apart() -> None:
    report = stale_report([open_deal("n1", None, None), open_deal("n2", None, 700),
                           open_deal("a1", "ann", 700), open_deal("a2", "ann", None)], AS_OF)
    [nobody] = [o for o in report.owners if o.owner_id is None]
    assert (nobody.value_at_risk, nobody.stale_without_amount) == (700, 1)
    assert [d.ref.id for d in nobody.deals] == ["n2", "n1"]  # unknown amount last
    assert report.owners[-1].owner_id is None  # at equal value and count, named owners first
    assert report.stale_without_amount == 2


def test_given_an_owner_filter_then_only_that_owners_deals() -> None:
    report = stale_report([open_deal("a1", "ann"), open_deal("b1", "bob")], AS_OF, owner="bob")
    assert [o.owner_id for o in report.owners] == ["bob"]
    assert (report.open_deals, report.owner_filter) == (1, "bob")


def test_given_older_state_without_keys_then_unknown_values_not_errors() -> None:
    old: OpenDeal = (Ref("hubspot", "deal", "9"), {"amount": "1200.50"}, {"stale": True})
    unjudged: OpenDeal = (Ref("hubspot", "deal", "10"), {}, None)
    report = stale_report([old, unjudged], AS_OF)
    [owner] = report.owners
    [deal] = owner.deals
    assert (owner.owner_id, owner.open_deals, owner.value_at_risk) == (None, 2, 1200.5)
    assert (deal.name, deal.stage, deal.score, deal.reasons, deal.days_buyer_silent) == (
        "9", None, None, (), None)


def test_given_a_truthy_but_not_true_stale_flag_then_not_counted_stale() -> None:
    report = stale_report([open_deal("a1", "ann", stale="no")], AS_OF)  # type: ignore[arg-type]
    assert report.stale_deals == 0


@pytest.mark.parametrize(("last", "stored", "as_of", "expected"), [
    ("2026-10-21T12:00:00+00:00", 5, AS_OF, 30),  # the timestamp wins over the stored days
    ("2026-10-21T12:00:01+00:00", None, AS_OF, 29),  # whole days only
    ("2026-10-21T14:00:00+02:00", None, AS_OF, 30),  # the same moment in another zone
    ("2026-10-21T12:00:00Z", None, AS_OF, 30),
    ("2026-10-21T12:00:00", None, AS_OF, 30),  # no zone: UTC
    ("2026-11-20T12:00:00+00:00", None, AS_OF, 0),  # exactly now
    ("2026-11-21T00:00:00+00:00", None, AS_OF, None),  # as-of before the activity
    (None, 12, AS_OF, 12),  # older state: the days the sync stored
    (None, None, AS_OF, None),  # no buyer activity known at all
    ("not a date", 3, AS_OF, None),
])
def test_days_buyer_silent_as_of_a_moment(last: str | None, stored: int | None,
                                          as_of: datetime, expected: int | None) -> None:
    assert days_silent(last, stored, as_of) == expected


def test_given_an_earlier_as_of_then_fewer_days_silent_and_verdicts_unchanged() -> None:
    earlier = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    [deal] = stale_report([open_deal("a1", "ann")], earlier).owners[0].deals
    assert (deal.days_buyer_silent, deal.score) == (11, 0.8)


def test_json_document_shape() -> None:
    report = stale_report([open_deal("a1", "ann", 5000), open_deal("a2", "ann", stale=False)],
                          AS_OF)
    data = json.loads(json.dumps(report_dict(report)))
    assert data["as_of"] == "2026-11-20T12:00:00+00:00" and data["owner"] is None
    assert data["total"] == {"open_deals": 2, "stale_deals": 1, "value_at_risk": 5000.0,
                             "stale_without_amount": 0}
    [owner] = data["owners"]
    assert (owner["owner_id"], owner["open_deals"], owner["stale_deals"]) == ("ann", 2, 1)
    assert owner["deals"] == [{
        "deal": "salesforce:deal:a1", "system": "salesforce", "name": "Deal a1",
        "stage": "Proposal", "amount": 5000.0, "close_date": "2026-10-31",
        "days_buyer_silent": 30, "last_buyer_activity_at": "2026-10-21T12:00:00+00:00",
        "score": 0.8, "reasons": ["buyer silent 30 days", "close date pushed 3 times"]}]


def test_csv_has_a_header_and_one_row_per_stale_deal() -> None:
    report = stale_report([open_deal("a1", "ann", 5000), open_deal("a2", "ann", stale=False),
                           open_deal("7", None, None, system="hubspot",
                                     reasons='said "no", politely')], AS_OF)
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 3
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert (first["owner_id"], first["deal"], first["amount"], first["days_buyer_silent"],
            first["score"]) == ("ann", "salesforce:deal:a1", "5000", "30", "0.8")
    assert first["reasons"] == "buyer silent 30 days; close date pushed 3 times"
    second = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert (second["owner_id"], second["amount"], second["reasons"]) == (
        "", "", 'said "no", politely')


def test_given_no_stale_deal_then_csv_is_only_the_header() -> None:
    report = stale_report([open_deal("a1", "ann", stale=False)], AS_OF)
    assert report_csv(report) == ",".join(CSV_COLUMNS) + "\n"


def test_text_table_names_owners_deals_and_totals() -> None:
    console = Console(record=True, width=160)
    print_report(console, stale_report([open_deal("a1", "ann", 5000),
                                        open_deal("b1", "bob", 1234.5)], AS_OF))
    text = console.export_text()
    assert "Stale deals as of 2026-11-20 12:00 UTC" in text
    assert "ann: 1 stale of 1 open, 5,000 at risk" in text
    assert "1,234.50" in text and "6,234.50" in text
    assert "Deal a1" in text and "30 d" in text and "close date pushed 3 times" in text


def test_text_says_so_when_nothing_is_stale() -> None:
    console = Console(record=True, width=120)
    print_report(console, stale_report([open_deal("a1", "ann", stale=False)], AS_OF, "ann"))
    assert "No stale open deals for owner ann." in console.export_text()


def test_given_owner_names_then_each_owner_carries_its_name_per_crm() -> None:
    names = {("salesforce", "005A"): "Ann Ames", ("hubspot", "77"): "Rae Patel"}
    report = stale_report([open_deal("a1", "005A"), open_deal("h1", "77", system="hubspot"),
                           open_deal("s1", "77"), open_deal("x1", "005X")], AS_OF,
                          owner_names=names)
    by_owner = {o.owner_id: o.owner_name for o in report.owners}
    assert by_owner == {"005A": "Ann Ames", "77": "Rae Patel", "005X": None}
    assert report_dict(report)["owners"][0]["owner_name"] is not None
    assert CSV_COLUMNS[:2] == ("owner_id", "owner_name")
    only = stale_report([open_deal("a1", "005A"), open_deal("x1", "005X")], AS_OF,
                        owner="ANN AMES", owner_names=names)
    assert [o.owner_id for o in only.owners] == ["005A"]
