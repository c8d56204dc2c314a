"""Per-record planning: what one person or deal should look like in its CRM, as field
changes plus the state to record (leadpact/updates.py), and what each task rule wants
(decided at the end of the run: leadpact/task_lifecycle.py). Pure: it reads only the read
model (leadpact/known.py) and the values passed in; leadpact/planner.py runs it per page."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from types import MappingProxyType
from typing import Any

from leadpact.changes import (
    Change,
    CloseTask,
    SetBuyingRole,
    SetDealContactRole,
    SetField,
    SetLeadStatus,
    UpdateTask,
    UpsertTask,
)
from leadpact.enrichment.buyer_activity import deal_timeline
from leadpact.enrichment.engagement import needs_deal_context
from leadpact.enrichment.labels import BuyingRole
from leadpact.identity import identity_members, normalise_email
from leadpact.known import Known, KnownPerson
from leadpact.lead_facts import identity_title, person_facts, saved_verdict, shared
from leadpact.model import CONTACT, DEAL, HUBSPOT, LEAD, SALESFORCE, Activity, Deal, Person, Ref
from leadpact.native_stage import NO_NATIVE, NativeMap, wanted_targets
from leadpact.plan import plan_fields
from leadpact.role_vocabulary import NO_ROLES, RoleVocabulary
from leadpact.rules.engine import Rules
from leadpact.sales_ready import lead_task_body
from leadpact.task_lifecycle import TaskIntent
from leadpact.updates import (
    ForgetDeal,
    ForgetPerson,
    LedgerWrite,
    LinkRecords,
    PendingSettled,
    SaveDeal,
    SavePerson,
    SetIdentity,
    TaskBodySet,
    TaskEnded,
    TaskMade,
    Update,
)
from leadpact.verdicts import (
    DealVerdict,
    judge_deal,
    judge_person,
)

STALE_RULE = "deal:stale"
COMMITTEE_RULE = "deal:committee_gap"
SUGGESTED = 3  # colleagues a committee-gap task suggests
ROLE_FIELDS = ("seniority", "function", "role", "role_confidence", "role_reason")
TWO_WAY = frozenset({"email", "meeting", "call"})
_NONE: Mapping[Any, Any] = MappingProxyType({})


def _nothing() -> Mapping[Any, Any]:
    return _NONE


@dataclass(frozen=True, slots=True)
class Step:
    """One planned change, the record whose handling asked for it, and what to record in
    state once the CRM confirms it."""

    change: Change
    source: Ref
    done: tuple[Update, ...] = ()  # recorded once the CRM confirms the change
    counts: str | None = None  # the run counter the confirmed change adds one to
    # (record, ledger field, value) a field write will leave: noted as pending before the
    # CRM is called, so a run cut short still knows the value was ours.
    writes: tuple[Ref, str, str | None] | None = None


@dataclass(frozen=True, slots=True)
class RecordPlan:
    """Everything handling one record decided."""

    steps: tuple[Step, ...] = ()
    updates: tuple[Update, ...] = ()  # recorded with the page, whatever the CRM answers
    refresh: tuple[Ref, ...] = ()  # records to re-judge after this one
    kept_manual: tuple[tuple[Ref, str], ...] = ()  # a person's values kept
    tasks: tuple[TaskIntent, ...] = ()  # what each task rule wants
    role: BuyingRole | None = None  # a person's buying role as judged now
    engaged_at: datetime | None = None  # a person's latest buyer-side activity


@dataclass
class _Draft:
    """A RecordPlan while it is being decided."""

    steps: list[Step] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    refresh: list[Ref] = field(default_factory=list)
    kept_manual: list[tuple[Ref, str]] = field(default_factory=list)
    tasks: list[TaskIntent] = field(default_factory=list)
    role: BuyingRole | None = None
    engaged_at: datetime | None = None

    def done(self) -> RecordPlan:
        return RecordPlan(tuple(self.steps), tuple(self.updates), tuple(self.refresh),
                          tuple(self.kept_manual), tuple(self.tasks), self.role,
                          self.engaged_at)


@dataclass(frozen=True, slots=True)
class Setting:
    """What every decision of a run reads besides the read model and the records."""

    rules: Rules
    classify: Callable[[str], Any]
    now: datetime
    in_refresh: bool = False  # True once the change feeds are read
    # Each CRM's spelling of buying roles in its own fields (connectors/roles.py)
    vocabularies: Mapping[str, RoleVocabulary] = field(default_factory=_nothing)
    native: NativeMap = NO_NATIVE  # stages onto the CRMs' own fields ([native] in config)

    def roles_in(self, system: str) -> RoleVocabulary:
        return self.vocabularies.get(system, NO_ROLES)


@dataclass(frozen=True, slots=True)
class Fresh:
    """What the persons of the page being planned were judged to be just now (state still
    holds their previous verdicts): its deals are judged by these."""

    roles: Mapping[Ref, BuyingRole] = field(default_factory=_nothing)
    engaged: Mapping[Ref, datetime | None] = field(default_factory=_nothing)
    activities: Mapping[Ref, tuple[Activity, ...]] = field(default_factory=_nothing)

    def role_of(self, known: Known, person: Ref) -> BuyingRole:
        """A person's buying role: as judged on this page, else as last saved."""
        if person in self.roles:
            return self.roles[person]
        found = known.person(person)
        return found.role if found else BuyingRole.UNKNOWN

    def engaged_at(self, known: Known, person: Ref) -> datetime | None:
        """A person's latest buyer-side activity, across their records in both CRMs."""
        found = known.person(person)
        members = known.persons_of_identity(found.identity) if found else ()
        stamps = [self.engaged.get(m.ref, m.engaged_at) for m in members]
        stamps.append(self.engaged.get(person))
        return max((s for s in stamps if s is not None), default=None)

    def activities_of(self, known: Known, person: Ref) -> tuple[Activity, ...]:
        """A person's recent activities, across their records in both CRMs."""
        found = known.person(person)
        members = known.persons_of_identity(found.identity) if found else ()
        acts = [a for m in members for a in self.activities.get(m.ref, m.activities)]
        if not any(m.ref == person for m in members):
            acts.extend(self.activities.get(person, ()))
        return tuple(acts)


