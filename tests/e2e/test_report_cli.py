"""`leadpact report stale` on a real state file, no CRM and no token."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadpact.cli import main
from leadpact.model import DEAL, Deal, Ref, System
from leadpact.state import State
from leadpact.verdicts import DealSummary

SEEN = datetime(2026, 11, 1, tzinfo=UTC)
NO_TOKENS = {"LEADPACT_SALESFORCE_TOKEN": None, "LEADPACT_HUBSPOT_TOKEN": None}


def deal(name: str, owner: str | None, amount: float | None, stale: bool,
         last: str | None = "2026-10-01T09:00:00+00:00") -> tuple[Deal, DealSummary]:
    snapshot = Deal(Ref(System.SALESFORCE, DEAL, "unused"), SEEN, name=name,
                    stage="Negotiation", amount=amount, owner_id=owner,
                    close_date=date(2026, 10, 15))
    summary = DealSummary(stale, "no reply from the buyer since 1 Oct; "
                                 "4 follow-ups unanswered" if stale else "",
                          0.9 if stale else 0.1, 40, last, False, (), ())
    return snapshot, summary


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "leadpact.toml"
    path.write_text('[leadpact]\nstate = "state/leadpact.sqlite3"\n\n'
                    '[salesforce]\ninstance_url = "https://example.my.salesforce.com"\n\n'
                    '[hubspot]\nhost = "https://api.hubapi.com"\n')
    state = State(tmp_path / "state" / "leadpact.sqlite3")
    deals = {
        Ref("salesforce", "deal", "006A"): deal("Acme renewal", "005ann", 12000, True),
        Ref("salesforce", "deal", "006B"): deal("Acme upsell", "005ann", 3000, False),
        Ref("hubspot", "deal", "901"): deal("Globex pilot", "77", 20000, True, last=None),
        Ref("hubspot", "deal", "902"): deal("Initech", "77", 500, True),
    }
    for ref, (snapshot, summary) in deals.items():
        state.save_deal(ref, True, snapshot, summary, contacts=())
    state.save_deal(Ref("hubspot", "deal", "903"), False, deal("Closed", "77", 9e6, True)[0],
                    deal("Closed", "77", 9e6, True)[1], contacts=())
    state.save_owner_names("salesforce", {"005ann": "Ann Ames"})  # HubSpot's 77: no name
    state.close()
    return path


def run(config: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["report", "stale", "--config", str(config),
                                       "--as-of", "2026-11-10T09:00:00Z", *args], env=NO_TOKENS)
    assert result.exit_code == 0, result.output
    return result.output


def test_given_a_state_when_reporting_json_then_owners_by_value_at_risk(config: Path) -> None:
    data = json.loads(run(config, "--json"))
    assert data["total"] == {"open_deals": 4, "stale_deals": 3, "value_at_risk": 32500.0,
                             "stale_without_amount": 0}
    assert [(o["owner_id"], o["open_deals"], o["value_at_risk"]) for o in data["owners"]] == [
        ("77", 2, 20500.0), ("005ann", 2, 12000.0)]
    globex, initech = data["owners"][0]["deals"]
    assert globex["days_buyer_silent"] == 40  # no timestamp stored: the sync's days
    assert initech["days_buyer_silent"] == 40  # 1 Oct 09:00 → 10 Nov 09:00
    assert data["owners"][1]["deals"][0]["reasons"] == [
        "no reply from the buyer since 1 Oct", "4 follow-ups unanswered"]


def test_given_as_of_then_days_silent_counted_to_that_moment(config: Path) -> None:
    data = json.loads(run(config, "--json", "--owner", "005ann", "--as-of", "2026-10-11"))
    [owner] = data["owners"]
    assert owner["deals"][0]["days_buyer_silent"] == 9  # 1 Oct 09:00 → 11 Oct 00:00
    assert data["as_of"] == "2026-10-11T00:00:00+00:00" and data["owner"] == "005ann"


def test_given_csv_then_header_and_one_row_per_stale_deal(config: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run(config, "--csv"))))
    assert [r["deal"] for r in rows] == ["hubspot:deal:901", "hubspot:deal:902",
                                         "salesforce:deal:006A"]
    assert rows[2]["amount"] == "12000" and rows[2]["stage"] == "Negotiation"


def test_given_text_then_a_readable_table_per_owner(config: Path) -> None:
    text = run(config)
    assert "Stale deals as of 2026-11-10 09:00 UTC" in text
    assert "32,500" in text and "Acme renewal" in text and "Globex pilot" in text
    assert "Acme upsell" not in text  # live deals are only counted


def test_given_owner_names_then_shown_with_the_id_beside_them_in_json_and_csv(
        config: Path) -> None:
    text = run(config)
    assert "Ann Ames" in text and "005ann" not in text  # people see the name
    assert "77" in text  # no name learnt: the id, as before
    data = json.loads(run(config, "--json"))
    assert [(o["owner_id"], o["owner_name"]) for o in data["owners"]] == [
        ("77", None), ("005ann", "Ann Ames")]
    rows = list(csv.DictReader(io.StringIO(run(config, "--csv"))))
    assert [(r["owner_id"], r["owner_name"]) for r in rows] == [
        ("77", ""), ("77", ""), ("005ann", "Ann Ames")]
    by_name = json.loads(run(config, "--json", "--owner", "ann ames"))
    assert [o["owner_id"] for o in by_name["owners"]] == ["005ann"]


def test_given_no_state_then_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "leadpact.toml"
    path.write_text('[hubspot]\nhost = "https://api.hubapi.com"\n')
    result = CliRunner().invoke(main, ["report", "stale", "--config", str(path)], env=NO_TOKENS)
    assert result.exit_code == 2
    assert "leadpact sync" in result.output and "Traceback" not in result.output


def test_given_a_bad_moment_or_two_formats_then_usage_error(config: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["report", "stale", "--config", str(config), "--as-of", "soon"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output
    both = runner.invoke(main, ["report", "stale", "--config", str(config), "--json", "--csv"])
    assert both.exit_code == 2


def test_given_a_sync_holding_the_state_then_the_report_reads_a_snapshot(config: Path) -> None:
    free = CliRunner().invoke(main, ["report", "stale", "--config", str(config), "--json"],
                              env=NO_TOKENS)
    holder = State(config.parent / "state" / "leadpact.sqlite3")  # as a running sync does
    try:
        held = CliRunner().invoke(main, ["report", "stale", "--config", str(config), "--json"],
                                  env=NO_TOKENS)
    finally:
        holder.close()
    assert held.exit_code == 0, held.output
    found, expected = json.loads(held.output), json.loads(free.output)
    found.pop("as_of"), expected.pop("as_of")
    assert found == expected and found["owners"]
