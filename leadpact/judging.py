"""Per-record planning inside a run: what one person or deal should look like in its CRM,
as field changes plus the state to save once they are applied, and what each task rule
wants (decided at the end of the run: leadpact/task_lifecycle.py). Pure apart from
reading state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from leadpact.changes import (
    Change,
    ChangeResult,
    CloseTask,
    SetContactRole,
    SetField,
    SetNativeField,
    UpdateTask,
    UpsertTask,
)
from leadpact.enrichment.buyer_activity import deal_timeline
from leadpact.enrichment.crm_roles import (
    hubspot_buying_role,
    role_from_crm,
    salesforce_contact_role,
)
from leadpact.enrichment.engagement import needs_deal_context
from leadpact.enrichment.labels import BuyingRole
from leadpact.identity import identity_members, normalise_email
from leadpact.lead_facts import person_facts, saved_verdict, shared
from leadpact.model import CONTACT, DEAL, HUBSPOT, LEAD, SALESFORCE, Activity, Deal, Person, Ref
from leadpact.model import TASK as TASK_KIND
from leadpact.plan import plan_fields
from leadpact.rules.engine import Rules
from leadpact.sales_ready import lead_task_body
from leadpact.state import KnownPerson, State
from leadpact.task_lifecycle import TaskIntent
from leadpact.verdicts import (
    DealVerdict,
    judge_deal,
    judge_person,
)

STALE_RULE = "deal:stale"
COMMITTEE_RULE = "deal:committee_gap"
ROLE_FIELDS = ("seniority", "function", "role", "role_confidence", "role_reason")
HS_BUYING_ROLE = "hs_buying_role"
TWO_WAY = frozenset({"email", "meeting", "call"})


@dataclass(frozen=True, slots=True)
class Step:
    """One planned change, the record whose handling asked for it, and what to record in
    state once the CRM confirms it."""

    change: Change
    source: Ref
    on_success: Callable[[ChangeResult], None]
    # (record, ledger field, value) a field write will leave: noted as pending before the
    # CRM is called, so a run cut short still knows the value was ours.
    writes: tuple[Ref, str, str | None] | None = None


@dataclass
class RecordPlan:
    steps: list[Step] = field(default_factory=list)
    saves: list[Callable[[], None]] = field(default_factory=list)
    refresh: list[Ref] = field(default_factory=list)  # records to re-judge after this one
    kept_manual: list[tuple[Ref, str]] = field(default_factory=list)  # a person's values kept
    tasks: list[TaskIntent] = field(default_factory=list)  # what each task rule wants
    role: BuyingRole | None = None  # a person's buying role as judged now
    engaged_at: datetime | None = None  # a person's latest buyer-side activity


class Context(Protocol):
    state: State
    rules: Rules
    classify: Callable[[str], Any]
    now: datetime
    dry_run: bool
    run_id: str
    in_refresh: bool  # True once the change feeds are read

    def count(self, system: str, counter: str) -> None: ...

    def role_of(self, person: Ref) -> BuyingRole:
        """A person's buying role: as judged earlier in this run, else as last saved."""
        ...

    def engaged_at(self, person: Ref) -> datetime | None:
        """A person's latest buyer-side activity, across their records in both CRMs."""
        ...

    def activities_of(self, person: Ref) -> tuple[Activity, ...]:
        """A person's recent activities, across their records in both CRMs."""
        ...

    def holds_task(self, about: Ref, rule_prefix: str) -> bool:
        """A task of a rule starting with `rule_prefix` is open or about to be made."""
        ...

    def stage_norms(self, system: str) -> Mapping[str, int]:
        """Days allowed per stage, learned from the CRM's deals won (may be empty)."""
        ...


