"""`leadpact setup`: create (or, with --dry-run, list) everything leadpact writes in both
CRMs — Salesforce custom fields and their field access, HubSpot properties in the
`leadpact` group — then check. Safe to run again: only what is missing is created."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from leadpact.config import DEFAULT_PATH, load_config
from leadpact.report import json_line

out = Console(soft_wrap=True)


@click.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=DEFAULT_PATH,
              show_default=True, help="The leadpact.toml to use.")
@click.option("--dry-run", is_flag=True, help="List what would be created; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON line.")
def setup(config_path: Path, dry_run: bool, as_json: bool) -> None:
    """Create the fields, field access and properties leadpact writes in both CRMs."""
    from leadpact.cli import friendly_errors  # late: cli imports this module

    friendly_errors(_setup)(config_path, dry_run, as_json)


def _setup(config_path: Path, dry_run: bool, as_json: bool) -> None:
    from leadpact.connect import connectors_for
    from leadpact.setup_progress import setup_progress

    config = load_config(config_path)
    permission_set = config.salesforce.permission_set if config.salesforce else ""
    results = []
    with setup_progress(show_bar=not as_json) as watch:  # N of M steps per CRM
        for connector in connectors_for(config):
            result = connector.setup(permission_set, dry_run=dry_run,  # type: ignore[attr-defined]
                                     observer=watch)
            # after a real setup, the check proves the CRM now has what a sync needs
            checked = dry_run or result.stopped  # a stopped setup changed nothing to check
            problems = result.problems + ([] if checked else connector.check())
            results.append((connector.system, result.steps, problems))
    report: dict[str, Any] = {}
    for system, steps, problems in results:
        report[system] = {"steps": steps, "problems": [
            {"what": p.what, "fix": p.fix} for p in problems]}
        if as_json:
            continue
        for step in steps:
            out.print(f"{system}: {step}", markup=False, highlight=False)
        if not steps:
            out.print(f"{system}: nothing to do, everything leadpact writes exists",
                      markup=False, highlight=False)
        for p in problems:
            out.print(f"{system}: {p.what} — {p.fix}", markup=False, highlight=False)
    failed = any(problems for _, _, problems in results)
    if as_json:
        click.echo(json_line({"ok": not failed, "dry_run": dry_run, "systems": report}))
    if failed:
        sys.exit(2)