def plan_person(at: Setting, known: Known, p: Person) -> RecordPlan:
    out = _Draft()
    if p.deleted or p.merged_into is not None or p.converted_to is not None:
        # Converted leads are read-only in Salesforce; their contact carries on.
        links = tuple(r for r in (p.converted_to, p.merged_into) if r is not None)
        out.updates += [LinkRecords(p.ref, links), ForgetPerson(p.ref)]
        gone = "deleted" if p.deleted else "merged" if p.merged_into else "converted"
        close_tasks(at, known, p.ref, out, in_crm=not p.deleted and p.merged_into is None,
                    note=f"the record was {gone}")
        return out.done()
    email = normalise_email(p.email)
    members = identity_members(known, p.ref, email, p.linked)
    identity = min([str(p.ref), *(str(m.ref) for m in members)])
    # The identity's title is the most recently *changed* non-empty one among its records,
    # so both CRMs agree. Record modification times would not do: our write-backs bump them.
    previous = known.person(p.ref)
    if previous is None:  # a run cut short after writing moved the stamp: take the one
        title_at = known.stamp_before_pending(p.ref) or p.modified_at  # read before it
    else:
        title_at = previous.modified_at if previous.title == p.title else p.modified_at
    title = identity_title([(title_at, p.title)] + [(m.modified_at, m.title) for m in members],
                           p.title)
    # One person, one verdict: judge on everything any of their records saw (marketing
    # touches live in HubSpot, sales ones in Salesforce).
    activities = merged_activities(p.activities, members)
    records = [p.ref, *(m.ref for m in members)]
    deal_start = first_deal_start(known, records) if activities else None
    if deal_start is None and not at.in_refresh and needs_deal_context(activities):
        # "Joined late" is measured against the person's deals, which may be read after
        # them: look again once every feed is read.
        out.refresh.append(p.ref)
    verdict, lead = judge_person(title, at.rules, at.classify, activities, at.now,
                                 deal_start, about=person_facts(p, members))
    verdict_dict = saved_verdict(verdict, p)
    out.role = verdict.role
    # Engaged in a deal means talking to the seller: a reply, a meeting, a call. Content
    # and forms are the marketing funnel, not the deal.
    engaged_at = max((a.at for a in activities
                      if a.inbound and a.kind in TWO_WAY and a.happened and a.at <= at.now),
                     default=None)
    out.engaged_at = engaged_at
    out.refresh.extend(m.ref for m in members if shared(m.verdict) != shared(verdict_dict))
    if previous is None or previous.engaged_at != engaged_at \
            or previous.activities != p.activities:
        # Engagement counts for the person on every deal, whichever CRM recorded it; so
        # do the rep's follow-ups (a deal chased without answer is going stale).
        for record in [p.ref, *(m.ref for m in members)]:
            out.refresh.extend(known.deals_of_person(record))
    elif (previous.verdict.role if previous.verdict else None) != verdict.role:
        out.refresh.extend(known.deals_of_person(p.ref))
    out.updates += [
        LinkRecords(p.ref, tuple(p.linked)),
        SavePerson(p.ref, identity, email, p.title, title_at, verdict_dict, p.account_id,
                   p.name, engaged_at, p.activities),
        SetIdentity(tuple(m.ref for m in members), identity)]
    plan_record_fields(known, p.ref, p.leadpact, verdict.fields(at.rules.version), out,
                       tagged=True)
    # The CRM's own buying-role field, filled if empty: the vocabulary names field and
    # value, the change stays in leadpact's terms.
    role_change = SetBuyingRole(p.ref, verdict.role, verdict.function)
    if (target := at.roles_in(p.ref.system).ledger_value(role_change)) is not None \
            and target.value is not None:
        plan_native(known, p.ref, target.field, p.buying_role, target.value, out,
                    partial(replace, role_change))
    for native, value in wanted_targets(at.native, p.ref, lead.stage, p.native):
        plan_native(known, p.ref, native.field, p.native.get(native.field), value, out,
                    partial(SetLeadStatus, p.ref, native.key, value))  # opt-in: [native]
    # A stage's task goes to the sales side: the Salesforce record if the person has one.
    if task_home(p.ref, [m.ref for m in members]) != p.ref:
        # Its tasks moved to the sales side (a Salesforce twin appeared): close ours here.
        out.tasks.extend(TaskIntent(p.ref, rule, False, note="the task moved to the "
                                    "person's Salesforce record")
                         for rule in task_rules(at, known, p.ref) if rule.startswith("lead:"))
        return out.done()
    # This record is the home now: twins holding (or about to make) lead tasks hand them over.
    out.refresh.extend(m.ref for m in members if known.holds_task(m.ref, "lead:"))
    for stage in at.rules.stages:
        if stage.task is None:
            continue
        out.tasks.append(TaskIntent(
            p.ref, f"lead:{stage.name}", lead.stage == stage.name,
            subject=stage.task.render(name=p.name or p.email or str(p.ref),
                                      title=title or "no title"),
            body=f"Why (leadpact): {lead.reasons}. "
                 f"Buying role: {verdict.role} ({verdict.because}).",
            owner_id=p.owner_id, due_in_days=stage.task.due_in_days,
            note=f"the person is no longer {stage.name} (now {lead.stage or 'no stage'})"))
    return out.done()


