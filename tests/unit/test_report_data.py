"""The HTML report's figures, computed from state values: table tests, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from leadpact.history import RunRecord
from leadpact.html_report import render_html
from leadpact.model import Ref
from leadpact.report_data import (
    NO_STAGE,
    ReportInputs,
    RoleCoverage,
    committee_summary,
    leads_per_stage,
    report_data,
)
from leadpact.svg_chart import Series, bar_chart

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def deal(contacts: list[list[str | None]], flags: list[str], owner: str | None = None,
         amount: float | None = None, stale: bool = False) -> tuple:  # type: ignore[type-arg]
    return (Ref("hubspot", "deal", str(len(contacts)) + "".join(flags)),
            {"name": "d", "contacts": contacts, "owner_id": owner, "amount": amount},
            {"stale": stale, "flags": flags, "reasons": "silent" if stale else ""})


@pytest.mark.parametrize(("deals", "roles", "expected", "single", "user_only"), [
    ([], {}, [], 0, 0),
    # our judged role counts as present; the sync's `no_` flags count as missing
    ([deal([["hubspot:contact:1", None, None]], ["single_threaded", "no_economic_buyer"])],
     {"hubspot:contact:1": "user"},
     [RoleCoverage("economic_buyer", 0, 1), RoleCoverage("user", 1, 0)], 1, 0),
    # a role a rep recorded on the deal beats our guess; unknown is not a role present
    ([deal([["salesforce:contact:1", "Economic Buyer", "r1"],
            ["salesforce:contact:2", None, "r2"]], ["user_only_engagement"])],
     {"salesforce:contact:1": "user", "salesforce:contact:2": "unknown"},
     [RoleCoverage("economic_buyer", 1, 0)], 0, 1),
    # two contacts in one role count the deal once
    ([deal([["hubspot:contact:1", None, None], ["hubspot:contact:2", None, None]],
           ["no_decision_maker"])],
     {"hubspot:contact:1": "user", "hubspot:contact:2": "user"},
     [RoleCoverage("decision_maker", 0, 1), RoleCoverage("user", 1, 0)], 0, 0),
])
def test_given_open_deals_when_summarising_committees_then_present_and_missing_per_role(
        deals: list, roles: dict, expected: list, single: int, user_only: int) -> None:  # type: ignore[type-arg]
    found = committee_summary(deals, roles)
    assert list(found.roles) == expected
    assert (found.open_deals, found.single_threaded, found.user_only) == (
        len(deals), single, user_only)


def test_given_people_when_counting_stages_then_per_crm_most_populated_first() -> None:
    stages = leads_per_stage({"hubspot:contact:1": "nurture", "salesforce:lead:1": "nurture",
                              "salesforce:lead:2": "sales_ready", "hubspot:contact:2": None,
                              "hubspot:contact:3": "nurture"})
    assert stages == {"nurture": {"hubspot": 2, "salesforce": 1},
                      NO_STAGE: {"hubspot": 1}, "sales_ready": {"salesforce": 1}}


def bars(page: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []

    class Bars(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = {k: v or "" for k, v in attrs}
            if tag == "rect" and values.get("class") == "bar":
                found.append(values)

    Bars().feed(page)
    return found


def test_given_series_when_charting_then_one_bar_per_value_with_its_figure() -> None:
    svg = bar_chart("c", "t", ["a", "b <x>"], [Series("s1", [3, 0]), Series("s2", [1.5, 6])])
    assert [(b["data-category"], b["data-series"], b["data-value"]) for b in bars(svg)] == [
        ("a", "s1", "3"), ("a", "s2", "1.50"), ("b <x>", "s1", "0"), ("b <x>", "s2", "6")]
    widths = [float(b["width"]) for b in bars(svg)]
    assert widths[3] == max(widths) and widths[2] == 0  # scaled to the largest value


def test_given_an_empty_state_when_rendering_then_the_page_says_nothing_to_show() -> None:
    page = render_html(report_data(ReportInputs((), (), {}, {}), NOW))
    assert bars(page) == [] and "nothing to show yet" in page


def test_given_runs_when_rendering_then_each_run_metric_per_crm_is_a_bar() -> None:
    run = RunRecord("20261201T0900-abc123", "sync", "ok", "2026-12-01T09:00:00+00:00",
                    "2026-12-01T09:01:00+00:00", "2026.11.1", None, None, [],
                    {"salesforce": {"records_read": 7, "api_calls": 4},
                     "hubspot": {"records_read": 2}})
    page = render_html(report_data(ReportInputs((run,), (), {}, {}), NOW))
    read = {b["data-series"]: b["data-value"] for b in bars(page)
            if b["data-chart"] == "runs-records_read"}
    calls = {b["data-series"]: b["data-value"] for b in bars(page)
             if b["data-chart"] == "runs-api_calls"}
    assert read == {"hubspot": "2", "salesforce": "7"}
    assert calls == {"hubspot": "0", "salesforce": "4"}
