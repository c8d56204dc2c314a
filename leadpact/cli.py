"""The `leadpact` command. A thin layer: parse options, call the library, print.

Exit codes (leadpact/exit_codes.py): 0 ok · 1 some changes failed · 2 usage/config/
credentials · 75 a transient fault or an exhausted quota outlived the retries (run later).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from leadpact import __version__, logs
from leadpact.cli_errors import LeadpactGroup, error_line
from leadpact.cli_frozen import frozen
from leadpact.cli_ops import runs, schedule
from leadpact.cli_options import log_options
from leadpact.cli_report import report
from leadpact.cli_rules import rules
from leadpact.cli_setup import setup
from leadpact.cli_titles import titles
from leadpact.config import DEFAULT_PATH, STARTER
from leadpact.connectors.sandbox.errors import SandboxInputError
from leadpact.errors import LeadpactError
from leadpact.exit_codes import USAGE, exit_code
from leadpact.plan_output import ONLY, ShownChanges, change_json
from leadpact.progress import progress_for
from leadpact.report import LEFT_ALONE_SHOWN as SHOWN
from leadpact.report import describe_change, json_line, print_plan, print_summary
from leadpact.timestamps import MOMENT

if TYPE_CHECKING:
    from leadpact.api import Leadpact

F = TypeVar("F", bound=Callable[..., Any])
out = Console()
log = logging.getLogger(__name__)


def friendly_errors(command: F) -> F:
    """One line on stderr and the documented exit code instead of a traceback."""
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except LeadpactError as exc:
            click.echo(error_line(str(exc)), err=True)  # plain: never wrapped, never styled
            sys.exit(exit_code(exc))
        except SandboxInputError as exc:  # the sandbox's own input errors: usage, exit 2
            click.echo(error_line(str(exc)), err=True)
            sys.exit(USAGE)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug or an unforeseen failure: one line, not a traceback
            if os.environ.get("LEADPACT_DEBUG"):
                raise
            log.debug("unexpected failure", exc_info=True)  # redacted by the handlers
            click.echo(error_line(f"unexpected {type(exc).__name__}: {exc} (set "
                                  "LEADPACT_DEBUG=1 for the traceback; everything committed "
                                  "before it stays committed)"), err=True)
            sys.exit(1)
    return wrapper  # type: ignore[return-value]


@click.group(cls=LeadpactGroup, name="leadpact")
@click.version_option(__version__, prog_name="leadpact")
@log_options
def main(verbose: int, quiet: bool, log_file: Path | None, log_format: str) -> None:
    """One lead definition for marketing and sales across Salesforce and HubSpot."""
    logs.configure(verbose=verbose, quiet=quiet, log_file=log_file, log_format=log_format)


main.add_command(rules)  # `leadpact rules check FILE` / `rules schema`: leadpact/cli_rules.py

config_option = click.option(
    "--config", "config_path", type=click.Path(path_type=Path), default=DEFAULT_PATH,
    show_default=True, envvar="LEADPACT_CONFIG",
    help="The leadpact.toml to use (default: $LEADPACT_CONFIG, else leadpact.toml).")
as_of_option = click.option(
    "--as-of", "as_of", type=MOMENT, default=None,
    help="Judge as of this moment (ISO 8601, e.g. 2026-10-01T09:00:00Z): days silent, "
         "deal ages, task due dates. Default: now.")
full_option = click.option(
    "--full", is_flag=True,
    help="Read every record of both CRMs again, not just what changed since the last sync.")


@main.command()
@config_option
@click.option("--path", "old_path", type=click.Path(path_type=Path), default=None, hidden=True,
              help="Deprecated: use --config.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@friendly_errors
def init(config_path: Path, old_path: Path | None, force: bool) -> None:
    """Write a commented starter config (tokens stay in the environment)."""
    path = old_path or config_path
    if old_path is not None:
        log.warning("init --path is deprecated; use --config")
    if path.exists() and not force:
        raise click.UsageError(f"{path} exists; pass --force to overwrite it")
    path.write_text(STARTER, "utf-8")
    out.print(f"wrote {path}: set instance_url/host, export LEADPACT_SALESFORCE_TOKEN and "
              "LEADPACT_HUBSPOT_TOKEN, then run `leadpact check`")


def _open(config_path: Path) -> Leadpact:
    """The library object the commands wrap. A caller of `main` (a test) may inject a
    retry policy as the click context object, so no command sleeps through real backoff."""
    from leadpact.api import open as open_leadpact
    from leadpact.connectors.retry import RetryPolicy

    ctx = click.get_current_context(silent=True)
    retry = ctx.find_object(RetryPolicy) if ctx is not None else None
    return open_leadpact(config_path, retry=retry)


@main.command()
@config_option
@click.option("--fix", is_flag=True, help="Create missing HubSpot properties (see `setup`).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON line.")
@friendly_errors
def check(config_path: Path, fix: bool, as_json: bool) -> None:
    """Verify connectivity, permissions and that every field leadpact writes exists."""
    result = _open(config_path).check(fix=fix)
    if as_json:
        click.echo(json_line({"ok": result.ok, "rules_version": result.rules_version,
                              "systems": {system: {"ok": not found, "problems": [
                                  {"what": p.what, "fix": p.fix} for p in found]}
                                  for system, found in result.problems.items()}}))
    else:
        for system, found in result.problems.items():
            if not found:
                out.print(f"{system}: ok")
            for problem in found:
                out.print(f"{system}: {problem.what} — {problem.fix}",
                          markup=False, highlight=False)
    if not result.ok:
        sys.exit(2)


def _sync(config_path: Path, as_json: bool, dry_run: bool, as_of: datetime | None,
          full: bool, only: str | None = None, record: str | None = None,
          limit: int | None = None) -> None:
    """A sync, or a plan listing the changes picked by `only`, `record` and `limit`."""
    leadpact = _open(config_path)
    with progress_for(show_bar=not as_json) as watch:
        if dry_run:  # changes listed as planned, none kept: leadpact/plan_output.py
            listing = ShownChanges(lambda c: json_line(change_json(c)) if as_json
                                   else describe_change(c), only, record, limit)
            result = leadpact.plan(progress=watch.records_handled, observer=watch, as_of=as_of,
                                   full=full, on_change=listing.add)
        else:  # the summary's counts are all a sync shows: keep no list of changes
            result = leadpact.sync(progress=watch.records_handled, observer=watch,
                                   as_of=as_of, full=full, keep_changes=False)
    data = result.summary.as_dict()
    if as_json:
        click.echo(json_line(data))
        if dry_run:  # a plan: one object per planned change after the summary
            for line in listing.lines():
                click.echo(line)
    else:
        if dry_run:
            print_plan(out, listing)
        print_summary(out, data, "leadpact plan (nothing written)" if dry_run else "leadpact sync")
    if result.summary.status == "partial":
        sys.exit(1)


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON line.")
@click.option("--dry-run", is_flag=True, help="Plan only: write nothing, commit nothing.")
@as_of_option
@full_option
@friendly_errors
def sync(config_path: Path, as_json: bool, dry_run: bool, as_of: datetime | None,
         full: bool) -> None:
    """Read changes from both CRMs, enrich, evaluate the rules, write back."""
    _sync(config_path, as_json, dry_run, as_of, full)


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON line.")
@as_of_option
@full_option
@click.option("--only", type=click.Choice(ONLY), default=None,
              help="List only field changes, task changes, or lead-stage moves.")
@click.option("--record", default=None,
              help="List only changes to this record: its id, or e.g. salesforce:contact:003A0.")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="List at most N changes (default: 200 as text, all with --json).")
@friendly_errors
def plan(config_path: Path, as_json: bool, as_of: datetime | None, full: bool,
         only: str | None, record: str | None, limit: int | None) -> None:
    """Show what a sync would write, without writing anything: the same run as `sync` on a
    copy of the state, its writes answered unsent."""
    _sync(config_path, as_json, True, as_of, full,
          only, record, limit if limit is not None else None if as_json else 200)


@main.command()
@config_option
@click.argument("run_id")
@click.option("--dry-run", is_flag=True, help="Show what would be put back, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON line.")
@click.option("--all", "show_all", is_flag=True,
              help=f"List every value left alone (default: counts and the first {SHOWN}).")
@friendly_errors
def undo(config_path: Path, run_id: str, dry_run: bool, as_json: bool, show_all: bool) -> None:
    """Put back what one run wrote, wherever nobody changed it since; close its tasks.
    Fix the rules before the next sync, or it writes the same values again."""
    result = _open(config_path).undo(run_id, dry_run=dry_run)
    if as_json:
        click.echo(json_line(result.as_dict(None if show_all else SHOWN)))
    else:
        verb = "would put back" if dry_run else "put back"
        out.print(f"{run_id}: {verb} {result.planned if dry_run else result.restored} "
                  f"change(s), closed {result.tasks_closed} task(s), {result.failed} failed; "
                  f"left alone {len(result.left_alone)}"
                  + (f" (recorded as run {result.undo_id})" if result.undo_id else "")
                  + ":", markup=False, highlight=False)
        shown = result.left_alone if show_all else result.left_alone[:SHOWN]
        for line in shown:
            out.print(f"  {line}", markup=False, highlight=False)
        if len(shown) < len(result.left_alone):
            out.print(f"  … and {len(result.left_alone) - len(shown)} more (--all lists "
                      "every one)", markup=False, highlight=False)
    if result.failed:
        sys.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON line.")
@click.option("--people", default=3000, show_default=True, help="Size of the demo org.")
@click.option("--seed", default=7, show_default=True, help="Seed of the demo org.")
@click.option("--data", "workdir", type=click.Path(path_type=Path), default=None,
              help="Keep the demo's sandbox and state here (default: a temporary folder); "
                   "`leadpact sandbox --data` serves it afterwards.")
@click.option("--dir", "old_dir", type=click.Path(path_type=Path), default=None, hidden=True,
              help="Deprecated: use --data.")
@friendly_errors
def demo(as_json: bool, people: int, seed: int, workdir: Path | None,
         old_dir: Path | None) -> None:
    """Seed a fresh sandbox org, sync it twice, and show what happened. No credentials."""
    from leadpact.demo import STORIES, lead_definition_lines, run_demo

    if old_dir is not None:
        log.warning("demo --dir is deprecated; use --data")
    where = workdir or old_dir or Path(tempfile.mkdtemp(prefix="leadpact-demo-"))

    def announce(number: int, summary: dict[str, Any]) -> None:
        if not as_json:
            print_summary(out, summary, f"run {number}")

    if not as_json:
        out.print(f"Seeding a demo org with {people} people (seed {seed}) in {where} …")
    with progress_for(show_bar=not as_json) as watch:
        result = run_demo(where, people=people, seed=seed, progress=watch.records_handled,
                          observer=watch, on_run=announce)
    data = result.as_dict()
    if as_json:
        click.echo(json_line(data))
        return
    second = result.runs[-1]["systems"]
    out.print(f"Second run wrote {sum(s['changes_applied'] for s in second.values())} changes "
              "(nothing changed in the CRMs, so nothing to write).")
    out.print("Stale deals now: " + ", ".join(f"{system} {stats['stale_deals']}"
                                               for system, stats in second.items())
              + ". Of the deals the seed built:", markup=False, highlight=False)
    for story, counts in result.stale_by_story.items():
        out.print(f"  {counts['stale']:>3} of {counts['deals']:>3} flagged stale — "
                  f"{STORIES[story]}", markup=False, highlight=False)
    for line in lead_definition_lines(data["systems"]):
        out.print(line, markup=False, highlight=False)
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
@click.option("--bare", is_flag=True,
              help="An org without leadpact's custom fields and properties (try `setup`).")
@friendly_errors
def sandbox(port: int, data_dir: Path, seed: int, people: int, fixture: Path | None,
            now: datetime | None, bare: bool) -> None:
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
    if bare:
        from leadpact.connectors.sandbox.fixture import without_leadpact_schema

        without_leadpact_schema(store)
    box = Sandbox(store)
    try:
        url = box.serve(port)
    except BaseException:  # e.g. the port is taken: one line from friendly_errors, exit 2
        store.close()
        raise
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
main.add_command(setup)  # leadpact/cli_setup.py
main.add_command(frozen)  # leadpact/cli_frozen.py
