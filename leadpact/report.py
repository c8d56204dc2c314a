"""How a run summary reads to a person (rich) and to a machine (one JSON line)."""

from __future__ import annotations

import json
from typing import Any, assert_never

from rich.console import Console
from rich.table import Table

from leadpact.changes import (
    Change,
    CloseTask,
    RestoreLedgerValue,
    SetBuyingRole,
    SetDealContactRole,
    SetField,
    SetLeadStatus,
    UpdateTask,
    UpsertTask,
)
from leadpact.connectors.roles import ledger_value
from leadpact.plan_output import ShownChanges

LEFT_ALONE_SHOWN = 20  # undo: left-alone lines shown unless every one is asked for
COLUMNS = ("records_read", "changes_planned", "changes_applied", "changes_failed",
           "tasks_created", "tasks_updated", "tasks_closed", "contacts_tagged",
           "deals_with_committee_gaps", "stale_deals", "manual_values_kept", "values_refused",
           "api_calls")


def summary_table(summary: dict[str, Any], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    systems = list(summary["systems"])
    for system in systems:
        table.add_column(system, justify="right")
    for column in COLUMNS:
        table.add_row(column.replace("_", " "),
                      *(str(summary["systems"][s][column]) for s in systems))
    return table


def print_summary(console: Console, summary: dict[str, Any], title: str) -> None:
    console.print(summary_table(summary, title))
    console.print(f"status: {summary['status']}  ·  rules {summary['rules_version']}  ·  "
                  f"run {summary['run_id']}")
    if summary.get("rules_changed"):
        console.print(f"the rules changed (now {summary['rules_version']}): every known person "
                      "and open deal was judged again", markup=False, highlight=False)
    if summary.get("mappings_changed"):
        console.print("the [native]/[fields] mappings changed: every known person and open "
                      "deal was judged again", markup=False, highlight=False)
    for line in quota_lines(summary.get("quota") or {}):
        console.print(line, markup=False, highlight=False)
    for failure in summary.get("failures", [])[:5]:
        console.print(f"  [red]failed[/red] {failure}")
    for line in summary.get("unfit", [])[:5]:  # values the CRM cannot hold, not sent
        console.print(f"  not written: {line}", markup=False, highlight=False)


def quota_lines(quota: dict[str, Any]) -> list[str]:
    """Each CRM's quota plan (leadpact/quota.py) in words, and what came of it."""
    lines = []
    for system, plan in quota.items():
        estimate = plan.get("estimated_calls")
        told = [f"estimated {estimate} calls" if estimate is not None
                else "estimate unknown (nothing known yet)"]
        if plan.get("remaining") is not None:
            told.append(f"{plan['remaining']} left today, {plan['reserve']} kept in reserve")
        if plan.get("pacing_waits"):
            told.append(f"paced {plan['pacing_waits']} time(s) for the rate limit")
        lines.append(f"{system} quota: {', '.join(told)} → {plan['decision']}")
        if plan.get("deferred"):
            lines.append(f"  {system}: reading stopped at the run's budget; the rest of the "
                         "changes is deferred to the next run (the cursor is kept)")
    return lines


def json_line(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str)


def describe_change(change: Change) -> str:
    if isinstance(change, SetField | RestoreLedgerValue):
        return f"set   {change.ref} {change.field}: {change.previous!r} → {change.value!r}"
    if isinstance(change, SetBuyingRole | SetLeadStatus):
        # in the CRM's terms, as its connector will write it
        found = ledger_value(change)
        what = f"{found.field}: {found.value!r}" if found else "(nothing in this CRM)"
        why = f" (buying role {change.role})" if isinstance(change, SetBuyingRole) else ""
        return f"fill  {change.person} {what}{why}"
    if isinstance(change, UpsertTask):
        return f"task  {change.about} [{change.key}] {change.subject} (due {change.due})"
    if isinstance(change, UpdateTask):
        return f"retask {change.task} [{change.key}]: new reasons"
    if isinstance(change, CloseTask):
        return f"close {change.task} [{change.key}]"
    if isinstance(change, SetDealContactRole):
        found = ledger_value(change)
        return f"role  {change.deal} {change.person}: {found.value if found else None} " \
               f"({change.role})"
    assert_never(change)  # mypy: a Change added later must be described here


def print_plan(console: Console, shown: ShownChanges) -> None:
    """The changes listed (filtered and cut), then the count of all planned, with the
    rules-version stamps (written beside a value that moved) counted apart."""
    for line in shown.lines():
        console.print(line, markup=False, highlight=False)
    if shown.planned > shown.listed:
        console.print(f"… {shown.planned - shown.listed} more not listed (see --only, "
                      "--record, --limit, --json)")
    console.print(f"{shown.planned} change(s) planned"
                  + (f" ({shown.planned - shown.stamps} of meaning, {shown.stamps} "
                     "rules-version stamps)" if shown.stamps else ""))
