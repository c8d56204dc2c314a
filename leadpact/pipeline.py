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

import itertools
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from leadpact import mapping_change, rules_change
from leadpact.account_moves import rejudge_people_of_changed_accounts
from leadpact.account_pass import account_pass
from leadpact.batching import batches_by_kind
from leadpact.changes import Change, SetDealContactRole
from leadpact.commit import apply_updates, record_answers
from leadpact.connectors.base import Connector
from leadpact.connectors.roles import VOCABULARIES, as_field_write, ledger_value
from leadpact.contact_role_recheck import moved_contact_roles
from leadpact.crm_limits import refusal
from leadpact.echoes import attach_echoes, remember_judged
from leadpact.enrichment.stage_norms import learn_stage_norms
from leadpact.errors import LeadpactError, QuotaExhausted
from leadpact.field_map import DEFAULT_FIELDS, FieldMap
from leadpact.judging import Setting, Step
from leadpact.known_load import load_for_tasks, load_known
from leadpact.model import Page, Ref
from leadpact.native_stage import NO_NATIVE, NativeMap
from leadpact.owner_names import learn_owner_names
from leadpact.person_edits import restore_person_edits
from leadpact.planner import deals_moved_by_time, plan_page, plan_tasks
from leadpact.quota_run import RunQuota
from leadpact.rehearsal import Rehearsal, current_values
from leadpact.report import describe_change
from leadpact.rules.engine import Rules
from leadpact.rules_change import must_rejudge
from leadpact.run_marks import RunMarks
from leadpact.sales_ready import engaged_window
from leadpact.state import State
from leadpact.task_lifecycle import TaskIntent
from leadpact.time_moves import persons_moved_by_time
from leadpact.unchecked_writes import check_unfinished_writes, noted
from leadpact.write_queue import WriteQueue
from leadpact.write_tail import HELD, held_back

log = logging.getLogger(__name__)

BATCH = 1000  # records re-read together in the retry and refresh passes (association reads: 1,000)
# unless the connector names its own (`refresh_batch`: Salesforce 1,800, see its connector)
TIME_BATCH = 200  # deals judged together for time alone
TASK_WRITES = 200  # task changes sent together: whole write calls (Salesforce 200, HubSpot 100)


@dataclass
class SystemStats:
    records_read: int = 0
    changes_planned: int = 0
    changes_applied: int = 0
    changes_failed: int = 0
    tasks_created: int = 0
    tasks_updated: int = 0  # open tasks whose reasons changed
    tasks_closed: int = 0
    contacts_tagged: int = 0
    deals_with_committee_gaps: int = 0
    stale_deals: int = 0  # open deals flagged stale at the end of the run
    manual_values_kept: int = 0
    values_refused: int = 0  # values the CRM cannot hold, not sent (leadpact/crm_limits.py)
    account_fields_written: int = 0  # buying-group fields on accounts (leadpact/account_pass.py)
    api_calls: int = 0


COUNTERS = tuple(SystemStats.__dataclass_fields__)
LEVELS = ("deals_with_committee_gaps", "stale_deals")  # how things stand, not what was done


@dataclass
class RunSummary:
    run_id: str
    started_at: str
    rules_version: str
    dry_run: bool
    status: str = "running"
    finished_at: str | None = None
    systems: dict[str, SystemStats] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # the first few, for the operator
    unfit: list[str] = field(default_factory=list)  # values not sent: one line per field
    error: str | None = None  # what stopped the run, when something did
    rules_changed: bool = False  # a new lead definition: every known record judged again
    mappings_changed: bool = False  # new [native.*]/[fields.*]: the same (mapping_change.py)
    quota_exhausted: bool = False  # stopped by a CRM's API allowance (alerts count these)
    quota: dict[str, dict[str, Any]] = field(default_factory=dict)  # leadpact/quota.py

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["systems"] = {name: asdict(stats) for name, stats in self.systems.items()}
        return out


Progress = Callable[[str, int], None]  # (system, records just handled)


