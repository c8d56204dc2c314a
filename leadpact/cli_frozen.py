"""`leadpact frozen` (list the fields frozen after a write loop) and `leadpact frozen clear`
(let leadpact write them again once the fight is fixed). Only the local state is used: no
CRM token is needed. Registered on the main command by cli.py."""

from __future__ import annotations

import json
from pathlib import Path

import click

from leadpact.config import DEFAULT_PATH, state_path_of
from leadpact.errors import ConfigError

_config = click.option(
    "--config", "config_path", type=click.Path(path_type=Path), default=DEFAULT_PATH,
    show_default=True, envvar="LEADPACT_CONFIG",
    help="The leadpact.toml whose state to use (default: $LEADPACT_CONFIG).")


@click.group(invoke_without_command=True)
@_config
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def frozen(ctx: click.Context, config_path: Path, as_json: bool) -> None:
    """Fields leadpact stopped writing because something kept changing them back, and who
    the CRM says did. `leadpact frozen clear` lets leadpact write them again."""
    ctx.obj = config_path
    if ctx.invoked_subcommand is not None:
        return
    from leadpact.cli import friendly_errors

    friendly_errors(_list)(config_path, as_json)


def _list(config_path: Path, as_json: bool) -> None:
    from leadpact.frozen import read_frozen
    from leadpact.history import read_history

    state_path = state_path_of(config_path)
    with read_history(state_path) as history:
        found = read_frozen(history.connection) if history else []
    if as_json:
        click.echo(json.dumps({"state": str(state_path),
                               "frozen": [f.as_dict() for f in found]}, ensure_ascii=False))
        return
    if not found:
        click.echo(f"no frozen fields in {state_path}")
    for freeze in found:
        click.echo(freeze.line())


@frozen.command("clear")
@click.argument("record", required=False)
@click.argument("field", required=False)
@click.option("--all", "clear_all", is_flag=True, help="Unfreeze every frozen field.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              help="The leadpact.toml whose state to use (default: the group's --config).")
@click.pass_context
def clear(ctx: click.Context, record: str | None, field: str | None, clear_all: bool,
          config_path: Path | None) -> None:
    """Unfreeze FIELD of RECORD (as `leadpact frozen` lists them), or every field with
    --all. Fix the workflow or integration first, or the loop starts again."""
    from leadpact.cli import friendly_errors

    if clear_all == bool(record or field) or (record is None) != (field is None):
        raise click.UsageError("give RECORD and FIELD (as `leadpact frozen` lists them), or "
                               "--all")
    friendly_errors(_clear)(config_path or ctx.obj or DEFAULT_PATH, record, field, clear_all)


def _clear(config_path: Path, record: str | None, field: str | None, clear_all: bool) -> None:
    from leadpact.state import State

    state_path = state_path_of(config_path)
    if not state_path.exists():
        raise ConfigError(f"{state_path}: no state yet, so nothing is frozen")
    state = State(state_path)
    try:
        if clear_all:
            count = state.unfreeze_all()
            click.echo(f"unfroze {count} field(s); leadpact writes them again from the next "
                       "sync")
            return
        assert record is not None and field is not None
        if not state.unfreeze(record, field):
            raise ConfigError(f"{field} on {record} is not frozen; `leadpact frozen` lists "
                              "what is")
        click.echo(f"unfroze {field} on {record}; leadpact writes it again from the next sync")
    finally:
        state.close()
