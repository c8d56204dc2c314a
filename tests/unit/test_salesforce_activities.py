"""Salesforce Tasks and Events as Activities: kinds, the direction heuristic, the window and
cap, the next scheduled step, and the SOQL that reads them. Pure tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from leadpact.connectors.salesforce import activities, queries
from leadpact.connectors.salesforce.activity_reads import WINDOW_PEOPLE, ActivityReader
from leadpact.model import Activity, Ref

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BUYER = "lee@acme.example"
DEAL = Ref("salesforce", "deal", "006000000000001AAA")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- kinds ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("subtype", "type_", "kind"), [
    ("Email", "Email", "email"),
    ("ListEmail", None, "email"),
    ("Call", None, "call"),
    ("Call", "Email", "call"),  # the subtype wins
    ("Task", "Call", "call"),
    ("Task", "Meeting", "meeting"),
    (None, "Inbound Email", "email"),
    (None, "Outbound Call", "call"),
    ("Task", "Other", None),  # a to-do for the rep, not a touch
    ("Task", None, None),
    (None, None, None),
])
def test_given_subtype_and_type_when_classifying_a_task_then_its_kind(
        subtype: str | None, type_: str | None, kind: str | None) -> None:
    assert activities.task_kind(subtype, type_) == kind


# -- direction ------------------------------------------------------------------------------
def email(subject: str = "Email: Pricing", description: str | None = None,
          **fields: Any) -> dict[str, Any]:
    return {"TaskSubtype": "Email", "Type": "Email", "Subject": subject,
            "Description": description, **fields}


@pytest.mark.parametrize(("row", "kind", "inbound"), [
    # 1. the logged header decides an email
    (email("Email: Re: Pricing", f"From: {BUYER}\nTo: rep@brightwave.io\n\nok"), "email", True),
    (email("Email: Re: Pricing", f"From: Rep <rep@brightwave.io>\nTo: {BUYER}\n\nx"), "email",
     False),
    (email("Email: Pricing", f"FROM: Lee Ng <{BUYER.upper()}>\n\nx"), "email", True),
    (email("Email: Pricing", f"To: {BUYER}\nCC:\nSubject: Pricing\n\nBody"), "email", False),
    # 2. CallType
    ({"TaskSubtype": "Call", "CallType": "Inbound", "Subject": "Call"}, "call", True),
    ({"TaskSubtype": "Call", "CallType": "Outbound", "Subject": "Call"}, "call", False),
    ({"TaskSubtype": "Call", "CallType": "Internal", "Subject": "RE: x"}, "call", False),
    # 3. an org's Type values that name a direction
    ({"TaskSubtype": "Task", "Type": "Email Received", "Subject": "Pricing"}, "email", True),
    ({"TaskSubtype": "Task", "Type": "Call - Incoming", "Subject": "x"}, "call", True),
    ({"TaskSubtype": "Task", "Type": "Outbound Email", "Subject": "RE: Pricing"}, "email",
     False),
    ({"TaskSubtype": "Task", "Type": "Presentation meeting", "Subject": "RE: x"}, "meeting",
     False),  # "sent" inside a word names no direction
    # 4. reply prefixes, when nothing better is known
    (email("Email: RE: Pricing"), "email", True),
    (email("AW: Preisangebot"), "email", True),
    (email("Réf : Bon de commande"), "email", True),
    (email("Antw: Offerte"), "email", True),
    (email("SV: Offert"), "email", True),
    (email("RIF: Proposta"), "email", True),
    (email("Email: Fwd: Pricing"), "email", False),
    (email("Email: Return policy"), "email", False),  # "Re" inside a word is no prefix
    # 5. otherwise the rep acted
    (email("Email: Pricing proposal"), "email", False),
    ({"TaskSubtype": "ListEmail", "Subject": "RE: Newsletter"}, "email", False),
    ({"TaskSubtype": "Call", "Subject": "RE: call back"}, "call", False),
])
def test_given_a_task_when_judging_its_direction_then_inbound_only_when_the_buyer_acted(
        row: dict[str, Any], kind: str, inbound: bool) -> None:
    assert activities.task_inbound(row, kind, BUYER) is inbound


def test_given_a_from_line_but_no_known_email_when_judging_then_the_subject_decides() -> None:
    row = email("Email: RE: Pricing", "From: someone@acme.example\n\nx")
    assert activities.task_inbound(row, "email", None) is True


# -- one task or event ----------------------------------------------------------------------
@pytest.mark.parametrize(("created", "day", "expected"), [
    ("2026-10-01T14:30:00.000+0000", "2026-10-01", at("2026-10-01T14:30:00")),  # logged then
    ("2026-10-03T08:00:00.000+0000", "2026-10-01", at("2026-10-01T00:00:00")),  # logged later
    ("2026-10-03T08:00:00.000+0000", None, at("2026-10-03T08:00:00")),
])
def test_given_a_task_when_timing_it_then_creation_time_on_its_day_else_midnight(
        created: str, day: str | None, expected: datetime) -> None:
    assert activities.task_time({"CreatedDate": created, "ActivityDate": day}) == expected


def test_given_a_logged_email_on_an_opportunity_when_mapping_then_an_activity_with_its_deal(
) -> None:
    row = email("Email: Re: Pricing", f"From: {BUYER}\n\nok", WhatId=DEAL.id,
                ActivityDate="2026-10-01", CreatedDate="2026-10-01T14:30:00.000+0000")
    assert activities.task_activity(row, BUYER) == Activity(
        at("2026-10-01T14:30:00"), "email", True, "Email: Re: Pricing", DEAL,
        text="ok")  # the buyer's words, for the decline cues


def test_given_a_task_on_an_account_or_a_to_do_when_mapping_then_no_deal_or_no_activity(
) -> None:
    row = {"TaskSubtype": "Call", "WhatId": "001000000000001AAA", "ActivityDate": "2026-10-01"}
    assert activities.task_activity(row) == Activity(at("2026-10-01T00:00:00"), "call", False)
    assert activities.task_activity({"TaskSubtype": "Task", "ActivityDate": "2026-10-01"}) \
        is None


@pytest.mark.parametrize(("type_", "kind"), [("Meeting", "meeting"), (None, "meeting"),
                                             ("Call", "call")])
def test_given_an_event_when_mapping_then_attended_by_the_buyer(type_: str | None,
                                                                kind: str) -> None:
    row = {"StartDateTime": "2026-10-10T15:00:00.000+0000", "Type": type_,
           "Subject": "Weekly sync", "WhatId": DEAL.id}
    assert activities.event_activity(row) == Activity(at("2026-10-10T15:00:00"), kind, True,
                                                      "Weekly sync", DEAL, outcome="held")


# -- window and cap -------------------------------------------------------------------------
def touch(when: str, subject: str = "x") -> Activity:
    return Activity(at(when), "email", False, subject)


def test_given_activities_when_keeping_the_recent_ones_then_window_cap_newest_last() -> None:
    found = [touch("2026-10-05T00:00:00", "c"), touch("2026-05-01T00:00:00", "too old"),
             touch("2026-10-01T00:00:00", "a"), touch("2026-11-03T00:00:00", "future"),
             touch("2026-10-03T00:00:00", "b"), touch("2026-05-06T09:00:00", "window edge")]
    assert [a.subject for a in activities.recent(found, NOW, 180, 50)] == \
        ["window edge", "a", "b", "c"]
    assert [a.subject for a in activities.recent(found, NOW, 180, 2)] == ["b", "c"]
    assert activities.recent(found, NOW, 180, 0) == ()


def test_given_task_and_event_rows_when_grouping_then_each_persons_activities_in_order() -> None:
    tasks = [email("Email: Re: Pricing", f"From: {BUYER}\n\nok", WhoId="003A",
                   ActivityDate="2026-10-03"),
             email("Email: Pricing", "From: rep@brightwave.io\n\nx", WhoId="003A",
                   ActivityDate="2026-10-01"),
             {"TaskSubtype": "Task", "WhoId": "003A", "ActivityDate": "2026-10-02"},
             email("Email: Hello", None, WhoId="00QB", ActivityDate="2026-10-02")]
    events = [{"WhoId": "003A", "StartDateTime": "2026-10-02T10:00:00.000+0000",
               "Subject": "Demo"}]
    found = activities.person_activities(tasks, events, {"003A": BUYER, "00QB": None}, NOW,
                                         180, 50)
    assert [(a.kind, a.inbound, a.subject) for a in found["003A"]] == [
        ("email", False, "Email: Pricing"), ("meeting", True, "Demo"),
        ("email", True, "Email: Re: Pricing")]
    assert [a.subject for a in found["00QB"]] == ["Email: Hello"]


# -- the next scheduled step ---------------------------------------------------------------
def test_given_open_tasks_and_events_when_collecting_then_times_per_opportunity() -> None:
    found = activities.upcoming_times(
        [{"WhatId": "006A", "ActivityDate": "2026-11-10"}, {"WhatId": None,
                                                            "ActivityDate": "2026-11-04"}],
        [{"WhatId": "006A", "StartDateTime": "2026-11-05T10:00:00.000+0000"}])
    assert found == {"006A": [at("2026-11-10T23:59:59"), at("2026-11-05T10:00:00")]}


LAST = at("2026-10-20T00:00:00")
CREATED = at("2026-09-01T08:00:00")


@pytest.mark.parametrize(("upcoming", "last", "created", "expected"), [
    ([at("2026-11-10T23:59:59"), at("2026-11-05T10:00:00")], LAST, CREATED,
     at("2026-11-05T10:00:00")),
    ([at("2026-11-02T23:59:59")], LAST, CREATED, at("2026-11-02T23:59:59")),  # due today
    ([at("2026-10-30T23:59:59")], LAST, CREATED, LAST),  # only past ones: nothing scheduled
    ([], LAST, CREATED, LAST),
    ([], None, CREATED, CREATED),
    ([], at("2026-11-20T00:00:00"), CREATED, CREATED),  # never a future "nothing" time
    ([], None, None, None),  # nothing known: unknown
])
def test_given_scheduled_times_when_choosing_the_next_step_then_earliest_future_else_past(
        upcoming: list[datetime], last: datetime | None, created: datetime | None,
        expected: datetime | None) -> None:
    assert activities.next_activity_at(upcoming, NOW, last, created) == expected


# -- queries --------------------------------------------------------------------------------
def test_given_people_when_building_activity_queries_then_closed_tasks_and_past_events(
) -> None:
    tasks = queries.person_tasks_query(["003A", "00QB"], date(2026, 5, 6))
    assert tasks == (
        "SELECT Id, WhoId, WhatId, Subject, TaskSubtype, Type, CallType, Status, ActivityDate, "
        "CreatedDate, Description, CallDisposition FROM Task WHERE WhoId IN ('003A','00QB') "
        "AND IsClosed = TRUE "
        "AND ActivityDate >= 2026-05-06 ORDER BY ActivityDate, Id")
    events = queries.person_events_query(["003A"], at("2026-05-06T09:00:00"), NOW)
    assert events == (
        "SELECT Id, WhoId, WhatId, Subject, Type, StartDateTime, CreatedDate, IsDeleted FROM "
        "Event WHERE WhoId IN "
        "('003A') AND StartDateTime >= 2026-05-06T09:00:00+00:00 AND StartDateTime <= "
        "2026-11-02T09:00:00+00:00 ORDER BY StartDateTime, Id")


def test_given_opportunities_when_building_next_step_queries_then_open_and_future_only(
) -> None:
    assert queries.open_tasks_query(["006A"], NOW.date()) == (
        "SELECT WhatId, ActivityDate FROM Task WHERE WhatId IN ('006A') AND IsClosed = FALSE "
        "AND ActivityDate >= 2026-11-02 AND Leadpact_Task_Key__c = null "
        "ORDER BY WhatId, ActivityDate")
    assert queries.upcoming_events_query(["006A"], NOW) == (
        "SELECT WhatId, StartDateTime FROM Event WHERE WhatId IN ('006A') "
        "AND StartDateTime >= 2026-11-02T09:00:00+00:00 ORDER BY WhatId, StartDateTime")


def test_given_the_activity_streams_when_building_their_queries_then_ids_links_and_our_key(
) -> None:
    assert queries.STREAMS[-2:] == ("Task", "Event")
    assert queries.changes_query("Task", None) == (
        "SELECT Id, WhoId, WhatId, IsDeleted, SystemModstamp, Leadpact_Task_Key__c FROM Task "
        "ORDER BY SystemModstamp, Id")


def test_given_a_window_read_when_many_people_are_looked_up_then_as_all_rows_at_once(
        ) -> None:
    """A first read keeps every person's window rows (child_rows.py) and turns a page of
    people's rows into activities a few hundred people at a time (memory): each person
    gets what one pass over all the rows gives."""
    people = [f"003{n:015d}" for n in range(WINDOW_PEOPLE * 2 + 7)]
    tasks = [email(f"Email: note {n}", WhoId=people[n * 7 % len(people)],
                   ActivityDate=f"2026-10-{1 + n % 28:02d}", CreatedDate=None)
             for n in range(len(people) * 3)]

    def pages(soql: str, deleted: bool, what: str, sobject: str | None
              ) -> Iterator[list[dict[str, Any]]]:
        yield tasks if sobject == "Task" else []

    reader = ActivityReader(lambda soql, deleted, what: [], days=180, cap=50)
    reader.read_window(pages, NOW, NOW)
    rows = [{"Id": who, "Email": BUYER} for who in people]
    found = reader.for_people(rows, NOW)
    reader.drop_window()

    whole = activities.person_activities(tasks, [], {who: BUYER for who in people}, NOW,
                                         180, 50, [])
    assert found == whole and len(found) == len(people)
