"""`leadpact rules ...`: check a rules file, or print the JSON Schema editors validate with.

Needs no config and no tokens. The lead registers the group on the main command:
`main.add_command(rules)`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.group()
def rules() -> None:
    """The lead definition file: check it, get its JSON Schema."""


@rules.command()
@click.argument("file", type=click.Path(path_type=Path))
def check(file: Path) -> None:
    """Validate a rules file without config or tokens: one line per problem
    (file:line: key.path: what to fix), exit 2 if there is any."""
    from leadpact.rules.check import check_file

    problems = check_file(file)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"leadpact: {file}: {len(problems)} problem(s); nothing was read or written",
                   err=True)
        sys.exit(2)
    click.echo(f"{file}: ok")


@rules.command("schema")
def schema_command() -> None:
    """Print the rules file's JSON Schema (save it beside your rules file and point the
    `# yaml-language-server: $schema=` line at it for completion in your editor)."""
    from leadpact.rules.check import schema

    click.echo(json.dumps(schema(), indent=2, ensure_ascii=False))
