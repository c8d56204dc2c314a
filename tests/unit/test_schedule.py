"""Each scheduler's files, generated and then checked the way that scheduler reads them."""

from __future__ import annotations

import configparser
import fcntl
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest
import yaml

from leadpact.cronspec import parse_cron, parse_every
from leadpact.errors import ConfigError
from leadpact.schedule import (
    MARK,
    Job,
    check_name,
    cron_files,
    github_workflow,
    k8s_manifest,
    systemd_units,
)
from leadpact.schedule_env import env_keys, github_secret_names
from leadpact.schedule_install import strip_entry

EVERY_15 = parse_every("15m")


def job(tmp_path: Path, command: tuple[str, ...] = (sys.executable, "-m", "leadpact"),
        env_file: Path | None = None) -> Job:
    return Job("leadpact-sync", tmp_path / "conf dir" / "leadpact.toml", command, env_file,
               script_dir=tmp_path / "scripts", state_dir=tmp_path / "state")


def unit(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def test_given_systemd_then_a_oneshot_service_and_a_timer_that_start_it(tmp_path: Path) -> None:
    files = systemd_units(job(tmp_path, env_file=tmp_path / "secrets.env"), EVERY_15)
    service, timer = unit(files["leadpact-sync.service"]), unit(files["leadpact-sync.timer"])
    assert service["Service"]["Type"] == "oneshot"  # never two at once
    assert service["Service"]["SuccessExitStatus"] == "75"  # try again later, not a failure
    assert service["Service"]["EnvironmentFile"] == str(tmp_path / "secrets.env")
    start = shlex.split(service["Service"]["ExecStart"])
    assert start == [sys.executable, "-m", "leadpact", "sync", "--config",
                     str(tmp_path / "conf dir" / "leadpact.toml"), "--json"]
    assert service["Service"]["WorkingDirectory"] == str(tmp_path / "conf dir")
    assert timer["Timer"]["OnCalendar"] == "*-*-* *:00,15,30,45:00"
    assert timer["Timer"]["Unit"] == "leadpact-sync.service"
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_given_systemd_units_then_systemd_analyze_verifies_them(tmp_path: Path) -> None:
    (tmp_path / "conf dir").mkdir()
    env = tmp_path / "secrets.env"
    env.write_text("LEADPACT_HUBSPOT_TOKEN=x\n")
    files = systemd_units(job(tmp_path, env_file=env), parse_cron("0 9 * * mon-fri"))
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    done = subprocess.run(["systemd-analyze", "verify", *paths], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "leadpact-sync" not in done.stderr, done.stderr  # no warning about our units


def test_given_cron_then_one_marked_line_under_flock(tmp_path: Path) -> None:
    files = cron_files(job(tmp_path), EVERY_15)
    mark, line = files["leadpact-sync.crontab"].splitlines()
    assert mark.startswith(f"{MARK}leadpact-sync ")
    fields = line.split(" ", 5)
    assert fields[:5] == ["*/15", "*", "*", "*", "*"]
    assert shlex.split(fields[5]) == ["flock", "-n", str(tmp_path / "state" / "leadpact-sync.lock"),
                                      str(tmp_path / "scripts" / "leadpact-sync.sh")]
    assert "%" not in line.replace(r"\%", "")


def _stub(tmp_path: Path, rc: int) -> Path:
    stub = tmp_path / "fake-leadpact"
    stub.write_text(f'#!/bin/sh\necho "ran $*" >> {tmp_path}/ran\necho "leadpact: a line"\n'
                    f"exit {rc}\n")
    stub.chmod(0o755)
    return stub


def _install_cron_files(tmp_path: Path, rc: int) -> tuple[Path, str]:
    env = tmp_path / "secrets.env"
    env.write_text("LEADPACT_HUBSPOT_TOKEN=from-env-file\n")
    files = cron_files(job(tmp_path, (str(_stub(tmp_path, rc)),), env), EVERY_15)
    for folder in ("scripts", "state", "conf dir"):
        (tmp_path / folder).mkdir(exist_ok=True)
    script = tmp_path / "scripts" / "leadpact-sync.sh"
    script.write_text(files["leadpact-sync.sh"])
    script.chmod(0o755)
    command = files["leadpact-sync.crontab"].splitlines()[1].split(" ", 5)[5]
    return script, command


@pytest.mark.skipif(shutil.which("flock") is None, reason="no flock(1)")
@pytest.mark.parametrize(("rc", "expected"), [(0, 0), (75, 0), (1, 1), (2, 2)])
def test_given_the_cron_command_then_exit_75_is_no_failure_and_others_are_kept(
        tmp_path: Path, rc: int, expected: int) -> None:
    _, command = _install_cron_files(tmp_path, rc)
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=False)
    assert done.returncode == expected
    assert (tmp_path / "ran").read_text().startswith("ran sync --config")
    log = (tmp_path / "state" / "leadpact-sync.log").read_text()
    assert "leadpact: a line" in log
    if rc == 75:
        assert done.stdout == done.stderr == "" and "try again later" in log  # no cron mail
    if expected:
        assert f"failed with exit {rc}" in done.stderr


@pytest.mark.skipif(shutil.which("flock") is None, reason="no flock(1)")
def test_given_a_sync_still_running_then_the_cron_command_skips_this_turn(tmp_path: Path) -> None:
    _, command = _install_cron_files(tmp_path, 0)
    with (tmp_path / "state" / "leadpact-sync.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        subprocess.run(["sh", "-c", command], capture_output=True, check=False)
    assert not (tmp_path / "ran").exists()


def test_given_the_cron_script_then_it_loads_the_env_file(tmp_path: Path) -> None:
    stub = tmp_path / "fake-leadpact"
    script, _ = _install_cron_files(tmp_path, 0)
    stub.write_text(f'#!/bin/sh\necho "$LEADPACT_HUBSPOT_TOKEN" > {tmp_path}/seen\n')
    subprocess.run([str(script)], check=True)
    assert (tmp_path / "seen").read_text().strip() == "from-env-file"


def test_given_a_crontab_then_only_our_entry_is_replaced() -> None:
    ours = f"{MARK}leadpact-sync (flock -n: never two at once)\n*/5 * * * * flock x\n"
    other = f"{MARK}leadpact-sync-eu (flock -n)\n0 * * * * flock y\n"
    table = "MAILTO=ops@example.com\n0 1 * * * backup\n" + ours + other
    assert strip_entry(table, "leadpact-sync") == \
        "MAILTO=ops@example.com\n0 1 * * * backup\n" + other


def test_given_k8s_then_a_cronjob_that_forbids_overlap_with_config_and_state(
        tmp_path: Path) -> None:
    settings = {"leadpact": {"state": "x.sqlite3", "rules": "mine.yaml",
                             "secrets_file": "~/s.env"},
                "salesforce": {"instance_url": "https://x.my.salesforce.com"},
                "hubspot": {"enabled": False, "host": "https://api.hubapi.com"}}
    (text,) = k8s_manifest(job(tmp_path), EVERY_15, settings, "version: 1\n",
                           "example/leadpact:1").values()
    cronjob, configmap, claim = yaml.safe_load_all(text)
    assert (cronjob["apiVersion"], cronjob["kind"]) == ("batch/v1", "CronJob")
    spec = cronjob["spec"]
    assert spec["schedule"] == "*/15 * * * *" and spec["concurrencyPolicy"] == "Forbid"
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    (container,) = pod["containers"]
    assert container["image"] == "example/leadpact:1"
    assert container["envFrom"] == [{"secretRef": {"name": "leadpact-sync-secrets"}}]
    script = container["command"][2]
    assert "leadpact sync --config /etc/leadpact/leadpact.toml --json" in script
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["config"]["configMap"]["name"] == configmap["metadata"]["name"]
    assert volumes["state"]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert claim["kind"] == "PersistentVolumeClaim"
    import tomllib
    pod_config = tomllib.loads(configmap["data"]["leadpact.toml"])
    assert pod_config["leadpact"] == {"state": f"{mounts['state']}/state.sqlite3",
                                      "rules": f"{mounts['config']}/rules.yaml"}
    assert pod_config["hubspot"]["enabled"] is False
    assert configmap["data"]["rules.yaml"] == "version: 1\n"


@pytest.mark.parametrize(("rc", "expected"), [(0, 0), (75, 0), (1, 1), (2, 2)])
def test_given_k8s_then_its_script_maps_75_to_success(tmp_path: Path, rc: int,
                                                       expected: int) -> None:
    (text,) = k8s_manifest(job(tmp_path), EVERY_15, {"leadpact": {}}, None, "img").values()
    script = next(yaml.safe_load_all(text))["spec"]["jobTemplate"]["spec"]["template"][
        "spec"]["containers"][0]["command"][2]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "leadpact").write_text(f"#!/bin/sh\nexit {rc}\n")
    (bin_dir / "leadpact").chmod(0o755)
    done = subprocess.run(["sh", "-c", script], env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
                          capture_output=True, text=True, check=False)
    assert done.returncode == expected


def test_given_github_then_a_scheduled_workflow_in_one_concurrency_group(tmp_path: Path) -> None:
    (text,) = github_workflow(job(tmp_path), EVERY_15, PurePosixPath("ops/leadpact.toml"),
                              PurePosixPath("ops/.leadpact/state.sqlite3")).values()
    flow = yaml.safe_load(text)
    assert flow["on"]["schedule"] == [{"cron": "*/15 * * * *"}]
    assert flow["concurrency"] == {"group": "leadpact-sync", "cancel-in-progress": False}
    steps = flow["jobs"]["sync"]["steps"]
    sync = next(s for s in steps if "leadpact sync" in s.get("run", ""))
    assert "leadpact sync --config ops/leadpact.toml --json" in sync["run"]
    assert sync["env"]["LEADPACT_HUBSPOT_TOKEN"] == "${{ secrets.LEADPACT_HUBSPOT_TOKEN }}"
    restore = next(s for s in steps if s.get("uses", "").startswith("actions/cache/restore"))
    save = next(s for s in steps if s.get("uses", "").startswith("actions/cache/save"))
    assert steps.index(restore) < steps.index(sync) < steps.index(save)
    assert save["if"] == "always()"  # a failed run's progress is kept too
    assert restore["with"]["path"] == save["with"]["path"] == "ops/.leadpact/state.sqlite3*"
    assert restore["with"]["restore-keys"] == "leadpact-sync-state-"


def test_given_github_more_often_than_every_5_minutes_then_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at most every 5 minutes"):
        github_workflow(job(tmp_path), parse_every("2m"), PurePosixPath("leadpact.toml"),
                        PurePosixPath(".leadpact/state.sqlite3"))


@pytest.mark.parametrize("name", ["Leadpact", "-x", "a_b", "a b", "x" * 43, ""])
def test_given_a_name_no_scheduler_takes_then_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="--name"):
        check_name(name)


