"""`leadpact report ...`: reports for sales leaders, read from leadpact's local state only
(no CRM is called, no token is needed).

Registered on the main command: `main.add_command(report)`.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from leadpact.cli_errors import error_line
from leadpact.cli_report_html import html_command, write_html_report
from leadpact.config import DEFAULT_PATH, state_path_of
from leadpact.errors import ConfigError, LeadpactError
from leadpact.exit_codes import exit_code
from leadpact.stale_report import OpenDeal, stale_report

if TYPE_CHECKING:
    from leadpact.report_data import ReportInputs
from leadpact.stale_report_output import print_report, report_csv, report_dict
from leadpact.timestamps import MOMENT


@click.group(invoke_without_command=True)
@click.option("--html", "html_out", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Write the HTML report to this file (as `report html OUT`).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=DEFAULT_PATH,
              show_default=True, help="The leadpact.toml whose state to read (with --html).")
@click.pass_context
def report(ctx: click.Context, html_out: Path | None, config_path: Path) -> None:
    """Reports for sales leaders from what the last sync judged."""
    if ctx.invoked_subcommand is None:
        if html_out is None:
            click.echo(ctx.get_help())
            return
        write_html_report(config_path, html_out)


report.add_command(html_command)


@report.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=DEFAULT_PATH,
              show_default=True, envvar="LEADPACT_CONFIG",
              help="The leadpact.toml whose state to read (default: $LEADPACT_CONFIG).")
@click.option("--owner", default=None,
              help="Only this owner's deals (the CRM's owner id, or the owner's name).")
@click.option("--as-of", "as_of", type=MOMENT, default=None,
              help="Count days buyer-silent up to this moment (ISO 8601; default now). "
                   "Verdicts are shown as last judged, not re-judged.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, one row per stale deal.")
def stale(config_path: Path, owner: str | None, as_of: datetime | None, as_json: bool,
          as_csv: bool) -> None:
    """Stale open deals by owner, with the pipeline value at risk."""
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    try:
        inputs = read_stale_inputs(state_path_of(config_path))
    except LeadpactError as exc:
        click.echo(error_line(str(exc)), err=True)
        sys.exit(exit_code(exc))
    found = stale_report(inputs.open_deals, as_of or datetime.now(UTC), owner,
                         inputs.owner_names)
    if as_json:
        click.echo(json.dumps(report_dict(found), ensure_ascii=False, sort_keys=True))
    elif as_csv:
        click.echo(report_csv(found), nl=False)
    else:
        print_report(Console(), found)


def read_stale_inputs(state_path: Path) -> ReportInputs:
    """Every open deal with the verdict the last sync stored for it, and the owners' names,
    from a read-only snapshot of the state: works while a sync holds it."""
    from leadpact.report_data import read_report_inputs

    inputs = read_report_inputs(state_path, max_runs=0) if state_path.exists() else None
    if inputs is None:
        raise ConfigError(f"{state_path}: no state yet; run `leadpact sync` first (the report "
                          "shows what the last sync judged)")
    return inputs


def read_open_deals(state_path: Path) -> list[OpenDeal]:
    return list(read_stale_inputs(state_path).open_deals)