def merged_activities(own: tuple[Activity, ...], members: Sequence[KnownPerson]
                      ) -> tuple[Activity, ...]:
    """A record's activities plus those its twins in the other CRM last carried, once
    each, oldest first."""
    seen = {(a.at, a.kind, a.subject): a for m in members for a in m.activities}
    seen.update(((a.at, a.kind, a.subject), a) for a in own)
    return tuple(sorted(seen.values(), key=lambda a: (a.at, a.kind, a.subject)))


def first_deal_start(known: Known, records: Sequence[Ref]) -> datetime | None:
    """When the oldest open deal this person (any of their records) is on began: what
    "arriving late" is measured against."""
    starts = []
    for ref in {deal for record in records for deal in known.deals_of_person(record)}:
        found = known.deal(ref)
        if found and found.deal.created_at and not found.deal.is_closed:
            starts.append(found.deal.created_at)
    return min(starts, default=None)


def plan_deal(at: Setting, known: Known, fresh: Fresh, d: Deal) -> RecordPlan:
    out = _Draft()
    if d.deleted:
        out.updates.append(ForgetDeal(d.ref))
        close_tasks(at, known, d.ref, out, in_crm=False, note="the deal was deleted")
        return out.done()
    verdict = judge_deal_now(at, known, fresh, d)
    out.updates.append(SaveDeal(d.ref, not d.is_closed, d, verdict.summary(),
                                tuple(c.person for c in d.contacts)))
    if d.is_closed:
        close_tasks(at, known, d.ref, out, in_crm=True,
                    note=f"the deal closed ({d.stage or 'closed'})")
        return out.done()
    plan_record_fields(known, d.ref, d.leadpact, verdict.fields(at.rules.version), out,
                       tagged=False)
    crm = at.roles_in(d.ref.system)
    for contact in d.contacts:  # the CRM's own role of each contact on the deal
        if contact.id is None:
            continue
        role_change = SetDealContactRole(d.ref, contact.person,
                                         fresh.role_of(known, contact.person), contact.id)
        target = crm.ledger_value(role_change)
        if target is not None and target.value is not None:
            plan_native(known, d.ref, target.field, contact.role, target.value, out,
                        partial(replace, role_change))
    out.tasks.extend(deal_tasks(at, known, d, verdict))
    return out.done()


