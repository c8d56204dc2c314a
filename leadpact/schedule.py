"""The files that run `leadpact sync` on a schedule, one set per scheduler. Pure: a `Job`
and a `CronSchedule` in, {file name: text} out (installing them is schedule_install's job).

Every target runs one sync at a time and treats exit 75 ("try again later": API quota used
up, or another sync still holds the state) as a normal end, not a failure:
- systemd: a oneshot service (a timer never starts a unit that is still running) with
  `SuccessExitStatus=75`;
- cron: `flock -n` around a small wrapper script that maps 75 to 0 and logs to a file;
- Kubernetes: a CronJob with `concurrencyPolicy: Forbid`, state on a PersistentVolumeClaim;
- GitHub Actions: a workflow in one `concurrency` group, state kept in the Actions cache.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from leadpact import __version__
from leadpact.config import HUBSPOT_TOKEN, SALESFORCE_TOKEN
from leadpact.cronspec import CronSchedule
from leadpact.errors import ConfigError

TARGETS = ("systemd", "cron", "k8s", "github")
NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?")
MARK = "# leadpact schedule:"  # starts the comment line above our crontab entry
K8S_STATE = "/var/lib/leadpact"
K8S_CONFIG = "/etc/leadpact"
TRY_LATER = "leadpact: exit 75, try again later (quota used up or another sync running)"


@dataclass(frozen=True, slots=True)
class Job:
    """One scheduled sync: what to run, with which config and secrets, where its files go."""

    name: str
    config: Path  # absolute path of leadpact.toml
    command: tuple[str, ...]  # how to start leadpact on this machine
    env_file: Path | None = None  # KEY=value lines loaded before the run
    script_dir: Path = Path(".")  # cron: the wrapper script
    state_dir: Path = Path(".")  # cron: its lock and log
    # k8s, GitHub: the env file's key names (never values), for the Secret / repo secrets
    secret_names: tuple[str, ...] = ()

    def sync_argv(self) -> list[str]:
        return [*self.command, "sync", "--config", str(self.config), "--json"]


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise ConfigError(f"--name {name!r}: use lowercase letters, digits and dashes "
                          "(at most 42), starting and ending with a letter or digit")
    return name


# -- systemd ---------------------------------------------------------------------------
def _systemd_quote(arg: str) -> str:
    if "\n" in arg:
        raise ConfigError(f"{arg!r}: a path with a line break cannot go in a systemd unit")
    arg = arg.replace("%", "%%").replace("$", "$$")
    return f'"{arg}"' if re.search(r'[\s"\'\\;]', arg) else arg


def _systemd_path(path: Path) -> str:
    """A path setting (WorkingDirectory=, EnvironmentFile=) takes the rest of the line
    as is: no quotes; only specifiers (%) are escaped."""
    if "\n" in str(path):
        raise ConfigError(f"{path!r}: a path with a line break cannot go in a systemd unit")
    return str(path).replace("%", "%%")


def systemd_units(job: Job, when: CronSchedule) -> dict[str, str]:
    exec_start = " ".join(_systemd_quote(a) for a in job.sync_argv())
    env = f"EnvironmentFile={_systemd_path(job.env_file)}\n" if job.env_file else ""
    service = f"""# Written by `leadpact schedule install --target systemd`; `leadpact schedule
# remove` deletes it. A oneshot unit: the timer never starts it while a sync still runs.
[Unit]
Description=leadpact sync ({job.name})

[Service]
Type=oneshot
WorkingDirectory={_systemd_path(job.config.parent)}
{env}ExecStart={exec_start}
# 75 = try again later (API quota used up, or another sync holds the state): not a failure
SuccessExitStatus=75
Nice=10
"""
    timer = f"""# Written by `leadpact schedule install --target systemd` (cron: {when.expression})
[Unit]
Description=Run leadpact sync ({job.name}) on schedule

[Timer]
OnCalendar={when.on_calendar()}
Persistent=true
AccuracySec=1min
Unit={job.name}.service