class _Run:
    def __init__(self, connectors: Sequence[Connector], state: State, rules: Rules,
                 classify: Callable[[str], Any], now: datetime, dry_run: bool,
                 progress: Progress | None, run_id: str, keep_changes: bool = True,
                 on_change: Callable[[Change], None] | None = None):
        self.connectors = {c.system: c for c in connectors}
        self.state, self.rules, self.classify, self.now = state, rules, classify, now
        self.dry_run, self.progress, self.run_id = dry_run, progress, run_id
        self.summary = RunSummary(run_id, now.isoformat(), rules.version, dry_run,
                                  systems={s: SystemStats() for s in self.connectors})
        # When (a tick of self.clock) each record was handled / asked to be re-judged: a
        # record is refreshed if something it depends on moved after it was handled.
        self.handled = RunMarks()  # leadpact/run_marks.py: off the heap
        self.clock = itertools.count()
        self.planned: list[Change] = []  # every change planned this run (`leadpact plan`)
        self.keep_changes = keep_changes  # a sync needs only the counts: memory stays flat
        self.on_change = on_change  # told of each change as planned (a plan's listing)
        self.in_refresh = False
        self.native = NO_NATIVE  # set by run_sync: stages onto native fields
        self.kept_manual: set[tuple[Ref, str]] = set()  # (record, field) left to a person
        self.api_calls_before = {s: c.api_calls for s, c in self.connectors.items()}
        self.before_first_write: Callable[[], None] | None = None
        self.norms = self.learn_norms()

    def count(self, system: str, counter: str, n: int = 1) -> None:
        stats = self.summary.systems[system]
        setattr(stats, counter, getattr(stats, counter) + n)

    @property
    def setting(self) -> Setting:
        return Setting(self.rules, self.classify, self.now, self.in_refresh, VOCABULARIES,
                       self.native)

    def learn_norms(self) -> dict[str, dict[str, int]]:
        """Each CRM's stage norms, from the stage history of its deals won, as of the run's
        clock."""
        won: dict[str, list[tuple[list[tuple[datetime, str]], datetime]]] = {}
        for row in self.state.deals():
            history = row.deal.stage_history
            if row.deal.is_won and len(history) > 1:
                steps = list(history)
                won.setdefault(row.ref.system, []).append((steps, steps[-1][0]))
        t = self.rules.stale
        return {system: learn_stage_norms(deals, self.now, t.norm_percentile, t.norm_min_deals)
                for system, deals in won.items()}

    def note_planned(self, system: str, steps: Sequence[Step]) -> None:
        self.count(system, "changes_planned", len(steps))
        if self.keep_changes:
            self.planned.extend(step.change for step in steps)
        if self.on_change is not None:
            for step in steps:
                self.on_change(step.change)

    def tick(self) -> int:
        """A counter that only grows: orders "handled" against "asked to re-judge"."""
        return next(self.clock)

    def handle_page(self, connector: Connector, page: Page, hold_tail: bool = False) -> None:
        """Plan one page and apply it. `hold_tail` (change-feed pages): the records of the
        page's last, part-filled write call wait for the refresh pass (write_tail.py)."""
        system = connector.system
        known = load_known(self.state, page.records, self.norms,
                           self.rules.required_roles)  # read model, in one go
        plan = plan_page(page.records, known, self.setting)  # pure
        handled, asked = [], []
        for record, decided in plan.records:
            handled.append((record.ref, self.tick()))
            asked += [(ref, self.tick()) for ref in decided.refresh]
            self.kept_manual.update(decided.kept_manual)
        self.handled.mark(handled, asked)
        intents = plan.intents
        self.count(system, "records_read", len(page.records))
        log.debug("%s: page of %d record(s) handled", system, len(page.records))
        held = held_back(plan.steps, write_call(connector)) if hold_tail else set()
        # judged and saved now, written with the refresh pass
        self.handled.mark((), [(ref, self.tick()) for ref in held])
        steps = [step for step in plan.steps if step.source not in held]
        self.note_planned(system, steps)

        stamps = {record.ref: record.modified_at for record in page.records}

        def commit(failed: set[Ref]) -> None:
            for record in page.records:
                if record.ref not in failed and record.ref not in held:
                    self.state.clear_failed(record.ref)
            for ref in held:  # a run cut short before its refresh pass: the next run's retry
                self.state.mark_failed(ref, HELD, self.run_id)
            apply_updates(self.state, plan.updates, self.run_id, self.now)
            remember_judged(self.state, page.records, failed | held, self.rules.version)
            # Tasks are decided once, at the end of the run, on each record's final verdict.
            self.state.save_task_intents((about, rule, intent.holds, intent.to_json())
                                         for (about, rule), intent in intents.items())
            if page.cursor:
                self.state.set_cursor(system, page.cursor)
        self.apply(connector, steps, commit, stamps)
        if self.progress:
            self.progress(system, len(page.records))

    def apply(self, connector: Connector, steps: Sequence[Step],
              commit: Callable[[set[Ref]], None],
              read_at: Mapping[Ref, datetime] | None = None) -> set[Ref]:
        """Apply `steps` on one CRM, then record what it answered and `commit(failed
        records)` in one state transaction. Returns the records whose change the CRM
        refused."""
        system = connector.system
        if steps:
            self.preflight_once()
        steps = self.that_fit(connector, self.still_ours(connector, steps))
        writes = [step.writes for step in steps if step.writes is not None]
        # Until the history check below has run, a kill could lose a person's edit.
        notes = noted((s.change, s.writes[1] if s.writes else None) for s in steps)
        if writes or notes:
            with self.state.transaction():
                self.state.add_pending(self.run_id, writes, read_at)
                self.state.add_unchecked(self.run_id, notes)
        results = connector.apply([step.change for step in steps]) if steps else []
        self.put_back_person_edits(connector, [step.change for step, result
                                               in zip(steps, results, strict=True) if result.ok])
        with self.state.transaction():
            # The CRM answered for every change: nothing of this page is in doubt any more.
            self.state.clear_pending({ref for ref, _, _ in writes})
            self.state.clear_unchecked({ref for ref, _ in notes})
            answered = record_answers(self.state, steps, results, self.run_id, self.now)
            for counter, n in answered.counts.items():
                self.count(system, counter, n)
            room = max(0, 20 - len(self.summary.failures))
            self.summary.failures.extend(answered.errors[:room])
            commit(answered.failed)
        return answered.failed

    def preflight_once(self) -> None:
        """The preflight (`before_first_write`), right before the run's first write."""
        if self.before_first_write is not None:
            check, self.before_first_write = self.before_first_write, None
            check()

    def that_fit(self, connector: Connector, steps: Sequence[Step]) -> list[Step]:
        """The steps whose values the CRM can hold (leadpact/crm_limits.py). The others are
        not sent (the CRM would refuse them on every run): recorded as refused and named in
        the summary, one line per field."""
        read = getattr(connector, "field_limits", None)
        limits = read() if read is not None and steps else {}
        fit = []
        for step in steps:
            line = refusal(step.change, limits)
            if line is None:
                fit.append(step)
                continue
            self.count(connector.system, "values_refused")
            with self.state.transaction():
                self.state.record_refusal(self.run_id, step.source,
                                          describe_change(step.change), line)
            if len(self.summary.unfit) < 50:
                self.summary.unfit.append(line)
            log.warning("%s", line)
        return fit

    def put_back_person_edits(self, connector: Connector, written: Sequence[Change]) -> None:
        """Edits a person made while the page's writes were on their way are written back
        (leadpact/person_edits.py) and counted as values kept."""
        restored = restore_person_edits(connector, written, self.note_unchecked)
        for edit in restored.kept:
            self.kept_manual.add((edit.change.ref, edit.change.field))
        for edit, error in restored.refused:
            self.count(connector.system, "changes_failed")
            if len(self.summary.failures) < 20:
                self.summary.failures.append(
                    f"{edit.change.ref}: {edit.change.field} was edited while leadpact wrote "
                    f"it, and putting the edit ({edit.value!r}) back was refused: {error}")

    def note_unchecked(self, writes: Sequence[Change]) -> None:
        with self.state.transaction():
            self.state.add_unchecked(self.run_id, noted((w, None) for w in writes))

    def check_killed_page(self, connector: Connector) -> None:
        """The history check a run killed after a page's write never ran
        (leadpact/unchecked_writes.py): persons' values put back, counted as kept."""
        if self.state.unchecked(connector.system):  # it may write a person's value back
            self.preflight_once()
        resumed = check_unfinished_writes(connector, self.state, self.run_id)
        self.kept_manual.update((e.change.ref, e.change.field) for e in resumed.kept)
        for edit, error in resumed.refused:
            self.count(connector.system, "changes_failed")
            self.summary.failures.append(f"{edit.change.ref}: putting back the edit of "
                                         f"{edit.change.field} was refused: {error}")

    def still_ours(self, connector: Connector, steps: Sequence[Step]) -> list[Step]:
        """The field writes whose record still holds what it held when read: a person who
        edited it since (during this run) keeps the edit, counted as a value kept."""
        writes = [as_field_write(s.change) for s in steps]  # in the ledger's terms
        records = sorted({w.ref for w in writes if w is not None})
        found = current_values(connector, records) if records else None
        moved_roles = moved_contact_roles(connector, [s.change for s in steps])
        if found is None and not moved_roles:
            return list(steps)
        kept = []
        for step, write in zip(steps, writes, strict=True):
            change = step.change
            if isinstance(change, SetDealContactRole) and change in moved_roles:  # see module
                if (role := ledger_value(change)) is not None:
                    self.kept_manual.add((step.source, role.field))
                continue
            if found is None:
                kept.append(step)
                continue
            if write is not None:
                now = found.get(write.ref)
                if now is None or now.get(write.field) != write.previous:
                    self.kept_manual.add((write.ref, write.field))
                    log.info("%s %s changed during the run: left as it is", write.ref,
                             write.field)
                    continue
            kept.append(step)
        return kept

    def task_pass(self) -> None:
        """Each task rule's last word on each record judged this run (and on any a killed
        run left undecided) becomes at most one task change per record and rule."""
        for system, connector in self.connectors.items():
            # BATCH intents at a time, in (record, rule) order, with one batch read ahead
            # to tell the last (the whole run's intents would not fit in memory).
            mine = map(TaskIntent.from_json, self.state.task_intents(system))
            queue: WriteQueue[Step] = WriteQueue(TASK_WRITES)  # leadpact/write_queue.py
            ahead = list(itertools.islice(mine, BATCH))
            engaged = engaged_window(self.rules.lead, self.now)
            while ahead:
                batch, ahead = ahead, list(itertools.islice(mine, BATCH))
                known = load_for_tasks(self.state, batch, engaged, self.rules.required_roles)
                tasks = plan_tasks(batch, known, self.setting)
                self.note_planned(system, tasks.steps)

                def commit(failed: set[Ref], batch: list[TaskIntent] = batch,
                           forgets: Sequence[Any] = tasks.forgets) -> None:
                    apply_updates(self.state, forgets, self.run_id, self.now)
                    self.state.drop_task_intents((i.about, i.rule) for i in batch
                                                 if i.about not in failed)
                queue.add(tasks.steps, commit)
                if due := queue.take(last=not ahead):
                    self.apply(connector, *due)

    def read_and_handle(self, connector: Connector, refs: Sequence[Ref]) -> None:
        for batch in batches_by_kind(refs, refresh_batch(connector)):  # kinds kept whole
            records = connector.read_records(batch)
            self.handle_page(connector, Page(tuple(records), cursor=""))

    def stale_by_time(self, include_handled: bool = False) -> Iterable[Ref]:
        """Open deals nobody touched whose verdict changed just because time passed (or,
        with `include_handled`, because the stage norms moved during this run)."""
        deals = (row for row in self.state.open_deals()  # a chunk at a time
                 if (include_handled or row.ref not in self.handled)
                 and row.ref.system in self.connectors)
        while batch := list(itertools.islice(deals, TIME_BATCH)):
            # the verdicts alone (no task words): no colleagues to suggest
            known = load_known(self.state, [row.deal for row in batch], self.norms, ())
            yield from deals_moved_by_time(batch, known, self.setting)

    def refresh_pass(self, rounds: int = 4) -> None:
        """Re-judge what moved under other records' feet. Each round can move more (a
        person's new role changes their deals), so repeat until calm, a few rounds at most."""
        self.in_refresh = True
        # Deals read in this run may have taught the norms more (a first sync starts with
        # none): judge the open deals again against what the whole history says.
        learned = self.learn_norms()
        moved, self.norms = learned != self.norms, learned
        wanted = set(self.stale_by_time(include_handled=moved))
        wanted |= set(persons_moved_by_time(self.state, self.rules, self.classify, self.now,
                                            self.connectors, self.handled))
        for _ in range(rounds):
            wanted |= self.handled.due()
            if not wanted:
                return
            for system, connector in self.connectors.items():
                self.read_and_handle(connector, sorted(r for r in wanted if r.system == system))
            wanted = set()


