"""A RevOps edit to the lead definition, end to end on the sandbox over HTTP (both CRMs):
`plan` shows the records nobody touched moving to the new stage, `sync` writes them, the
rerun writes nothing; an edit under the old version stops with one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from leadpact.cli import main
from leadpact.connectors.sandbox.fixture import load_fixture
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.rules.engine import default_rules_text

FIXTURE = Path(__file__).parents[2] / "connectors" / "sandbox" / "example_fixture.json"
ENV = {"LEADPACT_SALESFORCE_TOKEN": SANDBOX_TOKEN, "LEADPACT_HUBSPOT_TOKEN": SANDBOX_TOKEN}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=ENV)
    return result.exit_code, result.output


def summary_of(output: str) -> dict[str, object]:
    return dict(json.loads(output.strip().splitlines()[0]))  # plan: changes follow


def total(summary: dict[str, object], counter: str) -> int:
    systems = summary["systems"]
    assert isinstance(systems, dict)
    return sum(int(s[counter]) for s in systems.values())


def test_a_rules_edit_reaches_every_record_once(sandbox: Sandbox, tmp_path: Path) -> None:
    load_fixture(sandbox.store, FIXTURE)
    rules = tmp_path / "lead-definition.yaml"
    rules.write_text(default_rules_text(), "utf-8")
    config = tmp_path / "leadpact.toml"
    config.write_text(f'[leadpact]\nstate = "{tmp_path / "state.sqlite3"}"\n'
                      f'rules = "{rules}"\n'
                      f'[salesforce]\ninstance_url = "{sandbox.url}"\n'
                      f'[hubspot]\nhost = "{sandbox.url}"\n')
    for _ in range(2):  # settle: the second run reads back the first one's own writes
        code, out = run("sync", "--config", str(config), "--json")
        assert code == 0, out
    code, out = run("plan", "--config", str(config), "--json")
    assert code == 0 and total(summary_of(out), "changes_planned") == 0

    # RevOps raises the bar for sales-ready (the fixture's project lead, fit 50 with her
    # account's 500 employees, drops out), without a new version: refused, nothing read.
    edited = default_rules_text().replace("- {field: fit, gte: 50}", "- {field: fit, gte: 55}")
    assert edited != default_rules_text()
    rules.write_text(edited, "utf-8")
    code, out = run("sync", "--config", str(config))
    assert code == 2
    assert out.strip().startswith(f"leadpact: {rules}: the rules changed since the last sync")

    # …with a new version: plan shows untouched records moving, sync writes, rerun is calm.
    version = next(line for line in edited.splitlines() if line.startswith("version:"))
    rules.write_text(edited.replace(version, 'version: "2099.1"'), "utf-8")
    code, out = run("plan", "--config", str(config), "--json")
    planned = summary_of(out)
    assert code == 0 and planned["rules_changed"] is True
    assert total(planned, "records_read") > 0 and total(planned, "changes_planned") > 0
    code, out = run("sync", "--config", str(config), "--json")
    done = summary_of(out)
    assert code == 0 and total(done, "changes_planned") == total(planned, "changes_planned")
    code, out = run("sync", "--config", str(config), "--json")
    again = summary_of(out)
    assert again["rules_changed"] is False and total(again, "changes_planned") == 0