[Install]
WantedBy=timers.target
"""
    return {f"{job.name}.service": service, f"{job.name}.timer": timer}


# -- cron ------------------------------------------------------------------------------
def _run_mapping_75(command: str, on_failure: str = "", note_to: str = "") -> str:
    """Shell lines that run `command` and end 0 on exit 75, else with its own code."""
    return (f"rc=0\n{command} || rc=$?\n"
            f'if [ "$rc" -eq 75 ]; then\n  echo "{TRY_LATER}"{note_to}\n  exit 0\nfi\n'
            f"{on_failure}exit \"$rc\"\n")


def cron_files(job: Job, when: CronSchedule) -> dict[str, str]:
    q = shlex.quote
    script = job.script_dir / f"{job.name}.sh"
    log = job.state_dir / f"{job.name}.log"
    lock = job.state_dir / f"{job.name}.lock"
    env = (f"set -a\n. {q(str(job.env_file))}\nset +a\n") if job.env_file else ""
    command = " ".join(q(a) for a in job.sync_argv()) + f" >>{q(str(log))} 2>&1"
    failure = (f'if [ "$rc" -ne 0 ]; then\n  echo "leadpact sync ({job.name}) failed with '
               f'exit $rc; see {log}" >&2\nfi\n')
    body = f"""#!/bin/sh
# Written by `leadpact schedule install --target cron`; `leadpact schedule remove` deletes
# it. Runs one sync; its JSON summary and errors go to {log}.
cd {q(str(job.config.parent))} || exit 1
{env}""" + _run_mapping_75(command, failure, f" >>{q(str(log))}")
    line = (f"{when.expression} flock -n {q(str(lock))} {q(str(script))}").replace("%", r"\%")
    entry = f"{MARK}{job.name} (flock -n: never two at once)\n{line}\n"
    return {f"{job.name}.sh": body, f"{job.name}.crontab": entry}


# -- YAML helpers ----------------------------------------------------------------------
class _Dumper(yaml.SafeDumper):
    """Multi-line strings (shell scripts) as literal blocks, so the files read naturally;
    no anchors (&id001) for values used twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _yaml(header: str, *documents: dict[str, Any]) -> str:
    body = yaml.dump_all(documents, Dumper=_Dumper, sort_keys=False, width=100)
    return "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + body


def _toml(data: dict[str, Any]) -> str:
    """leadpact.toml holds only tables of scalars (and lists of them)."""
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(str(v), ensure_ascii=False)
    lines = []
    for section, values in data.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {value(v)}" for key, v in values.items())
        lines.append("")
    return "\n".join(lines)