def judge_deal_now(at: Setting, known: Known, fresh: Fresh, d: Deal) -> DealVerdict:
    """A deal's verdict from its contacts' roles as known now, and which of them engaged
    lately (any record of the same person counts: marketing touches live in HubSpot,
    sales ones in Salesforce)."""
    roles = committee_roles(known, at.roles_in(d.ref.system), d,
                            [fresh.role_of(known, c.person) for c in d.contacts])
    since = at.now - timedelta(days=at.rules.engaged_days)
    engaged = [role for c, role in zip(d.contacts, roles, strict=True)
               if (last := fresh.engaged_at(known, c.person)) is not None and last >= since]
    timeline = deal_timeline(d.ref, [a for c in d.contacts
                                     for a in fresh.activities_of(known, c.person)])
    return judge_deal(d, roles, at.rules, at.now, engaged, timeline,
                      known.stage_norms(d.ref.system))


def committee_roles(known: Known, crm: RoleVocabulary, d: Deal, roles: list[BuyingRole]
                    ) -> list[BuyingRole]:
    """Each contact's role for coverage: one a person recorded on the deal (Salesforce
    contact role, HubSpot label) beats our guess. A value we filled in, or the very value
    we would fill in, is only our guess again, so the fresh guess wins (so is one a run cut
    short was writing: its pending rows say so)."""
    ours, pending = known.last_written(d.ref), known.pending_values(d.ref)
    found = []
    for contact, role in zip(d.contacts, roles, strict=True):
        recorded = crm.role_from_crm(contact.role)
        key = crm.contact_role_field(contact.id) or ""
        guessed = contact.role in (ours.get(key), crm.guessed_contact_role(role)) \
            or contact.role in pending.get(key, ())
        found.append(recorded if recorded and not guessed else role)
    return found


def deal_tasks(at: Setting, known: Known, d: Deal, verdict: DealVerdict) -> list[TaskIntent]:
    """What each task rule wants for an open deal, from the rules file's templates."""
    name = d.name or str(d.ref)
    tasks = []
    stale_task = at.rules.stale_task
    if stale_task is not None:
        tasks.append(TaskIntent(
            d.ref, STALE_RULE, verdict.stale.stale, stale_task.render(deal=name),
            f"Confirm {name} is still alive: {verdict.stale.reasons}. Re-engage the buyer "
            "or close the deal.", d.owner_id,
            stale_task.due_in_days, note=recovered(verdict)))
    missing = verdict.coverage.missing
    template = at.rules.committee_task
    if template is None:
        return tasks
    tasks.append(TaskIntent(d.ref, COMMITTEE_RULE, bool(missing),
                            template.render(deal=name, missing=", ".join(missing)),
                            committee_body(known, d, missing), d.owner_id,
                            template.due_in_days,
                            note="every buying role is now on the deal"))
    return tasks