# -- the env file on k8s and GitHub: key names only ------------------------------------
ENV_TEXT = ("# tokens\nLEADPACT_SALESFORCE_CONSUMER_KEY=ck-value-123456\n"
            "export LEADPACT_HUBSPOT_TOKEN='pat-value-987654'  # the app's token\n")


def test_given_an_env_file_then_its_key_names_are_read_in_order_and_odd_lines_noted(
        tmp_path: Path) -> None:
    keys = env_keys(ENV_TEXT, tmp_path / "s.env")
    assert keys.names == ("LEADPACT_SALESFORCE_CONSUMER_KEY", "LEADPACT_HUBSPOT_TOKEN")
    assert keys.not_plain == (3,)  # kubectl would take `export …` and the quotes literally
    assert env_keys("A=1\nB=x=y\n", tmp_path / "s.env").not_plain == ()


@pytest.mark.parametrize(("text", "says"), [
    ("A=1\njust-a-pasted-secret-value\n", "s.env:2: expected KEY=value (the line is not shown"),
    ("A-B=1\n", "s.env:1: 'A-B' is not an environment variable name"),
    ("# nothing\n", "no KEY=value line"),
])
def test_given_a_bad_env_file_then_the_line_is_named_and_no_value_shown(
        tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(says)) as caught:
        env_keys(text, tmp_path / "s.env")
    assert "just-a-pasted" not in str(caught.value)


