"""The one check every text setting in leadpact.toml gets, whatever its section."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from leadpact.errors import ConfigError


def config_text(section: Mapping[str, Any], key: str, path: Path, name: str,
                required: bool = False) -> str:
    """`[name] key` as stripped text; "" when absent and not required."""
    value = section.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: [{name}] `{key}` must be a non-empty string in quotes")
    return value.strip()