def lead_subject(at: Setting, known: Known, intent: TaskIntent) -> str:
    """A lead task's subject with the identity's title as it stands at the end of the run."""
    stage = next((st for st in at.rules.stages
                  if f"lead:{st.name}" == intent.rule and st.task is not None), None)
    person = known.person(intent.about)
    if stage is None or stage.task is None or person is None:
        return intent.subject
    members = known.persons_of_identity(person.identity) or (person,)
    titled = [(m.modified_at, m.title) for m in members if m.title and m.title.strip()]
    title = max(titled)[1] if titled else None
    return stage.task.render(name=person.name or person.email or str(intent.about),
                             title=title or "no title")


def committee_body(known: Known, d: Deal, missing: tuple[BuyingRole, ...]) -> str:
    body = f"Nobody on this deal is a {' or '.join(m.replace('_', ' ') for m in missing)}."
    suggestions = suggest_contacts(known, d, missing)
    if suggestions:
        body += " Consider engaging: " + "; ".join(suggestions) + "."
    return body


def final_intent(at: Setting, known: Known, intent: TaskIntent) -> TaskIntent:
    """An intent as it stands once every record of the run is read: a committee gap's
    suggested colleagues may have been read after the deal was judged, and a person's twin
    (whose newer title names the task) after the person."""
    if intent.rule.startswith("lead:") and intent.holds:
        person = known.person(intent.about)
        body = lead_task_body(known, at.rules.lead, person, at.now) if person else None
        return replace(intent, subject=lead_subject(at, known, intent),
                       body=body or intent.body)
    if intent.rule != COMMITTEE_RULE or not intent.holds:
        return intent
    found = known.deal(intent.about)
    missing = found.verdict.missing if found and found.verdict else ()
    if not found or not missing:
        return intent
    deal = found.deal
    if deal.account_id is None:  # a snapshot from before accounts were kept
        return intent
    return replace(intent, body=committee_body(known, deal, missing))


def recovered(verdict: DealVerdict) -> str:
    """Why a deal no longer looks dropped, for the note on its completed task."""
    last = verdict.stale.last_buyer_at
    heard = f"the buyer was last heard from on {last.day} {last:%b %Y}" if last else \
        "the evidence no longer adds up"
    return f"the deal no longer looks dropped ({heard}; stale score {verdict.stale.score})"


def suggest_contacts(known: Known, d: Deal, missing: tuple[BuyingRole, ...],
                     limit: int = SUGGESTED) -> list[str]:
    """People already in the CRM at the deal's account whose role fills a gap."""
    if not missing or d.account_id is None:
        return []
    on_deal = {c.person for c in d.contacts}
    found = []
    for colleague in known.persons_at_account(d.ref.system, d.account_id):
        role = colleague.verdict.role if colleague.verdict else None
        if role in missing and colleague.ref not in on_deal:
            found.append(f"{colleague.name or colleague.email or colleague.ref.id} "
                         f"({colleague.title or 'no title'}, {role.replace('_', ' ')})")
    return found[:limit]


def plan_record_fields(known: Known, ref: Ref, current: Any, desired: dict[str, str | None],
                       out: _Draft, tagged: bool) -> None:
    # A new rules version that moves nothing else on this record is not stamped on it:
    # RevOps sees the verdicts that changed, not thousands of version stamps. (Task
    # descriptions carry no version for the same reason.)
    moved = {name for name, value in desired.items() if current.get(name) != value}
    if moved == {"rules_version"} and current.get("rules_version") is not None:
        desired = {name: value for name, value in desired.items() if name != "rules_version"}
    plan_values(known, ref, current, desired, out, lambda change: change, count_tag=tagged)


def plan_native(known: Known, ref: Ref, ledger_field: str, current: str | None, wanted: str,
                out: _Draft, change: Callable[..., Change]) -> None:
    """Fill one of the CRM's own fields only where it is empty (or still holds our value).
    The comparison is in the CRM's values (as the ledger keeps them: opaque here);
    `change(previous_value=...)` is the canonical change to send."""
    plan_values(known, ref, {ledger_field: current}, {ledger_field: wanted}, out,
                lambda planned: change(previous_value=planned.previous))


