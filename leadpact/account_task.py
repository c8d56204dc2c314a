"""The account sales-ready task's description in plain words, e.g. "Buying group at Acme
(500 people, Manufacturing): VP Finance (economic buyer) replied twice this week; IT
Director (technical evaluator) and 2 users engaged." Pure: the people come in as values.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from leadpact.enrichment.labels import BuyingRole
from leadpact.model import Activity
from leadpact.sales_ready import what_they_did

NAMED = 2  # engaged colleagues named besides the lead one; the rest are counted


@dataclass(frozen=True, slots=True)
class GroupMember:
    """One person of the buying group (twins merged), as state knows them."""

    title: str
    role: BuyingRole
    engaged_at: datetime | None  # latest two-way contact from them
    activities: tuple[Activity, ...] = ()


def account_task_body(name: str, firmographics: Mapping[str, str | None],
                      people: Sequence[GroupMember], power_roles: Collection[str],
                      since: datetime, now: datetime, reasons: str) -> str:
    """Who at the account engaged with sales since `since`, power roles first, and why
    the group is sales-ready."""
    engaged = [p for p in people
               if p.engaged_at is not None and since <= p.engaged_at <= now]
    # power roles first, then the most recently engaged; titles break ties stably
    engaged.sort(key=lambda p: (p.role not in power_roles, -_stamp(p), p.title))
    head = f"Buying group at {name or 'this account'}{_about(firmographics)}"
    if not engaged:
        return f"{head}: nobody engaged lately. Why (leadpact): {reasons}."
    first, rest = engaged[0], engaged[1:]
    text = f"{head}: {_who(first)} {what_they_did(list(first.activities), now)}"
    users = [p for p in rest if p.role in ("user", "unknown")]
    named = [_who(p) for p in rest if p not in users]
    others = named[:NAMED]
    left = len(named) - len(others) + len(users)
    if left:
        noun = "users" if len(named) == len(others) else "others"
        others.append(f"{left} {noun if left > 1 else noun[:-1]}")
    if others:
        text += f"; {', '.join(others[:-1]) + ' and ' if len(others) > 1 else ''}" \
                f"{others[-1]} engaged"
    return f"{text}. Why (leadpact): {reasons}."


def _stamp(p: GroupMember) -> float:
    return p.engaged_at.timestamp() if p.engaged_at else 0.0


def _who(p: GroupMember) -> str:
    return f"{p.title or 'someone'} ({p.role.replace('_', ' ')})"


def _about(fields: Mapping[str, str | None]) -> str:
    size = (fields.get("employees") or "").replace(",", "").split(".")[0]
    industry = fields.get("industry")
    parts = [f"{int(size):,} people" if size.isdigit() else "", industry or ""]
    shown = ", ".join(p for p in parts if p)
    return f" ({shown})" if shown else ""
