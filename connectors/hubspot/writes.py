"""Applying a plan to HubSpot: batch updates and idempotent task creation.

- Batch update: 100 records per call. A 207 fails only the records in its errors. A 400
  refuses the whole batch without saying which record was bad, so the batch is split:
  records writing a property the portal lacks fail at once (their message says how to fix
  it), the rest is bisected until the bad record stands alone.
- Tasks: `leadpact_task_key` is a unique-value property, so HubSpot itself refuses a second
  task with a key (409 CONFLICT). Read the keys first (batch read by that property: exact,
  unlike search, whose index lags) and create only the missing ones; on a conflict (a
  create whose answer was lost or late landed meanwhile) read again. batch/upsert by the
  key would also be idempotent, but its inputs carry no associations (a second call to
  attach the task) and a repeat overwrites what a rep changed on the task.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from leadpact.changes import Change, ChangeResult
from leadpact.connectors.hubspot import batching
from leadpact.connectors.hubspot.batching import RecordUpdate, TaskCreate
from leadpact.connectors.hubspot.client import Caller, HubSpotApis, describe
from leadpact.connectors.hubspot.mapping import TASK_KEY_PROPERTY
from leadpact.connectors.hubspot.search import key_search_bodies
from leadpact.errors import RecordRejected

Outcome = tuple[bool, "str | None", "str | None"]  # ok, error, created id


def _first_error(errors: Sequence[Any], id_: str | None) -> str:
    """The message of the error naming `id_` in its context, else of the first error."""
    for error in errors:
        context = getattr(error, "context", None) or {}
        if id_ is not None and any(id_ in (ids or []) for ids in context.values()):
            return str(error.message)
    if errors:
        return str(errors[0].message)
    return "HubSpot did not confirm this write"


class CreateUnconfirmed(Exception):
    """A task create was sent but not answered: whether HubSpot made it is unknown."""


class Writer:
    def __init__(self, apis: HubSpotApis, call: Caller, timeout: float):
        self._apis = apis
        self._call = call
        self._timeout = timeout
        self._key_is_unique = True  # until the portal refuses a read by the task key
        # (object type, id) -> the updatedAt its last batch update answered, this apply
        self.written_at: dict[tuple[str, str], datetime] = {}

    def apply(self, changes: Sequence[Change]) -> list[ChangeResult]:
        self.written_at = {}
        plan = batching.plan_writes(changes)
        outcomes: dict[int, Outcome] = {i: (False, why, None) for i, why in plan.refused.items()}
        for type_, updates in batching.by_type(plan.updates).items():
            for chunk in batching.chunked(updates):
                for update, error in self._update(type_, chunk):
                    for index in update.changes:
                        outcomes[index] = (error is None, error, None)
        for tasks in batching.chunked(plan.tasks):
            for task, (error, created_id) in self._upsert_tasks(tasks):
                for index in task.changes:
                    outcomes[index] = (error is None, error, created_id)
        return [ChangeResult(change, *outcomes[i]) for i, change in enumerate(changes)]

    # -- field writes ----------------------------------------------------------------------
    def _update(
        self, type_: str, chunk: list[RecordUpdate],
    ) -> list[tuple[RecordUpdate, str | None]]:
        body = batching.update_body(chunk)
        try:
            response = self._call(
                f"a batch update of {len(chunk)} {type_}",
                lambda: self._apis.batch.update(type_, body, _request_timeout=self._timeout))
        except RecordRejected as exc:
            return self._isolate(type_, chunk, str(exc))
        done = {str(obj.id) for obj in response.results or []}
        for obj in response.results or []:  # for own_writes.py: what the write stamped
            if obj.updated_at is not None:
                self.written_at[(type_, str(obj.id))] = obj.updated_at.astimezone(UTC)
        errors = getattr(response, "errors", None) or []
        return [(u, None if u.id in done else _first_error(errors, u.id)) for u in chunk]

    def _isolate(self, type_: str, chunk: list[RecordUpdate], message: str
                 ) -> list[tuple[RecordUpdate, str | None]]:
        invalid = batching.invalid_properties(message)
        absent = {name for name, code in invalid.items() if code == "PROPERTY_DOESNT_EXIST"}
        doomed = [u for u in chunk if absent & set(u.properties)]
        if doomed:
            rest = [u for u in chunk if u not in doomed]
            failed: list[tuple[RecordUpdate, str | None]] = [
                (u, f"HubSpot {type_} have no property "
                    f"{', '.join(sorted(absent & set(u.properties)))}: run `leadpact "
                    "setup` to create it") for u in doomed]
            return failed + (self._update(type_, rest) if rest else [])
        if len(chunk) == 1:
            return [(chunk[0], message)]
        half = len(chunk) // 2
        return self._update(type_, chunk[:half]) + self._update(type_, chunk[half:])

    # -- tasks -----------------------------------------------------------------------------
    def _upsert_tasks(self, chunk: list[TaskCreate]
                      ) -> list[tuple[TaskCreate, tuple[str | None, str | None]]]:
        try:
            found, created, errors = self._call.run(
                f"creating {len(chunk)} tasks", lambda: self._search_then_create(chunk))
        except CreateUnconfirmed:
            # The tasks may exist, but HubSpot's search indexes them with a delay: looking
            # again now could miss them and make them twice. The next run looks again.
            why = ("HubSpot did not confirm creating the task; the next run checks for it "
                   "before creating it")
            return [(task, (why, None)) for task in chunk]
        except RecordRejected as exc:
            absent = [name for name, code in batching.invalid_properties(str(exc)).items()
                      if code == "PROPERTY_DOESNT_EXIST"]
            if absent:  # every task writes the same properties: none can be created
                why = (f"HubSpot tasks have no property {', '.join(sorted(absent))}: run "
                       "`leadpact setup` to create it")
                return [(task, (why, None)) for task in chunk]
            if len(chunk) == 1:
                return [(chunk[0], (str(exc), None))]
            half = len(chunk) // 2
            return self._upsert_tasks(chunk[:half]) + self._upsert_tasks(chunk[half:])
        results: list[tuple[TaskCreate, tuple[str | None, str | None]]] = []
        for task in chunk:
            key = task.key.lower()
            task_id = found.get(key) or created.get(key)
            results.append((task, (None, task_id) if task_id else
                            (_first_error(errors, None), None)))
        return results

    def _search_then_create(self, chunk: list[TaskCreate]
                            ) -> tuple[dict[str, str], dict[str, str], list[Any]]:
        found = self._existing_tasks([t.key for t in chunk])
        for conflicts in range(2):
            missing = [t for t in chunk if t.key.lower() not in found]
            if not missing:
                return found, {}, []
            body = batching.create_body(missing)
            try:
                response = self._call.once(partial(self._apis.batch.create, "tasks", body,
                                                   _request_timeout=self._timeout))
            except Exception as exc:
                failure = describe(exc)
                if failure is not None and (failure.status is None or failure.status >= 500):
                    raise CreateUnconfirmed() from exc  # sent, but no answer: outcome unknown
                if failure is not None and failure.status == 409 and not conflicts:
                    # A key is taken: a create whose answer was lost or late landed. HubSpot
                    # wrote none of this batch; read the keys again and create the rest.
                    found |= self._existing_tasks([t.key for t in missing])
                    continue
                raise
            created = {str((obj.properties or {}).get(TASK_KEY_PROPERTY) or "").lower():
                       str(obj.id) for obj in response.results or []}
            return found, created, getattr(response, "errors", None) or []
        raise AssertionError("unreachable: the second conflict is raised above")

    def _existing_tasks(self, keys: Sequence[str]) -> dict[str, str]:
        """{lower-cased key: id of the task carrying it}, read by the unique key property
        (a batch read sees a task as soon as it is made; search lags behind). A portal set
        up before the property was unique (HubSpot cannot make an existing property unique)
        refuses that read: search for the keys there instead."""
        if not self._key_is_unique:
            return self._searched_tasks(keys)
        try:
            return self._read_tasks(keys)
        except Exception as exc:
            failure = describe(exc)
            if failure is None or failure.status != 400:
                raise
            self._key_is_unique = False
            return self._searched_tasks(keys)

    def _read_tasks(self, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), batching.BATCH_LIMIT):
            body = {"idProperty": TASK_KEY_PROPERTY, "properties": [TASK_KEY_PROPERTY],
                    "inputs": [{"id": key} for key in unique[start:start + batching.BATCH_LIMIT]]}
            page = self._call.once(partial(self._apis.batch.read, "tasks", body,
                                           _request_timeout=self._timeout))
            for obj in page.results or []:
                key = str((obj.properties or {}).get(TASK_KEY_PROPERTY) or "").lower()
                if key:
                    found.setdefault(key, str(obj.id))
        return found

    def _searched_tasks(self, keys: Sequence[str]) -> dict[str, str]:
        """{lower-cased key: id of the oldest task carrying it}, by search (lags behind)."""
        found: dict[str, str] = {}
        for body in key_search_bodies(TASK_KEY_PROPERTY, keys, [TASK_KEY_PROPERTY]):
            after: str | None = None
            while True:
                request = {**body, "after": after} if after else body
                page = self._call.once(partial(self._apis.search.do_search, "tasks", request,
                                               _request_timeout=self._timeout), search=True)
                for obj in page.results or []:
                    key = str((obj.properties or {}).get(TASK_KEY_PROPERTY) or "").lower()
                    if key:
                        found.setdefault(key, str(obj.id))
                after = page.paging.next.after if page.paging and page.paging.next else None
                if not after:
                    break
        return found