def plan_values(known: Known, ref: Ref, current: Mapping[str, str | None],
                desired: dict[str, str | None], out: _Draft,
                to_change: Callable[[SetField], Change], count_tag: bool = False) -> None:
    """The writes that bring `current` to `desired` where the values are ours to change;
    `to_change` turns each into the change the CRM needs."""
    if frozen := known.frozen_fields(ref):  # a write loop froze them: leave them be
        desired = {name: value for name, value in desired.items() if name not in frozen}
    written, pending = known.last_written(ref), known.pending_values(ref)
    plan = plan_fields(ref, current, desired, ours_so_far(written, pending, current))
    out.kept_manual.extend((ref, name) for name in plan.kept_manual)
    settle_pending(ref, current, desired, written, pending, out)
    for planned in plan.changes:
        out.steps.append(Step(
            to_change(planned), ref,
            (LedgerWrite(planned.ref, planned.field, planned.previous, planned.value),),
            "contacts_tagged" if count_tag and planned.field == "role" else None,
            writes=(ref, planned.field, planned.value)))


def settle_pending(ref: Ref, current: Mapping[str, str | None],
                   desired: Mapping[str, str | None], written: Mapping[str, str | None],
                   pending: Mapping[str, frozenset[str | None]], out: _Draft) -> None:
    """A run cut short wrote a value the record still holds: unless this plan writes the
    field again (which drops the rows), record it in the ledger now (undo can put it back)
    and drop its pending rows. A pending value the record does not hold is in no doubt
    either (never landed, or changed since): its rows go too, or they would stay for good
    on a field no later write touches (a new rules version alone is not stamped)."""
    for name, values in pending.items():
        value = current.get(name)
        if value in values and name in desired and desired[name] != value:
            continue
        if value in values and written.get(name, object()) != value:
            out.updates.append(LedgerWrite(ref, name, written.get(name), value))
        out.updates.append(PendingSettled(ref, name))


def ours_so_far(written: Mapping[str, str | None],
                pending: Mapping[str, frozenset[str | None]],
                current: Mapping[str, str | None]) -> dict[str, str | None]:
    """The value leadpact last wrote to each field (`written`, the ledger), counting a value
    an interrupted run was writing when the record holds exactly that value now."""
    ours = dict(written)
    for name, values in pending.items():
        if current.get(name) in values:
            ours[name] = current.get(name)
    return ours


def task_step(intent: TaskIntent, change: Change) -> Step:
    """A decided task change, and what to record once the CRM made it."""
    if isinstance(change, UpsertTask):
        episode = int(change.key.rsplit(":", 1)[1])
        return Step(change, intent.about,
                    (TaskMade(change.key, intent.rule, intent.about, episode, change.body),),
                    "tasks_created")
    if isinstance(change, UpdateTask):
        return Step(change, intent.about, (TaskBodySet(change.key, change.body),),
                    "tasks_updated")
    if isinstance(change, CloseTask):
        return Step(change, intent.about, (TaskEnded(change.key),), "tasks_closed")
    return Step(change, intent.about)


def task_rules(at: Setting, known: Known, about: Ref) -> list[str]:
    """Every task rule that can hold a task about this record: the rules file's, and any a
    task is still open for (e.g. a rule since removed)."""
    if about.kind == DEAL:
        rules = [STALE_RULE, COMMITTEE_RULE]
    else:
        rules = [f"lead:{stage.name}" for stage in at.rules.stages if stage.task is not None]
    return list(dict.fromkeys([*rules, *(t.rule for t in known.open_tasks_about(about))]))


def close_tasks(at: Setting, known: Known, about: Ref, out: _Draft, in_crm: bool,
                note: str) -> None:
    """Every task about the record ends: completed in the CRM with `note`, or (the record
    is gone, and its tasks with it) forgotten."""
    out.tasks.extend(TaskIntent(about, rule, False, note=note, in_crm=in_crm)
                     for rule in task_rules(at, known, about))


def task_home(ref: Ref, members: list[Ref]) -> Ref:
    """Which of a person's records gets their tasks: a Salesforce contact, else a
    Salesforce lead, else the HubSpot contact."""
    order = {(SALESFORCE, CONTACT): 0, (SALESFORCE, LEAD): 1, (HUBSPOT, CONTACT): 2}
    return min([ref, *members], key=lambda r: (order.get((r.system, r.kind), 9), r.id))
