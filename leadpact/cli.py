"""The `leadpact` command. A thin layer: parse options, call the library, print.

Exit codes: 0 ok · 1 some changes failed · 2 usage/config/credentials · 75 API quota
exhausted (retry later).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from leadpact import __version__
from leadpact.cli_ops import runs, schedule
from leadpact.cli_report import report
from leadpact.cli_rules import rules
from leadpact.cli_titles import titles
from leadpact.config import DEFAULT_PATH, STARTER, load_config
from leadpact.errors import LeadpactError
from leadpact.report import json_line, print_plan, print_summary
from leadpact.secrets import redact
from leadpact.timestamps import MOMENT

F = TypeVar("F", bound=Callable[..., Any])
out = Console()
err = Console(stderr=True, soft_wrap=True)  # an error stays one line, however long


def friendly_errors(command: F) -> F:
    """One line on stderr and the documented exit code instead of a traceback."""
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except LeadpactError as exc:
            err.print(redact(f"leadpact: {exc}"), markup=False, highlight=False)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug or an unforeseen failure: one line, not a traceback
            if os.environ.get("LEADPACT_DEBUG"):
                raise
            err.print(redact(f"leadpact: unexpected {type(exc).__name__}: {exc} (set "
                             "LEADPACT_DEBUG=1 for the traceback; everything committed before "
                             "it stays committed)"), markup=False, highlight=False)
            sys.exit(1)
    return wrapper  # type: ignore[return-value]


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, int], None] | None]:
    """A live count of handled records on a terminal; nothing when piped."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}
        counts: dict[str, int] = {}

        def advance(system: str, n: int) -> None:
            if system not in tasks:
                tasks[system] = bar.add_task(system, total=None)
                counts[system] = 0
            counts[system] += n
            bar.update(tasks[system], description=f"{system}: {counts[system]} records")
        yield advance


@click.group()
@click.version_option(__version__, prog_name="leadpact")
def main() -> None:
    """One lead definition for marketing and sales across Salesforce and HubSpot."""


main.add_command(rules)  # `leadpact rules check FILE` / `rules schema`: leadpact/cli_rules.py

config_option = click.option(
    "--config", "config_path", type=click.Path(path_type=Path), default=DEFAULT_PATH,
    show_default=True, help="The leadpact.toml to use.")