# -- Kubernetes ------------------------------------------------------------------------
def k8s_manifest(job: Job, when: CronSchedule, settings: dict[str, Any],
                 rules_text: str | None, image: str) -> dict[str, str]:
    """CronJob + its ConfigMap (the config, rewritten for the pod) + a claim for the state.
    `settings` is the parsed leadpact.toml; tokens come from the Secret `<name>-secrets`."""
    core = dict(settings.get("leadpact", {}))
    core.pop("secrets_file", None)  # the pod gets its tokens from the Secret instead
    core["state"] = f"{K8S_STATE}/state.sqlite3"
    config_data = {"leadpact.toml": ""}
    if rules_text is not None:
        core["rules"] = f"{K8S_CONFIG}/rules.yaml"
        config_data["rules.yaml"] = rules_text
    config_data["leadpact.toml"] = _toml({**settings, "leadpact": core})
    labels = {"app.kubernetes.io/name": "leadpact", "app.kubernetes.io/instance": job.name}
    script = (f"command -v leadpact >/dev/null || pip install --quiet --no-cache-dir "
              f"'leadpact=={__version__}'\n"
              + _run_mapping_75(f"leadpact sync --config {K8S_CONFIG}/leadpact.toml --json"))
    container = {
        "name": "leadpact", "image": image, "command": ["/bin/sh", "-c", script],
        "envFrom": [{"secretRef": {"name": f"{job.name}-secrets"}}],
        "volumeMounts": [{"name": "config", "mountPath": K8S_CONFIG, "readOnly": True},
                         {"name": "state", "mountPath": K8S_STATE}],
    }
    cronjob = {
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": job.name, "labels": labels},
        "spec": {
            "schedule": when.expression, "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",  # never two syncs at once
            "startingDeadlineSeconds": 300,
            "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 3,
            "jobTemplate": {"spec": {"backoffLimit": 0, "template": {
                "metadata": {"labels": labels},
                "spec": {"restartPolicy": "Never", "containers": [container], "volumes": [
                    {"name": "config", "configMap": {"name": f"{job.name}-config"}},
                    {"name": "state",
                     "persistentVolumeClaim": {"claimName": f"{job.name}-state"}}]}}}},
        },
    }
    configmap = {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": f"{job.name}-config", "labels": labels},
                 "data": config_data}
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
             "metadata": {"name": f"{job.name}-state", "labels": labels},
             "spec": {"accessModes": ["ReadWriteOnce"],
                      "resources": {"requests": {"storage": "1Gi"}}}}
    env_file = shlex.quote(str(job.env_file)) if job.env_file else "secrets.env"
    holds = (f"\nThe Secret must hold {', '.join(job.secret_names)} (no value is written here)."
             if job.secret_names else "")
    header = (f"Written by `leadpact schedule install --target k8s` ({job.name}).\n"
              f"Create the tokens first: kubectl create secret generic {job.name}-secrets "
              f"--from-env-file={env_file}{holds}\n"
              f"Then: kubectl apply -f {job.name}.yaml. The state (ledger, cursors) lives on "
              f"the claim {job.name}-state: keep it.")
    return {f"{job.name}.yaml": _yaml(header, cronjob, configmap, claim)}


# -- GitHub Actions --------------------------------------------------------------------
def github_workflow(job: Job, when: CronSchedule, config: PurePosixPath,
                    state: PurePosixPath) -> dict[str, str]:
    """`config` and `state` are relative to the repository's root."""
    if when.shortest_gap_minutes() < 5:
        raise ConfigError(f"--target github: GitHub runs scheduled workflows at most every "
                          f"5 minutes; {when.expression!r} is more often")
    cache = {"path": f"{state}*", "key": f"{job.name}-state-${{{{ github.run_id }}}}"}
    names = job.secret_names or (SALESFORCE_TOKEN, HUBSPOT_TOKEN)
    secrets = {var: f"${{{{ secrets.{var} }}}}" for var in names}
    run = _run_mapping_75(f"leadpact sync --config {shlex.quote(str(config))} --json")
    workflow = {
        "name": f"leadpact sync ({job.name})",
        "on": {"schedule": [{"cron": when.expression}], "workflow_dispatch": {}},
        "concurrency": {"group": job.name, "cancel-in-progress": False},
        "permissions": {"contents": "read"},
        "jobs": {"sync": {"runs-on": "ubuntu-latest", "timeout-minutes": 120, "steps": [
            {"uses": "actions/checkout@v4"},
            {"uses": "actions/setup-python@v5", "with": {"python-version": "3.12"}},
            {"run": f"pip install 'leadpact=={__version__}'"},
            {"name": "Restore leadpact's state", "uses": "actions/cache/restore@v4",
             "with": {**cache, "restore-keys": f"{job.name}-state-"}},
            {"name": "leadpact sync", "env": secrets, "run": run},
            {"name": "Keep leadpact's state for the next run", "if": "always()",
             "uses": "actions/cache/save@v4", "with": cache},
        ]}},
    }
    header = (f"Written by `leadpact schedule install --target github` ({job.name}).\n"
              f"Add the repository secrets {', '.join(names)}"
              + (f" (from the env file: gh secret set -f {shlex.quote(str(job.env_file))})"
                 if job.env_file else "") + ".\n"
              "Schedules run in UTC; the state (ledger, cursors) is kept in the Actions cache.")
    return {f"{job.name}.yml": _yaml(header, workflow)}
