"""`leadpact titles ...`: classify one job title, or score the classifier on a labelled CSV.

The lead registers the group on the main command: `main.add_command(titles)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from leadpact.csv_input import CsvProblem, csv_rows
from leadpact.enrichment.title_metrics import confusion_matrix, score_column
from leadpact.enrichment.titles import (
    FUNCTIONS,
    ROLES,
    SENIORITIES,
    TitleClassifier,
    TitleRole,
    classify_title,
)
from leadpact.errors import RuleError

COLUMNS = ("seniority", "function", "role")
_ALLOWED = {"seniority": SENIORITIES, "function": FUNCTIONS, "role": ROLES}
_ROLE_CODES = {"economic_buyer": "EB", "decision_maker": "DM", "technical_evaluator": "TE",
               "user": "U", "influencer": "I", "blocker": "B", "executive_sponsor": "ES",
               "unknown": "?"}


class BadInput(click.ClickException):
    """A file the command cannot use: one line on stderr, exit code 2."""

    exit_code = 2


@click.group()
def titles() -> None:
    """Job title → seniority, function and buying role."""


_RULES_HELP = "A rules file whose `titles.overrides` win over the built-in classifier."


@titles.command()
@click.argument("title")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--rules", "rules_file", type=click.Path(path_type=Path, dir_okay=False),
              help=_RULES_HELP)
def classify(title: str, as_json: bool, rules_file: Path | None) -> None:
    """Classify one job title, e.g. leadpact titles classify "VP, Finance"
    (with --rules FILE, that file's org overrides apply first)."""
    result = classifier_for(rules_file)(title)
    if as_json:
        click.echo(json.dumps({"title": title, **asdict(result)}, ensure_ascii=False))
        return
    click.echo(f"seniority:  {result.seniority}")
    click.echo(f"function:   {result.function}")
    click.echo(f"role:       {result.role}")
    click.echo(f"confidence: {result.confidence:.2f}")
    click.echo(f"because:    {result.because}")


@titles.command(name="eval")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print the scores as one JSON object (the last line of stdout).")
@click.option("--rules", "rules_file", type=click.Path(path_type=Path, dir_okay=False),
              help=_RULES_HELP)
def evaluate(file: Path, as_json: bool, rules_file: Path | None) -> None:
    """Score the classifier on a labelled CSV (columns title,seniority,function,role):
    accuracy and macro-F1 per column and the role confusion matrix."""
    classify_one = classifier_for(rules_file)
    rows = read_labelled(file)
    predictions = [classify_one(row["title"]) for row in rows]
    pairs = {
        column: [(row[column], getattr(predicted, column))
                 for row, predicted in zip(rows, predictions, strict=True)]
        for column in COLUMNS
    }
    scores = {column: score_column(pairs[column]) for column in COLUMNS}
    if as_json:
        payload: dict[str, Any] = {"n": len(rows)}
        for column, score in scores.items():
            payload[column] = {"accuracy": round(score.accuracy, 4),
                               "macro_f1": round(score.macro_f1, 4)}
        click.echo(json.dumps(payload))
        return
    console = Console(highlight=False)
    summary = Table(title=f"{file} ({len(rows)} titles)")
    summary.add_column("column")
    summary.add_column("accuracy", justify="right")
    summary.add_column("macro-F1", justify="right")
    for column, score in scores.items():
        summary.add_row(column, f"{score.accuracy:.3f}", f"{score.macro_f1:.3f}")
    console.print(summary)
    matrix = confusion_matrix(pairs["role"], labels=ROLES)
    table = Table(title="role confusion: rows expected, columns predicted")
    table.add_column("expected")
    for label in matrix.labels:
        table.add_column(_ROLE_CODES[label], justify="right")
    for label, counts in zip(matrix.labels, matrix.counts, strict=True):
        table.add_row(label, *(str(c) if c else "." for c in counts))
    console.print(table)
    console.print("  ".join(f"{code} {label}" for label, code in _ROLE_CODES.items()))


def classifier_for(rules_file: Path | None) -> Callable[[str], TitleRole]:
    """The classifier with a rules file's overrides (built once), or the plain one.
    A bad rules file is a BadInput with the loader's one-line message (file, line, key)."""
    if rules_file is None:
        return classify_title
    from leadpact.rules.engine import load_rules  # the rules engine imports this package

    try:
        rules = load_rules(rules_file)
    except RuleError as exc:
        raise BadInput(str(exc)) from None
    return TitleClassifier(rules.title_overrides).classify


def read_labelled(file: Path) -> list[dict[str, str]]:
    """Rows of a labelled title CSV (Excel's too: BOM, `;` separators), checked; BadInput
    names the file, line and column."""
    try:
        found, lines = csv_rows(file)
    except CsvProblem as exc:
        raise BadInput(str(exc)) from None
    if not found:
        raise BadInput(f"{file}: empty file; expected the header title,seniority,function,role")
    names = [h.strip().lower() for h in found[0]]
    missing = [c for c in ("title", *COLUMNS) if c not in names]
    if missing:
        raise BadInput(f"{file} line 1: missing column(s) {', '.join(missing)} (found "
                       f"{', '.join(repr(n) for n in names)}; the separator must be , or ;)")
    rows = [_checked_row(file, line, names, values)
            for line, values in zip(lines[1:], found[1:], strict=True) if values]
    if not rows:
        raise BadInput(f"{file}: no labelled rows after the header")
    return rows


def _checked_row(file: Path, line: int, names: list[str], values: list[str]) -> dict[str, str]:
    if len(values) != len(names):
        raise BadInput(f"{file} line {line}: expected {len(names)} columns, got {len(values)}")
    row = dict(zip(names, values, strict=True))
    for column in COLUMNS:
        value = row[column].strip()
        if value not in _ALLOWED[column]:
            raise BadInput(f"{file} line {line}, column {column}: unknown label {value!r}; "
                           f"expected one of {', '.join(_ALLOWED[column])}")
        row[column] = value
    return row
