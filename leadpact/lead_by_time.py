"""People nobody touched whose lead verdict moves only because time passed: engagement
decays, a reply leaves the 30-day window, a `within_days` test turns false. Like stale
deals, they are found from state alone (no CRM call) and then re-read and judged as usual,
so the CRMs show today's verdict, not the one from the day somebody last touched them.

Only people with activities can move with time under a definition whose conditions read
activities; a file whose conditions test dates of CRM fields is judged the same way, since
every known person with a saved verdict is checked then.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from leadpact.judging import first_deal_start, merged_activities
from leadpact.known import Known, KnownPerson
from leadpact.lead_facts import identity_title, saved_facts
from leadpact.rules.conditions import All, AnyOf, Condition, FieldTest, Not
from leadpact.rules.engine import Rules
from leadpact.verdicts import judge_person

# What the time can move in a person's saved verdict.
MOVES = ("stage", "score", "stage_reasons", "engagement", "fit")
DATE_OPS = ("within_days", "older_than_days")


def moved_by_time(person: KnownPerson, known: Known, rules: Rules,
                  classify: Callable[[str], Any], now: datetime, dated: bool) -> bool:
    """Whether the person's saved verdict differs from the one reached now from what state
    holds (`known`: their identity and its deals). `dated`: the rules test field dates
    (tests_dates)."""
    if not person.verdict:
        return False
    members = list(known.persons_of_identity(person.identity)) or [person]
    others = [m for m in members if m.ref != person.ref]
    activities = merged_activities(person.activities, others)
    if not activities and not dated:
        return False  # nothing in the verdict depends on the clock
    return _judged_now(person, members, activities, known, rules, classify, now) != \
        {k: getattr(person.verdict.judged, k) for k in MOVES}


def _judged_now(known_person: KnownPerson, members: list[KnownPerson], activities: Any,
                known: Known, rules: Rules, classify: Callable[[str], Any],
                now: datetime) -> dict[str, Any]:
    """The person's verdict as plan_person would reach it now from what state holds."""
    title = identity_title([(m.modified_at, m.title) for m in members], known_person.title)
    deal_start = first_deal_start(known, [m.ref for m in members]) if activities else None
    verdict, _ = judge_person(title, rules, classify, activities, now, deal_start,
                              about=saved_facts(known_person, members))
    return {k: getattr(verdict, k) for k in MOVES}


def tests_dates(rules: Rules) -> bool:
    """Does any person-side condition compare a field's date with the clock?"""
    lead = rules.lead
    conditions = [s.when for s in lead.person_stages] + [d.when for d in lead.disqualifiers] \
        + [s.when for s in (*lead.person_signals, *lead.account_signals)]
    return any(_dated(c) for c in conditions)


def _dated(condition: Condition) -> bool:
    if isinstance(condition, All | AnyOf):
        return any(_dated(c) for c in condition.items)
    if isinstance(condition, Not):
        return _dated(condition.item)
    return isinstance(condition, FieldTest) and condition.op in DATE_OPS
