"""Deal plans: one archetype each, with its stage path, close-date pushes, committee and
activity, before either CRM's records are written.

Archetypes are the situations leadpact must tell apart: fresh & healthy, silently dead,
pushed again and again, stuck in a stage, single-threaded, engaged only through users,
and closed (won / lost) deals as the baseline.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from leadpact.connectors.sandbox.hubspot_schema import new_hubspot_id
from leadpact.connectors.sandbox.salesforce_schema import new_salesforce_id
from leadpact.connectors.sandbox.seed_committees import Member, cast_and_engage
from leadpact.connectors.sandbox.seed_people import PeoplePool
from leadpact.connectors.sandbox.seed_touches import Touch
from leadpact.connectors.sandbox.seed_vocab import VENDOR_PRODUCT
from leadpact.connectors.sandbox.seed_world import Clock, CompanyDraft, Owner
from leadpact.connectors.sandbox.store import Store

SALESFORCE = "salesforce"
HUBSPOT = "hubspot"

HEALTHY = "healthy"
SILENTLY_DEAD = "silently_dead"
PUSHED = "pushed"
STUCK = "stuck"
SINGLE_THREADED = "single_threaded"
USER_ONLY = "user_only"
WON = "won"
LOST = "lost"

SALESFORCE_MIX = {HEALTHY: 20, SILENTLY_DEAD: 14, PUSHED: 10, STUCK: 9, SINGLE_THREADED: 9,
                  USER_ONLY: 8, WON: 17, LOST: 13}
HUBSPOT_MIX = {HEALTHY: 25, SILENTLY_DEAD: 15, SINGLE_THREADED: 15, USER_ONLY: 10, WON: 20,
               LOST: 15}

OPEN_STAGES = {
    SALESFORCE: ("Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
                 "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
                 "Negotiation/Review"),
    HUBSPOT: ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
              "decisionmakerboughtin", "contractsent"),
}
CLOSED_STAGES = {SALESFORCE: ("Closed Won", "Closed Lost"), HUBSPOT: ("closedwon", "closedlost")}

_NEXT_STEPS = {
    HEALTHY: ("Send order form", "Security review call booked", "Exec alignment with CFO",
              "Align on pricing with finance", "Pilot success review"),
    SILENTLY_DEAD: ("Waiting for feedback on proposal", "Follow up after their board meeting",
                    "Waiting for budget sign-off", "Send revised quote", ""),
    PUSHED: ("Budget approval expected next quarter", "Re-confirm timeline", "Waiting on PO",
             "Decision moved again"),
    STUCK: ("Waiting for IT capacity", "Re-engage champion", "Pending internal reorg", ""),
    SINGLE_THREADED: ("Champion to intro us to the CFO", "Demo for wider team", "Follow up"),
    USER_ONLY: ("Ask for intro to decision maker", "Team demo", "Extend trial"),
    WON: ("", "Hand over to onboarding"),
    LOST: ("", "Lost to competitor", "No budget"),
}


@dataclass(frozen=True, slots=True)
class DealPlan:
    system: str
    id: str
    archetype: str
    company: CompanyDraft
    owner: Owner
    name: str
    amount: int
    created: datetime
    stages: tuple[tuple[datetime, str], ...]  # (entered at, stage), first = at creation
    close_dates: tuple[tuple[datetime, date], ...]  # (set at, close date), first = at creation
    members: tuple[Member, ...]
    touches: tuple[Touch, ...]
    next_step: str

    @property
    def stage(self) -> str:
        return self.stages[-1][1]

    @property
    def close_date(self) -> date:
        return self.close_dates[-1][1]

    @property
    def pushes(self) -> int:
        return len(self.close_dates) - 1

    @property
    def outcome(self) -> str | None:
        won, lost = CLOSED_STAGES[self.system]
        return WON if self.stage == won else LOST if self.stage == lost else None


@dataclass(frozen=True, slots=True)
class Shape:
    """An archetype's timeline, in days relative to the clock and the SF stage scale 0-7."""

    created: datetime
    activity_end: datetime  # the buyer's last engagement
    last_stage_change: datetime
    stage_index: int
    closed_at: datetime | None
    pushes: int
    final_close: date


def _shape(rng: random.Random, clock: Clock, archetype: str) -> Shape:
    u = rng.uniform
    now = clock.now
    pushes = 0 if rng.random() < 0.7 else 1
    if archetype == HEALTHY:
        created = clock.days_ago(u(25, 100))
        return Shape(created, clock.days_ago(u(0.3, 6)), clock.days_ago(u(2, 18)),
                     rng.choice((3, 4, 5, 5, 6, 6, 7)), None, pushes,
                     (now + timedelta(days=u(10, 75))).date())
    if archetype == SILENTLY_DEAD:
        created = clock.days_ago(u(140, 330))
        end = clock.days_ago(u(50, 120))
        return Shape(created, end, end - timedelta(days=u(0, 25)), rng.randrange(3, 8), None,
                     rng.randrange(0, 3), (now - timedelta(days=u(5, 45))).date())
    if archetype == PUSHED:
        final = (now + timedelta(days=u(-20, 60))).date()
        return Shape(clock.days_ago(u(330, 440)), clock.days_ago(u(3, 25)),
                     clock.days_ago(u(10, 60)), rng.randrange(2, 7), None,
                     rng.randrange(3, 7), final)
    if archetype == STUCK:
        since = clock.days_ago(u(110, 240))
        return Shape(since - timedelta(days=u(25, 90)), clock.days_ago(u(4, 35)), since,
                     rng.randrange(1, 7), None, rng.randrange(0, 3),
                     (now + timedelta(days=u(-30, 60))).date())
    if archetype == SINGLE_THREADED:
        return Shape(clock.days_ago(u(30, 150)), clock.days_ago(u(1, 12)),
                     clock.days_ago(u(3, 30)), rng.randrange(1, 6), None, pushes,
                     (now + timedelta(days=u(10, 90))).date())
    if archetype == USER_ONLY:
        return Shape(clock.days_ago(u(40, 160)), clock.days_ago(u(1, 15)),
                     clock.days_ago(u(5, 40)), rng.randrange(1, 5), None, pushes,
                     (now + timedelta(days=u(15, 100))).date())
    created = clock.days_ago(u(110, 520) if archetype == WON else u(80, 500))
    closed_at = clock.past(created + timedelta(days=u(45, 200)))
    closed_at = min(closed_at, clock.days_ago(2))
    reached = 7 if archetype == WON else rng.randrange(1, 7)
    end = closed_at if archetype == WON else closed_at - timedelta(days=u(0, 10))
    return Shape(created, end, closed_at - timedelta(days=u(1, 12)), reached, closed_at,
                 rng.randrange(0, 3), closed_at.date())


