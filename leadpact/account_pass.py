"""The end-of-run account pass: each account's buying-group verdict (account_verdicts.py)
written onto the Salesforce Account and the HubSpot company, and the account stages' tasks
stated for the task pass. Runs after the refresh pass (every person's verdict is saved)
and before the task pass (which turns the intents into at most one task per account).

Reads only the accounts that may need a write (account_plan.needs_read) or a task made or
closed, so a second sync reads and writes none. Writes go through the run's `apply`:
pending rows first, the still-ours re-read, the CRM's limits, the ledger on success.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from leadpact.account_plan import desired_values, needs_read, plan_account, wanted
from leadpact.account_summary import account_groups, identity_persons, persons_by_groups
from leadpact.account_task import GroupMember, account_task_body
from leadpact.account_verdicts import (
    AccountVerdict,
    account_verdicts,
    firmographics,
    nobody_known,
)
from leadpact.connectors.base import AccountReader, Connector
from leadpact.judging import Step, merged_activities
from leadpact.known import KnownPerson
from leadpact.model import Account, Ref, System
from leadpact.rules.engine import Rules
from leadpact.state import State
from leadpact.task_lifecycle import TaskIntent
from leadpact.updates import LedgerWrite

RULE_PREFIX = "account:"
BATCH = 1000  # accounts planned and written together
# Identities whose persons are read from state together, as whole buying groups: one
# group can be a few thousand people at a big account, a hundred groups most of an org.
IDENTITIES_READ = 2_000
WRITTEN = "account_fields_written"  # the run counter (pipeline.SystemStats)


class Run(Protocol):
    state: State
    rules: Rules
    now: datetime
    run_id: str
    connectors: dict[System, Connector]
    kept_manual: set[tuple[Ref, str]]

    def count(self, system: str, counter: str, n: int = 1) -> None: ...

    def note_planned(self, system: str, steps: Sequence[Step]) -> None: ...

    def apply(self, connector: Connector, steps: Sequence[Step],
              commit: Callable[[set[Ref]], None],
              read_at: Mapping[Ref, datetime] | None = None) -> set[Ref]: ...


def account_pass(run: Run) -> None:
    systems = list(run.connectors)
    groups = account_groups(run.state, systems)  # accounts only: the whole org's persons
    judged = {ref for group in groups for ref in group}  # would not fit in memory at 1M
    # Accounts we wrote on or hold a task about whose people are all gone from state.
    gone = nobody_known((ref for system in systems
                         for ref in run.state.accounts_touched(system)
                         if ref not in judged), run.rules.lead, run.now)
    for system, connector in run.connectors.items():
        if not isinstance(connector, AccountReader):
            continue  # a CRM whose accounts cannot be read is left as it is
        mine = [group for group in groups if any(ref.system == system for ref in group)]
        for batch in _batches(run, system, mine, gone):
            _write_batch(run, connector, batch)


def _batches(run: Run, system: str, groups: Sequence[tuple[Ref, ...]],
             gone: Sequence[AccountVerdict]) -> Iterator[list[tuple[Ref, AccountVerdict]]]:
    """(account, verdict) pairs of one CRM, BATCH at a time, in the order of the groups
    (then the accounts nobody is known at); the persons of whole groups are read about
    IDENTITIES_READ identities at a time, and let go once judged."""
    batch: list[tuple[Ref, AccountVerdict]] = []
    for persons in persons_by_groups(run.state, groups, list(run.connectors),
                                     IDENTITIES_READ):
        for verdict in account_verdicts(persons, run.rules.lead, run.now):
            for ref in verdict.accounts:
                if ref.system == system:
                    batch.append((ref, verdict))
                    if len(batch) == BATCH:
                        yield batch
                        batch = []
    for verdict in gone:
        batch += [(ref, verdict) for ref in verdict.accounts if ref.system == system]
        if len(batch) >= BATCH:
            yield batch[:BATCH]
            batch = batch[BATCH:]
    if batch:
        yield batch


def _write_batch(run: Run, connector: Connector,
                 batch: Sequence[tuple[Ref, AccountVerdict]]) -> None:
    state, system = run.state, connector.system
    task_stages = [s for s in run.rules.account_stages if s.task is not None]
    wants: dict[Ref, dict[str, str | None]] = {}
    to_read: list[Ref] = []
    for ref, verdict in batch:
        wants[ref] = wanted(desired_values(verdict.result, run.rules.version),
                            state.frozen_fields(ref))
        # A task to make or to close. An open task whose stage holds still needs nothing:
        # its words are rewritten only when the fields move (then the account is read).
        task_matters = any((verdict.result.stage == s.name)
                           != (state.open_task(ref, RULE_PREFIX + s.name) is not None)
                           for s in task_stages)
        if task_matters or needs_read(wants[ref], state.last_written(ref), state.pending(ref)):
            to_read.append(ref)
    assert isinstance(connector, AccountReader)
    found = {a.ref: a for a in connector.read_accounts([r.id for r in to_read])} \
        if to_read else {}
    steps: list[Step] = []
    saves: list[Callable[[], None]] = []
    intents: list[TaskIntent] = []
    verdict_of = dict(batch)
    for ref in to_read:
        account = found.get(ref)
        if account is None or account.deleted:
            intents += [TaskIntent(ref, RULE_PREFIX + s.name, False, in_crm=False,
                                   note="the account is gone") for s in task_stages
                        if state.open_task(ref, RULE_PREFIX + s.name) is not None]
            continue
        written, pending = state.last_written(ref), state.pending(ref)
        plan = plan_account(ref, account.leadpact, wants[ref], written, pending)
        run.kept_manual.update((ref, name) for name in plan.kept_manual)
        for name, record in plan.settled:
            if record:
                saves.append(partial(state.record_write, run.run_id, ref, name,
                                     written.get(name), account.leadpact.get(name), run.now))
            saves.append(partial(state.clear_pending_field, ref, name))
        steps += [Step(change, ref, done=(LedgerWrite(ref, change.field, change.previous,
                                                      change.value),),
                       counts=WRITTEN, writes=(ref, change.field, change.value))
                  for change in plan.changes]
        intents += _intents(run, account, verdict_of[ref])
    run.note_planned(system, steps)

    def commit(failed: set[Ref]) -> None:
        for save in saves:
            save()
        # A refused account is retried because its values still differ from the ledger,
        # not through the failed list (which re-reads persons and deals).
        for ref in failed:
            state.clear_failed(ref)
        state.save_task_intents((i.about, i.rule, i.holds, i.to_json()) for i in intents)
    run.apply(connector, steps, commit)


def _intents(run: Run, account: Account, verdict: AccountVerdict) -> list[TaskIntent]:
    """What each account stage's task wants: stated when it holds or a task is open."""
    result, group = verdict.result, run.rules.lead.buying_group
    found = []
    for stage in run.rules.account_stages:
        if stage.task is None:
            continue
        rule = RULE_PREFIX + stage.name
        holds = result.stage == stage.name
        if not holds and run.state.open_task(account.ref, rule) is None:
            continue
        body = ""
        if holds:  # the group's people, read for the task's words only
            by_identity = identity_persons(run.state, verdict.people, list(run.connectors))
            people = [_member(by_identity[i]) for i in verdict.people if i in by_identity]
            records = sorted((p for i in verdict.people for p in by_identity.get(i, ())),
                             key=lambda p: str(p.ref))
            own = {k: v for k, v in account.fields.items() if v not in (None, "")}
            body = account_task_body(account.name, {**firmographics(records), **own},
                                     people, group.power_roles,
                                     run.now - timedelta(days=group.engaged_days), run.now,
                                     result.reasons)
        found.append(TaskIntent(
            account.ref, rule, holds,
            subject=stage.task.render(account=account.name or account.ref.id,
                                      stage=stage.name, why=result.reasons),
            body=body, owner_id=account.owner_id, due_in_days=stage.task.due_in_days,
            note=f"the buying group is no longer {stage.name.replace('_', ' ')} "
                 f"(now {result.stage.replace('_', ' ')})" if verdict.people
            else "no one at the account is known any more"))
    return found


def _member(records: list[KnownPerson]) -> GroupMember:
    first = min(records, key=lambda p: str(p.ref))  # twins share a verdict
    titled = [(p.modified_at, p.title) for p in records if p.title and p.title.strip()]
    engaged = max((p.engaged_at for p in records if p.engaged_at), default=None)
    activities = merged_activities((), records)
    return GroupMember(max(titled)[1] if titled else (first.name or ""),
                       first.role, engaged,
                       activities)
