"""When leadpact alerts: a pure decision over run records and ledger rows (table tests)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadpact.alert_rules import (
    AlertSettings,
    LedgerWrite,
    loop_alert,
    run_alerts,
    write_loops,
)
from leadpact.alerts_config import alerts_config
from leadpact.errors import ConfigError
from leadpact.history import RunRecord
from leadpact.model import Ref
from leadpact.state import State

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
SETTINGS = AlertSettings(quota_repeats=3, refused_share=0.2, min_writes=5, write_loop_runs=3)


def run(n: int, status: str = "ok", *, quota: bool = False, applied: int = 10,
        failed: int = 0, kind: str = "sync", error: str | None = None) -> RunRecord:
    return RunRecord(f"r{n}", kind, status, f"2026-12-0{n}T09:00:00+00:00",
                     f"2026-12-0{n}T09:01:00+00:00", "v1", None, error, [],
                     {"salesforce": {"changes_applied": applied, "changes_failed": failed}},
                     quota_exhausted=quota)


QUOTA = {"status": "failed", "quota": True, "error": "REQUEST_LIMIT_EXCEEDED"}


@pytest.mark.parametrize(("runs_newest_first", "expected"), [
    ([], []),
    ([run(1)], []),
    ([run(2, "failed", error="HubSpot rejected the token")], ["failed"]),
    ([run(2, "running"), run(1, "failed")], ["failed"]),  # a run still going is not judged
    ([run(2, kind="undo", failed=9, applied=0), run(1)], []),  # undos are not alerted on
    # quota: on the Nth stop in a row, once; a quota stop is not also a "failed" alert
    ([run(2, **QUOTA), run(1, **QUOTA)], []),
    ([run(3, **QUOTA), run(2, **QUOTA), run(1, **QUOTA)], ["quota"]),
    ([run(4, **QUOTA), run(3, **QUOTA), run(2, **QUOTA), run(1, **QUOTA)], []),
    ([run(4, **QUOTA), run(3, **QUOTA), run(2), run(1, **QUOTA)], []),
    # refused share: over the threshold, with enough writes to mean something
    ([run(1, applied=8, failed=2)], []),  # exactly 20%: not over
    ([run(1, "partial", applied=7, failed=3)], ["refused"]),
    ([run(1, "partial", applied=0, failed=4)], []),  # 4 writes: below min_writes
    ([run(1, "failed", applied=0, failed=9, error="stopped")], ["failed", "refused"]),
])
def test_given_runs_when_deciding_then_these_alerts(runs_newest_first: list[RunRecord],
                                                    expected: list[str]) -> None:
    assert [a.kind for a in run_alerts(runs_newest_first, SETTINGS)] == expected


def test_given_refusals_then_the_alert_counts_them_and_names_the_command() -> None:
    [alert] = run_alerts([run(1, "partial", applied=6, failed=4)], SETTINGS)
    assert "refused 4 of 10 writes (40%" in alert.text
    assert "leadpact runs show r1" in alert.text


def w(run_id: str, old: str | None, new: str | None, field: str = "lead_stage",
      record: str = "hubspot:contact:1") -> LedgerWrite:
    return LedgerWrite(run_id, record, field, old, new)


RUNS = ["r1", "r2", "r3"]


@pytest.mark.parametrize(("ledger", "loops"), [
    ([], []),
    # written once, then left alone: no loop
    ([w("r1", None, "mql")], []),
    # written in each of the last 3 runs, each time found changed back to "lead": a loop
    ([w("r1", None, "mql"), w("r2", "lead", "mql"), w("r3", "lead", "mql")],
     [("hubspot:contact:1", "lead_stage", ("lead", "lead", "lead"))]),
    # one run in between without a write: not every run, no loop
    ([w("r1", None, "mql"), w("r3", "lead", "mql")], []),
    # a different value each run is leadpact changing its mind, not a fight
    ([w("r1", None, "mql"), w("r2", "mql", "sql"), w("r3", "sql", "customer")], []),
    # an undo put the old value back each time: leadpact itself, not someone else
    ([w("r1", None, "mql"), w("u1", "mql", "lead"), w("r2", "lead", "mql"),
      w("u2", "mql", "lead"), w("r3", "lead", "mql")], []),
    # adopted values (old == new) are not writes
    ([w("r1", "mql", "mql"), w("r2", "lead", "mql"), w("r3", "lead", "mql")], []),
    # another field of the same record, written only once, stays free
    ([w("r1", None, "mql"), w("r2", "lead", "mql"), w("r3", "lead", "mql"),
      w("r3", None, "x", field="role")],
     [("hubspot:contact:1", "lead_stage", ("lead", "lead", "lead"))]),
])
def test_given_ledger_rows_when_looking_for_loops_then_these(
        ledger: list[LedgerWrite], loops: list[tuple[str, str, tuple[str | None, ...]]]) -> None:
    found = write_loops(ledger, RUNS, 3)
    assert [(x.record, x.field, x.found[1:]) for x in found] == [
        (r, f, found_[1:]) for r, f, found_ in loops]


def test_given_a_loop_then_the_alert_names_record_field_and_who() -> None:
    [loop] = write_loops([w("r1", None, "mql"), w("r2", "lead", "mql"),
                          w("r3", "lead", "mql")], RUNS, 3)
    text = loop_alert(loop, "r3", "005ADMIN (Jane Ops)").text
    assert "lead_stage on hubspot:contact:1" in text and "005ADMIN (Jane Ops)" in text
    assert "did not say who" in loop_alert(loop, "r3", None).text


CONFIG = Path("leadpact.toml")


@pytest.mark.parametrize(("section", "env", "message"), [
    ({"webhook_url": "ftp://x"}, {}, "`webhook_url` must be an http(s) URL"),
    ({"email_command": ""}, {}, "`email_command` must be a non-empty string"),
    ({"email_command": "mail", "quota_repeats": 0}, {}, "`quota_repeats` must be a whole"),
    ({"email_command": "mail", "refused_share": 1.5}, {}, "`refused_share` must be a number"),
    ({"email_command": "mail", "write_loop_runs": 1}, {}, "`write_loop_runs` must be a whole"),
    ({"email_command": "mail", "timeout_seconds": "5"}, {}, "`timeout_seconds` must be"),
])
def test_given_a_bad_alerts_section_then_one_line_naming_the_key(
        section: dict[str, object], env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        alerts_config(section, env, CONFIG)


def test_given_alert_settings_then_read_and_the_env_webhook_wins() -> None:
    assert alerts_config({"quota_repeats": 2}, {}, CONFIG) is None  # nowhere to send
    found = alerts_config({"webhook_url": "https://hooks.example.com/a", "quota_repeats": 2,
                           "refused_share": 0.5}, {"LEADPACT_ALERTS_WEBHOOK_URL":
                                                   "https://hooks.example.com/env"}, CONFIG)
    assert found is not None and found.webhook_url == "https://hooks.example.com/env"
    assert (found.settings.quota_repeats, found.settings.refused_share) == (2, 0.5)
    assert "hooks.example.com" not in repr(found)  # the URL is a secret


def test_given_a_random_ledger_when_state_filters_it_then_the_same_loops_are_found() -> None:
    """The state hands write_loops only the fields each recent run wrote (the whole ledger
    of a big first sync does not fit in memory): the loops found must not change."""
    rng = random.Random(12)
    runs = [f"r{n}" for n in range(1, 6)]
    values = [None, "lead", "mql", "sql"]
    checked = 0
    for _ in range(60):
        state = State(":memory:")
        rows = []
        order = list(runs)
        order.insert(rng.randrange(len(order) + 1), "u1")  # runs in order, an undo among them
        for run_id in order:
            for record in range(4):
                for field in ("lead_stage", "role"):
                    if rng.random() < 0.7:  # mostly "mql", found changed back to another
                        rows.append(LedgerWrite(run_id, f"hubspot:contact:{record}", field,
                                                rng.choice(values), rng.choice(["mql", "sql"])))
        for row in rows:
            state.record_write(row.run_id, Ref.parse(row.record), row.field, row.old,
                               row.new, NOW)
        for needed in (2, 3):
            recent = runs[-needed:]
            filtered = [LedgerWrite(*r)
                        for r in state.ledger_of_fields_written_by_each(recent)]
            assert set(filtered) <= set(rows)
            assert write_loops(filtered, recent, needed) == write_loops(rows, recent, needed)
            checked += bool(write_loops(rows, recent, needed))
        state.close()
    assert checked > 5  # the random ledgers do hold loops, so the comparison says something