def _stage_path(rng: random.Random, system: str, shape: Shape, outcome: str | None
                ) -> tuple[tuple[datetime, str], ...]:
    stages = OPEN_STAGES[system]
    last = round(shape.stage_index * (len(stages) - 1) / 7)
    start, end = shape.created, max(shape.last_stage_change, shape.created + timedelta(hours=1))
    inner = sorted(start + (end - start) * rng.random() for _ in range(max(0, last - 1)))
    times = [start, *inner, end] if last >= 1 else [start]
    path = [(t, stages[i]) for i, t in enumerate(times)]
    if outcome is not None and shape.closed_at is not None:
        won, lost = CLOSED_STAGES[system]
        path.append((max(shape.closed_at, end), won if outcome == WON else lost))
    return tuple(path)


def _close_dates(rng: random.Random, clock: Clock, shape: Shape
                 ) -> tuple[datetime, tuple[tuple[datetime, date], ...]]:
    """The close date set at creation and each push after it, ending at `final_close`.
    Returns the (possibly earlier) creation time so that every push fits."""
    shifts = [rng.uniform(32, 75) for _ in range(shape.pushes)]  # a push crosses a month
    first_close = shape.final_close - timedelta(days=sum(shifts))
    created = shape.created
    if shape.pushes >= 3:  # the pushed archetype: its history must start before all pushes
        created = min(created, datetime.combine(first_close, created.timetz())
                      - timedelta(days=rng.uniform(20, 45)))
        created = max(created, clock.earliest + timedelta(days=5))
    while shifts and first_close < (created + timedelta(days=10)).date():
        shifts.pop()  # fewer pushes for a young deal
        first_close = shape.final_close - timedelta(days=sum(shifts))
    limit = min(shape.closed_at or clock.now, clock.now) - timedelta(hours=1)
    history = [(created, first_close)]
    close = first_close
    previous = created
    for i, shift in enumerate(shifts):
        due = datetime.combine(close, created.timetz()) - timedelta(days=rng.uniform(0, 10))
        latest = limit - timedelta(days=len(shifts) - i)
        when = min(max(due, previous + timedelta(days=1)), latest)
        close = close + timedelta(days=shift)
        history.append((when, close))
        previous = when
    return created, tuple(history)


class DealPlanner:
    def __init__(self, store: Store, rng: random.Random, clock: Clock, pool: PeoplePool,
                 reps: list[Owner]):
        self._store, self._rng, self._clock, self._pool = store, rng, clock, pool
        self._reps = reps

    def plan(self, system: str, archetype: str, company: CompanyDraft) -> DealPlan:
        rng, clock = self._rng, self._clock
        shape = _shape(rng, clock, archetype)
        created, close_dates = _close_dates(rng, clock, shape)
        shape = Shape(created, max(shape.activity_end, created + timedelta(days=3)),
                      max(shape.last_stage_change, created), shape.stage_index,
                      shape.closed_at, shape.pushes, shape.final_close)
        outcome = archetype if archetype in (WON, LOST) else None
        members, touches = cast_and_engage(
            rng, clock, self._pool, company, archetype, need_salesforce=system == SALESFORCE,
            created=shape.created, activity_end=shape.activity_end,
            push_times=tuple(t for t, _ in close_dates[1:]), closed=outcome is not None)
        deal_id = (new_salesforce_id(self._store, "Opportunity") if system == SALESFORCE
                   else new_hubspot_id(self._store, "deals"))
        median = 10.4 if system == SALESFORCE else 8.9
        amount = int(round(rng.lognormvariate(median, 0.55) / 500) * 500) or 500
        kind = rng.choice(("Platform", "Enterprise", "Pilot", "Expansion", "Team plan",
                           f"Renewal {created.year + 1}", "EMEA rollout"))
        owner = company.owner if rng.random() < 0.85 else rng.choice(self._reps)
        company.created = min(company.created, max(
            clock.earliest, created - timedelta(days=rng.uniform(1, 60))))
        return DealPlan(
            system=system, id=deal_id, archetype=archetype, company=company, owner=owner,
            name=f"{company.name.short} - {VENDOR_PRODUCT} {kind}", amount=amount,
            created=created, stages=_stage_path(rng, system, shape, outcome),
            close_dates=close_dates, members=members, touches=touches,
            next_step=rng.choice(_NEXT_STEPS[archetype]),
        )


def deal_company_weights(companies: list[CompanyDraft]) -> list[float]:
    """Bigger companies attract more deals, but every company can get one."""
    return [c.weight * (1 + math.log10(max(10, c.employees))) for c in companies]