def remember_last_cursors(connectors: Iterable[Connector], state: State) -> None:
    """The cursor a connector has once the run's last writes are done, when it has one."""
    for connector in connectors:
        final = getattr(connector, "cursor_after_run", None)
        text = final() if final is not None else None
        if text:
            with state.transaction():
                state.set_cursor(connector.system, text)


def _size_of(connector: object, name: str, default: int) -> int:
    """A positive record count the connector may name as attribute `name`, or `default`."""
    size = getattr(connector, name, default)
    return size if isinstance(size, int) and size > 0 else default


def write_call(connector: object) -> int:
    """Records per write call, for connectors whose refresh pass re-reads cheaply (the
    records this run read are kept: Salesforce); 0 (hold nothing back) for others."""
    return _size_of(connector, "write_call", 0)


def refresh_batch(connector: object) -> int:
    """Records the connector wants read and handled together in the retry and refresh
    passes (its id lists and write calls fill whole), or BATCH."""
    return _size_of(connector, "refresh_batch", BATCH)


def stopped_by(exc: BaseException) -> str:
    """What stopped a run, for its history. Only leadpact's own messages are kept word for
    word: they are written to be safe to show; anything else is named by its type."""
    if isinstance(exc, LeadpactError):
        return str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"unexpected {type(exc).__name__} (run again with LEADPACT_DEBUG=1 for details)"


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
    full: bool = False,
    before_first_write: Callable[[], None] | None = None,
    keep_changes: bool = True,
    on_change: Callable[[Change], None] | None = None,
    native: NativeMap = NO_NATIVE,
    fields: FieldMap = DEFAULT_FIELDS,
) -> tuple[RunSummary, list[Change]]:
    """One sync over every connector. Returns the run summary and every planned change.
    `full`: read each CRM from the start instead of from its cursor. `before_first_write`
    runs once, right before the run's first write to any CRM (the preflight). `dry_run`: a plan,
    the same run rehearsed on a copy of the state with every write answered unsent
    (leadpact/rehearsal.py), so its counts are the sync's. QuotaExhausted and other
    connector errors propagate after the run is recorded as failed; every page committed
    before them stays committed. `keep_changes` False: the list comes back empty (the
    counts are in the summary), so a big sync does not hold every change it planned;
    `on_change` is told of each change as it is planned (what `leadpact plan` lists).
    `native`: which native fields get the person's stage ([native], native_stage.py);
    `fields`: the [fields] the connectors read with. A change of either since the last
    sync re-judges every known record (mapping_change.py)."""
    real, quotas = list(connectors), RunQuota({}, {})
    if dry_run:
        state = state if state.disposable else state.copy()
        connectors = [Rehearsal(c) for c in connectors]
    rejudge = must_rejudge(state.get_meta(rules_change.STATE_KEY), rules, state.has_records())
    remapped = mapping_change.must_rejudge(state.get_meta(mapping_change.STATE_KEY), native,
                                           fields, state.has_records())
    run = _Run(connectors, state, rules, classify, now, dry_run, progress,
               run_id or now.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6],
               keep_changes, on_change)
    log.info("run %s started%s: %s", run.run_id, " (plan only)" if dry_run else "",
             ", ".join(run.connectors))
    run.summary.rules_changed = rejudge
    run.summary.mappings_changed = remapped
    run.before_first_write = before_first_write
    run.native = native
    state.start_run(run.run_id, now)
    attach_echoes(connectors, state, rules.version)  # own writes read back: not re-judged
    try:
        quotas = RunQuota.before_run(real, state, now, full)  # leadpact/quota_run.py
        for system, connector in run.connectors.items():
            if not dry_run:
                run.check_killed_page(connector)
            run.read_and_handle(connector, state.failed(system))  # last run's refusals first
            for page in quotas.pages(connector, connector.read_changes(
                    None if full else state.cursor(system))):
                run.handle_page(connector, page, hold_tail=True)
            # An account edited alone: its contacts judged with other firmographics.
            rejudge_people_of_changed_accounts(run, connector, read_anyway=rejudge or remapped)
            if rejudge or remapped:  # a new definition reaches the untouched records too
                run.read_and_handle(connector, [ref for ref in state.known_records(system)
                                                if ref not in run.handled])
        run.refresh_pass()
        account_pass(run)  # every person is judged: their accounts' buying groups now
        run.task_pass()
        if not dry_run:
            # own writes checked after the last page (connectors/hubspot/own_writes.py)
            remember_last_cursors(run.connectors.values(), state)
            # names for new deal owners, for the reports: leadpact/owner_names.py
            learn_owner_names(run.connectors.values(), state)
        failed = any(s.changes_failed for s in run.summary.systems.values())
        run.summary.status = "partial" if failed else "ok"
        state.set_meta(  # every record has heard of these rules now
            rules_change.STATE_KEY, rules_change.remembered(rules))
        state.set_meta(mapping_change.STATE_KEY, mapping_change.remembered(native, fields))
    except BaseException as exc:
        run.summary.status = "failed"
        run.summary.error = stopped_by(exc)
        log.info("run %s stopped: %s", run.run_id, run.summary.error)
        run.summary.quota_exhausted = isinstance(exc, QuotaExhausted)
        raise
    finally:
        for system, connector in run.connectors.items():
            stats = run.summary.systems[system]
            stats.api_calls = connector.api_calls - run.api_calls_before[system]
            # How the open deals stand as saved (a plan saves into its rehearsal copy).
            gaps = stale = 0
            for verdict in state.open_deal_verdicts(system):  # verdicts only, not snapshots
                gaps, stale = gaps + verdict.gaps, stale + verdict.stale
            stats.deals_with_committee_gaps, stats.stale_deals = gaps, stale
            stats.manual_values_kept = sum(1 for ref, _ in run.kept_manual
                                           if ref.system == system)
        run.summary.quota = quotas.as_dict(real)
        quotas.remember(state)
        finished = datetime.now(now.tzinfo)
        run.summary.finished_at = finished.isoformat()
        run.handled.close()
        state.finish_run(run.run_id, finished, run.summary.status, run.summary.as_dict())
    log.info("run %s finished: %s, %s", run.run_id, run.summary.status, ", ".join(
        f"{name} read {s.records_read} planned {s.changes_planned} applied {s.changes_applied} "
        f"failed {s.changes_failed} api_calls {s.api_calls}"
        for name, s in run.summary.systems.items()))
    return run.summary, run.planned
