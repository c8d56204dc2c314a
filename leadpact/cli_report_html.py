"""`leadpact report html OUT` (also `leadpact report --html OUT`): one self-contained HTML
page with charts, from leadpact's local state only (no CRM, no token)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from leadpact.config import DEFAULT_PATH, state_path_of
from leadpact.errors import ConfigError, LeadpactError
from leadpact.exit_codes import exit_code
from leadpact.html_report import render_html
from leadpact.report_data import read_report_inputs, report_data
from leadpact.timestamps import MOMENT


@click.command("html")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=DEFAULT_PATH,
              show_default=True, help="The leadpact.toml whose state to read.")
@click.option("--as-of", "as_of", type=MOMENT, default=None,
              help="The report's moment (ISO 8601; default now): stale deals' silent days "
                   "are counted to it.")
@click.option("--runs", "max_runs", type=click.IntRange(1, 500), default=30, show_default=True,
              help="How many recent runs to chart.")
def html_command(out: Path, config_path: Path, as_of: datetime | None, max_runs: int) -> None:
    """Write OUT: run history, stale pipeline by owner, buying-committee coverage and leads
    per stage as charts, in one HTML file that needs no network to view."""
    write_html_report(config_path, out, as_of, max_runs)


def write_html_report(config_path: Path, out: Path, as_of: datetime | None = None,
                      max_runs: int = 30) -> None:
    try:
        state_path = state_path_of(config_path)
        inputs = read_report_inputs(state_path, max_runs)
        if inputs is None:
            raise ConfigError(f"{state_path}: no state yet; run `leadpact sync` (or "
                              "`leadpact demo`) first: the report shows what the syncs did")
        page = render_html(report_data(inputs, as_of or datetime.now(UTC)))
        try:
            out.write_text(page, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{out}: cannot write the report ({exc.strerror}); choose a "
                              "writable file path") from None
    except LeadpactError as exc:
        click.echo(f"leadpact: {exc}", err=True)
        sys.exit(exit_code(exc))
    click.echo(f"wrote {out} ({len(page) // 1024 + 1} KiB)")
