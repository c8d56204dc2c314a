"""Who sits on a deal's buying committee and how each of them engages, per archetype.

Patterns built in on purpose (research on B2B buying committees):
- the champion meets us again and again across weeks;
- decision makers show up for a few meetings mid-deal, rarely in marketing;
- the finance person appears only on pricing / order-form / contract threads, late;
- security and legal arrive at the very end (questionnaire, DPA, redlines), often as
  people newly added to the CRM;
- a silently dead deal's buyers stop answering while the rep keeps chasing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from leadpact.connectors.sandbox.seed_marketing import conversion_for
from leadpact.connectors.sandbox.seed_people import PeoplePool
from leadpact.connectors.sandbox.seed_titles import (
    CHAMPIONS,
    DECISION_MAKERS,
    ECONOMIC_BUYERS,
    USERS,
)
from leadpact.connectors.sandbox.seed_touches import Touch, TouchLog
from leadpact.connectors.sandbox.seed_world import Clock, CompanyDraft, PersonDraft

CHAMPION = "champion"
DECISION_MAKER = "decision_maker"
ECONOMIC_BUYER = "economic_buyer"
USER = "user"
SECURITY = "security"
LEGAL = "legal"
PROCUREMENT = "procurement"

PERSONAS_BY_PART: dict[str, tuple[str, ...]] = {
    CHAMPION: CHAMPIONS, DECISION_MAKER: DECISION_MAKERS, ECONOMIC_BUYER: ECONOMIC_BUYERS,
    USER: USERS, SECURITY: ("security",), LEGAL: ("legal",), PROCUREMENT: ("procurement",),
}
LATE_PARTS = (SECURITY, LEGAL, PROCUREMENT)


@dataclass(frozen=True, slots=True)
class Member:
    person: PersonDraft
    part: str  # the seed's intent: champion, decision_maker, economic_buyer, user, ...
    added: datetime  # when the person was attached to the deal
    primary: bool


def _parts(rng: random.Random, archetype: str) -> list[str]:
    users = [USER] * rng.randrange(0, 3)
    if archetype in ("healthy", "won"):
        late = [p for p, chance in ((SECURITY, 0.7), (LEGAL, 0.7), (PROCUREMENT, 0.35))
                if rng.random() < chance]
        return [CHAMPION, DECISION_MAKER, ECONOMIC_BUYER, *users, *late]
    if archetype == "silently_dead":
        return [CHAMPION, *([DECISION_MAKER] if rng.random() < 0.7 else []),
                *([ECONOMIC_BUYER] if rng.random() < 0.4 else [])]
    if archetype == "pushed":
        return [CHAMPION, DECISION_MAKER, *([ECONOMIC_BUYER] if rng.random() < 0.6 else []),
                *users[:1]]
    if archetype in ("stuck", "lost"):
        return [CHAMPION, *([DECISION_MAKER] if rng.random() < 0.5 else []), *users[:1]]
    if archetype == "single_threaded":
        return [rng.choices((CHAMPION, DECISION_MAKER, USER), weights=(6, 3, 1))[0]]
    if archetype == "user_only":
        return [USER] * rng.randrange(2, 5)
    raise ValueError(f"unknown archetype {archetype!r}")


def cast_and_engage(
    rng: random.Random, clock: Clock, pool: PeoplePool, company: CompanyDraft, archetype: str,
    *, need_salesforce: bool, created: datetime, activity_end: datetime,
    push_times: tuple[datetime, ...], closed: bool,
) -> tuple[tuple[Member, ...], tuple[Touch, ...]]:
    cast: list[tuple[str, PersonDraft, bool]] = []
    for part in _parts(rng, archetype):
        before = len(pool.persons)
        person = pool.member(
            company, PERSONAS_BY_PART[part],
            need_hubspot=not need_salesforce or archetype == "user_only",
            need_salesforce=need_salesforce, exclude=tuple(p for _, p, _ in cast),
            reuse=0.15 if part in LATE_PARTS else 0.5)
        cast.append((part, person, len(pool.persons) > before))
    log = TouchLog(rng, clock, company.country.utc_offset, company.country.language,
                   company.name.short)
    engage = _Engagement(rng, clock, log, created, activity_end)
    engage.run(archetype, cast, push_times, closed)
    members = []
    lead = next((p for part, p, _ in cast if part == CHAMPION), cast[0][1])
    primary_set = rng.random() < 0.8
    for part, person, fresh in cast:
        mine = [t.logged for t in log.touches if t.person is person]
        first = min(mine) if mine else created
        if fresh and part in LATE_PARTS:  # newly added to the CRM for the end game
            person.created = first - timedelta(days=rng.uniform(0.5, 4))
        added = clock.past(max(created, first - timedelta(days=rng.uniform(0, 2))))
        members.append(Member(person, part, added, primary_set and person is lead))
    return tuple(members), tuple(sorted(log.touches, key=lambda t: (t.at, t.subject)))


class _Engagement:
    def __init__(self, rng: random.Random, clock: Clock, log: TouchLog, created: datetime,
                 end: datetime):
        self.rng, self.clock, self.log = rng, clock, log
        self.created, self.end = created, end
        self.span = max(end - created, timedelta(days=3))

    def at(self, low: float, high: float) -> datetime:
        return self.created + self.span * self.rng.uniform(low, high)

    def run(self, archetype: str, cast: list[tuple[str, PersonDraft, bool]],
            push_times: tuple[datetime, ...], closed: bool) -> None:
        people = {part: [p for pt, p, _ in cast if pt == part] for part, _, _ in cast}
        champion = (people.get(CHAMPION) or [cast[0][1]])[0]
        if archetype == "user_only":
            self.users_only([p for _, p, _ in cast])
        elif archetype == "single_threaded":
            self.single(champion)
        else:
            cadence = {"pushed": (14, 30), "stuck": (10, 18), "lost": (9, 20)}.get(
                archetype, (6, 14))
            self.champion(champion, cadence, stuck=archetype == "stuck")
        for person in people.get(DECISION_MAKER, []):
            if archetype != "single_threaded":
                self.decision_maker(person)
        for person in people.get(ECONOMIC_BUYER, []):
            self.economic_buyer(person)
        if archetype != "user_only":
            for person in people.get(USER, []):
                self.user(person)
        for part in LATE_PARTS:
            for person in people.get(part, []):
                self.late(person, part)
        buyers = [p for _, p, _ in cast]
        if archetype == "silently_dead":
            self.chase(self.rng.choice(buyers[:2]))
        elif archetype == "pushed":
            for when in push_times:
                self.log.thread(self.rng.choice(buyers[:2]), when - timedelta(days=3),
                                self.log.subject("timeline"), replies=1, latest=self.clock.now)
        elif archetype == "won":
            signer = (people.get(ECONOMIC_BUYER) or [champion])[0]
            self.log.email(signer, self.end - timedelta(days=1),
                           f"Re: {self.log.subject('won')}", inbound=True)
        elif archetype == "lost":
            self.log.email(champion, self.end, f"Re: {self.log.subject('lost')}", inbound=True)
        if not closed and archetype in ("healthy", "single_threaded", "user_only", "pushed"):
            self.next_steps(archetype, buyers)

    # -- parts ------------------------------------------------------------------------
    def champion(self, person: PersonDraft, cadence: tuple[float, float], stuck: bool) -> None:
        log = self.log
        log.thread(person, self.created - timedelta(days=self.rng.uniform(0, 4)),
                   log.subject("intro"), replies=1, latest=self.end)
        log.meeting(person, self.created + timedelta(days=self.rng.uniform(1, 5)),
                    log.subject("discovery"))
        busy_until = self.at(0.3, 0.45) if stuck else self.end
        log.meetings_every(person, self.created + timedelta(days=8), busy_until, "champion",
                           cadence)
        when = self.created + timedelta(days=self.rng.uniform(5, 15))
        while when < self.end:
            if self.rng.random() < 0.25:  # a quick call instead of an email thread
                log.call(person, when, log.subject("champion").lower(), connected=True)
            else:
                log.thread(person, when, log.subject("champion"), replies=1, latest=self.end)
            when += timedelta(days=self.rng.uniform(12, 24) * (2.5 if stuck else 1))

    def decision_maker(self, person: PersonDraft) -> None:
        for _ in range(self.rng.randrange(1, 4)):
            self.log.meeting(person, self.at(0.35, 0.9), self.log.subject("decision"))
        self.log.thread(person, self.at(0.5, 0.93), self.log.subject("decision"), replies=1,
                        latest=self.end)

    def economic_buyer(self, person: PersonDraft) -> None:
        """Only ever on pricing and contract threads, late in the deal."""
        self.log.thread(person, self.at(0.65, 0.85), self.log.subject("pricing"),
                        replies=self.rng.randrange(1, 3), latest=self.end)
        if self.rng.random() < 0.6:
            self.log.thread(person, self.at(0.88, 0.97), self.log.subject("pricing"),
                            replies=1, latest=self.end)

    def user(self, person: PersonDraft) -> None:
        self.log.meeting(person, self.at(0.2, 0.8), self.log.subject("user"))
        self.log.thread(person, self.at(0.3, 0.9), self.log.subject("user"), replies=1,
                        latest=self.end)

    def late(self, person: PersonDraft, topic: str) -> None:
        for _ in range(1 if self.rng.random() < 0.6 else 2):
            self.log.thread(person, self.at(0.86, 0.97), self.log.subject(topic),
                            replies=self.rng.randrange(1, 3), latest=self.end)

    # -- whole-deal shapes ----------------------------------------------------------------
    def single(self, person: PersonDraft) -> None:
        log = self.log
        log.meeting(person, self.created + timedelta(days=self.rng.uniform(1, 5)),
                    log.subject("discovery"))
        log.meetings_every(person, self.created + timedelta(days=12), self.end, "champion",
                           (10, 20))
        log.thread(person, self.end - timedelta(days=2), log.subject("champion"), replies=1,
                   latest=self.clock.now)
        log.email(person, self.end, f"Re: {log.subject('champion')}", inbound=True)

    def users_only(self, users: list[PersonDraft]) -> None:
        """Doers download, attend webinars and join demos; nobody who signs is involved."""
        for person in users:
            for _ in range(self.rng.randrange(2, 6)):
                when = self.clock.past(self.at(-0.3, 1.0))
                person.conversions.append((when, conversion_for(self.rng, "user")))
                person.seen_at(when)
        when, i = self.created + timedelta(days=self.rng.uniform(1, 6)), 0
        while when < self.end:
            person = users[i % len(users)]
            self.log.meeting(person, when, self.log.subject("user"))
            self.log.thread(person, when + timedelta(days=2), self.log.subject("user"),
                            replies=1, latest=self.end)
            when += timedelta(days=self.rng.uniform(8, 18))
            i += 1
        self.log.email(users[0], self.end, f"Re: {self.log.subject('user')}", inbound=True)

    def chase(self, person: PersonDraft) -> None:
        """The buyer went quiet at `end`; the rep keeps writing and calling, unanswered."""
        when = self.end + timedelta(days=self.rng.uniform(6, 15))
        for _ in range(self.rng.randrange(1, 6)):
            if when >= self.clock.days_ago(1):
                break
            if self.rng.random() < 0.3:
                self.log.call(person, when, "follow-up", connected=False)
            else:
                self.log.email(person, when, self.log.subject("chase"), inbound=False)
            when += timedelta(days=self.rng.uniform(8, 20))
        if self.rng.random() < 0.5:  # a follow-up task the rep never did
            due = min(self.end + timedelta(days=self.rng.uniform(10, 40)), self.clock.days_ago(1))
            self.log.open_task(person, due, f"Follow up with {person.first}")

    def next_steps(self, archetype: str, buyers: list[PersonDraft]) -> None:
        """Recent two-way activity and something on the calendar: a living deal."""
        rng, log = self.rng, self.log
        if archetype == "healthy":
            last = buyers[1] if len(buyers) > 1 else buyers[0]
            log.thread(last, self.end - timedelta(days=rng.uniform(1, 3)),
                       log.subject("decision"), replies=1, latest=self.clock.now)
            log.email(last, self.end, f"Re: {log.subject('pricing')}", inbound=True)
        if archetype != "pushed" or rng.random() < 0.5:
            # never the economic buyer: finance stays on pricing threads only
            log.scheduled_meeting(rng.choice(buyers[:2]), rng.uniform(1, 12),
                                  log.subject("decision" if archetype == "healthy" else "champion"))
        if rng.random() < 0.7:
            due = self.clock.office_time(rng, self.clock.now + timedelta(days=rng.uniform(1, 8)),
                                         0)
            log.open_task(buyers[0], due, rng.choice(
                ("Send order form", "Prepare security answers", "Follow up on pricing",
                 "Book exec meeting", "Send recap")))
