"""The refused-records table keeps the newest `keep_refused_runs` runs' rows: a record the
CRM refuses run after run must not grow it forever."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

import leadpact
from leadpact.cli import main
from leadpact.config import Config
from leadpact.history import read_history
from leadpact.model import Ref
from tests.builders import NOW, person
from tests.memory_connector import MemoryConnector


def test_given_a_record_refused_every_run_then_only_the_newest_runs_keep_their_refusals(
        tmp_path: Path) -> None:
    hs = MemoryConnector("hubspot")
    hs.put(person("1", title="CFO"))
    hs.put(person("2", title="Software Engineer"))
    hs.refuse.add(Ref("hubspot", "contact", "2"))  # refused again on each retry
    config = Config(source=tmp_path / "leadpact.toml", state_path=tmp_path / "state.sqlite3",
                    rules_path=None, salesforce=None, hubspot=None, keep_refused_runs=2)
    clock = iter([NOW + timedelta(minutes=m) for m in range(0, 200, 10)])
    lp = leadpact.open(config, connectors=[hs], clock=lambda: next(clock))
    run_ids = [lp.sync().summary.run_id for _ in range(4)]
    with read_history(config.state_path) as history:
        assert history is not None
        kept = {run_id: len(history.run(run_id).refused) for run_id in run_ids}
        runs = {r.run_id: r for r in history.runs()}
    assert [kept[r] > 0 for r in run_ids] == [False, False, True, True]
    assert all(runs[r].refused_changes > 0 for r in run_ids)  # counts stay in the summary
    assert runs[run_ids[0]].first_errors()  # and so do the first errors
    toml = tmp_path / "leadpact.toml"
    toml.write_text('[leadpact]\nstate = "state.sqlite3"\n[hubspot]\nhost = "https://api.hubapi.com"\n')
    shown = CliRunner().invoke(main, ["runs", "show", run_ids[0], "--config", str(toml)])
    assert shown.exit_code == 0, shown.output
    assert "the full list was pruned" in shown.output
    assert "hubspot:contact:2: refused by test" in shown.output