def plan_person(ctx: Context, p: Person) -> RecordPlan:
    out, state = RecordPlan(), ctx.state
    if p.deleted or p.merged_into is not None or p.converted_to is not None:
        # Converted leads are read-only in Salesforce; their contact carries on.
        links = [r for r in (p.converted_to, p.merged_into) if r is not None]

        def forget() -> None:
            state.link(p.ref, links)
            state.forget_person(p.ref)
        out.saves.append(forget)
        gone = "deleted" if p.deleted else "merged" if p.merged_into else "converted"
        close_tasks(ctx, p.ref, out, in_crm=not p.deleted and p.merged_into is None,
                    note=f"the record was {gone}")
        return out
    email = normalise_email(p.email)
    members = identity_members(state, p.ref, email, p.linked)
    identity = min([str(p.ref), *(str(m.ref) for m in members)])
    # The identity's title is the most recently *changed* non-empty one among its records,
    # so both CRMs agree. Record modification times would not do: our write-backs bump them.
    previous = state.person(p.ref)
    if previous is None:  # a run cut short after writing moved the stamp: take the one
        title_at = ctx.state.stamp_before_pending(p.ref) or p.modified_at  # read before it
    else:
        title_at = previous.modified_at if previous.title == p.title else p.modified_at
    candidates = [(title_at, p.title)] + [(m.modified_at, m.title) for m in members]
    titled = [c for c in candidates if c[1] and c[1].strip()]
    # equal stamps (twins created together): the same pick whichever record is judged
    title = max(titled)[1] if titled else p.title
    # One person, one verdict: judge on everything any of their records saw (marketing
    # touches live in HubSpot, sales ones in Salesforce).
    activities = merged_activities(p.activities, members)
    records = [p.ref, *(m.ref for m in members)]
    deal_start = first_deal_start(state, records) if activities else None
    if deal_start is None and not ctx.in_refresh and needs_deal_context(activities):
        # "Joined late" is measured against the person's deals, which may be read after
        # them: look again once every feed is read.
        out.refresh.append(p.ref)
    verdict, lead = judge_person(title, ctx.rules, ctx.classify, activities, ctx.now,
                                 deal_start, about=person_facts(p, members))
    verdict_dict = saved_verdict(verdict, p)
    out.role = verdict.role
    # Engaged in a deal means talking to the seller: a reply, a meeting, a call. Content
    # and forms are the marketing funnel, not the deal.
    engaged_at = max((a.at for a in activities
                      if a.inbound and a.kind in TWO_WAY and a.happened and a.at <= ctx.now),
                     default=None)
    out.engaged_at = engaged_at
    out.refresh.extend(m.ref for m in members if shared(m.verdict) != shared(verdict_dict))
    if previous is None or previous.engaged_at != engaged_at \
            or previous.activities != p.activities:
        # Engagement counts for the person on every deal, whichever CRM recorded it; so
        # do the rep's follow-ups (a deal chased without answer is going stale).
        for record in [p.ref, *(m.ref for m in members)]:
            out.refresh.extend(state.deals_of_person(record))
    elif (previous.verdict.role if previous.verdict else None) != verdict.role:
        out.refresh.extend(state.deals_of_person(p.ref))

    def save() -> None:
        state.link(p.ref, p.linked)
        state.save_person(p.ref, identity, email, p.title, title_at, verdict_dict,
                          p.account_id, p.name, engaged_at, p.activities)
        state.set_identity([m.ref for m in members], identity)
    out.saves.append(save)
    plan_record_fields(ctx, p.ref, p.leadpact, verdict.fields(ctx.rules.version), out,
                       tagged=True)
    if p.ref.system == HUBSPOT:
        wanted = hubspot_buying_role(verdict.role, verdict.function)
        if wanted is not None:
            plan_native(ctx, p.ref, HS_BUYING_ROLE, p.buying_role, wanted, out)
    # A stage's task goes to the sales side: the Salesforce record if the person has one.
    if task_home(p.ref, [m.ref for m in members]) != p.ref:
        # Its tasks moved to the sales side (a Salesforce twin appeared): close ours here.
        out.tasks.extend(TaskIntent(p.ref, rule, False, note="the task moved to the "
                                    "person's Salesforce record")
                         for rule in task_rules(ctx, p.ref) if rule.startswith("lead:"))
        return out
    # This record is the home now: twins holding (or about to make) lead tasks hand them over.
    out.refresh.extend(m.ref for m in members if ctx.holds_task(m.ref, "lead:"))
    for stage in ctx.rules.stages:
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
    return out


def merged_activities(own: tuple[Activity, ...], members: list[KnownPerson]
                      ) -> tuple[Activity, ...]:
    """A record's activities plus those its twins in the other CRM last carried, once
    each, oldest first."""
    seen = {(a.at, a.kind, a.subject): a for m in members for a in m.activities}
    seen.update(((a.at, a.kind, a.subject), a) for a in own)
    return tuple(sorted(seen.values(), key=lambda a: (a.at, a.kind, a.subject)))


