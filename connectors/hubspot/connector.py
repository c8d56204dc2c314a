"""The HubSpot connector: hubspot-api-client behind the Connector protocol.

Streams, in this order, each with its own cursor inside the page cursor:
- `contacts`, `deals`: changed records via the search API (see search.py for the walk);
  deals carry their contacts (v4 associations, label = role) and primary company.
- `emails`, `meetings`, `calls`: engagements changed since the cursor (the same search
  walk); each re-emits the contacts it is associated with, read as they are now. On a first
  read these streams start now: every contact read carries its activities already.
- `contacts:archived`, `deals:archived`: records archived since the cursor, from the list
  endpoint with archived=true, as deleted records. A merged-away contact comes out with
  merged_into = the survivor, found by a batch read of its id (HubSpot answers it with the
  surviving record, whose hs_merged_object_ids lists the merged ids).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from leadpact import fields
from leadpact.auth_config import OAuthSettings
from leadpact.changes import Change, ChangeResult
from leadpact.connectors import cursor as cursors
from leadpact.connectors import echo
from leadpact.connectors.base import CheckProblem, SetupResult
from leadpact.connectors.call_budget import CallBudget
from leadpact.connectors.cursor import OwnRange, StreamCursor
from leadpact.connectors.hubspot import (
    activities,
    limits,
    mapping,
    own_writes,
    property_history,
    scopes,
)
from leadpact.connectors.hubspot.auth import OAuthRefresh
from leadpact.connectors.hubspot.batching import chunked
from leadpact.connectors.hubspot.client import AUTH_FIX, AUTH_PROBLEM, Caller, HubSpotApis
from leadpact.connectors.hubspot.mapping import parse_time, to_ms
from leadpact.connectors.hubspot.pacing import Pacer
from leadpact.connectors.hubspot.reader import ASSOCIATION_BATCH, READ_BATCH, Reader
from leadpact.connectors.hubspot.search import (
    SEARCH_LIMIT,
    Hit,
    Stream,
    Window,
    high_water_body,
    next_window,
    window_body,
)
from leadpact.connectors.hubspot.setup import HubSpotSetup
from leadpact.connectors.hubspot.writes import Writer
from leadpact.connectors.oauth_http import Login, StaticToken
from leadpact.connectors.observe import (
    NO_OBSERVER,
    NO_SETUP_OBSERVER,
    ReadObserver,
    SetupObserver,
)
from leadpact.connectors.overwritten import FieldWrite, Overwritten
from leadpact.connectors.retry import RetryPolicy
from leadpact.crm_limits import FieldLimit
from leadpact.errors import AuthError, ConnectorError, TransientError, UnreachableError
from leadpact.field_map import DEFAULT_FIELDS, FieldMap
from leadpact.model import ACCOUNT, CONTACT, DEAL, HUBSPOT, Account, Page, Record, Ref
from leadpact.native_stage import NO_NATIVE, NativeMap, option_problems
from leadpact.quota import Allowance, CallCosts
from leadpact.secrets import require_tls

CONTACTS = Stream("contacts", "contacts", "lastmodifieddate", mapping.CONTACT_PROPERTIES)
DEALS = Stream("deals", "deals", "hs_lastmodifieddate", mapping.DEAL_PROPERTIES)
ENGAGEMENT_STREAMS = tuple(Stream(t, t, "hs_lastmodifieddate", ("hs_lastmodifieddate",))
                           for t in activities.ENGAGEMENT_TYPES)
_STREAMS = {CONTACT: CONTACTS, DEAL: DEALS}
LIST_LIMIT = 100  # list endpoints' page cap
_KIND_OF_STREAM = {CONTACTS.name: CONTACT, DEALS.name: DEAL}
# Left out of a row's fingerprint: the stamps every write moves, and leadpact's own
# properties (compared with the ledger instead).
_NOT_PRINTED = frozenset({"lastmodifieddate", "hs_lastmodifieddate", *echo.OWN_NATIVE,
                          *(spec.hubspot for kind in (fields.PERSON, fields.DEAL)
                            for spec in fields.fields_for(kind))})
log = logging.getLogger(__name__)
DEFAULT_RETRY = RetryPolicy()  # frozen, so one shared default is safe
# Calls per page of changed records and per write batch, measured on the demo org
# (bench/quota_bench.py prints the estimate against the calls made).
# 3,000-person first sync (seed 7): 303 calls for 2,628 records, i.e. 9 fixed, 14 search
# pages of 200 and 27 batches of 100.
CALLS_PER_PAGE = 18.0  # the reads (associations, engagements, history) over the 14 pages
CALLS_PER_BATCH = 1.6  # writes, key look-ups and preflight calls per batch

Fetched = tuple[str, Mapping[str, Any], datetime]  # id, properties, modified


def _fingerprint(stream: Stream, props: Mapping[str, Any]) -> str:
    return echo.fingerprint(props, _NOT_PRINTED)


def _own_print(stream: Stream, props: Mapping[str, Any]) -> str:
    """A print of the stream's properties alone (a search adds defaults a batch read lacks),
    leadpact's own and the stamps left out."""
    return echo.fingerprint({name: props.get(name) for name in stream.properties}, _NOT_PRINTED)


