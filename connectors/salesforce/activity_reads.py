"""Reading activities for a page of records: a person's recent touches and a deal's next
scheduled step. A few chunked queries per page (Task, Event and responded CampaignMember,
450 ids each), never one per record; on a first read, the window's rows of every person
and the open tasks and upcoming events of every deal read once per run instead
(`read_window`, `read_deal_window`, child_rows.py). The mapping is activities.py's and
marketing.py's."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from leadpact.connectors.salesforce import activities, mapping, marketing, queries
from leadpact.connectors.salesforce.child_rows import ChildRows
from leadpact.connectors.salesforce.queries import chunks
from leadpact.model import Activity

Row = dict[str, Any]
UPCOMING_DAYS = 120  # meetings booked this far ahead are read with a person's activities
WINDOW_PEOPLE = 250  # people whose kept window rows are turned into activities together
Query = Callable[[str, bool, str], list[Row]]  # (soql, include_deleted, what) -> rows
# (soql, include_deleted, what, sObject for a Bulk API 2.0 read or None) -> pages of rows
Pages = Callable[[str, bool, str, str | None], Iterator[list[Row]]]


class ActivityReader:
    def __init__(self, query: Query, days: int, cap: int):
        self._query = query
        self.days = max(0, days)
        self.cap = max(0, cap)
        self._window: ChildRows | None = None
        self._deals: ChildRows | None = None  # the deals' open tasks and upcoming events
        # Salesforce times before which every activity change is in the window read.
        self.window_read_at: datetime | None = None
        self.deal_window_read_at: datetime | None = None

    def read_window(self, pages: Pages, now: datetime, read_at: datetime) -> None:
        """Read every person's activity rows in the window, once per run, for the pages
        of people that follow (a first or full read). `read_at`: a Salesforce time from
        before the first of these queries was sent."""
        if self._window is not None or self.cap == 0:
            return
        window = ChildRows()
        start = now - timedelta(days=self.days)
        until = now + timedelta(days=UPCOMING_DAYS)
        try:
            for page in pages(queries.window_tasks_query(start.date()), False,
                              "reading the people's tasks", "Task"):
                window.add("task", ((str(row.get("WhoId") or ""), row) for row in page))
            for page in pages(queries.window_events_query(start, until), True,
                              "reading the people's events", "Event"):
                window.add("event", ((str(row.get("WhoId") or ""), row) for row in page))
            for page in pages(queries.window_responses_query(start.date()), False,
                              "reading the people's campaign responses", None):
                window.add("response", ((marketing.member_of(row), row) for row in page))
        except BaseException:
            window.close()
            raise
        self._window, self.window_read_at = window, read_at

    def read_deal_window(self, pages: Pages, now: datetime, read_at: datetime) -> None:
        """Read every open Task and upcoming Event on a record, once per run, for the
        pages of deals that follow (a first or full read): their next steps. `read_at`
        as for read_window."""
        if self._deals is not None:
            return
        window = ChildRows()
        try:
            for page in pages(queries.window_open_tasks_query(now.date()), False,
                              "reading the open tasks on deals", "Task"):
                window.add("open_task", ((str(row.get("WhatId") or ""), row) for row in page))
            for page in pages(queries.window_upcoming_events_query(now), False,
                              "reading the upcoming events on deals", "Event"):
                window.add("upcoming_event",
                           ((str(row.get("WhatId") or ""), row) for row in page))
        except BaseException:
            window.close()
            raise
        self._deals, self.deal_window_read_at = window, read_at

    def drop_window(self) -> None:
        """Forget the windows' rows (the end of a read)."""
        for window in (self._window, self._deals):
            if window is not None:
                window.close()
        self._window = self.window_read_at = None
        self._deals = self.deal_window_read_at = None

    def _rows(self, build: Callable[[list[str]], str], ids: Sequence[str], what: str
              ) -> list[Row]:
        rows: list[Row] = []
        for chunk in chunks(ids, queries.IN_LIST_LIMIT):
            rows += self._query(build(chunk), False, what)
        return rows

    def _rows_all(self, build: Callable[[list[str]], str], ids: Sequence[str], what: str
                  ) -> list[Row]:
        """Like _rows, deleted rows included (queryAll)."""
        rows: list[Row] = []
        for chunk in chunks(ids, queries.IN_LIST_LIMIT):
            rows += self._query(build(chunk), True, what)
        return rows

    def for_people(self, rows: Sequence[Row], now: datetime
                   ) -> dict[str, tuple[Activity, ...]]:
        """{Lead/Contact id: recent activities, newest last} for live, unconverted rows."""
        people = [row for row in rows if mapping.is_person_with_activities(row)]
        if not people or self.cap == 0:
            return {}
        ids = [str(row["Id"]) for row in people]
        emails = {str(row["Id"]): row.get("Email") or None for row in people}
        if self._window is not None:  # a few hundred people's rows at a time: each
            found: dict[str, tuple[Activity, ...]] = {}  # person's rows stay together
            for chunk in chunks(ids, WINDOW_PEOPLE):
                found.update(activities.person_activities(
                    self._window.of("task", chunk), self._window.of("event", chunk), emails,
                    now, self.days, self.cap, self._window.of("response", chunk)))
            return found
        start = now - timedelta(days=self.days)
        tasks = self._rows(lambda chunk: queries.person_tasks_query(chunk, start.date()),
                           ids, "reading the people's tasks")
        until = now + timedelta(days=UPCOMING_DAYS)
        events = self._rows_all(lambda chunk: queries.person_events_query(chunk, start, until),
                                ids, "reading the people's events")
        responses: list[Row] = []
        for id_field, prefix in (("LeadId", queries.SOBJECT_PREFIXES["Lead"]),
                                 ("ContactId", queries.SOBJECT_PREFIXES["Contact"])):
            mine = [i for i in ids if i.startswith(prefix)]
            responses += self._rows(
                partial(queries.campaign_responses_query, id_field, since=start.date()),
                mine, "reading the people's campaign responses")
        return activities.person_activities(tasks, events, emails, now, self.days, self.cap,
                                            responses)

    def next_steps(self, rows: Sequence[Row], now: datetime) -> dict[str, datetime | None]:
        """{Opportunity id: next activity (or the past "nothing scheduled" time)} for open,
        live opportunities; closed ones are left out (unknown, and never stale)."""
        open_rows = [row for row in rows if not row.get("IsClosed") and not row.get("IsDeleted")]
        if not open_rows:
            return {}
        ids = [str(row["Id"]) for row in open_rows]
        if self._deals is not None:  # a whole read: every deal's rows were read at once
            tasks = self._deals.of("open_task", ids)
            events = self._deals.of("upcoming_event", ids)
        else:
            tasks = self._rows(lambda chunk: queries.open_tasks_query(chunk, now.date()),
                               ids, "reading the opportunities' open tasks")
            events = self._rows(lambda chunk: queries.upcoming_events_query(chunk, now),
                                ids, "reading the opportunities' upcoming events")
        upcoming = activities.upcoming_times(tasks, events)
        return {
            str(row["Id"]): activities.next_activity_at(
                upcoming.get(str(row["Id"]), ()), now, mapping.last_activity_at(row),
                mapping.parse_datetime(row.get("CreatedDate")))
            for row in open_rows
        }
