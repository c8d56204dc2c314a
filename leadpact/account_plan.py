"""What to write on an Account / HubSpot company: its buying group's stage, the roles that
engaged, the reasons and the rules version (leadpact/account_verdicts.py judges them). Pure:
values in, field changes out; leadpact/account_pass.py reads and writes.

The guarantees are the person fields' (leadpact/plan.py): only real differences are
planned, a value a person typed is never overwritten (the field is ours while it holds what
the ledger says we last wrote, or while it is empty and we never wrote it), frozen fields
are left alone, and a new rules version that moves nothing else is not stamped.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass

from leadpact.changes import SetField
from leadpact.model import Ref
from leadpact.plan import plan_fields
from leadpact.rules.lead_model import AccountResult

VERSION = "rules_version"


def desired_values(result: AccountResult, version: str) -> dict[str, str | None]:
    """The account fields a verdict asks for, canonical names. Engaged roles are sorted
    role names joined by ", " (empty: nobody engaged)."""
    return {"group_stage": result.stage or None,
            "engaged_roles": ", ".join(sorted(result.engaged_roles)) or None,
            "group_reasons": result.reasons or None,
            VERSION: version}


def wanted(desired: Mapping[str, str | None], frozen: Set[str]) -> dict[str, str | None]:
    """`desired` without the fields a write loop froze."""
    return {name: value for name, value in desired.items() if name not in frozen}


def needs_read(desired: Mapping[str, str | None], written: Mapping[str, str | None],
               pending: Mapping[str, Set[str | None]]) -> bool:
    """Whether the account must be read before planning: something we want differs from
    what we last wrote (a field never written counts as empty), or a run cut short left a
    write in doubt. Otherwise there is nothing to write whatever the CRM holds (our value
    still, or a person's edit we keep), so a second sync reads nothing."""
    if pending:
        return True
    moved = {name for name, value in desired.items() if written.get(name) != value}
    # a new version alone is not stamped where we stamped one before
    return bool(moved - {VERSION}) or (VERSION in moved and VERSION not in written)


@dataclass(frozen=True, slots=True)
class AccountPlan:
    changes: tuple[SetField, ...]
    kept_manual: tuple[str, ...]  # fields a person set by hand, left as they are
    # Values a run cut short wrote, still held and still wanted: recorded in the ledger now
    # (field, whether to record it), and their pending rows dropped.
    settled: tuple[tuple[str, bool], ...] = ()


def plan_account(ref: Ref, current: Mapping[str, str | None],
                 desired: Mapping[str, str | None], written: Mapping[str, str | None],
                 pending: Mapping[str, Set[str | None]]) -> AccountPlan:
    """The writes that bring `current` to `desired` where the values are ours."""
    moved = {name for name, value in desired.items() if current.get(name) != value}
    if moved == {VERSION} and current.get(VERSION) is not None:
        desired = {name: value for name, value in desired.items() if name != VERSION}
    ours = dict(written)
    for name, values in pending.items():  # a value an interrupted run was writing
        if current.get(name) in values:
            ours[name] = current.get(name)
    plan = plan_fields(ref, current, desired, ours)
    settled = []
    for name, values in sorted(pending.items()):
        value = current.get(name)
        if name in desired and desired[name] == value:
            settled.append((name, value in values and written.get(name, object()) != value))
    return AccountPlan(plan.changes, plan.kept_manual, tuple(settled))
