"""run_sync: the only function that sequences I/O, one page at a time.

read changes → enrich → evaluate rules → plan writes → apply → commit cursor + ledger.

A page's writes, ledger entries, task keys and cursor are recorded in one state
transaction after the CRM answered, so a crash replays at most one page, and replaying is
harmless: unchanged values plan nothing and task keys find the task already made.
After the change feeds, one refresh pass re-judges what depends on other records or on
time: the other CRM's copy of a person whose verdict moved, deals whose contacts' roles
moved, and open deals that went stale without anybody touching them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from leadpact.changes import Change, ChangeResult, CloseTask, SetField, UpsertTask, target
from leadpact.connectors.base import Connector
from leadpact.identity import identity_members, normalise_email
from leadpact.model import CONTACT, HUBSPOT, LEAD, SALESFORCE, Deal, Page, Person, Record, Ref
from leadpact.plan import plan_fields, plan_task
from leadpact.rules.engine import Rules
from leadpact.state import State
from leadpact.verdicts import deal_from_snapshot, deal_snapshot, judge_deal, judge_person

STALE_RULE = "deal:stale"
ROLE_FIELDS = ("seniority", "function", "role", "role_confidence", "role_reason")


@dataclass
class SystemStats:
    records_read: int = 0
    changes_planned: int = 0
    changes_applied: int = 0
    changes_failed: int = 0
    tasks_created: int = 0
    tasks_closed: int = 0
    contacts_tagged: int = 0
    deals_with_committee_gaps: int = 0
    manual_values_kept: int = 0
    api_calls: int = 0


COUNTERS = tuple(SystemStats.__dataclass_fields__)


@dataclass
class RunSummary:
    run_id: str
    started_at: str
    rules_version: str
    dry_run: bool
    status: str = "running"
    finished_at: str | None = None
    systems: dict[str, SystemStats] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # first few, for the operator

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["systems"] = {name: asdict(stats) for name, stats in self.systems.items()}
        return out


Progress = Callable[[str, int], None]  # (system, records just handled)
Planned = list[tuple[Change, Callable[[ChangeResult], None]]]


class _Run:
    def __init__(self, connectors: Sequence[Connector], state: State, rules: Rules,
                 classify: Callable[[str], Any], now: datetime, dry_run: bool,
                 progress: Progress | None, run_id: str):
        self.connectors = {c.system: c for c in connectors}
        self.state, self.rules, self.classify, self.now = state, rules, classify, now
        self.dry_run, self.progress, self.run_id = dry_run, progress, run_id
        self.summary = RunSummary(run_id, now.isoformat(), rules.version, dry_run,
                                  systems={s: SystemStats() for s in self.connectors})
        # Record -> when (in records handled so far) it was handled / asked to be re-judged:
        # a record is refreshed if something it depends on moved after it was handled.
        self.handled: dict[Ref, int] = {}
        self.refresh: dict[Ref, int] = {}
        self.planned: list[Change] = []  # every change planned this run (for `leadpact plan`)
        self.api_calls_before = {s: c.api_calls for s, c in self.connectors.items()}

    # -- pages ------------------------------------------------------------------------
    def handle_page(self, connector: Connector, page: Page) -> None:
        stats = self.summary.systems[connector.system]
        planned: Planned = []
        saves: list[Callable[[], None]] = []
        for record in page.records:
            stats.records_read += 1
            self.handled[record.ref] = len(self.handled) + len(self.refresh)
            if isinstance(record, Person):
                self.person(record, planned, saves)
            else:
                self.deal(record, planned, saves)
        changes = [change for change, _ in planned]
        stats.changes_planned += len(changes)
        self.planned.extend(changes)
        if self.dry_run:
            return
        results = connector.apply(changes) if changes else []
        with self.state.transaction():
            failed: set[Ref] = set()
            for (change, on_success), result in zip(planned, results, strict=True):
                if result.ok:
                    stats.changes_applied += 1
                    on_success(result)
                else:
                    stats.changes_failed += 1
                    failed.add(target(change))
                    self.state.mark_failed(target(change), result.error or "refused", self.run_id)
                    if len(self.summary.failures) < 20:
                        self.summary.failures.append(f"{target(change)}: {result.error}")
            for record in page.records:
                if record.ref not in failed:
                    self.state.clear_failed(record.ref)
            for save in saves:
                save()
            if page.cursor:
                self.state.set_cursor(connector.system, page.cursor)
        if self.progress:
            self.progress(connector.system, len(page.records))

    # -- persons ----------------------------------------------------------------------
    def person(self, p: Person, planned: Planned, saves: list[Callable[[], None]]) -> None:
        state = self.state
        gone = p.deleted or p.merged_into is not None or p.converted_to is not None
        if gone:
            if p.converted_to is not None:
                saves.append(lambda: state.link(p.ref, [p.converted_to]))  # type: ignore[list-item]
            saves.append(lambda: state.forget_person(p.ref))
            self.close_tasks_of(p.ref, planned, in_crm=not p.deleted and p.merged_into is None)
            return
        email = normalise_email(p.email)
        state.link(p.ref, p.linked)
        members = identity_members(state, p.ref, email)
        identity = min([str(p.ref), *(str(m.ref) for m in members)])
        # The identity's title: the most recently changed non-empty one among its records,
        # so both CRMs agree. Record modification times would not do: our own write-backs
        # bump them.
        previous = state.person(p.ref)
        title_at = previous.modified_at if previous and previous.title == p.title \
            else p.modified_at
        candidates = [(title_at, p.title)] + [(m.modified_at, m.title) for m in members]
        titled = [c for c in candidates if c[1] and c[1].strip()]
        title = max(titled, key=lambda c: c[0])[1] if titled else p.title
        verdict, lead = judge_person(title, self.rules, self.classify)
        verdict_dict = verdict.as_dict()
        for member in members:
            if member.verdict != verdict_dict:
                self.mark_for_refresh(member.ref)
        if previous and previous.verdict and previous.verdict.get("role") != verdict.role:
            for deal_ref in state.deals_of_person(p.ref):
                self.mark_for_refresh(deal_ref)
        saves.append(lambda: (state.save_person(p.ref, identity, email, p.title, title_at,
                                                verdict_dict),
                              state.set_identity([m.ref for m in members], identity)))
        self.plan_record_fields(p.ref, p.leadpact, verdict.fields(self.rules.version), planned,
                                tagged=True)
        # A stage's task goes to the sales side: the Salesforce record if the person has one.
        owner_ref = _task_home(p.ref, [m.ref for m in members])
        if owner_ref == p.ref:
            for stage in self.rules.stages:
                if stage.task is None:
                    continue
                rule = f"lead:{stage.name}"
                change = plan_task(
                    rule, p.ref, lead.stage == stage.name, state.open_task(p.ref, rule),
                    state.next_episode(p.ref, rule),
                    subject=stage.task.render(name=p.name or p.email or str(p.ref),
                                              title=title or "no title"),
                    body=f"leadpact rules {self.rules.version}: {lead.reasons}. "
                         f"Buying role: {verdict.role} ({verdict.because}).",
                    owner_id=p.owner_id, today=self.now.date(),
                    due_in_days=stage.task.due_in_days)
                if change is not None:
                    self.plan_task_change(p.ref, rule, change, planned)

    # -- deals ------------------------------------------------------------------------
    def deal(self, d: Deal, planned: Planned, saves: list[Callable[[], None]]) -> None:
        state = self.state
        if d.deleted:
            saves.append(lambda: state.forget_deal(d.ref))
            self.close_tasks_of(d.ref, planned, in_crm=False)
            return
        roles = [self.role_of(c.person) for c in d.contacts]
        verdict = judge_deal(d, roles, self.rules, self.now)
        summary = verdict.summary()
        saves.append(lambda: state.save_deal(d.ref, not d.is_closed, deal_snapshot(d), summary,
                                             [c.person for c in d.contacts]))
        if d.is_closed:
            self.close_tasks_of(d.ref, planned, in_crm=True)
            return
        self.plan_record_fields(d.ref, d.leadpact, verdict.fields(self.rules.version), planned,
                                tagged=False)
        template = self.rules.stale_task
        if template is not None:
            change = plan_task(
                STALE_RULE, d.ref, verdict.stale.stale, state.open_task(d.ref, STALE_RULE),
                state.next_episode(d.ref, STALE_RULE),
                subject=template.render(deal=d.name or str(d.ref)),
                body=f"Looks stale: {verdict.stale.reasons}. Re-engage the buyer or close "
                     f"the deal. (leadpact rules {self.rules.version})",
                owner_id=d.owner_id, today=self.now.date(), due_in_days=template.due_in_days)
            if change is not None:
                self.plan_task_change(d.ref, STALE_RULE, change, planned)

    def role_of(self, person: Ref) -> str:
        known = self.state.person(person)
        if known is None or known.verdict is None:
            return "unknown"
        return str(known.verdict.get("role", "unknown"))

    # -- shared planning ----------------------------------------------------------------
    def plan_record_fields(self, ref: Ref, current: Any, desired: dict[str, str | None],
                           planned: Planned, tagged: bool) -> None:
        stats = self.summary.systems[ref.system]
        plan = plan_fields(ref, current, desired, self.state.last_written(ref))
        stats.manual_values_kept += len(plan.kept_manual)
        if plan.adopted and not self.dry_run:
            # Our value is already there (an earlier run wrote it but stopped before
            # recording it): record it, so a later change is not mistaken for a human one.
            for name in plan.adopted:
                self.state.record_write(self.run_id, ref, name, current.get(name),
                                        current.get(name), self.now)
        role_written = tagged and any(c.field in ROLE_FIELDS for c in plan.changes)
        for change in plan.changes:
            planned.append((change, self._on_field_written(change, role_written)))

    def _on_field_written(self, change: SetField, count_tag: bool) -> Callable[[ChangeResult], None]:
        def done(result: ChangeResult) -> None:
            self.state.record_write(self.run_id, change.ref, change.field, change.previous,
                                    change.value, self.now)
            if count_tag and change.field == "role":
                self.summary.systems[change.ref.system].contacts_tagged += 1
        return done

    def plan_task_change(self, about: Ref, rule: str, change: Change, planned: Planned) -> None:
        stats = self.summary.systems[about.system]
        if isinstance(change, UpsertTask):
            episode = int(change.key.rsplit(":", 1)[1])

            def created(result: ChangeResult) -> None:
                task = Ref(about.system, "task", result.created_id) if result.created_id else None
                self.state.record_task(change.key, rule, about, task, episode, self.run_id)
                stats.tasks_created += 1
            planned.append((change, created))
        elif isinstance(change, CloseTask):
            def closed(result: ChangeResult) -> None:
                self.state.close_task(change.key)
                stats.tasks_closed += 1
            planned.append((change, closed))

    def close_tasks_of(self, about: Ref, planned: Planned, in_crm: bool) -> None:
        for task in self.state.open_tasks_about(about):
            if in_crm and task.task is not None:
                self.plan_task_change(about, task.rule, CloseTask(task.task, task.key), planned)
            elif not self.dry_run:
                self.state.close_task(task.key)  # the record is gone, and its tasks with it

    # -- the refresh pass -----------------------------------------------------------------
    def mark_for_refresh(self, ref: Ref) -> None:
        self.refresh[ref] = len(self.handled) + len(self.refresh)

    def stale_by_time(self) -> Iterable[Ref]:
        """Open deals nobody touched whose verdict changed just because time passed."""
        for ref, snapshot, verdict in self.state.open_deals():
            if ref in self.handled or ref.system not in self.connectors:
                continue
            deal = deal_from_snapshot(ref, snapshot)
            roles = [self.role_of(c.person) for c in deal.contacts]
            if judge_deal(deal, roles, self.rules, self.now).summary() != verdict:
                yield ref

    def refresh_pass(self) -> None:
        wanted = {ref for ref, marked in self.refresh.items()
                  if self.handled.get(ref, -1) < marked} | set(self.stale_by_time())
        for system, connector in self.connectors.items():
            refs = sorted(r for r in wanted if r.system == system)
            for start in range(0, len(refs), 200):
                records = connector.read_records(refs[start:start + 200])
                self.handle_page(connector, Page(tuple(records), cursor=""))


def _task_home(ref: Ref, members: Iterable[Ref]) -> Ref:
    """Which of a person's records gets their tasks: a Salesforce contact, else a
    Salesforce lead, else the HubSpot contact."""
    order = {(SALESFORCE, CONTACT): 0, (SALESFORCE, LEAD): 1, (HUBSPOT, CONTACT): 2}
    return min([ref, *members], key=lambda r: (order.get((r.system, r.kind), 9), r.id))


def run_sync(
    connectors: Sequence[Connector],
    state: State,
    rules: Rules,
    classify: Callable[[str], Any],
    now: datetime,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    run_id: str | None = None,
) -> tuple[RunSummary, list[Change]]:
    """One sync over every connector. Returns the run summary and every planned change.
    QuotaExhausted and other connector errors propagate after the run is recorded as
    failed; everything committed before them stays committed."""
    run = _Run(connectors, state, rules, classify, now, dry_run, progress,
               run_id or now.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6])
    if not dry_run:
        state.start_run(run.run_id, now)
    try:
        for system, connector in run.connectors.items():
            retry = state.failed(system)
            for start in range(0, len(retry), 200):
                records: list[Record] = connector.read_records(retry[start:start + 200])
                run.handle_page(connector, Page(tuple(records), cursor=""))
            for page in connector.read_changes(state.cursor(system)):
                run.handle_page(connector, page)
        run.refresh_pass()
        run.summary.status = "partial" if any(
            s.changes_failed for s in run.summary.systems.values()) else "ok"
    except BaseException:
        run.summary.status = "failed"
        raise
    finally:
        for system, connector in run.connectors.items():
            stats = run.summary.systems[system]
            stats.api_calls = connector.api_calls - run.api_calls_before[system]
            stats.deals_with_committee_gaps = sum(
                1 for ref, _, verdict in state.open_deals()
                if ref.system == system and verdict and verdict.get("gaps"))
        run.summary.finished_at = datetime.now(now.tzinfo).isoformat()
        if not dry_run:
            state.finish_run(run.run_id, now, run.summary.status, run.summary.as_dict())
    return run.summary, run.planned