def _own_values(kind: str, id_: str, props: Mapping[str, Any]) -> dict[str, str | None]:
    return echo.own_values(mapping.to_person(id_, props, modified_at=_EPOCH) if kind == CONTACT
                           else mapping.to_deal(id_, props, modified_at=_EPOCH))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # own values do not depend on the stamp


def _utcnow() -> datetime:
    return datetime.now(UTC)


class HubSpotConnector:
    system = HUBSPOT

    def __init__(
        self, host: str, access_token: str | None, *, oauth: OAuthSettings | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        lookback: timedelta = timedelta(minutes=5), page_size: int = SEARCH_LIMIT,
        enrich_batch: int = ASSOCIATION_BATCH, timeout: float = 60.0,
        client_options: Mapping[str, Any] | None = None,
        activity_days: int = 180, activity_cap: int = 50,
        clock: Callable[[], datetime] = _utcnow, pacer: Pacer | None = None,
        max_api_share: float = 0.9, fields: FieldMap = DEFAULT_FIELDS,
        native: NativeMap = NO_NATIVE,
    ):
        """`client_options` go to hubspot.HubSpot as configuration (for example
        client_side_validation=True, ssl_ca_cert=...). `activity_days` / `activity_cap`: how
        far back, and how many of the newest activities, each contact carries; `clock` is
        "now" for that window. `pacer`: keeps calls inside HubSpot's rate windows
        (pacing.py; default: real time). `max_api_share`: stop once the portal's daily
        allowance (as the X-HubSpot-RateLimit-Daily headers report it) is used past this
        share, leaving the rest to its other integrations. `oauth`: get access tokens by
        OAuth refresh instead of using `access_token` (a private app token).
        `enrich_batch`: changed records gathered across search pages before their
        associations and activities are read (v4 association reads take 1,000 ids a call),
        and handed on as one page.
        `fields`: which company properties hold the firmographics (leadpact/field_map.py).
        `native`: the stages mapped onto contact lifecyclestage / hs_lead_status, whose
        values check() looks for among the properties' options."""
        self._native = native
        # No company property mapped, no company read (an org may map none of them).
        self._reads_firmographics = bool(fields.hubspot_company)
        self.host = require_tls(host, "[hubspot] host").rstrip("/")
        self._login: Login = (OAuthRefresh(oauth, retry) if oauth is not None
                              else StaticToken(access_token or ""))
        self._apis = HubSpotApis(self.host, access_token or "", dict(client_options or {}))
        self._private_app_token = access_token if oauth is None else None  # for its scopes
        self.pacer = pacer or Pacer()
        self.max_api_share = max_api_share
        self._call = Caller(self.host, retry, self._login, self._apis.use_token, self.pacer,
                            self._apis.new_answer_headers, max_api_share)
        self._lookback = lookback
        self._page_size = max(1, min(page_size, SEARCH_LIMIT))
        self._enrich_batch = max(1, enrich_batch)
        self._timeout = timeout
        self._writer = Writer(self._apis, self._call, timeout)
        self._reader = Reader(self._apis, self._call, timeout)
        self._activity_days = max(0, activity_days)
        self._activity_cap = max(0, activity_cap)
        self._clock = clock
        self._fields = fields
        self.observer: ReadObserver = NO_OBSERVER  # told of each change read's totals
        self.echoes: echo.EchoFilter = echo.NO_ECHOES  # tells our own writes read back
        self._properties: dict[str, list[Any]] = {}  # property definitions check() read
        self._own: dict[str, list[OwnRange]] = {}  # stream -> own writes checked this run
        self._read_to_end: dict[str, StreamCursor] | None = None
        self._put_back: set[Ref] = set()  # records whose write landed on a person's edit
        # The records just handed on, as read: (print of their properties, leadpact's
        # values), to tell after their write whether they hold anything else.
        self._as_read: dict[Ref, tuple[str, dict[str, str | None]]] = {}

    @property
    def api_calls(self) -> int:
        return self._call.attempts

    @property
    def call_budget(self) -> CallBudget:
        """The quota plan's cap on a change read's requests (connectors/call_budget.py)."""
        return self._call.budget

    @property
    def call_costs(self) -> CallCosts:
        """For the quota estimate (leadpact/quota.py): a search or list per stream, the
        allowance read and the changed-companies read (leadpact/account_moves.py); per
        page of changed records (a search page), the search and the association and
        engagement reads that enrich it; per 100 records written, the re-read before
        writing and the batch update."""
        return CallCosts(fixed=len(ENGAGEMENT_STREAMS) + 6, page=self._page_size,
                         calls_per_page=CALLS_PER_PAGE, batch=READ_BATCH,
                         calls_per_batch=CALLS_PER_BATCH)

    def daily_allowance(self) -> Allowance | None:
        """The portal's day as the rate-limit headers of one light call report it."""
        self._call("reading the rate limits", partial(
            self._apis.objects.get_page, CONTACTS.object_type, limit=1, properties=[],
            _request_timeout=self._timeout))
        daily = self.pacer.daily
        return Allowance(daily.limit, daily.remaining) if daily is not None else None

    # -- reading ---------------------------------------------------------------------------
    def read_changes(self, cursor: str | None) -> Iterator[Page]:
        streams = cursors.load(cursor)
        self._read_to_end = None
        self._put_back = set()
        # Own writes checked (own_writes.py): an earlier run's stay while a read can still
        # reach them (inside the lookback), this run's are added as they are checked.
        self._own = {name: [r for r in state.own if state.since is None
                            or r[0] >= to_ms(state.since - self._lookback)]
                     for name, state in streams.items() if state.own}
        # Engagement streams start where the record streams are (or now, on a first read):
        # contacts read from here on carry their activities, so history is not replayed.
        known = [state.since for state in streams.values() if state.since is not None]
        start = min(known) if known else self._clock()
        for stream in ENGAGEMENT_STREAMS:
            streams.setdefault(stream.name, StreamCursor(start))
        for stream in (CONTACTS, DEALS, *ENGAGEMENT_STREAMS):
            yield from self._read_stream(stream, streams)
        for stream in (CONTACTS, DEALS):
            yield from self._read_archived(stream, streams)
        self._read_to_end = streams  # the end-of-run writes are checked after this

    def cursor_after_run(self) -> str | None:
        """The cursor once the run's last writes were checked: the read's, with the own
        writes of the end-of-run passes added (own_writes.py); None unless the read went
        to the end in this run."""
        return self._dump(self._read_to_end) if self._read_to_end is not None else None

    def _search(self, stream: Stream, body: dict[str, Any]) -> Any:
        return self._call(f"a search of {stream.object_type}", lambda: self._apis.search.do_search(
            stream.object_type, body, _request_timeout=self._timeout), search=True)

    def _modified(self, stream: Stream, obj: Any) -> datetime:
        stamp = parse_time((obj.properties or {}).get(stream.modified_property))
        return stamp or obj.updated_at.astimezone(UTC)

    def _read_stream(self, stream: Stream, streams: dict[str, StreamCursor]) -> Iterator[Page]:
        state = streams.get(stream.name, StreamCursor())
        start = state.query_from(self._lookback)
        since = to_ms(start) if start else None
        high_water = self._search(stream, high_water_body(stream, since, self._page_size))
        read_at = self._server_time()  # HubSpot's time as the upper bound was taken
        # The search's total counts every match, past the 10,000 it lets one query page to.
        log.debug("search of %s: %s changed in all", stream.name, high_water.total)
        self.observer.stream_started(self.system, stream.name, high_water.total)
        newest = list(high_water.results or [])
        if newest and (high_water.total or 0) <= len(newest):
            # Every change came back, newest first: that answer is the read (one call).
            yield from self._read_window(stream, streams, state, [], newest[::-1])
        elif newest:
            until = to_ms(self._modified(stream, newest[0]))
            pieces = own_writes.segments(since, until, state.own)
            if own_writes.searches(pieces) >= -(-(high_water.total or 0) // self._page_size):
                pieces = [own_writes.Segment(since, until)]  # reading all costs no more
            yield from self._read_window(stream, streams, state, pieces)
        state = streams.get(stream.name, state)
        done = state.read_through(read_at)
        if done != state:  # read to the end: the next read starts from the read time
            streams[stream.name] = done
            yield Page((), cursors.dump(streams))

    def _server_time(self) -> datetime | None:
        """HubSpot's clock, from the Date header of the last search answer."""
        response = self._apis.search.api_client.last_response
        return cursors.server_time(response.getheader("Date") if response is not None
                                   else None)

    def _dump(self, streams: Mapping[str, StreamCursor]) -> str:
        """The run's last cursor, each stream carrying the own writes checked. Page cursors
        carry none: they are rewritten at every page, and a run cut short only reads its
        own writes back, as before."""
        return cursors.dump({name: state.with_own(tuple(self._own.get(name, ())))
                             for name, state in streams.items()})

    def _search_pages(self, stream: Stream, pieces: Sequence[own_writes.Segment],
                      answered: Sequence[Any] = (),
                      ) -> Iterator[tuple[list[Any], int | None]]:
        """The search answers over `pieces` in order, each with the lower bound of what is
        asked next (None: the read is done). Pieces that leave own writes out go several
        to a search (own_writes.pack); when such a page comes back full, the rest of them
        is walked one by one from its last stamp."""
        if answered:  # the whole read came with the high-water search
            yield list(answered), None
        queue = list(pieces)
        alone = 0  # pieces left of a full packed page: walked one by one (they can tie)
        while queue:
            packed = own_writes.pack(queue) if queue[0].left_out and not alone else queue[:1]
            if len(packed) > 1:
                body = own_writes.union_body(stream, packed, self._page_size)
                results = list(self._search(stream, body).results or [])
                del queue[:len(packed)]
                if len(results) >= min(self._page_size, SEARCH_LIMIT):
                    last = max(to_ms(self._modified(stream, obj)) for obj in results)
                    rest = own_writes.after_full_page(packed, last)
                    queue[:0] = rest
                    alone = len(rest)
                    yield results, last
                else:
                    yield results, queue[0].since if queue else None
                continue
            piece = queue.pop(0)
            alone = max(0, alone - 1)
            window: Window | None = Window(piece.since, piece.until)
            while window is not None:
                body = window_body(stream, window, self._page_size, piece.left_out)
                results = list(self._search(stream, body).results or [])
                window = next_window(window, [Hit(int(obj.id), to_ms(self._modified(
                    stream, obj))) for obj in results], self._page_size)
                yield results, (window.since if window is not None
                                else queue[0].since if queue else None)

    def _read_window(self, stream: Stream, streams: dict[str, StreamCursor],
                     state: StreamCursor, pieces: Sequence[own_writes.Segment],
                     answered: Sequence[Any] = ()) -> Iterator[Page]:
        # Windows overlap only at their boundary millisecond: ids seen there are counted
        # once (only those are kept, not every id of the read).
        counted: set[str] = set()
        fresh: dict[str, Fetched] = {}  # gathered across search pages, by id
        echoed = False  # rows skipped as echoes since the last page handed on
        waiting = 0  # rows read but not yet handed on, for the progress bar
        for results, edge in self._search_pages(stream, pieces, answered):
            ids = {str(obj.id) for obj in results} - counted
            waiting += len(ids)
            hits, handled = [], []
            for obj in results:
                modified = self._modified(stream, obj)
                hits.append(Hit(int(obj.id), to_ms(modified)))
                handled.append((str(obj.id), modified))
                if state.is_new(str(obj.id), modified):
                    fresh[str(obj.id)] = (str(obj.id), obj.properties or {}, modified)
            for id_ in self._echoes(stream, list(fresh.values())):
                del fresh[id_]  # only our own writes came back
                echoed = True
            state = state.advance(handled)
            streams[stream.name] = state
            counted = {str(hit.id) for hit in hits if edge is not None and hit.modified >= edge}
            if len(fresh) >= self._enrich_batch or (edge is None and fresh):
                yield Page(tuple(self._records(stream, list(fresh.values()))),
                           cursors.dump(streams))
                fresh.clear()
                echoed = False
            elif edge is None and echoed:
                yield Page((), cursors.dump(streams))  # moves the cursor past the echoes
            if not fresh:
                # Counted once the rows are handled: the bar's ETA is the run's, not the read's.
                self.observer.items_done(self.system, stream.name, waiting)
                waiting = 0

    def _echoes(self, stream: Stream, fetched: Sequence[Fetched]) -> set[str]:
        """Ids of the fetched rows that hold only leadpact's own writes (connectors/echo.py).
        Checked from the search page alone, before any association or activity read."""
        kind = _KIND_OF_STREAM.get(stream.name)
        if kind is None or not fetched:
            return set()
        seen = [(Ref(HUBSPOT, kind, id_), _fingerprint(stream, props), echo.own_values(
                    mapping.to_person(id_, props, modified_at=modified) if kind == CONTACT
                    else mapping.to_deal(id_, props, modified_at=modified)))
                for id_, props, modified in fetched]
        return {ref.id for ref in self.echoes.unchanged(seen)}

    def _read_archived(self, stream: Stream, streams: dict[str, StreamCursor]) -> Iterator[Page]:
        name = f"{stream.name}:archived"
        state = streams.get(name, StreamCursor())
        start = state.query_from(self._lookback)
        found: list[Fetched] = []
        after: str | None = None
        self.observer.stream_started(self.system, name, None)  # the list API gives no total
        while True:  # the list is ordered by id, not by archive time: read it all
            page = self._call(f"listing archived {stream.object_type}", partial(
                self._apis.objects.get_page, stream.object_type, limit=LIST_LIMIT,
                after=after, properties=list(stream.properties), archived=True,
                _request_timeout=self._timeout))
            self.observer.items_done(self.system, name, len(page.results or []))
            for obj in page.results or []:
                when = (obj.archived_at or obj.updated_at).astimezone(UTC)
                if (start is None or when >= start) and state.is_new(str(obj.id), when):
                    found.append((str(obj.id), obj.properties or {}, when))
            after = page.paging.next.after if page.paging and page.paging.next else None
            if not after:
                break
        found.sort(key=lambda item: (item[2], int(item[0]) if item[0].isdigit() else 0))
        for chunk in chunked(found, self._page_size):
            survivors = self._survivors([id_ for id_, _, _ in chunk]) if stream is CONTACTS else {}
            records: list[Record] = [
                mapping.to_person(id_, props, modified_at=when, deleted=True,
                                  merged_into=survivors.get(id_))
                if stream is CONTACTS else
                mapping.to_deal(id_, props, modified_at=when, deleted=True)
                for id_, props, when in chunk
            ]
            state = state.advance([(id_, when) for id_, _, when in chunk])
            streams[name] = state
            yield Page(tuple(records), cursors.dump(streams))

    def _survivors(self, ids: Sequence[str]) -> dict[str, str]:
        """{merged-away contact id: surviving contact id} for those of `ids` that were merged."""
        wanted, survivors = set(ids), {}
        for chunk in chunked(list(ids), READ_BATCH):
            for obj in self._reader.batch_read("contacts", chunk, ["hs_merged_object_ids"]):
                for merged in mapping.merged_ids(obj.properties or {}):
                    if merged in wanted and merged != str(obj.id):
                        survivors[merged] = str(obj.id)
        return survivors

    def _records(self, stream: Stream, fetched: Sequence[Fetched]) -> list[Record]:
        records = self._enriched(stream, fetched)
        if stream not in (CONTACTS, DEALS):
            return records
        kind = _KIND_OF_STREAM[stream.name]
        self._as_read = {Ref(HUBSPOT, kind, id_): (_own_print(stream, props),
                                                   _own_values(kind, id_, props))
                         for id_, props, _ in fetched}
        return echo.with_fingerprints(records, {id_: _fingerprint(stream, props)
                                                for id_, props, _ in fetched})

    def _enriched(self, stream: Stream, fetched: Sequence[Fetched]) -> list[Record]:
        ids = [id_ for id_, _, _ in fetched]
        if stream in ENGAGEMENT_STREAMS:
            return self._touched(stream, ids)
        if stream is CONTACTS:
            companies = self._reader.associated("contacts", "companies", ids)
            touches = self._reader.contact_activities(
                {id_: props for id_, props, _ in fetched}, self._clock(), self._activity_days,
                self._activity_cap)
            primary = {id_: mapping.primary_company(companies.get(id_, []),
                                                    mapping.CONTACT_TO_PRIMARY_COMPANY)
                       for id_ in ids}
            # The fit reads the company's firmographics: each company of the page once,
            # 100 a call (a contact holds none of its own in the mapped properties).
            accounts = {a.ref.id: a for a in self.read_accounts(
                [c for c in primary.values() if c])} if self._reads_firmographics else {}
            return [mapping.to_person(
                id_, props, modified_at=modified, account_id=primary[id_],
                activities=touches.get(id_, ()),
                firmographics=accounts[company].fields
                if (company := primary[id_]) in accounts else None)
                for id_, props, modified in fetched]
        contacts = self._reader.associated("deals", "contacts", ids)
        companies = self._reader.associated("deals", "companies", ids)
        history = self._reader.histories("deals", ids, mapping.DEAL_HISTORY_PROPERTIES)
        return [mapping.to_deal(
            id_, props, modified_at=modified,
            contacts=mapping.contact_roles(contacts.get(id_, [])),
            account_id=mapping.primary_company(companies.get(id_, []),
                                               mapping.DEAL_TO_PRIMARY_COMPANY),
            history=history.get(id_, {}))
            for id_, props, modified in fetched]

    def _touched(self, stream: Stream, ids: Sequence[str]) -> list[Record]:
        """The contacts of changed engagements, as they are now. Deals are not re-read:
        nothing leadpact reads from a deal comes from its engagements (HubSpot's own
        notes_* properties move the deal's hs_lastmodifieddate when they change)."""
        linked = self._reader.associated(stream.object_type, "contacts", ids)
        people = dict.fromkeys(to for id_ in ids for to, _ in linked.get(id_, []))
        return self.read_records([Ref(HUBSPOT, CONTACT, id_) for id_ in people])

    def current_values(self, refs: Sequence[Ref]) -> dict[Ref, dict[str, str | None]]:
        """leadpact's properties (and `hs_buying_role`) on these records as they are now,
        by canonical name: one light batch read per 100 records; records gone are left
        out."""
        found: dict[Ref, dict[str, str | None]] = {}
        for kind, stream in _STREAMS.items():
            ids = list(dict.fromkeys(r.id for r in refs if r.system == HUBSPOT and r.kind == kind))
            specs = fields.fields_for(fields.PERSON if kind == CONTACT else fields.DEAL)
            names = [spec.hubspot for spec in specs] + (
                ["hs_buying_role", *mapping.NATIVE_CONTACT] if kind == CONTACT else [])
            for chunk in chunked(ids, READ_BATCH):
                for obj in self._reader.batch_read(stream.object_type, chunk, names):
                    props = obj.properties or {}
                    values: dict[str, str | None] = {
                        spec.name: fields.to_canonical(spec, props.get(spec.hubspot))
                        for spec in specs}
                    if kind == CONTACT:
                        values["hs_buying_role"] = props.get("hs_buying_role") or None
                        values.update({name: props.get(name) or None
                                       for name in mapping.NATIVE_CONTACT})
                    found[Ref(HUBSPOT, kind, str(obj.id))] = values
        companies = list(dict.fromkeys(r.id for r in refs
                                       if r.system == HUBSPOT and r.kind == ACCOUNT))
        for chunk in chunked(companies, READ_BATCH):
            for obj in self._reader.batch_read("companies", chunk, [
                    spec.hubspot for spec in mapping.ACCOUNT_FIELDS]):
                props = obj.properties or {}
                found[Ref(HUBSPOT, ACCOUNT, str(obj.id))] = {
                    spec.name: fields.to_canonical(spec, props.get(spec.hubspot))
                    for spec in mapping.ACCOUNT_FIELDS}
        return found

    def read_records(self, refs: Sequence[Ref]) -> list[Record]:
        found: dict[Ref, Record] = {}
        for kind, stream in _STREAMS.items():
            ids = list(dict.fromkeys(r.id for r in refs if r.system == HUBSPOT and r.kind == kind))
            wanted = set(ids)
            live: list[Fetched] = []
            for chunk in chunked(ids, READ_BATCH):
                for obj in self._reader.batch_read(stream.object_type, chunk, stream.properties):
                    props, modified = obj.properties or {}, self._modified(stream, obj)
                    if str(obj.id) in wanted:
                        live.append((str(obj.id), props, modified))
                    for merged in mapping.merged_ids(props):
                        if merged in wanted and merged != str(obj.id) and kind == CONTACT:
                            found[Ref(HUBSPOT, kind, merged)] = mapping.to_person(
                                merged, {}, modified_at=modified, deleted=True,
                                merged_into=str(obj.id))
            # Enriched together, not per batch read: association reads take 1,000 ids.
            for group in chunked(live, self._enrich_batch):
                for record in self._records(stream, group):
                    found[record.ref] = record
        return [found[ref] for ref in dict.fromkeys(refs) if ref in found]

    def read_accounts(self, ids: Sequence[str]) -> list[Account]:
        """The given companies as they are now, mapped firmographics under canonical names
        (one batch read per 100; archived or unknown ones are left out)."""
        wanted = list(dict.fromkeys(i for i in ids if i))
        names = list(dict.fromkeys((*mapping.COMPANY_PROPERTIES,
                                    *self._fields.hubspot_company.values())))
        found: dict[str, Account] = {}
        for chunk in chunked(wanted, READ_BATCH):
            for obj in self._reader.batch_read("companies", chunk, names):
                props = obj.properties or {}
                found[str(obj.id)] = mapping.to_account(
                    str(obj.id), props, company_fields=self._fields.hubspot_company,
                    modified_at=parse_time(props.get("hs_lastmodifieddate"))
                    or obj.updated_at.astimezone(UTC))
        return [found[i] for i in wanted if i in found]

    def read_changed_accounts(self, since: datetime | None
                              ) -> tuple[list[Account], datetime | None]:
        """Companies modified since `since` less the lookback (connectors/base.py): one
        search when none was (the high-water mark), then keyset pages of 200 (search.py)."""
        stream = Stream("companies", "companies", "hs_lastmodifieddate", tuple(dict.fromkeys(
            (*mapping.COMPANY_PROPERTIES, *self._fields.hubspot_company.values()))))
        start = to_ms((since or self._clock()) - self._lookback)
        newest = self._search(stream, high_water_body(stream, start)).results or []
        read_at = self._server_time()
        window = Window(start, to_ms(self._modified(stream, newest[0]))) if newest else None
        found: dict[str, Account] = {}
        while window is not None:
            page = self._search(stream, window_body(stream, window, SEARCH_LIMIT))
            hits = []
            for obj in page.results or []:
                modified = self._modified(stream, obj)
                hits.append(Hit(int(obj.id), to_ms(modified)))
                found[str(obj.id)] = mapping.to_account(
                    str(obj.id), obj.properties or {}, modified_at=modified,
                    company_fields=self._fields.hubspot_company)
            window = next_window(window, hits, SEARCH_LIMIT)
        return list(found.values()), read_at

    # -- writing ---------------------------------------------------------------------------
    def apply(self, changes: Sequence[Change]) -> list[ChangeResult]:
        return self._writer.apply(changes)

    # -- who else writes, and owner names (property_history.py) ----------------------------
    def who_changed(self, record: Ref, field: str, ours: str | None) -> str | None:
        """Who last set `field` of `record` to a value other than `ours` (leadpact's), from
        the property history; None when HubSpot does not say."""
        return property_history.who_changed(self._apis, self._call, self._timeout, record,
                                            field, ours)

    def owner_names(self, ids: Sequence[str]) -> dict[str, str]:
        """{owner id: name}, from the owners API (500 per call)."""
        return property_history.owner_names(self._apis, self._call, self._timeout, ids)

    def overwritten(self, writes: Sequence[Change],
                    whole_history: bool = False) -> list[Overwritten]:
        """leadpact's property writes that landed on a person's edit made after the re-read
        before them (current_values), from the property history (property_history.py),
        which is always read whole (`whole_history` is there for the protocol's sake)."""
        from leadpact.connectors.roles import as_field_write  # gathers this package's roles

        written = [w for c in writes if (w := as_field_write(c)) is not None]
        if not written:
            return []
        current: dict[Ref, dict[str, Any]] = {}
        found = property_history.overwritten(
            self._apis, self._call, self._timeout, written,
            {s.object_type: s.properties for s in _STREAMS.values()},
            current)
        # A record with a person's edit put back holds more than leadpact's write: the
        # next read judges it again, as it did before own writes were left out.
        self._put_back |= {edit.change.ref for edit in found}
        self._note_own_writes(written, current, self._put_back)
        return found

    def _note_own_writes(self, written: Sequence[FieldWrite], current: Mapping[Ref, Any],
                         overwritten: set[Ref]) -> None:
        """Record the written records that hold nothing but leadpact's write, checked
        against the history check's read of them (own_writes.py)."""
        ours: dict[Ref, dict[str, str | None]] = {}
        for write in written:
            ours.setdefault(write.ref, {})[write.field] = write.value
        for kind, stream in _STREAMS.items():
            checked = []
            for ref, obj in current.items():
                as_read = self._as_read.get(ref)
                if ref.kind != kind or ref in overwritten or as_read is None:
                    continue
                props = obj.get("properties") or {}
                stamp = parse_time(props.get(stream.modified_property))
                written_at = self._writer.written_at.get((stream.object_type, ref.id))
                if stamp is not None and own_writes.holds_only_ours(
                        written_at, parse_time(obj.get("updatedAt")), as_read[0],
                        _own_print(stream, props), {**as_read[1], **ours.get(ref, {})},
                        _own_values(kind, ref.id, props)):
                    checked.append((ref.id, to_ms(stamp)))
            ranges = self._own.setdefault(stream.name, [])
            room = own_writes.MAX_KEPT - sum(len(ids) for _, ids in ranges)
            if checked and room > 0:  # any subset will do: the rest is read back
                ranges.extend(own_writes.ranges(checked[:room]))

    # -- setup -----------------------------------------------------------------------------
    def _property_names(self, object_type: str) -> set[str]:
        return set(self._unique_flags(object_type))

    def _unique_flags(self, object_type: str) -> dict[str, bool]:
        """{property name: whether it has unique values} of one object type."""
        response = self._call(f"reading the {object_type} property list", lambda: (
            self._apis.properties.get_all(object_type, archived=False,
                                          _request_timeout=self._timeout)))
        self._properties[object_type] = list(response.results or [])
        return {str(p.name): bool(p.has_unique_value) for p in response.results or []}

    def field_limits(self) -> dict[tuple[str, str], FieldLimit]:
        """What the properties leadpact writes accept (limits.py), from the property lists
        the preflight's check read; read now only when it did not run."""
        for object_type in limits.KINDS:
            if object_type not in self._properties:
                self._unique_flags(object_type)
        return limits.field_limits(self._properties)

    def check(self) -> list[CheckProblem]:
        """Reachability, the token, and every leadpact_* property on contacts/deals/tasks."""
        problems = []
        for object_type, bodies in mapping.leadpact_properties().items():
            try:
                existing = self._unique_flags(object_type)
            except AuthError as exc:
                if isinstance(self._login, OAuthRefresh) and "OAuth" in str(exc):
                    return [CheckProblem(str(exc), "fix the OAuth settings it names")]
                return [CheckProblem(AUTH_PROBLEM, AUTH_FIX)]
            except UnreachableError as exc:
                return [CheckProblem(str(exc), f"check that {self.host} is HubSpot's API host "
                                               "and reachable from here", transient=True)]
            except TransientError as exc:
                return [CheckProblem(str(exc), "run again later", transient=True)]
            except ConnectorError as exc:
                problems.append(CheckProblem(str(exc), "check the private app's scopes "
                                                       "(crm.schemas.*.read)"))
                continue
            missing = [b["name"] for b in bodies if b["name"] not in existing]
            if missing:
                problems.append(CheckProblem(
                    f"HubSpot {object_type} lack leadpact's properties: {', '.join(missing)}",
                    "run `leadpact setup` to create them"))
            shared = [b["name"] for b in bodies
                      if b.get("hasUniqueValue") and existing.get(b["name"]) is False]
            if shared:  # made before the key was unique; HubSpot cannot change that
                problems.append(CheckProblem(
                    f"HubSpot {object_type} property {', '.join(shared)} does not require "
                    "unique values, so HubSpot cannot refuse a task made twice (leadpact "
                    "falls back to a key search, which lags)",
                    "HubSpot cannot make an existing property unique: archive it in "
                    "Settings > Properties and run `leadpact setup` to recreate it (tasks "
                    "made before keep working; their keys are gone)"))
        lacking = limits.missing_options(limits.field_limits(self._properties))
        return problems + ([lacking] if lacking else []) + self._native_problems() \
            + self._scope_problems()

    def _native_problems(self) -> list[CheckProblem]:
        """[native] values that are not options of their contact property."""
        if not self._native.of_system(HUBSPOT) or "contacts" not in self._properties:
            return []
        options = {str(p.name): [str(o.value) for o in p.options or []]
                   for p in self._properties["contacts"]}
        return [CheckProblem(line, "edit [native] in leadpact.toml") for line in
                option_problems(self._native, HUBSPOT, options)]

    def _scope_problems(self) -> list[CheckProblem]:
        """The private app's missing write scopes (one call; nothing when HubSpot does not
        tell, e.g. for OAuth tokens)."""
        if not self._private_app_token:
            return []
        granted = scopes.token_scopes(self.host, self._private_app_token, self._timeout)
        missing = scopes.missing_scopes(granted) if granted is not None else []
        if not missing:
            return []
        return [CheckProblem(f"the HubSpot private app lacks the scopes {', '.join(missing)}",
                             "add them in HubSpot (Settings > Integrations > Private Apps > "
                             "Scopes), then set LEADPACT_HUBSPOT_TOKEN to the app's new token")]

    def create_missing_properties(self, dry_run: bool = False,
                                  wanted: Mapping[str, list[dict[str, Any]]] | None = None,
                                  observer: SetupObserver = NO_SETUP_OBSERVER) -> list[str]:
        """Create the `leadpact` property group and every missing leadpact_* property
        (`wanted`: PropertyCreate bodies per object type; default: those a sync writes);
        returns what was created (on a dry run: would be) as "type.property"."""
        return self._setup().create_missing_properties(dry_run, wanted, observer)

    def setup(self, permission_set: str = "", dry_run: bool = False,
              observer: SetupObserver = NO_SETUP_OBSERVER) -> SetupResult:
        """`leadpact setup` for HubSpot (connectors/hubspot/setup.py): the group and
        properties (permission sets are a Salesforce notion; a private app's scopes are
        set in HubSpot)."""
        return self._setup().run(dry_run, observer)

    def _setup(self) -> HubSpotSetup:
        return HubSpotSetup(self._call, self._apis, self._timeout, self.host,
                            self._private_app_token, self._property_names)
