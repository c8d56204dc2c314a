"""One shape for every error the `leadpact` command prints: a single line on stderr that
starts with `leadpact: `, whether it comes from leadpact itself (LeadpactError), from click
(a bad option, a missing argument) or from a command's own ClickException."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import partial
from typing import Any

import click

from leadpact.errors import LeadpactError
from leadpact.exit_codes import exit_code
from leadpact.secrets import redact

PREFIX = "leadpact: "


def error_line(message: str) -> str:
    """The line printed for an error: prefixed, secrets removed, on one line."""
    return redact(PREFIX + " ".join(message.split()))


def _usage_hint(exc: click.ClickException) -> str:
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        return f" (see `{ctx.command_path} --help`)"
    return ""


class LeadpactGroup(click.Group):
    """click's own errors ("Error: No such option") in leadpact's one-line form, exit 2."""

    def main(self, args: Sequence[str] | None = None,
             prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        run = partial(super().main, args, prog_name, complete_var, False, **extra)
        if not standalone_mode:
            return run()
        try:
            code: Any = run()
        except click.ClickException as exc:
            click.echo(error_line(exc.format_message() + _usage_hint(exc)), err=True)
            sys.exit(exc.exit_code)
        except LeadpactError as exc:  # raised by the group's own options (--log-file)
            click.echo(error_line(str(exc)), err=True)
            sys.exit(exit_code(exc))
        except click.Abort:
            click.echo(PREFIX + "aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)
