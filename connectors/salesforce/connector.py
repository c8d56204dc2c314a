"""The Salesforce connector: simple-salesforce in direct mode (instance URL + access token,
or a token from an OAuth login, see auth.py), every call under the shared retry policy,
wire details in queries.py and mapping.py."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import requests
from simple_salesforce import Salesforce

from leadpact import fields as leadpact_fields
from leadpact.auth_config import OAuthSettings
from leadpact.changes import Change, ChangeResult, SetDealContactRole, SetField, UpsertTask
from leadpact.connectors import cursor as cursors
from leadpact.connectors import echo
from leadpact.connectors.base import CheckProblem, SetupResult
from leadpact.connectors.call_budget import CallBudget
from leadpact.connectors.oauth_http import Login, StaticToken
from leadpact.connectors.observe import (
    NO_OBSERVER,
    NO_SETUP_OBSERVER,
    ReadObserver,
    SetupObserver,
)
from leadpact.connectors.overwritten import Overwritten
from leadpact.connectors.retry import Failure, RetryPolicy, call_with_retries
from leadpact.connectors.salesforce import (
    auth,
    failures,
    field_history,
    limits,
    mapping,
    queries,
    transport,
)
from leadpact.connectors.salesforce.activity_reads import ActivityReader
from leadpact.connectors.salesforce.bulk_reads import (
    BulkReader,
    BulkSettings,
    field_types,
    with_fallback,
)
from leadpact.connectors.salesforce.deal_children import DealChildren
from leadpact.connectors.salesforce.just_read import JustRead
from leadpact.connectors.salesforce.queries import TASK_KEY_FIELD, chunks
from leadpact.connectors.salesforce.read_so_far import ReadSoFar
from leadpact.connectors.salesforce.read_this_run import ReadThisRun
from leadpact.connectors.salesforce.roles import CONTACT_ROLE_LEDGER_PREFIX
from leadpact.crm_limits import FieldLimit
from leadpact.errors import (
    AuthError,
    ConnectorError,
    QuotaExhausted,
    RecordRejected,
    TransientError,
    UnreachableError,
)
from leadpact.field_map import DEFAULT_FIELDS, FieldMap
from leadpact.model import ACCOUNT, CONTACT, DEAL, LEAD, SALESFORCE, Account, Page, Record, Ref
from leadpact.native_stage import NO_NATIVE, NativeMap, option_problems
from leadpact.quota import Allowance, CallCosts

T = TypeVar("T")
log = logging.getLogger(__name__)
Row = dict[str, Any]
_PEOPLE = ("Lead", "Contact")
_WHOLE_READS = (*_PEOPLE, "Opportunity")  # streams a first read takes activities whole for
_PERSON_PREFIXES = {queries.SOBJECT_PREFIXES["Lead"]: LEAD,
                    queries.SOBJECT_PREFIXES["Contact"]: CONTACT}


# Calls per page of changed records and per write batch, measured on the demo org
# (bench/quota_bench.py prints the estimate against the calls made).
# 3,000-person first sync (seed 7): 90 calls for 2,396 records, i.e. 8 fixed, 6 pages of
# 450 ids and 12 batches of 200; 29 of them writes (bench/scale.py --detail).
CALLS_PER_PAGE = 8.7  # the 53 reads and preflight calls left over the 6 pages
CALLS_PER_BATCH = 2.5  # the 29 writes over the 12 batches


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SalesforceConnector:
    system = SALESFORCE
    # Records the refresh pass reads and handles together (pipeline.refresh_batch): four
    # whole 450-id lists for the re-read before writing, nine whole 200-record writes.
    refresh_batch = 4 * queries.IN_LIST_LIMIT
    # Records per write call: a change-feed page's part-filled last call waits for the
    # refresh pass, which takes this run's records as read (leadpact/write_tail.py).
    write_call = queries.COLLECTION_LIMIT

    def __init__(
        self,
        instance_url: str,
        access_token: str | None,
        *,
        oauth: OAuthSettings | None = None,
        api_version: str = "59.0",
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so sharing it is safe
        lookback: timedelta = timedelta(minutes=5),
        page_size: int = 2000,
        session: requests.Session | None = None,
        activity_days: int = 180,
        activity_cap: int = 50,
        clock: Callable[[], datetime] = _utcnow,
        max_api_share: float = 0.9,
        bulk: BulkSettings = BulkSettings(),  # noqa: B008 - frozen
        timeout: Any = transport.DEFAULT_TIMEOUT,
        fields: FieldMap = DEFAULT_FIELDS, native: NativeMap = NO_NATIVE,
    ):
        """`activity_days` / `activity_cap`: how far back, and how many of the newest
        activities, each person carries; `clock` is "now" for that window and for a deal's
        next scheduled step. `max_api_share`: stop once the org's daily API usage (as
        Sforce-Limit-Info reports it) passes this share, leaving the rest of the day's
        allowance to the org's other integrations. `oauth`: log in with that flow instead
        of `access_token` (and again, once per call, when the session expires). `bulk`:
        when a change read is big enough to go through Bulk API 2.0 (bulk_reads.py).
        `timeout`: seconds (or (connect, read)) to wait for an answer. `fields`: which
        Account and Lead fields hold the firmographics (leadpact/field_map.py). `native`:
        the stages mapped onto Lead Status, whose values check() finds in its picklist."""
        self._native = native
        target = transport.endpoint(instance_url)
        self._host = target.host
        self._retry = retry
        self._lookback = lookback
        self._page_size = max(1, page_size)
        self._owns_session = session is None
        self._session = session or requests.Session()
        self._transport = transport.mount(self._session, target, timeout)
        # The quota plan's cap on a change read's requests (connectors/call_budget.py).
        self.call_budget = CallBudget(SALESFORCE)
        self._transport.budget = self.call_budget
        login: Login = (auth.OAuthLogin(oauth, self._session, retry) if oauth is not None
                        else StaticToken(access_token or ""))
        self._auth = auth.Session(
            Salesforce(instance_url=instance_url, session_id="", version=api_version,
                       session=self._session), login)
        self._sf = self._auth.sf
        self._clock = clock
        self.max_api_share = max_api_share
        self._activities = ActivityReader(self._query, activity_days, activity_cap)
        # A whole read's contact roles and stage history, read once (deal_children.py).
        self._deal_children: DealChildren | None = None
        self._bulk_settings = bulk
        self._bulk = BulkReader(lambda: self._auth.run(lambda: self._sf), self._field_types,
                                bulk, api_version)
        self._types: dict[str, dict[str, str]] = {}
        self._fields = fields
        # Mapped Lead fields ride along in the Lead reads, and a Contact's Account fields
        # in the Contact reads (parent relationship fields): no extra call.
        self._extra = {"Lead": tuple(fields.salesforce_lead.values()),
                       "Contact": tuple(f"{queries.CONTACT_ACCOUNT}.{name}"
                                        for name in fields.salesforce_account.values())}
        self.observer: ReadObserver = NO_OBSERVER  # told of each change read's totals
        self.echoes: echo.EchoFilter = echo.NO_ECHOES  # tells our own writes read back
        self._values_read_at: datetime | None = None  # Salesforce time of the last re-read
        self._described: dict[str, dict[str, Any]] = {}  # sObject describes check() read
        self._read_so_far: ReadSoFar | None = None  # while a change read is under way
        # The records the last change read built, for the refresh pass (read_this_run.py).
        self._this_run: ReadThisRun | None = None
        # The page yielded last, and whether check() found history kept for every field
        # leadpact writes: then its values need no re-read before writing (just_read.py).
        self._just_read = JustRead()
        # Salesforce's time as the last history check answered: the writes checked next
        # came after it (field_history.window_start).
        self._history_read_at: datetime | None = None
        self._history_tracked = False

    def _drop_windows(self) -> None:
        """Forget the rows a whole read took once for its pages (the end of that read)."""
        self._activities.drop_window()
        if self._deal_children is not None:
            self._deal_children.close()
            self._deal_children = None

    def close(self) -> None:
        """Release the HTTP connections (the session, when the connector made it)."""
        self._drop_windows()
        self._forget_this_run()
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> SalesforceConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never show the token
        return f"SalesforceConnector(host={self._host!r})"

    @property
    def api_calls(self) -> int:
        return self._transport.attempts

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """(used, limit) of the org's daily API requests, from the last Sforce-Limit-Info."""
        usage = self._sf.api_usage.get("api-usage")
        return (usage.used, usage.total) if usage else None

    @property
    def call_costs(self) -> CallCosts:
        """For the quota estimate (leadpact/quota.py): a query per stream, the limits read
        and the changed-accounts read (leadpact/account_moves.py); per page of 450
        changed records (the id lists child queries take), the change rows and the
        activity, contact-role and history queries; per 200 records written, the re-read
        before writing and the sObject Collections call."""
        return CallCosts(fixed=len(queries.STREAMS) + 2, page=queries.IN_LIST_LIMIT,
                         calls_per_page=CALLS_PER_PAGE, batch=queries.COLLECTION_LIMIT,
                         calls_per_batch=CALLS_PER_BATCH)

    def daily_allowance(self) -> Allowance | None:
        """The org's DailyApiRequests from /limits (one call)."""
        found = self._call(self._sf.limits, "reading the org's limits")
        daily = (found or {}).get("DailyApiRequests") or {}
        if not isinstance(daily.get("Max"), int) or not isinstance(daily.get("Remaining"), int):
            return None
        return Allowance(daily["Max"], daily["Remaining"])

    # -- calls ----------------------------------------------------------------------------
    def _call(self, call: Callable[[], T], what: str) -> T:
        """One client call under the retry policy; failures become leadpact errors."""
        def describe(exc: BaseException) -> Failure | None:
            return failures.describe(exc, self._transport.last_response)

        self._check_allowance()
        try:
            return call_with_retries(lambda: self._auth.run(call), describe, self._retry)
        except Exception as exc:
            failure = describe(exc)
            if failure is None:
                raise
            raise failures.to_error(failure, self._host, what) from exc

    def _check_allowance(self) -> None:
        """Stop before the org's daily allowance is gone, not when it already is."""
        usage = self.api_usage
        if usage and usage[1] and usage[0] > self.max_api_share * usage[1]:
            raise QuotaExhausted(
                f"Salesforce API usage is at {usage[0]}/{usage[1]} requests today, past the "
                f"{self.max_api_share:.0%} leadpact may use: nothing more was written; run "
                "again after the limit resets")

    def _query_pages(self, soql: str, include_deleted: bool, what: str,
                     stream: str | None = None, bulk_as: str | None = None
                     ) -> Iterator[list[Row]]:
        """The rows of a query, one server page at a time; each page is retried on its
        own, so a failure on page 3 does not re-read pages 1 and 2. With `stream`, the
        observer hears the query's totalSize. A big read of `stream` (or `bulk_as`, the
        sObject queried) goes through Bulk API 2.0."""
        options = queries.query_options(self._page_size)
        result = self._call(lambda: self._sf.query(soql, include_deleted=include_deleted,
                                                   headers=options), what)
        log.debug("%s: %s rows in all", what, result.get("totalSize"))
        if stream is not None:
            self.observer.stream_started(self.system, stream, result.get("totalSize"))
        sobject = stream or bulk_as
        if sobject is not None and not result["done"] and \
                self._bulk_settings.wanted(result.get("totalSize")):
            yield from with_fallback(  # a big read: one Bulk API 2.0 job
                self._bulk.pages(sobject, soql, include_deleted, self._page_size),
                lambda: self._query_pages(soql, include_deleted, what), what)
            return
        while True:
            yield list(result["records"])
            if result["done"]:
                return
            next_url = result["nextRecordsUrl"]
            result = self._call(partial(self._sf.query_more, next_url,
                                        identifier_is_url=True, headers=options), what)

    def _field_types(self, sobject: str) -> dict[str, str]:
        if sobject not in self._types:
            described = self._call(partial(self._sf.restful, f"sobjects/{sobject}/describe"),
                                   f"describing {sobject}")
            self._types[sobject] = field_types(described or {})
        return self._types[sobject]

    def _query(self, soql: str, include_deleted: bool, what: str) -> list[Row]:
        return [row for page in self._query_pages(soql, include_deleted, what) for row in page]

    # -- reads ----------------------------------------------------------------------------
    def read_changes(self, cursor: str | None) -> Iterator[Page]:
        streams = cursors.load(cursor)
        # Activity streams start where the record streams are (or now, on a first read):
        # records read from here on carry their activities, so history is not replayed.
        known = [state.since for state in streams.values() if state.since is not None]
        start = min(known) if known else self._clock()
        for sobject in queries.ACTIVITY_STREAMS:
            streams.setdefault(sobject, cursors.StreamCursor(start))
        emitted = ReadSoFar()  # ids yielded so far (read_so_far.py)
        self._forget_this_run()
        self._this_run = ReadThisRun()
        self._read_so_far = emitted  # apply() notes the contact roles it fills there
        try:
            for sobject in queries.STREAMS:
                yield from self._read_stream(sobject, streams, emitted)
        finally:
            self._read_so_far = None
            emitted.close()
            self._drop_windows()

    def _read_stream(self, sobject: str, streams: dict[str, cursors.StreamCursor],
                     emitted: ReadSoFar) -> Iterator[Page]:
        state = streams.get(sobject, cursors.StreamCursor())
        # queryAll: deleted and merged-away rows come back with IsDeleted = true.
        soql = queries.changes_query(sobject, state.query_from(self._lookback),
                                     self._extra.get(sobject, ()))
        served_at: datetime | None = None  # Salesforce's time as the query was answered
        # Every person (or deal) read: their activities are read whole, once
        # (child_rows.py).
        whole = sobject in _WHOLE_READS and state.query_from(self._lookback) is None
        if not whole:  # only pages of a whole read use it; later reads see newer rows
            self._drop_windows()
        for server_page in self._query_pages(soql, True, f"reading changed {sobject} rows",
                                             stream=sobject):
            answered_at = self._server_time()
            if served_at is None:
                served_at = answered_at
            for rows in chunks(server_page, self._page_size):
                stamped = [(row, mapping.modified_at(row)) for row in rows]
                fresh = [(row, ts) for row, ts in stamped if state.is_new(row["Id"], ts)]
                echoes = self._echoes(sobject, [row for row, _ in fresh])
                state = state.advance((row["Id"], ts) for row, ts in fresh)
                streams[sobject] = state
                fresh = [(row, ts) for row, ts in fresh if row["Id"] not in echoes]
                if not fresh:
                    if echoes:  # only our own writes came back: move the cursor past them
                        yield Page((), cursors.dump(streams))
                    self.observer.items_done(self.system, sobject, len(rows))
                    continue  # all seen in the lookback window already
                # The child rows are read after this answer, so a child stamped before its
                # Date was among them; without a Date, the local clock less the lookback.
                seen_before = answered_at or self._clock() - self._lookback
                if whole:
                    if sobject == "Opportunity":
                        self._activities.read_deal_window(self._window_pages, self._clock(),
                                                          seen_before)
                        if self._deal_children is None:
                            self._deal_children = DealChildren.read(self._window_pages)
                        read_at = self._activities.deal_window_read_at
                    else:
                        self._activities.read_window(self._window_pages, self._clock(),
                                                     seen_before)
                        read_at = self._activities.window_read_at
                    seen_before = min(seen_before, read_at or seen_before)
                records = self._records(sobject, [row for row, _ in fresh], emitted)
                emitted.add((record.ref.id for record in records), seen_before)
                if self._this_run is not None:
                    self._this_run.keep(records)
                if sobject in _KIND_OF_ROWS:
                    self._just_read.hold(records, seen_before)
                try:
                    yield Page(tuple(records), cursors.dump(streams))
                finally:
                    self._just_read.clear()
                # Counted once the page is handled: the bar's ETA is the run's, not the read's.
                self.observer.items_done(self.system, sobject, len(rows))
        done = state.read_through(served_at)
        if done != state:  # read to the end: the next read starts from the read time
            streams[sobject] = done
            yield Page((), cursors.dump(streams))

    def _window_pages(self, soql: str, include_deleted: bool, what: str,
                      bulk_as: str | None) -> Iterator[list[Row]]:
        return self._query_pages(soql, include_deleted, what, bulk_as=bulk_as)

    def _server_time(self) -> datetime | None:
        """Salesforce's clock, from the Date header of the last answer (whole seconds)."""
        response = self._transport.last_response
        return cursors.server_time(response.headers.get("Date") if response is not None
                                   else None)

    def _records(self, sobject: str, rows: list[Row],
                 emitted: ReadSoFar | None) -> list[Record]:
        """Records for changed rows. Rows of child objects (contact roles, activities)
        stand for their parents, which are read now unless this read already yielded them
        after the child changed (with the lookback as margin for clock skew)."""
        if sobject in ("Lead", "Contact"):
            touches = self._activities.for_people(rows, self._clock())
            return echo.with_fingerprints(
                [mapping.to_person(row, touches.get(row["Id"], ()),
                                   self._fields.salesforce_lead,
                                   self._fields.salesforce_account) for row in rows],
                {row["Id"]: _fingerprint(sobject, row) for row in rows})
        if sobject == "Opportunity":
            return echo.with_fingerprints(self._deals(rows), {
                row["Id"]: _fingerprint(sobject, row) for row in rows})
        if sobject in queries.ACTIVITY_STREAMS:
            return self._touched(rows, emitted)
        # A changed contact role means its opportunity's buying committee changed; a role
        # leadpact filled in this read is its own write coming back.
        if emitted is not None:
            ours = emitted.own_roles(rows) | self._own_roles_before(rows)
            rows = [row for row in rows if str(row["Id"]) not in ours]
        read = emitted.before([row["OpportunityId"] for row in rows]) if emitted is not None else {}
        parents = list(dict.fromkeys(row["OpportunityId"] for row in rows
                                     if not _seen_since(read, row["OpportunityId"], row)))
        return list(self._deals(self._rows_by_id("Opportunity", parents)))

    def _echoes(self, sobject: str, rows: list[Row]) -> set[str]:
        """Ids of the rows that hold only leadpact's own writes (connectors/echo.py)."""
        kind = _KIND_OF_ROWS.get(sobject)
        if kind is None or not rows:
            return set()
        # A person's own values as the sync saves them: leadpact's fields, the feedback and
        # a Lead's Status (echo.own_values), so a row holding only our writes matches.
        seen = [(Ref(SALESFORCE, queries.KIND_BY_SOBJECT[sobject], str(row["Id"])),
                 _fingerprint(sobject, row),
                 echo.own_values(mapping.to_person(row)) if kind == leadpact_fields.PERSON
                 else mapping.leadpact_values(row, kind))
                for row in rows]
        return {ref.id for ref in self.echoes.unchanged(seen)}

    def _own_roles_before(self, rows: list[Row]) -> set[str]:
        """Contact roles leadpact filled in an earlier run, coming back now (the ledger
        says so, connectors/echo.py): the run right after a first sync would otherwise
        read every deal whose roles it filled again."""
        live = [row for row in rows if not row.get("IsDeleted") and row.get("Role")]
        return self.echoes.own_contact_roles([
            (Ref(SALESFORCE, DEAL, str(row["OpportunityId"])),
             f"{CONTACT_ROLE_LEDGER_PREFIX}{row['Id']}", mapping.to_contact_role(row))
            for row in live]) if live else set()

    def _deals(self, rows: list[Row]) -> list[Record]:
        live = [row["Id"] for row in rows if not row.get("IsDeleted")]
        roles = self._contact_roles(live)
        history = self._history(live)
        next_steps = self._activities.next_steps(rows, self._clock())
        return [mapping.to_deal(row, roles.get(row["Id"], ()), next_steps.get(row["Id"]),
                                history.get(row["Id"], ()))
                for row in rows]

    def _history(self, opportunity_ids: list[str]) -> dict[str, list[Row]]:
        """OpportunityHistory rows (stage and close-date snapshots), oldest first."""
        found: dict[str, list[Row]] = {}
        for row in self._deal_rows("history", queries.opportunity_history_query,
                                   opportunity_ids, "reading opportunity history"):
            found.setdefault(row["OpportunityId"], []).append(row)
        return found

    def _deal_rows(self, kind: str, build: Callable[[list[str]], str],
                   opportunity_ids: list[str], what: str) -> list[Row]:
        """One kind of these deals' child rows: from the rows a whole read took once
        (deal_children.py), else by 450-id lists."""
        if self._deal_children is not None:
            return self._deal_children.rows(kind, opportunity_ids)
        return [row for ids in chunks(opportunity_ids, queries.IN_LIST_LIMIT)
                for row in self._query(build(ids), False, what)]

    def _touched(self, rows: list[Row], emitted: ReadSoFar | None) -> list[Record]:
        """The persons (WhoId) and opportunities (WhatId) of changed Tasks/Events, as they
        are now. leadpact's own tasks are skipped: they change neither."""
        read = emitted.before([str(row.get(f) or "") for row in rows
                               for f in ("WhoId", "WhatId")]) if emitted is not None else {}
        wanted: list[Ref] = []
        for row in rows:
            if row.get(TASK_KEY_FIELD):
                continue
            who, what = str(row.get("WhoId") or ""), str(row.get("WhatId") or "")
            if who[:3] in _PERSON_PREFIXES and not _seen_since(read, who, row):
                wanted.append(Ref(SALESFORCE, _PERSON_PREFIXES[who[:3]], who))
            if what.startswith(queries.SOBJECT_PREFIXES["Opportunity"]) and \
                    not _seen_since(read, what, row):
                wanted.append(Ref(SALESFORCE, DEAL, what))
        return self._read_now(list(dict.fromkeys(wanted)))

    def _contact_roles(self, opportunity_ids: list[str]) -> dict[str, list[Any]]:
        roles: dict[str, list[Any]] = {}
        for row in self._deal_rows("role", queries.contact_roles_query, opportunity_ids,
                                   "reading opportunity contact roles"):
            roles.setdefault(row["OpportunityId"], []).append(mapping.to_contact_role(row))
        return roles

    def _rows_by_id(self, sobject: str, ids: Sequence[str]) -> list[Row]:
        rows: list[Row] = []
        for chunk in chunks(ids, queries.IN_LIST_LIMIT):
            rows += self._query(queries.by_ids_query(sobject, chunk,
                                                     self._extra.get(sobject, ())), True,
                                f"reading {sobject} rows by id")
        return rows

    def current_values(self, refs: Sequence[Ref]) -> dict[Ref, dict[str, str | None]]:
        """leadpact's fields on these records as they are now (one light query per object
        and 450 ids), by canonical name; records gone are left out. Those on the page the
        change read yielded last come as read, once check() found history kept for every
        field leadpact writes (just_read.py)."""
        # The page read seconds ago: as read.
        found = self._just_read.take(refs) if self._history_tracked else {}
        held_since = self._just_read.read_at if found else None
        first_answer: datetime | None = None
        for kind, kind_of_field in ((LEAD, leadpact_fields.PERSON),
                                    (CONTACT, leadpact_fields.PERSON),
                                    (DEAL, leadpact_fields.DEAL),
                                    (ACCOUNT, leadpact_fields.ACCOUNT)):
            ids = list(dict.fromkeys(r.id for r in refs if r.system == SALESFORCE
                                     and r.kind == kind and r not in found))
            sobject = queries.SOBJECT_BY_KIND[kind]
            columns = [spec.salesforce for spec in leadpact_fields.fields_for(kind_of_field)]
            if kind == LEAD:
                columns.append(queries.LEAD_STATUS)
            for chunk in chunks(ids, queries.IN_LIST_LIMIT):
                for row in self._query(queries.current_values_query(sobject, columns, chunk),
                                       False, f"re-reading {sobject} values before writing"):
                    values = mapping.leadpact_values(row, kind_of_field)
                    if kind == LEAD:
                        values[queries.LEAD_STATUS] = row.get(queries.LEAD_STATUS) or None
                    found[Ref(SALESFORCE, kind, row["Id"])] = values
                first_answer = first_answer or self._server_time()
        # Where the history of the writes that follow starts: the Date header has whole
        # seconds and comes after the query ran, so the lookback is the margin.
        starts = [at for at in (first_answer, held_since) if at is not None]
        self._values_read_at = min(starts) - self._lookback if starts else None
        return found

    def read_records(self, refs: Sequence[Ref]) -> list[Record]:
        """The given records as they are now, in the order asked; deleted or merged-away
        ones come back with deleted=True (queryAll), unknown ones are left out. Those the
        last change read built come from it, with leadpact's writes since laid over
        (read_this_run.py): others' edits since are the next run's changes."""
        kept = self._this_run.take(refs) if self._this_run is not None else {}
        found = {record.ref.id: record for record in
                 self._read_now([ref for ref in refs if ref not in kept])}
        found |= {ref.id: record for ref, record in kept.items()}
        return [found[ref.id] for ref in dict.fromkeys(refs) if ref.id in found]

    def _forget_this_run(self) -> None:
        if self._this_run is not None:
            self._this_run.close()
            self._this_run = None

    def _read_now(self, refs: Sequence[Ref]) -> list[Record]:
        """read_records, every record read from Salesforce."""
        wanted: dict[str, list[str]] = {}
        for ref in refs:
            sobject = queries.SOBJECT_BY_KIND.get(ref.kind)
            if ref.system == SALESFORCE and sobject in queries.RECORD_SOBJECTS:
                wanted.setdefault(sobject, []).append(ref.id)
        found: dict[str, Record] = {}
        for sobject, ids in wanted.items():
            rows = self._rows_by_id(sobject, list(dict.fromkeys(ids)))
            for record in self._records(sobject, rows, emitted=None):
                found[record.ref.id] = record
        return [found[ref.id] for ref in dict.fromkeys(refs) if ref.id in found]

    def read_accounts(self, ids: Sequence[str]) -> list[Account]:
        """The given Accounts as they are now, mapped firmographics under canonical names
        (one query per 450 ids; deleted ones come back deleted, unknown ones left out)."""
        wanted = list(dict.fromkeys(i for i in ids if i))
        found: dict[str, Account] = {}
        columns = tuple(self._fields.salesforce_account.values())
        for chunk in chunks(wanted, queries.IN_LIST_LIMIT):
            for row in self._query(queries.accounts_query(chunk, columns), True,
                                   "reading accounts"):
                found[row["Id"]] = mapping.to_account(row, self._fields.salesforce_account)
        return [found[i] for i in wanted if i in found]

    def read_changed_accounts(self, since: datetime | None
                              ) -> tuple[list[Account], datetime | None]:
        """Accounts modified since `since` less the lookback (connectors/base.py): one query
        (more only past 2,000 rows), so a sync with nothing changed spends one call."""
        start = (since or self._clock()) - self._lookback
        rows = self._query(queries.changed_accounts_query(
            start, tuple(self._fields.salesforce_account.values())), False,
            "reading changed accounts")
        read_at = self._server_time()
        return [mapping.to_account(row, self._fields.salesforce_account) for row in rows], read_at

    # -- writes ---------------------------------------------------------------------------
    def apply(self, changes: Sequence[Change]) -> list[ChangeResult]:
        results: list[ChangeResult | None] = [None] * len(changes)
        role_ids = self._contact_role_ids(
            [c for c in changes if isinstance(c, SetDealContactRole) and not c.role_record_id])
        writes: list[tuple[int, mapping.FieldWrite]] = []
        tasks: list[tuple[int, UpsertTask]] = []
        for index, change in enumerate(changes):
            if isinstance(change, UpsertTask):
                tasks.append((index, change))
                continue
            if isinstance(change, SetDealContactRole) and not change.role_record_id:
                found = role_ids.get((change.deal.id, change.person.id))
                change_to_write: Change = dataclasses.replace(change, role_record_id=found)
            else:
                change_to_write = change
            try:
                writes.extend((index, w) for w in mapping.field_writes(change_to_write))
            except mapping.UnsupportedChange as exc:
                results[index] = ChangeResult(change, False, str(exc))
        for batch in chunks(mapping.merge_writes(writes), queries.COLLECTION_LIMIT):
            outcome = self._send_collection("PATCH", [w.collection_record() for w in batch])
            for position, record in enumerate(batch):
                error = outcome if isinstance(outcome, str) else \
                    mapping.save_error(outcome[position])
                for index in record.change_indexes:
                    results[index] = ChangeResult(changes[index], error is None, error)
        self._note_roles_filled(changes, results, role_ids)
        self._upsert_tasks(tasks, results)
        answered = [r if r is not None else ChangeResult(changes[i], False, "not applied")
                    for i, r in enumerate(results)]
        if self._this_run is not None:
            self._this_run.wrote(answered)
        return answered

    def _note_roles_filled(self, changes: Sequence[Change],
                           results: list[ChangeResult | None],
                           role_ids: dict[tuple[str, str], str]) -> None:
        """Tell the change read under way which contact roles leadpact just filled."""
        if self._read_so_far is None:
            return
        filled = []
        for change, result in zip(changes, results, strict=True):
            if isinstance(change, SetDealContactRole) and result is not None and result.ok:
                role_id = change.role_record_id or \
                    role_ids.get((change.deal.id, change.person.id))
                if role_id:  # the Role as written, in Salesforce's spelling
                    written = mapping.native_write(
                        dataclasses.replace(change, role_record_id=role_id))
                    filled.append((role_id, change.person.id, written.value))
        self._read_so_far.wrote_roles(filled)

    def _collection(self, method: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """sObject Collections SaveResults, in request order (no retry: callers decide)."""
        saved = self._sf.restful("composite/sobjects", method=method,
                                 json={"allOrNone": False, "records": records})
        return list(saved or [])

    def _send_collection(self, method: str, records: list[dict[str, Any]]
                         ) -> list[dict[str, Any]] | str:
        """SaveResults, or the one reason the whole request was refused. allOrNone false:
        a bad record fails alone."""
        try:
            return self._call(lambda: self._collection(method, records),
                              f"saving {len(records)} records")
        except RecordRejected as exc:
            return str(exc)

    def _contact_role_ids(self, changes: list[SetDealContactRole]) -> dict[tuple[str, str], str]:
        """(opportunity id, contact id) -> OpportunityContactRole id, for role changes that
        did not name the role record."""
        found: dict[tuple[str, str], str] = {}
        deal_ids = list(dict.fromkeys(c.deal.id for c in changes
                                      if c.deal.system == SALESFORCE and c.deal.kind == DEAL))
        for ids in chunks(deal_ids, queries.IN_LIST_LIMIT):
            for row in self._query(queries.contact_roles_query(ids), False,
                                   "finding opportunity contact roles"):
                found.setdefault((row["OpportunityId"], row["ContactId"]), row["Id"])
        return found

    def _upsert_tasks(self, tasks: list[tuple[int, UpsertTask]],
                      results: list[ChangeResult | None]) -> None:
        wanted: dict[str, UpsertTask] = {}  # the first change for a key decides the task
        indexes: dict[str, list[int]] = {}
        for index, change in tasks:
            wanted.setdefault(change.key, change)
            indexes.setdefault(change.key, []).append(index)
        by_index = dict(tasks)
        for keys in chunks(list(wanted), queries.COLLECTION_LIMIT):
            outcome = self._upsert_task_batch({key: wanted[key] for key in keys})
            for key in keys:
                task_id, error = outcome[key]
                for index in indexes[key]:
                    results[index] = ChangeResult(by_index[index], error is None, error,
                                                  created_id=task_id)

    def _upsert_task_batch(self, wanted: dict[str, UpsertTask]
                           ) -> dict[str, tuple[str | None, str | None]]:
        """key -> (task id, error). An upsert on the task key (an External ID): a retry
        after a lost or late answer updates the task the first attempt made, never makes
        a second, so the whole call is safely retried."""
        outcome: dict[str, tuple[str | None, str | None]] = {}
        records: dict[str, dict[str, Any]] = {}
        for key, change in wanted.items():
            try:
                records[key] = mapping.task_record(change)
            except mapping.UnsupportedChange as exc:
                outcome[key] = (None, str(exc))
        if not records:
            return outcome
        saved = self._send_upsert(list(records.values()))
        if isinstance(saved, str):  # the whole request was refused
            return outcome | {key: (None, saved) for key in records}
        for key, result in zip(records, saved, strict=True):
            error = mapping.save_error(result)
            outcome[key] = (result.get("id") if error is None else None, error)
        return outcome

    def _send_upsert(self, records: list[dict[str, Any]]) -> list[dict[str, Any]] | str:
        """UpsertResults in request order, or the one reason the request was refused."""
        def upsert() -> list[dict[str, Any]]:
            saved = self._sf.restful(f"composite/sobjects/Task/{TASK_KEY_FIELD}",
                                     method="PATCH",
                                     json={"allOrNone": False, "records": records})
            return list(saved or [])

        try:
            return self._call(upsert, f"creating {len(records)} tasks")
        except RecordRejected as exc:
            if TASK_KEY_FIELD in str(exc):  # the org's key field is not an External ID
                return (f"{exc}; {TASK_KEY_FIELD} must be an External ID + Unique field: "
                        "run `leadpact check` for the fix")
            return str(exc)

    # -- who else writes, and user names (field_history.py) ------------------------------
    def who_changed(self, record: Ref, field: str, ours: str | None) -> str | None:
        """Who last set `field` of `record` to a value other than `ours` (leadpact's), from
        the field history; None when Salesforce does not say."""
        return field_history.who_changed(self._query, record, field, ours)

    def owner_names(self, ids: Sequence[str]) -> dict[str, str]:
        """{User id: Name} for record owners (one query per 200 ids)."""
        return field_history.user_names(self._query, ids)

    def field_limits(self) -> dict[tuple[str, str], FieldLimit]:
        """What the fields leadpact writes accept (limits.py), from the describes the
        preflight's check read; described now only when it did not run."""
        for sobject in limits.KINDS:
            if sobject not in self._described:
                described: Any = self._call(
                    partial(self._sf.restful, f"sobjects/{sobject}/describe"),
                    f"describing {sobject}")
                self._described[sobject] = described or {}
        return limits.field_limits(self._described)

    def current_contact_roles(self, ids: Sequence[str]) -> dict[str, str | None]:
        """OpportunityContactRole id -> its Role now (one query per 200 ids): the field has
        no history, so its edits are caught by this re-read before the write only."""
        found: dict[str, str | None] = {}
        for chunk in chunks(list(dict.fromkeys(ids)), queries.IN_LIST_LIMIT):
            for row in self._query(queries.contact_roles_by_id_query(chunk), False,
                                   "re-reading opportunity contact roles"):
                found[str(row["Id"])] = row.get("Role") or None
        return found

    def overwritten(self, writes: Sequence[Change],
                    whole_history: bool = False) -> list[Overwritten]:
        """leadpact's field writes that landed on a person's edit made after the re-read
        before them (current_values), from the field history (field_history.py).
        `whole_history`: the re-read was another run's (leadpact/unchecked_writes.py)."""
        fields_written = [w for w in writes if isinstance(w, SetField)]
        if not fields_written:
            return []
        since = None if whole_history else \
            field_history.window_start(self._values_read_at, self._history_read_at)
        found = field_history.overwritten(self._query, fields_written, since)
        if not whole_history:
            self._history_read_at = self._server_time()
        return found

    # -- setup / check ----------------------------------------------------------------------
    def setup(self, permission_set: str, dry_run: bool = False,
              observer: SetupObserver = NO_SETUP_OBSERVER) -> SetupResult:
        """Create leadpact's custom fields and their field access (connectors/salesforce/
        setup.py), reporting each step to `observer`; on a dry run only say what would be
        done."""
        from leadpact.connectors.salesforce.setup import SalesforceSetup

        return SalesforceSetup(lambda: self._sf, self._call).run(permission_set, dry_run,
                                                                 observer)

    def check(self) -> list[CheckProblem]:
        try:
            self._call(self._sf.limits, "reading the org's limits")
        except ConnectorError as exc:
            return [_problem_for(exc, self._host)]
        problems: list[CheckProblem] = []
        for sobject, written in queries.WRITTEN_FIELDS.items():
            needed = (*written, *queries.READ_FIELDS.get(sobject, ()))
            try:
                described = self._call(partial(self._sf.restful, f"sobjects/{sobject}/describe"),
                                       f"describing {sobject}")
            except ConnectorError as exc:
                problems.append(_problem_for(exc, self._host))
                continue
            self._described[sobject] = described or {}
            fields = {f["name"]: f for f in (described or {}).get("fields", [])}
            missing = [name for name in needed if name not in fields]
            read_only = [name for name in written
                         if name in fields and not fields[name].get("updateable")]
            if missing:
                problems.append(CheckProblem(
                    f"Salesforce {sobject} is missing fields leadpact writes or reads: "
                    f"{', '.join(missing)}",
                    "run `leadpact setup` to create them (or see README, \"Fields leadpact "
                    "writes\", to create them by hand)"))
            key = fields.get(TASK_KEY_FIELD) if sobject == "Task" else None
            if key is not None and not (key.get("externalId") and key.get("unique")):
                problems.append(CheckProblem(
                    f"Salesforce Task field {TASK_KEY_FIELD} is not an External ID + Unique "
                    "field: leadpact upserts tasks on it, so a retried create could make a "
                    "task twice (and the upsert is refused)",
                    f"In Setup > Object Manager > Task > {TASK_KEY_FIELD}, tick \"External "
                    "ID\" and \"Unique\" (or delete the field and run `leadpact setup`)"))
            if read_only:
                problems.append(CheckProblem(
                    f"Salesforce {sobject} fields leadpact writes are read-only for this "
                    f"user: {', '.join(read_only)}",
                    "run `leadpact setup` to grant edit access in the configured permission "
                    "set, and assign that set to the integration user"))
        if not problems:  # the fields are there: can they hold our values, is history kept?
            narrow = limits.narrower_fields(limits.field_limits(self._described))
            try:
                untracked = field_history.untracked(self._query)
            except ConnectorError as exc:
                return [_problem_for(exc, self._host)]
            problems += [p for p in (narrow, untracked) if p is not None]
            self._history_tracked = untracked is None
        return problems + self._native_problems()

    def _native_problems(self) -> list[CheckProblem]:
        """[native] values that are not active options of the Lead's Status picklist."""
        if not self._native.of_system(SALESFORCE) or "Lead" not in self._described:
            return []
        options = {f["name"]: [v["value"] for v in f.get("picklistValues") or []
                               if v.get("active", True)]
                   for f in self._described["Lead"].get("fields", [])}
        return [CheckProblem(line, "edit [native] in leadpact.toml") for line in
                option_problems(self._native, SALESFORCE, options)]


_KIND_OF_ROWS = {"Lead": leadpact_fields.PERSON, "Contact": leadpact_fields.PERSON,
                 "Opportunity": leadpact_fields.DEAL}
# Left out of a row's fingerprint: the stamps every write moves, and leadpact's own fields
# (compared with the ledger instead).
_NOT_PRINTED = {
    sobject: frozenset({"SystemModstamp", "LastModifiedDate", "attributes",
                        *(spec.salesforce for spec in leadpact_fields.fields_for(kind)),
                        # a Lead's Status, which [native] may write, compared like ours
                        *((queries.LEAD_STATUS,) if sobject == "Lead" else ())})
    for sobject, kind in _KIND_OF_ROWS.items()}


def _seen_since(read: dict[str, datetime], parent: str, child: Row) -> bool:
    """Was this child row's change already read with its parent in this read?"""
    seen_before = read.get(parent)
    return seen_before is not None and mapping.modified_at(child) < seen_before


def _fingerprint(sobject: str, row: Row) -> str:
    return echo.fingerprint(_parents_flat(sobject, row), _NOT_PRINTED[sobject])


def _parents_flat(sobject: str, row: Row) -> Row:
    """The row with its parent's fields as `Parent.Field` text, empty ones left out: REST
    nests them (numbers as numbers), a Bulk API 2.0 CSV flattens them (all text), and the
    print of a record must not depend on which read brought it (a first sync through Bulk,
    the next through REST pages, would otherwise take every record for changed)."""
    parent = _PARENT.get(sobject)
    if parent is None:
        return row
    flat = {name: value for name, value in row.items()
            if name != parent and not name.startswith(parent + ".")}
    flat.update((f"{parent}.{name}", str(value))
                for name, value in mapping.parent_row(row, parent).items()
                if name != "attributes" and value is not None)
    return flat


_PARENT = {"Contact": queries.CONTACT_ACCOUNT}  # parent relationship fields in the reads


def _problem_for(exc: ConnectorError, host: str) -> CheckProblem:
    if isinstance(exc, AuthError) and "login" in str(exc):  # an OAuth flow was refused
        return CheckProblem(str(exc), "Fix the login settings it names, then check again")
    if isinstance(exc, AuthError):
        return CheckProblem("Salesforce rejected the access token",
                            "Set LEADPACT_SALESFORCE_TOKEN to a valid session/access token")
    if isinstance(exc, UnreachableError):
        return CheckProblem(f"Salesforce at {host} did not answer",
                            "Check the instance URL (https://<domain>.my.salesforce.com) and "
                            "the network", transient=True)
    if isinstance(exc, QuotaExhausted):
        return CheckProblem("Salesforce daily API limit reached",
                            "Run again after the limit resets (a rolling 24 hours)",
                            transient=True)
    if isinstance(exc, TransientError):
        return CheckProblem(str(exc), "Run again later", transient=True)
    return CheckProblem(str(exc), "Check the integration user's permissions and API access")
