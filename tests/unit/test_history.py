"""Run history read from a real state file: syncs, undos, refusals, what stopped a run."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leadpact.errors import ConfigError, QuotaExhausted
from leadpact.history import describe, read_history
from leadpact.model import Page, Ref
from leadpact.pipeline import run_sync
from leadpact.rules.engine import load_rules
from leadpact.state import State
from leadpact.undo import run_undo
from tests.builders import NOW, person
from tests.memory_connector import MemoryConnector
from tests.unit.test_pipeline import classify

RULES = load_rules(None)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite3"


def sync(path: Path, *crms: Any, run_id: str) -> None:
    state = State(path)
    try:
        run_sync(list(crms), state, RULES, classify, NOW, run_id=run_id)
    finally:
        state.close()


def test_given_no_state_file_then_there_is_no_history_and_none_is_created(path: Path) -> None:
    with read_history(path) as found:
        assert found is None
    assert not path.exists()


def test_given_a_refused_record_then_the_run_lists_it_with_the_crms_reason(path: Path) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO"))
    hs.put(person("2", title="Software Engineer"))
    hs.refuse.add(Ref("hubspot", "contact", "1"))
    sync(path, hs, run_id="r1")
    with read_history(path) as found:
        assert found is not None
        (run,) = found.runs()
        full = found.run("r1")
    assert (run.run_id, run.kind, run.status) == ("r1", "sync", "partial")
    assert run.rules_version == RULES.version and run.finished_at
    stats = run.systems["hubspot"]
    assert stats["records_read"] == 2 and stats["changes_failed"] > 0
    assert stats["changes_applied"] > 0
    assert run.first_errors()[0] == "hubspot:contact:1: refused by test"
    assert len(full.refused) == stats["changes_failed"]
    assert {r.record for r in full.refused} == {"hubspot:contact:1"}
    assert all(r.reason == "refused by test" for r in full.refused)
    assert any("set   hubspot:contact:1 role" in r.change for r in full.refused)


def test_given_a_retry_that_succeeds_then_the_first_runs_refusals_stay_in_its_history(
        path: Path) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO"))
    ref = Ref("hubspot", "contact", "1")
    hs.refuse.add(ref)
    sync(path, hs, run_id="r1")
    hs.refuse.clear()
    sync(path, hs, run_id="r2")
    with read_history(path) as found:
        assert found is not None
        assert [r.run_id for r in found.runs()] == ["r2", "r1"]
        assert found.run("r1").refused and not found.run("r2").refused
        assert found.run("r2").status == "ok"


def test_given_the_quota_ran_out_then_the_run_says_so(path: Path) -> None:
    hs = MemoryConnector("hubspot", page_size=1)
    for i in range(3):
        hs.put(person(str(i), title="CFO"))
    hs.quota_after = 1
    with pytest.raises(QuotaExhausted):
        sync(path, hs, run_id="r1")
    with read_history(path) as found:
        assert found is not None
        run = found.run("r1")
    assert run.status == "failed" and run.error == "memory CRM quota used up"
    assert describe(run)[-1] == "    error: memory CRM quota used up"
    assert describe(run)[1].startswith("    hubspot: read ")


class Leaky(MemoryConnector):
    def read_changes(self, cursor: str | None) -> Iterator[Page]:
        raise RuntimeError("GET https://x/?access_token=very-secret-7f3a failed")


def test_given_an_unforeseen_error_then_its_text_is_not_kept(path: Path) -> None:
    with pytest.raises(RuntimeError):
        sync(path, Leaky("hubspot"), run_id="r1")
    with read_history(path) as found:
        assert found is not None
        run = found.run("r1")
    assert run.status == "failed"
    assert run.error is not None and run.error.startswith("unexpected RuntimeError")
    assert "very-secret" not in str(run.as_dict())


def test_given_an_undo_then_it_is_a_run_of_its_own_and_a_second_gets_its_own_id(
        path: Path) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO"))
    sync(path, hs, run_id="r1")
    for _ in range(2):
        state = State(path)
        try:
            run_undo([hs], state, "r1", NOW)
        finally:
            state.close()
    with read_history(path) as found:
        assert found is not None
        ids = [r.run_id for r in found.runs()]
        first = found.run("undo-r1")
    assert set(ids) == {"r1", "undo-r1", "undo-r1-2"}
    assert first.kind == "undo" and first.undoes == "r1" and first.status == "ok"
    assert first.systems["hubspot"]["changes_applied"] > 0
    assert "undo of r1" in describe(first)[0]
    assert "put back" in describe(first)[1]


def test_given_a_sync_holding_the_state_then_history_reads_what_is_committed(
        path: Path) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO"))
    sync(path, hs, run_id="r1")
    writer = State(path)  # holds the run lock, as a running sync does
    try:
        writer.start_run("r2", NOW)
        with writer.transaction():
            writer.finish_run("r2", NOW, "ok", {"rules_version": "not yet committed"})
            with read_history(path) as found:
                assert found is not None
                assert {r.run_id: r.status for r in found.runs()} == {"r2": "running",
                                                                      "r1": "ok"}
    finally:
        writer.close()


def test_given_a_run_id_prefix_then_it_finds_the_one_run_or_asks_for_more(path: Path) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO"))
    sync(path, hs, run_id="20261123T120000-aaaaaa")
    sync(path, hs, run_id="20261123T120000-bbbbbb")
    with read_history(path) as found:
        assert found is not None
        assert found.run("20261123T120000-a").run_id == "20261123T120000-aaaaaa"
        with pytest.raises(ConfigError, match="give more of it"):
            found.run("20261123T12")
        with pytest.raises(ConfigError, match="leadpact runs"):
            found.run("nope")


def test_given_a_state_from_before_refusals_were_kept_then_it_still_reads(path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE runs (run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL,
                           finished_at TEXT, status TEXT NOT NULL, summary TEXT);
        INSERT INTO runs VALUES ('old', '2026-11-01T00:00:00+00:00',
            '2026-11-01T00:01:00+00:00', 'partial',
            '{"rules_version": "1", "failures": ["x: nope"], "systems": {}}');
    """)
    db.close()
    with read_history(path) as found:
        assert found is not None
        run = found.run("old")
    assert run.refused == [] and run.failures == ["x: nope"] and run.rules_version == "1"
    assert "(60s)" in describe(run)[0]


def _leave_running(path: Path, *run_ids: str) -> None:
    """Rows as a killed run leaves them: marked running, with no process behind them."""
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO runs VALUES (?, ?, NULL, 'running', NULL)",
                       [(r, f"2026-11-23T12:0{i}:00+00:00") for i, r in enumerate(run_ids)])


def test_given_a_running_row_and_nobody_holding_the_lock_then_it_reads_as_died(
        path: Path) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO"))
    sync(path, hs, run_id="r0")
    _leave_running(path, "r1")
    with read_history(path) as found:
        assert found is not None
        listed = {r.run_id: r.status for r in found.runs()}
        one = found.run("r1")
    assert listed == {"r0": "ok", "r1": "died"}
    assert one.status == "died" and "killed or crashed" in describe(one)[1]
    assert "never finished" in describe(one)[0]


def test_given_a_sync_holding_the_lock_then_only_the_newest_running_row_is_running(
        path: Path) -> None:
    State(path).close()
    _leave_running(path, "old-killed", "live")
    holder = State(path)  # the live run's lock, not yet at its own start_run
    try:
        with read_history(path) as found:
            assert found is not None
            assert {r.run_id: r.status for r in found.runs()} == {"live": "running",
                                                                  "old-killed": "died"}
    finally:
        holder.close()
