"""Putting schedule files where each scheduler looks for them, in the user's own scope, and
taking them away again: systemd --user units, the user's crontab, `kubectl apply`, the
repository's .github/workflows. With a folder given, files are only written there.

External tools are called through `run` (argv, stdin) so nothing here needs root.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from leadpact.errors import ConfigError, LeadpactError
from leadpact.schedule import MARK

Run = Callable[[list[str], str | None], subprocess.CompletedProcess[str]]


def run_tool(argv: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    if shutil.which(argv[0]) is None:
        raise ConfigError(f"`{argv[0]}` is not installed here; install it, or pass --dir DIR "
                          "to write the files and install them yourself")
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120,
                          check=False)


def _ok(result: subprocess.CompletedProcess[str], what: str) -> str:
    if result.returncode != 0:
        first = (result.stderr or result.stdout).strip().splitlines()[:1]
        raise LeadpactError(f"`{what}` failed (exit {result.returncode})"
                            + (f": {first[0]}" if first else ""))
    return result.stdout


@dataclass(frozen=True, slots=True)
class Places:
    """Where a user's installed schedule lives (all under HOME, or the repository)."""

    home: Path
    repo: Path

    @property
    def systemd(self) -> Path:
        return self.home / ".config" / "systemd" / "user"

    @property
    def scripts(self) -> Path:
        return self.home / ".config" / "leadpact" / "schedule"

    @property
    def state(self) -> Path:
        return self.home / ".local" / "state" / "leadpact"

    @property
    def workflows(self) -> Path:
        return self.repo / ".github" / "workflows"


def write_files(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, "utf-8")
        if name.endswith(".sh"):
            path.chmod(0o755)
        written.append(path)
    return written


def strip_entry(crontab: str, name: str) -> str:
    """The crontab without our entry for `name` (its mark line and the line after it)."""
    out, skip = [], False
    for line in crontab.splitlines():
        if skip:
            skip = False
            continue
        if line.startswith(f"{MARK}{name} ") or line == f"{MARK}{name}":
            skip = True
            continue
        out.append(line)
    return "".join(f"{line}\n" for line in out)


def read_crontab(run: Run) -> str:
    result = run(["crontab", "-l"], None)
    if result.returncode != 0:
        if "no crontab" in (result.stderr or "").lower():
            return ""
        _ok(result, "crontab -l")
    return result.stdout


def install(target: str, name: str, files: dict[str, str], places: Places,
            run: Run) -> list[str]:
    """Install for real; returns what was done, one line each."""
    if target == "systemd":
        paths = write_files(places.systemd, files)
        _ok(run(["systemctl", "--user", "daemon-reload"], None), "systemctl --user daemon-reload")
        _ok(run(["systemctl", "--user", "enable", "--now", f"{name}.timer"], None),
            f"systemctl --user enable --now {name}.timer")
        return [*(f"wrote {p}" for p in paths), f"enabled {name}.timer (systemctl --user); "
                "to run while you are logged out: loginctl enable-linger"]
    if target == "cron":
        places.state.mkdir(parents=True, exist_ok=True)
        (script,) = write_files(places.scripts, {f"{name}.sh": files[f"{name}.sh"]})
        table = strip_entry(read_crontab(run), name) + files[f"{name}.crontab"]
        _ok(run(["crontab", "-"], table), "crontab -")
        line = files[f"{name}.crontab"].splitlines()[-1]
        return [f"wrote {script}", f"added to your crontab: {line}"]
    if target == "k8s":
        (text,) = files.values()
        out = _ok(run(["kubectl", "apply", "-f", "-"], text), "kubectl apply")
        return [line for line in out.splitlines() if line.strip()]
    paths = write_files(places.workflows, files)
    return [f"wrote {p}; commit and push it" for p in paths]


def show(target: str, name: str, places: Places, run: Run) -> list[str]:
    """The installed schedule of one target, as text ([] when there is none)."""
    if target == "systemd":
        return [f"{p}:\n{p.read_text('utf-8')}" for p in
                (places.systemd / f"{name}.timer", places.systemd / f"{name}.service")
                if p.exists()]
    if target == "cron":
        if shutil.which("crontab") is None:
            return []
        lines = read_crontab(run).splitlines()
        return [f"crontab: {lines[i + 1]}" for i, line in enumerate(lines[:-1])
                if line.startswith(f"{MARK}{name} ")]
    if target == "k8s":
        result = run(["kubectl", "get", "cronjob", name, "-o", "wide"], None)
        return [result.stdout.strip()] if result.returncode == 0 else []
    workflow = places.workflows / f"{name}.yml"
    return [f"{workflow}:\n{workflow.read_text('utf-8')}"] if workflow.exists() else []


def remove(target: str, name: str, places: Places, run: Run) -> list[str]:
    done: list[str] = []
    if target == "systemd":
        timer = places.systemd / f"{name}.timer"
        if timer.exists() and shutil.which("systemctl"):
            run(["systemctl", "--user", "disable", "--now", f"{name}.timer"], None)
        done += _delete(timer, places.systemd / f"{name}.service")
        if done and shutil.which("systemctl"):
            run(["systemctl", "--user", "daemon-reload"], None)
    elif target == "cron":
        if shutil.which("crontab"):
            table = read_crontab(run)
            kept = strip_entry(table, name)
            if kept != table:
                _ok(run(["crontab", "-"], kept), "crontab -")
                done.append(f"removed {name} from your crontab")
        done += _delete(places.scripts / f"{name}.sh")
    elif target == "k8s":
        result = run(["kubectl", "delete", "cronjob,configmap", "-l",
                      f"app.kubernetes.io/instance={name}"], None)
        done += [line for line in _ok(result, "kubectl delete").splitlines() if line.strip()]
        if done:
            done.append(f"kept the claim {name}-state (leadpact's state); delete it yourself "
                        "only if you are done with leadpact")
    else:
        done += _delete(places.workflows / f"{name}.yml")
    return done


def in_folder(folder: Path, name: str) -> list[Path]:
    """The schedule files for `name` that `--dir` wrote into a folder."""
    return sorted(p for p in folder.glob(f"{name}.*") if p.suffix in
                  (".service", ".timer", ".sh", ".crontab", ".yaml", ".yml"))


def _delete(*paths: Path) -> list[str]:
    done = []
    for path in paths:
        if path.exists():
            path.unlink()
            done.append(f"deleted {path}")
    return done