def test_given_k8s_with_an_env_file_then_the_secret_is_made_from_it_and_holds_no_value(
        tmp_path: Path) -> None:
    env = tmp_path / "my secrets.env"
    secret_job = replace(job(tmp_path, env_file=env),
                         secret_names=env_keys(ENV_TEXT, env).names)
    (text,) = k8s_manifest(secret_job, EVERY_15, {"leadpact": {}}, None, "img").values()
    assert "ck-value-123456" not in text and "pat-value" not in text
    cronjob = next(yaml.safe_load_all(text))
    container = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["envFrom"] == [{"secretRef": {"name": "leadpact-sync-secrets"}}]
    command = next(line for line in text.splitlines() if "kubectl create secret" in line)
    argv = shlex.split(command.split(":", 1)[1])
    assert argv == ["kubectl", "create", "secret", "generic", "leadpact-sync-secrets",
                    f"--from-env-file={env}"]
    assert "LEADPACT_SALESFORCE_CONSUMER_KEY, LEADPACT_HUBSPOT_TOKEN" in text


def test_given_github_with_an_env_file_then_each_key_comes_from_its_repository_secret(
        tmp_path: Path) -> None:
    env = tmp_path / "s.env"
    names = env_keys(ENV_TEXT, env).names
    (text,) = github_workflow(replace(job(tmp_path, env_file=env), secret_names=names),
                              EVERY_15, PurePosixPath("leadpact.toml"),
                              PurePosixPath(".leadpact/state.sqlite3")).values()
    assert "ck-value-123456" not in text and "pat-value" not in text
    steps = yaml.safe_load(text)["jobs"]["sync"]["steps"]
    sync = next(s for s in steps if "leadpact sync" in s.get("run", ""))
    assert sync["env"] == {name: f"${{{{ secrets.{name} }}}}" for name in names}
    assert f"gh secret set -f {env}" in text


def test_given_a_github_reserved_key_then_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GITHUB_TOKEN cannot be a GitHub secret"):
        github_secret_names(env_keys("GITHUB_TOKEN=x\n", tmp_path / "s.env"),
                            tmp_path / "s.env")
