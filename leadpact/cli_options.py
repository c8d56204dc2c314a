"""Options every `leadpact` invocation takes, before the command name:
`leadpact --verbose --log-file sync.log sync --config prod.toml`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from leadpact.logs import FORMATS

F = TypeVar("F", bound=Callable[..., Any])


def log_options(command: F) -> F:
    for option in reversed([
        click.option("-v", "--verbose", count=True,
                     help="Log more on stderr: -v progress and what each step did, -vv "
                          "every request."),
        click.option("-q", "--quiet", is_flag=True, help="Log only errors on stderr."),
        click.option("--log-file", type=click.Path(path_type=Path, dir_okay=False),
                     default=None, envvar="LEADPACT_LOG_FILE",
                     help="Also append log lines (at least INFO) to this file "
                          "(default: $LEADPACT_LOG_FILE)."),
        click.option("--log-format", type=click.Choice(FORMATS), default="text",
                     show_default=True, envvar="LEADPACT_LOG_FORMAT",
                     help="json: one JSON object per line, for log collectors."),
    ]):
        command = option(command)
    return command