def first_deal_start(state: State, records: list[Ref]) -> datetime | None:
    """When the oldest open deal this person (any of their records) is on began: what
    "arriving late" is measured against."""
    starts = []
    for ref in {deal for record in records for deal in state.deals_of_person(record)}:
        found = state.deal(ref)
        if found and found.deal.created_at and not found.deal.is_closed:
            starts.append(found.deal.created_at)
    return min(starts, default=None)


def plan_deal(ctx: Context, d: Deal) -> RecordPlan:
    out, state = RecordPlan(), ctx.state
    if d.deleted:
        out.saves.append(lambda: state.forget_deal(d.ref))
        close_tasks(ctx, d.ref, out, in_crm=False, note="the deal was deleted")
        return out
    verdict = judge_deal_now(ctx, d)
    summary = verdict.summary()
    out.saves.append(lambda: state.save_deal(d.ref, not d.is_closed, d, summary,
                                             [c.person for c in d.contacts]))
    if d.is_closed:
        close_tasks(ctx, d.ref, out, in_crm=True,
                    note=f"the deal closed ({d.stage or 'closed'})")
        return out
    plan_record_fields(ctx, d.ref, d.leadpact, verdict.fields(ctx.rules.version), out,
                       tagged=False)
    if d.ref.system == SALESFORCE:
        for contact in d.contacts:
            role = ctx.role_of(contact.person)
            wanted = salesforce_contact_role(role)
            if wanted is not None and contact.id is not None:
                plan_native(ctx, d.ref, f"contact_role:{contact.id}", contact.role, wanted,
                            out, contact_role=(contact.person, contact.id))
    out.tasks.extend(deal_tasks(ctx, d, verdict))
    return out


def judge_deal_now(ctx: Context, d: Deal) -> DealVerdict:
    """A deal's verdict from its contacts' roles as known now, and which of them engaged
    lately (any record of the same person counts: marketing touches live in HubSpot,
    sales ones in Salesforce)."""
    roles = committee_roles(ctx.state, d, [ctx.role_of(c.person) for c in d.contacts])
    since = ctx.now - timedelta(days=ctx.rules.engaged_days)
    engaged = [role for c, role in zip(d.contacts, roles, strict=True)
               if (last := ctx.engaged_at(c.person)) is not None and last >= since]
    timeline = deal_timeline(d.ref, [a for c in d.contacts for a in ctx.activities_of(c.person)])
    return judge_deal(d, roles, ctx.rules, ctx.now, engaged, timeline,
                      ctx.stage_norms(d.ref.system))


def committee_roles(state: State, d: Deal, roles: list[BuyingRole]) -> list[BuyingRole]:
    """Each contact's role for coverage: one a person recorded on the deal (Salesforce
    contact role, HubSpot label) beats our guess. A value we filled in, or the very value
    we would fill in, is only our guess again, so the fresh guess wins (so is one a run cut
    short was writing: its pending rows say so)."""
    ours, pending = state.last_written(d.ref), state.pending(d.ref)
    found = []
    for contact, role in zip(d.contacts, roles, strict=True):
        recorded = role_from_crm(contact.role)
        key = f"contact_role:{contact.id}"
        guessed = contact.role in (ours.get(key), salesforce_contact_role(role)) \
            or contact.role in pending.get(key, ())
        found.append(recorded if recorded and not guessed else role)
    return found


def deal_tasks(ctx: Context, d: Deal, verdict: DealVerdict) -> list[TaskIntent]:
    """What each task rule wants for an open deal, from the rules file's templates."""
    name = d.name or str(d.ref)
    tasks = []
    stale_task = ctx.rules.stale_task
    if stale_task is not None:
        tasks.append(TaskIntent(
            d.ref, STALE_RULE, verdict.stale.stale, stale_task.render(deal=name),
            f"Confirm {name} is still alive: {verdict.stale.reasons}. Re-engage the buyer "
            "or close the deal.", d.owner_id,
            stale_task.due_in_days, note=recovered(verdict)))
    missing = verdict.coverage.missing
    template = ctx.rules.committee_task
    if template is None:
        return tasks
    tasks.append(TaskIntent(d.ref, COMMITTEE_RULE, bool(missing),
                            template.render(deal=name, missing=", ".join(missing)),
                            committee_body(ctx.state, d, missing), d.owner_id,
                            template.due_in_days,
                            note="every buying role is now on the deal"))
    return tasks


