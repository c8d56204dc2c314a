"""The env file of a schedule, as the schedulers that cannot read it on the machine
(Kubernetes, GitHub Actions) need it: the names of its keys, never their values, so the
generated files can point at a Secret / repository secrets that hold them. Pure: text in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from leadpact.errors import ConfigError
from leadpact.secrets import dotenv_lines

ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class EnvKeys:
    names: tuple[str, ...]
    # lines `kubectl create secret --from-env-file` reads differently from leadpact
    # (`export`, quotes, spaces around `=`, inline comments): it keeps them as written
    not_plain: tuple[int, ...] = ()


def env_keys(text: str, path: Path) -> EnvKeys:
    """The keys of a dotenv file, in order. A line that is not KEY=value is named by its
    number only (it may be a secret pasted on its own)."""
    names: dict[str, None] = {}
    not_plain: list[int] = []
    for line, key, value, written in dotenv_lines(text, f"--env-file {path}"):
        if not ENV_NAME.fullmatch(key):
            raise ConfigError(f"--env-file {path}:{line}: {key!r} is not an "
                              "environment variable name; use letters, digits and _")
        if written.strip() != f"{key}={value}":
            not_plain.append(line)
        names[key] = None
    if not names:
        raise ConfigError(f"--env-file {path}: no KEY=value line; put the tokens leadpact "
                          "needs in it (e.g. LEADPACT_HUBSPOT_TOKEN=…)")
    return EnvKeys(tuple(names), tuple(not_plain))


def github_secret_names(keys: EnvKeys, path: Path) -> tuple[str, ...]:
    """The keys, checked against GitHub's rules for secret names."""
    for name in keys.names:
        if name.upper().startswith("GITHUB_"):
            raise ConfigError(f"--env-file {path}: {name} cannot be a GitHub secret (names "
                              "starting with GITHUB_ are reserved); rename it")
    return keys.names