@main.command()
@click.option("--path", type=click.Path(path_type=Path), default=DEFAULT_PATH, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@friendly_errors
def init(path: Path, force: bool) -> None:
    """Write a commented starter config (tokens stay in the environment)."""
    if path.exists() and not force:
        raise click.UsageError(f"{path} exists; pass --force to overwrite it")
    path.write_text(STARTER, "utf-8")
    out.print(f"wrote {path}: set instance_url/host, export LEADPACT_SALESFORCE_TOKEN and "
              "LEADPACT_HUBSPOT_TOKEN, then run `leadpact check`")


@main.command()
@config_option
@click.option("--fix", is_flag=True, help="Create missing HubSpot properties.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON line.")
@friendly_errors
def check(config_path: Path, fix: bool, as_json: bool) -> None:
    """Verify connectivity, permissions and that every field leadpact writes exists."""
    from leadpact.connect import connectors_for
    from leadpact.rules.engine import load_rules

    config = load_config(config_path)
    rules = load_rules(config.rules_path)
    problems = 0
    systems: dict[str, Any] = {}
    for connector in connectors_for(config):
        if fix and hasattr(connector, "create_missing_properties"):
            connector.create_missing_properties()
        found = connector.check()
        problems += len(found)
        systems[connector.system] = {"ok": not found, "problems": [
            {"what": p.what, "fix": p.fix} for p in found]}
        if as_json:
            continue
        if not found:
            out.print(f"{connector.system}: ok")
        for problem in found:
            out.print(f"{connector.system}: {problem.what} — {problem.fix}",
                      markup=False, highlight=False)
    if as_json:
        click.echo(json_line({"ok": not problems, "rules_version": rules.version,
                              "systems": systems}))
    if problems:
        sys.exit(2)


def _sync(config_path: Path, as_json: bool, dry_run: bool) -> None:
    from leadpact.connect import connectors_for, title_classifier
    from leadpact.pipeline import run_sync
    from leadpact.rules.engine import load_rules
    from leadpact.state import State

    config = load_config(config_path)
    rules = load_rules(config.rules_path)
    state = State(config.state_path)
    now = datetime.now(UTC)
    try:
        with progress_bar(not as_json) as progress:
            summary, planned = run_sync(connectors_for(config, now), state, rules,
                                        title_classifier(rules), now,
                                        dry_run=dry_run, progress=progress)
    finally:
        if not dry_run:  # alerts and write-loop freezes: leadpact/alerting.py
            from leadpact.alerting import after_run
            after_run(state, config.alerts, now, datetime.now(UTC))
        state.close()
    data = summary.as_dict()
    if as_json:
        click.echo(json_line(data))
    else:
        if dry_run:
            print_plan(out, planned)
        print_summary(out, data, "leadpact plan (nothing written)" if dry_run else "leadpact sync")
    if summary.status == "partial":
        sys.exit(1)


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON line.")
@click.option("--dry-run", is_flag=True, help="Plan only: write nothing, commit nothing.")
@friendly_errors
def sync(config_path: Path, as_json: bool, dry_run: bool) -> None:
    """Read changes from both CRMs, enrich, evaluate the rules, write back."""
    _sync(config_path, as_json, dry_run)


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON line.")
@friendly_errors
def plan(config_path: Path, as_json: bool) -> None:
    """Show what a sync would write, without writing anything."""
    _sync(config_path, as_json, dry_run=True)


@main.command()
@config_option
@click.argument("run_id")
@click.option("--dry-run", is_flag=True, help="Show what would be put back, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON line.")
@friendly_errors
def undo(config_path: Path, run_id: str, dry_run: bool, as_json: bool) -> None:
    """Put back what one run wrote, wherever nobody changed it since; close its tasks.
    Fix the rules before the next sync, or it writes the same values again."""
    from leadpact.connect import connectors_for
    from leadpact.state import State
    from leadpact.undo import run_undo

    config = load_config(config_path)
    state = State(config.state_path)
    try:
        summary = run_undo(connectors_for(config), state, run_id, datetime.now(UTC), dry_run)
    finally:
        state.close()
    if as_json:
        click.echo(json_line(summary))
    else:
        verb = "would put back" if dry_run else "put back"
        out.print(f"{run_id}: {verb} {summary['planned'] if dry_run else summary['restored']} "
                  f"change(s), closed {summary['tasks_closed']} task(s), "
                  f"{summary['failed']} failed; left alone {len(summary['left_alone'])}"
                  + (f" (recorded as run {summary['undo_id']})" if "undo_id" in summary else "")
                  + ":", markup=False, highlight=False)
        for line in summary["left_alone"][:50]:
            out.print(f"  {line}", markup=False, highlight=False)
    if summary["failed"]:
        sys.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON line.")
@click.option("--people", default=3000, show_default=True, help="Size of the demo org.")
@click.option("--seed", default=7, show_default=True, help="Seed of the demo org.")
@click.option("--dir", "workdir", type=click.Path(path_type=Path), default=None,
              help="Keep the demo's sandbox and state here (default: a temporary folder).")
@friendly_errors
def demo(as_json: bool, people: int, seed: int, workdir: Path | None) -> None:
    """Seed a fresh sandbox org, sync it twice, and show what happened. No credentials."""
    from leadpact.demo import run_demo

    where = workdir or Path(tempfile.mkdtemp(prefix="leadpact-demo-"))

    def announce(number: int, summary: dict[str, Any]) -> None:
        if not as_json:
            print_summary(out, summary, f"run {number}")

    if not as_json:
        out.print(f"Seeding a demo org with {people} people (seed {seed}) in {where} …")
    with progress_bar(not as_json) as progress:
        result = run_demo(where, people=people, seed=seed, progress=progress, on_run=announce)
    data = result.as_dict()
    if as_json:
        click.echo(json_line(data))
        return
    second = result.runs[-1]["systems"]
    out.print(f"Second run wrote {sum(s['changes_applied'] for s in second.values())} changes "
              "(nothing changed in the CRMs, so nothing to write).")
    out.print(f"Look around: `leadpact sandbox --data {where}` serves the same org; state and "
              f"ledger are in {where / 'state.sqlite3'}.")


@main.command()
@click.option("--port", default=8787, show_default=True, help="Port on 127.0.0.1.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=Path(".sandbox"),
              show_default=True, help="Folder for the sandbox's SQLite store.")
@click.option("--seed", default=7, show_default=True, help="Seed of the demo org.")
@click.option("--people", default=3000, show_default=True, help="Size of the demo org.")
@click.option("--load", "fixture", type=click.Path(path_type=Path), default=None,
              help="Load this JSON fixture instead of seeding a demo org.")
@click.option("--now", type=MOMENT, default=None,
              help="Stamp what the sandbox writes (and seeds) with a clock that starts at this "
                   "moment (ISO 8601) and moves with real time. Default: the real time.")
@friendly_errors
def sandbox(port: int, data_dir: Path, seed: int, people: int, fixture: Path | None,
            now: datetime | None) -> None:
    """Serve a local fake Salesforce + HubSpot on 127.0.0.1 (Ctrl-C to stop)."""
    from leadpact.connectors.sandbox.clock import starting_at
    from leadpact.connectors.sandbox.fixture import load_fixture
    from leadpact.connectors.sandbox.seed import seed_demo_org
    from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
    from leadpact.connectors.sandbox.store import Store

    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(data_dir / "sandbox.sqlite3")
    if now is not None:
        store.set_clock(starting_at(now))
        out.print(f"clock: starts at {now.isoformat()}", markup=False, highlight=False)
    fresh = store.get_meta("seed") is None and store.get_meta("fixture") is None
    if fixture is not None:
        load_fixture(store, fixture)
        store.set_meta("fixture", str(fixture))
        out.print(f"loaded {fixture}")
    elif fresh:
        seed_demo_org(store, seed=seed, people=people, now=store.now())
        out.print(f"seeded a demo org: {people} people, seed {seed}")
    box = Sandbox(store)
    url = box.serve(port)
    out.print(f"sandbox on {url} (Salesforce under /services, HubSpot under /crm)\n"
              f"config: [salesforce] instance_url = \"{url}\"  [hubspot] host = \"{url}\"\n"
              f"tokens: LEADPACT_SALESFORCE_TOKEN={SANDBOX_TOKEN} "
              f"LEADPACT_HUBSPOT_TOKEN={SANDBOX_TOKEN}", markup=False, highlight=False)
    try:
        import threading

        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        box.stop()
        store.close()


main.add_command(titles)
main.add_command(report)
main.add_command(schedule)
main.add_command(runs)