def lead_subject(ctx: Context, intent: TaskIntent) -> str:
    """A lead task's subject with the identity's title as it stands at the end of the run."""
    stage = next((st for st in ctx.rules.stages
                  if f"lead:{st.name}" == intent.rule and st.task is not None), None)
    known = ctx.state.person(intent.about)
    if stage is None or stage.task is None or known is None:
        return intent.subject
    members = ctx.state.persons_of_identity(known.identity) or [known]
    titled = [(m.modified_at, m.title) for m in members if m.title and m.title.strip()]
    title = max(titled)[1] if titled else None
    return stage.task.render(name=known.name or known.email or str(intent.about),
                             title=title or "no title")


def committee_body(state: State, d: Deal, missing: tuple[str, ...]) -> str:
    body = f"Nobody on this deal is a {' or '.join(m.replace('_', ' ') for m in missing)}."
    suggestions = suggest_contacts(state, d, missing)
    if suggestions:
        body += " Consider engaging: " + "; ".join(suggestions) + "."
    return body


def final_intent(ctx: Context, intent: TaskIntent) -> TaskIntent:
    """An intent as it stands once every record of the run is read: a committee gap's
    suggested colleagues may have been read after the deal was judged, and a person's twin
    (whose newer title names the task) after the person."""
    if intent.rule.startswith("lead:") and intent.holds:
        known = ctx.state.person(intent.about)
        body = lead_task_body(ctx.state, ctx.rules.lead, known, ctx.now) if known else None
        return replace(intent, subject=lead_subject(ctx, intent), body=body or intent.body)
    if intent.rule != COMMITTEE_RULE or not intent.holds:
        return intent
    found = ctx.state.deal(intent.about)
    missing = found.verdict.missing if found and found.verdict else ()
    if not found or not missing:
        return intent
    deal = found.deal
    if deal.account_id is None:  # a snapshot from before accounts were kept
        return intent
    return replace(intent, body=committee_body(ctx.state, deal, missing))


def recovered(verdict: DealVerdict) -> str:
    """Why a deal no longer looks dropped, for the note on its completed task."""
    last = verdict.stale.last_buyer_at
    heard = f"the buyer was last heard from on {last.day} {last:%b %Y}" if last else \
        "the evidence no longer adds up"
    return f"the deal no longer looks dropped ({heard}; stale score {verdict.stale.score})"


def suggest_contacts(state: State, d: Deal, missing: tuple[str, ...], limit: int = 3) -> list[str]:
    """People already in the CRM at the deal's account whose role fills a gap."""
    if not missing or d.account_id is None:
        return []
    on_deal = {c.person for c in d.contacts}
    found = []
    for known in state.persons_at_account(d.ref.system, d.account_id):
        role = known.verdict.role if known.verdict else None
        if role in missing and known.ref not in on_deal:
            found.append(f"{known.name or known.email or known.ref.id} "
                         f"({known.title or 'no title'}, {role.replace('_', ' ')})")
    return found[:limit]


def plan_record_fields(ctx: Context, ref: Ref, current: Any, desired: dict[str, str | None],
                       out: RecordPlan, tagged: bool) -> None:
    # A new rules version that moves nothing else on this record is not stamped on it:
    # RevOps sees the verdicts that changed, not thousands of version stamps. (Task
    # descriptions carry no version for the same reason.)
    moved = {name for name, value in desired.items() if current.get(name) != value}
    if moved == {"rules_version"} and current.get("rules_version") is not None:
        desired = {name: value for name, value in desired.items() if name != "rules_version"}
    plan_values(ctx, ref, current, desired, out, lambda change: change, count_tag=tagged)


def plan_native(ctx: Context, ref: Ref, ledger_field: str, current: str | None, wanted: str,
                out: RecordPlan, contact_role: tuple[Ref, str] | None = None) -> None:
    """Fill one of the CRM's own fields only where it is empty (or still holds our value)."""
    def native(planned: SetField) -> Change:
        if contact_role is not None:
            return SetContactRole(ref, contact_role[0], wanted, contact_role[1])
        return SetNativeField(ref, ledger_field, wanted, planned.previous)
    plan_values(ctx, ref, {ledger_field: current}, {ledger_field: wanted}, out, native)


