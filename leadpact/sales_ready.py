"""The sales-ready task's description in plain words, e.g. "VP Finance (economic buyer)
at a 500-person Manufacturing company replied twice this week; IT Director (technical
evaluator) engaged too."

Written in the end-of-run task pass from state as it stands then (the person's records in
both CRMs, and colleagues at their accounts), never from what one record saw mid-run: a
colleague read later in the run cannot make the next sync rewrite the task.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from leadpact.known import Known, KnownPerson
from leadpact.model import Activity
from leadpact.rules.conditions import counts_as_buyer
from leadpact.rules.lead_model import LeadDefinition

WEEK = timedelta(days=7)
COLLEAGUES_NAMED = 2


def lead_task_body(known: Known, definition: LeadDefinition, person: KnownPerson,
                   now: datetime) -> str:
    members = sorted(known.persons_of_identity(person.identity) or [person],
                     key=lambda m: str(m.ref))
    verdict = members[0].verdict or person.verdict
    who = f"{_title(members) or person.name or 'This person'} " \
          f"({_words(verdict.role if verdict else None)})"
    where = _where(members)
    did = what_they_did([a for m in members for a in m.activities], now)
    text = f"{who}{where} {did}"
    colleagues = _colleagues(known, definition, members, now)
    if colleagues:
        text += f"; {' and '.join(colleagues)} engaged too"
    reasons = verdict.judged.stage_reasons if verdict else None
    return text + "." + (f" Why (leadpact): {reasons}." if reasons else "")


def _title(members: list[KnownPerson]) -> str | None:
    titled = [(m.modified_at, m.title) for m in members if m.title and m.title.strip()]
    return max(titled)[1] if titled else None


def _words(role: object) -> str:
    return str(role or "unknown").replace("_", " ")


def _where(members: list[KnownPerson]) -> str:
    fields: dict[str, str] = {}
    for m in members:
        for key, value in (m.verdict.own_fields if m.verdict else {}).items():
            if value not in (None, "") and key not in fields:
                fields[key] = str(value)
    size = fields.get("employees", "").replace(",", "").split(".")[0]
    industry = fields.get("industry")
    if size.isdigit() and industry:
        return f" at a {int(size):,}-person {industry} company"
    if industry:
        return f" at a {industry} company"
    if size.isdigit():
        return f" at a {int(size):,}-person company"
    return ""


_VERBS = {"email": "replied", "meeting": "met you", "call": "took your call"}


def what_they_did(activities: list[Activity], now: datetime) -> str:
    """What a person did with the seller lately, in words ("replied twice this week")."""
    seen = {(a.at, a.kind, a.subject): a for a in activities}.values()  # twins' copies once
    two_way = [a for a in seen if a.kind in _VERBS and a.at <= now and counts_as_buyer(a)]
    week = [a for a in two_way if a.at >= now - WEEK]
    if week:
        parts = [f"{verb} {_times(sum(1 for a in week if a.kind == kind))}"
                 for kind, verb in _VERBS.items() if any(a.kind == kind for a in week)]
        return " and ".join(parts) + " this week"
    if two_way:
        last = max(two_way, key=lambda a: a.at)
        return f"{_VERBS[last.kind]} on {last.at:%d %b %Y}"
    return "engaged through marketing only"


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def engaged_window(definition: LeadDefinition, now: datetime) -> tuple[datetime, datetime]:
    """When a colleague's activity counts as engaged, for the task's words."""
    return now - timedelta(days=definition.buying_group.engaged_days), now


def _colleagues(known: Known, definition: LeadDefinition, members: list[KnownPerson],
                now: datetime) -> list[str]:
    since, _ = engaged_window(definition, now)
    identity = members[0].identity
    found: dict[str, str] = {}
    for m in members:
        if not m.account:
            continue
        for other in known.persons_at_account(m.ref.system, m.account):
            if other.identity == identity or other.identity in found:
                continue
            if other.engaged_at is not None and since <= other.engaged_at <= now:
                role = _words(other.verdict.role if other.verdict else None)
                found[other.identity] = f"{other.title or other.name or 'a colleague'} ({role})"
    return [found[i] for i in sorted(found)][:COLLEAGUES_NAMED]
