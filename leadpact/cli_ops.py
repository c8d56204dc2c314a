"""`leadpact schedule …` and `leadpact runs …`: the operator's commands. Thin: the logic
lives in cronspec, schedule, schedule_install and history.

Registered on the main command by cli.py: `main.add_command(schedule)`, `(runs)`.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from collections.abc import Callable
from functools import wraps
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import click

from leadpact.config import DEFAULT_PATH, load_config
from leadpact.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])


def _guarded(command: F) -> F:
    """The main command's one-line errors and exit codes (imported late: cli imports us)."""
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from leadpact.cli import friendly_errors

        return friendly_errors(command)(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def _config_option(default: Path | None = DEFAULT_PATH) -> Callable[[F], F]:
    return click.option("--config", "config_path", type=click.Path(path_type=Path),
                        default=default, show_default=default is not None,
                        envvar="LEADPACT_CONFIG" if default is not None else None,
                        help="The leadpact.toml to use (default: $LEADPACT_CONFIG, else "
                             "leadpact.toml).")


def _echo(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


# -- schedule --------------------------------------------------------------------------
@click.group()
def schedule() -> None:
    """Run `leadpact sync` on a schedule: systemd timer, cron, Kubernetes or GitHub Actions."""


_target = click.option("--target", type=click.Choice(["systemd", "cron", "k8s", "github"]),
                       default="systemd", show_default=True, help="The scheduler.")
_name = click.option("--name", default="leadpact-sync", show_default=True,
                     help="Name of the timer/cron entry/CronJob/workflow.")
_dir = click.option("--dir", "folder", type=click.Path(path_type=Path), default=None,
                    help="Write the files into this folder instead of installing them.")


@schedule.command("install")
@click.option("--every", default=None, help="How often, e.g. 15m, 2h, 1d.")
@click.option("--cron", "cron_text", default=None, help='A cron schedule, e.g. "*/15 * * * *".')
@_target
@_config_option()
@click.option("--env-file", type=click.Path(path_type=Path), default=None,
              help="KEY=value secrets for each run: loaded by systemd and cron; k8s reads "
                   "them from a Secret made from it, GitHub from repository secrets of its "
                   "key names (values are never written into the files).")
@_name
@_dir
@click.option("--image", default="python:3.12-slim", show_default=True,
              help="k8s: the container image (leadpact is pip-installed if missing).")
@_guarded
def install(every: str | None, cron_text: str | None, target: str, config_path: Path,
            env_file: Path | None, name: str, folder: Path | None, image: str) -> None:
    """Install a scheduled sync (or write its files with --dir). Exit 75 counts as
    "try again later", and two syncs never run at once."""
    from leadpact.cronspec import parse_cron, parse_every
    from leadpact.schedule import check_name
    from leadpact.schedule_install import install as install_files
    from leadpact.schedule_install import run_tool, write_files

    if (every is None) == (cron_text is None):
        raise click.UsageError("give one of --every (e.g. 15m) or --cron \"*/15 * * * *\"")
    when = parse_every(every) if every is not None else parse_cron(cron_text or "")
    check_name(name)
    load_config(config_path, credentials=False)  # refuse to schedule a broken config
    if env_file is not None and not env_file.is_file():
        raise ConfigError(f"--env-file {env_file}: no such file")
    files = _render(target, name, when, config_path, env_file, folder, image)
    if folder is not None:
        _echo([f"wrote {p}" for p in write_files(folder, files)])
        return
    _echo(install_files(target, name, files, _places(), run_tool))


def _places() -> Any:
    from leadpact.schedule_install import Places

    return Places(home=Path.home(), repo=Path.cwd())


def _render(target: str, name: str, when: Any, config_path: Path, env_file: Path | None,
            folder: Path | None, image: str) -> dict[str, str]:
    from leadpact import schedule as s

    config = config_path.resolve()
    places = _places()
    job = s.Job(name, config, (sys.executable, "-m", "leadpact"),
                env_file.resolve() if env_file else None,
                script_dir=(folder or places.scripts).resolve(),
                state_dir=(folder or places.state).resolve(),
                secret_names=_secret_names(target, env_file))
    if target == "systemd":
        return s.systemd_units(job, when)
    if target == "cron":
        return s.cron_files(job, when)
    settings = tomllib.loads(config.read_text("utf-8"))
    core = settings.get("leadpact", {})
    if target == "k8s":
        rules = core.get("rules")
        rules_text = (config.parent / rules).read_text("utf-8") if rules else None
        return s.k8s_manifest(job, when, settings, rules_text, image)
    if core.get("secrets_file"):
        raise ConfigError(f"--target github: {config_path} names a secrets_file, which a "
                          "GitHub runner does not have; use a config without it (tokens come "
                          "from the repository's secrets)")
    try:
        relative = config.relative_to(places.repo.resolve())
    except ValueError:
        raise ConfigError(f"--target github: {config_path} must be inside this repository "
                          f"({places.repo})") from None
    state = relative.parent / core.get("state", ".leadpact/state.sqlite3")
    return s.github_workflow(job, when, PurePosixPath(relative.as_posix()),
                             PurePosixPath(Path(os.path.normpath(state)).as_posix()))


def _secret_names(target: str, env_file: Path | None) -> tuple[str, ...]:
    """k8s and GitHub get the env file's key names (the values stay in the file)."""
    from leadpact.schedule_env import env_keys, github_secret_names

    if env_file is None or target not in ("k8s", "github"):
        return ()
    try:
        keys = env_keys(env_file.read_text("utf-8"), env_file)
    except UnicodeDecodeError:
        raise ConfigError(f"--env-file {env_file}: not UTF-8 text; save it as UTF-8") from None
    if target == "github":
        return github_secret_names(keys, env_file)
    if keys.not_plain:
        lines = ", ".join(str(n) for n in keys.not_plain)
        click.echo(f"leadpact: note: {env_file} line(s) {lines} use export, quotes, spaces or "
                   "a comment, which `kubectl create secret --from-env-file` keeps as written; "
                   "make them plain KEY=value before creating the Secret", err=True)
    return keys.names


@schedule.command("show")
@click.option("--target", type=click.Choice(["systemd", "cron", "k8s", "github"]),
              default=None, help="Only this scheduler (k8s is asked only when named).")
@_name
@_dir
@_guarded
def show(target: str | None, name: str, folder: Path | None) -> None:
    """Show the installed schedule (or the files written with --dir)."""
    from leadpact.schedule_install import in_folder, run_tool
    from leadpact.schedule_install import show as show_installed

    if folder is not None:
        found = [f"{p}:\n{p.read_text('utf-8')}" for p in in_folder(folder, name)]
    else:
        targets = [target] if target else ["systemd", "cron", "github"]
        found = [text for t in targets for text in show_installed(t, name, _places(), run_tool)]
    _echo(found or [f"no schedule named {name} is installed"
                    + (f" in {folder}" if folder else "")])


@schedule.command("remove")
@click.option("--target", type=click.Choice(["systemd", "cron", "k8s", "github"]),
              default=None, help="Only this scheduler (k8s is asked only when named).")
@_name
@_dir
@_guarded
def remove(target: str | None, name: str, folder: Path | None) -> None:
    """Remove the installed schedule (or the files written with --dir). The state stays."""
    from leadpact.schedule_install import in_folder, run_tool
    from leadpact.schedule_install import remove as remove_installed

    if folder is not None:
        done = []
        for path in in_folder(folder, name):
            path.unlink()
            done.append(f"deleted {path}")
    else:
        targets = [target] if target else ["systemd", "cron", "github"]
        done = [line for t in targets for line in remove_installed(t, name, _places(),
                                                                    run_tool)]
    _echo(done or [f"no schedule named {name} was installed; nothing to remove"])


# -- runs ------------------------------------------------------------------------------
def _history_of(config_path: Path) -> tuple[Path, Any]:
    from leadpact.history import read_history

    state_path = load_config(config_path, credentials=False).state_path
    return state_path, read_history(state_path)


@click.group(invoke_without_command=True)
@_config_option()
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="How many runs, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
@_guarded
def runs(ctx: click.Context, config_path: Path, limit: int, as_json: bool) -> None:
    """The recent syncs and undos, newest first: status, rules version, counts per CRM and
    the first errors. Reads only the local state: no CRM tokens needed."""
    from leadpact.history import describe

    ctx.obj = config_path
    if ctx.invoked_subcommand is not None:
        return
    state_path, reading = _history_of(config_path)
    with reading as history:
        found = history.runs(limit) if history else []
    if as_json:
        click.echo(json.dumps({"state": str(state_path),
                               "runs": [r.as_dict() for r in found]}, ensure_ascii=False))
        return
    if not found:
        click.echo(f"no runs recorded yet in {state_path}")
    for run in found:
        _echo(describe(run))


@runs.command("show")
@click.argument("run_id")
@_config_option(default=None)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
@_guarded
def show_run(ctx: click.Context, run_id: str, config_path: Path | None, as_json: bool) -> None:
    """One run in full, with every record the CRMs refused and their reason."""
    from leadpact.frozen import read_frozen
    from leadpact.history import describe

    _, reading = _history_of(config_path or ctx.obj or DEFAULT_PATH)
    with reading as history:
        if history is None:
            raise ConfigError(f"no run {run_id!r}: nothing has run with this state yet")
        run = history.run(run_id)
        froze = read_frozen(history.connection, run.run_id)  # write loops it found
    if as_json:
        click.echo(json.dumps({**run.as_dict(), "frozen": [f.as_dict() for f in froze]},
                              ensure_ascii=False))
        return
    _echo(describe(run, errors=0))
    _echo([f"    froze {f.field} on {f.record}: changed back by "
           f"{f.changed_by or 'someone the CRM did not name'}" for f in froze])
    click.echo(f"    refused: {len(run.refused)}")
    for refusal in run.refused:
        click.echo(f"      {refusal.record}: {refusal.reason}  ({refusal.change})")
    if not run.refused and run.refused_changes:
        click.echo("      (the full list was pruned: the state keeps the refused records of "
                   "the newest `keep_refused_runs` runs; the first ones follow)")
    if not run.refused and run.failures:  # pruned, or recorded before refusals were kept
        _echo([f"      {line}" for line in run.failures])