def plan_values(ctx: Context, ref: Ref, current: Mapping[str, str | None],
                desired: dict[str, str | None], out: RecordPlan,
                to_change: Callable[[SetField], Change], count_tag: bool = False) -> None:
    """The writes that bring `current` to `desired` where the values are ours to change;
    `to_change` turns each into the change the CRM needs."""
    if frozen := ctx.state.frozen_fields(ref):  # a write loop froze them: leave them be
        desired = {name: value for name, value in desired.items() if name not in frozen}
    written, pending = ctx.state.last_written(ref), ctx.state.pending(ref)
    plan = plan_fields(ref, current, desired, ours_so_far(written, pending, current))
    out.kept_manual.extend((ref, name) for name in plan.kept_manual)
    settle_pending(ctx, ref, current, desired, written, pending, out)
    for planned in plan.changes:
        out.steps.append(Step(
            to_change(planned), ref,
            _field_written(ctx, planned, planned.field, count_tag and planned.field == "role"),
            writes=(ref, planned.field, planned.value)))


def settle_pending(ctx: Context, ref: Ref, current: Mapping[str, str | None],
                   desired: Mapping[str, str | None], written: Mapping[str, str | None],
                   pending: Mapping[str, set[str | None]], out: RecordPlan) -> None:
    """A run cut short wrote a value the record still holds and we still want: nothing to
    write, so record it in the ledger now (undo can put it back) and drop its pending rows,
    which otherwise stay until the field is written again."""
    for name, values in pending.items():
        value = current.get(name)
        if name not in desired or desired[name] != value:
            continue
        if value in values and written.get(name, object()) != value:
            out.saves.append(partial(ctx.state.record_write, ctx.run_id, ref, name,
                                     written.get(name), value, ctx.now))
        out.saves.append(partial(ctx.state.clear_pending_field, ref, name))


def ours_so_far(written: Mapping[str, str | None], pending: Mapping[str, set[str | None]],
                current: Mapping[str, str | None]) -> dict[str, str | None]:
    """The value leadpact last wrote to each field (`written`, the ledger), counting a value
    an interrupted run was writing when the record holds exactly that value now."""
    ours = dict(written)
    for name, values in pending.items():
        if current.get(name) in values:
            ours[name] = current.get(name)
    return ours


def _field_written(ctx: Context, change: SetField, name: str,
                   count_tag: bool) -> Callable[[ChangeResult], None]:
    def done(result: ChangeResult) -> None:
        ctx.state.record_write(ctx.run_id, change.ref, name, change.previous, change.value,
                               ctx.now)
        if count_tag:
            ctx.count(change.ref.system, "contacts_tagged")
    return done


def task_step(ctx: Context, intent: TaskIntent, change: Change) -> Step:
    """A decided task change, and what to record once the CRM made it."""
    def done(result: ChangeResult) -> None:
        if isinstance(change, UpsertTask):
            task = Ref(intent.about.system, TASK_KIND, result.created_id) \
                if result.created_id else None
            episode = int(change.key.rsplit(":", 1)[1])
            ctx.state.record_task(change.key, intent.rule, intent.about, task, episode,
                                  ctx.run_id, change.body)
            ctx.count(intent.about.system, "tasks_created")
        elif isinstance(change, UpdateTask):
            ctx.state.set_task_body(change.key, change.body)
            ctx.count(intent.about.system, "tasks_updated")
        elif isinstance(change, CloseTask):
            ctx.state.close_task(change.key)
            ctx.count(intent.about.system, "tasks_closed")
    return Step(change, intent.about, done)


def task_rules(ctx: Context, about: Ref) -> list[str]:
    """Every task rule that can hold a task about this record: the rules file's, and any a
    task is still open for (e.g. a rule since removed)."""
    if about.kind == DEAL:
        rules = [STALE_RULE, COMMITTEE_RULE]
    else:
        rules = [f"lead:{stage.name}" for stage in ctx.rules.stages if stage.task is not None]
    return list(dict.fromkeys([*rules, *(t.rule for t in ctx.state.open_tasks_about(about))]))


def close_tasks(ctx: Context, about: Ref, out: RecordPlan, in_crm: bool, note: str) -> None:
    """Every task about the record ends: completed in the CRM with `note`, or (the record
    is gone, and its tasks with it) forgotten."""
    out.tasks.extend(TaskIntent(about, rule, False, note=note, in_crm=in_crm)
                     for rule in task_rules(ctx, about))


def task_home(ref: Ref, members: list[Ref]) -> Ref:
    """Which of a person's records gets their tasks: a Salesforce contact, else a
    Salesforce lead, else the HubSpot contact."""
    order = {(SALESFORCE, CONTACT): 0, (SALESFORCE, LEAD): 1, (HUBSPOT, CONTACT): 2}
    return min([ref, *members], key=lambda r: (order.get((r.system, r.kind), 9), r.id))
