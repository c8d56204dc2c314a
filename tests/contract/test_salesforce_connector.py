"""The real Salesforce connector (unmodified simple-salesforce) against the sandbox over
loopback HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from leadpact.changes import (
    CloseTask,
    RestoreLedgerValue,
    SetDealContactRole,
    SetField,
    SetLeadStatus,
    UpsertTask,
)
from leadpact.connectors.retry import RetryPolicy
from leadpact.connectors.salesforce import SalesforceConnector
from leadpact.connectors.sandbox.salesforce_schema import ensure_schema, set_custom_fields
from leadpact.connectors.sandbox.server import Fault, Request, Response, Sandbox
from leadpact.enrichment.labels import BuyingRole
from leadpact.errors import AuthError, QuotaExhausted, UnreachableError
from leadpact.model import Activity, ContactRole, Deal, Page, Person, Ref
from tests.sf_builders import T0, ManualClock, SalesforceOrg, connect

SF = "salesforce"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def org(sandbox: Sandbox, clock: ManualClock) -> SalesforceOrg:
    ensure_schema(sandbox.store)
    return SalesforceOrg(sandbox.store, clock)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def connector(sandbox: Sandbox, sleeps: list[float],
              clock: ManualClock) -> Iterator[SalesforceConnector]:
    with connect(sandbox, sleep=sleeps.append, clock=clock) as conn:
        yield conn


def read_all(conn: SalesforceConnector, cursor: str | None) -> tuple[list[Page], str | None]:
    pages = list(conn.read_changes(cursor))
    return pages, (pages[-1].cursor if pages else cursor)


def records_of(pages: list[Page]) -> list[Person | Deal]:
    return [record for page in pages for record in page.records]


def ref(kind: str, record_id: str) -> Ref:
    return Ref(SF, kind, record_id)


# -- reads ----------------------------------------------------------------------------------
def test_given_a_first_read_when_reading_again_then_nothing_new(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    lead = org.lead("Ng")
    contact = org.contact("Lee")
    first, cursor = read_all(connector, None)
    assert [r.ref for r in records_of(first)] == [ref("lead", lead), ref("contact", contact)]
    again, _ = read_all(connector, cursor)
    assert records_of(again) == []


def test_given_a_record_modified_after_the_cursor_when_reading_then_only_it_returns(
        org: SalesforceOrg, connector: SalesforceConnector, clock: ManualClock) -> None:
    org.lead("Ng")
    changed = org.lead("Park")
    _, cursor = read_all(connector, None)
    clock.advance(minutes=1)
    org.edit("Lead", changed, Title="Chief Financial Officer")
    pages, _ = read_all(connector, cursor)
    [person] = records_of(pages)
    assert isinstance(person, Person)
    assert (person.ref, person.title) == (ref("lead", changed), "Chief Financial Officer")
    assert person.modified_at == clock.now


def test_given_a_deleted_and_a_merged_contact_when_reading_then_both_come_flagged(
        org: SalesforceOrg, connector: SalesforceConnector, clock: ManualClock) -> None:
    survivor, gone, merged = org.contact("Keep"), org.contact("Gone"), org.contact("Dup")
    _, cursor = read_all(connector, None)
    clock.advance(minutes=2)
    org.delete("Contact", gone)
    org.delete("Contact", merged, merged_into=survivor)
    pages, _ = read_all(connector, cursor)
    people = {r.ref.id: r for r in records_of(pages)}
    assert set(people) == {gone, merged}
    assert people[gone].deleted and people[merged].deleted
    assert people[merged].merged_into == ref("contact", survivor)  # type: ignore[union-attr]


def test_given_a_converted_lead_when_reading_then_it_points_at_its_contact(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    contact = org.contact("Lee")
    lead = org.converted_lead(contact, Leadpact_Lead_Score__c=85.0, Leadpact_Seniority__c="vp")
    pages, _ = read_all(connector, None)
    person = next(r for r in records_of(pages) if r.ref.id == lead)
    assert isinstance(person, Person)
    assert person.converted_to == ref("contact", contact)
    assert person.leadpact == {"lead_score": "85", "seniority": "vp"}


def test_given_many_leads_when_reading_with_pages_of_200_then_one_page_per_query_page(
        sandbox: Sandbox, org: SalesforceOrg) -> None:
    for n in range(450):
        org.lead(f"L{n:03d}")
    with connect(sandbox, page_size=200) as conn:
        pages, cursor = read_all(conn, None)
        assert [len(p.records) for p in pages if p.records] == [200, 200, 50]
        # leads: 1 query + 2 nextRecordsUrl; a first read reads the activity window once
        # (a Task, an Event and a CampaignMember query), not per page of 200; 1 query each
        # for the other five streams
        assert conn.api_calls == 3 + 3 + 5
        # a later read goes per page of changed people (3 queries for the one changed
        # lead); its lookback re-reads the 3 pages of leads stamped inside it
        org.lead("Later")
        before = conn.api_calls
        assert [r.name for r in records_of(list(conn.read_changes(cursor)))] == ["Ada Later"]
        assert conn.api_calls - before == 3 + 3 + 5


def test_given_pages_smaller_than_salesforce_allows_when_reading_then_cut_client_side(
        sandbox: Sandbox, org: SalesforceOrg, clock: ManualClock) -> None:
    ids = []
    for n in range(5):
        ids.append(org.lead(f"L{n}"))
        clock.advance(seconds=1)
    with connect(sandbox, page_size=2, lookback=timedelta(0)) as conn:
        pages = [p for p in conn.read_changes(None) if p.records]
        assert [len(p.records) for p in pages] == [2, 2, 1]
        # resuming from the first page's cursor returns only what came after it (with no
        # lookback: a lookback also re-reads the rows stamped inside it)
        rest = records_of(list(conn.read_changes(pages[0].cursor)))
        assert [r.ref.id for r in rest] == ids[2:]


def test_given_an_opportunity_with_roles_when_reading_then_a_deal_with_its_committee(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    buyer, user = org.contact("Buyer"), org.contact("User")
    opp = org.opportunity(StageName="Negotiation/Review", LastActivityDate="2026-10-20",
                          Leadpact_Stale__c="yes")
    role_a = org.contact_role(opp, buyer, "Economic Buyer", primary=True)
    role_b = org.contact_role(opp, user, None)
    pages, _ = read_all(connector, None)
    deals = [r for r in records_of(pages) if isinstance(r, Deal)]
    # Roles changed within the lookback of the moment the deal was read may bring it once
    # more (never lose a change to clock skew); it is the same deal either way.
    assert {d.ref for d in deals} == {deals[0].ref} and deals[-1] == deals[0]
    deal = deals[0]
    assert deal.contacts == (
        ContactRole(ref("contact", buyer), "Economic Buyer", role_a, True),
        ContactRole(ref("contact", user), None, role_b, False))
    assert (deal.stage, deal.amount, deal.close_date) == ("Negotiation/Review", 50000.0,
                                                          date(2026, 12, 15))
    assert deal.last_activity_at == datetime(2026, 10, 20, tzinfo=UTC)
    assert deal.created_at == T0
    assert deal.leadpact == {"stale": "yes"}


def test_given_a_new_contact_role_when_reading_then_its_opportunity_returns(
        org: SalesforceOrg, connector: SalesforceConnector, clock: ManualClock) -> None:
    opp = org.opportunity()
    _, cursor = read_all(connector, None)
    clock.advance(minutes=1)
    contact = org.contact("Late")
    org.contact_role(opp, contact, "Decision Maker")
    pages, _ = read_all(connector, cursor)
    deal = next(r for r in records_of(pages) if isinstance(r, Deal))
    assert deal.ref == ref("deal", opp)
    assert [c.person for c in deal.contacts] == [ref("contact", contact)]


def test_given_refs_when_reading_records_then_the_known_ones_in_order(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    lead, opp = org.lead(), org.opportunity()
    wanted = [ref("deal", opp), ref("lead", "00Q000000000999AAA"), ref("lead", lead),
              Ref("hubspot", "contact", "101")]
    records = connector.read_records(wanted)
    assert [r.ref for r in records] == [ref("deal", opp), ref("lead", lead)]


# -- activities -----------------------------------------------------------------------------
REP = "rep@brightwave.io"


def test_given_a_contact_with_tasks_and_events_when_reading_then_its_touches_in_order(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    lee = org.contact("Lee")  # lee@acme.example
    opp = org.opportunity()
    org.email_task(lee, opp, day="2026-10-03", subject="Re: Pricing proposal",
                   sender="lee@acme.example", to=REP)
    org.email_task(lee, opp, day="2026-10-01", subject="Pricing proposal", sender=REP,
                   to="lee@acme.example")
    org.task(lee, day="2026-10-05", subject="Call: intro", TaskSubtype="Call", Type="Call",
             CallType="Inbound")
    org.event(lee, opp, start="2026-10-10T15:00:00.000+0000", subject="Weekly sync")
    org.task(lee, opp, day="2026-10-06", subject="Prepare the demo")  # a to-do: no touch
    org.email_task(lee, day="2026-01-05", subject="Old thread", sender=REP,
                   to="lee@acme.example")  # outside the 180 days
    org.event(lee, opp, start="2026-11-20T10:00:00.000+0000", subject="Next call")  # future
    pages, _ = read_all(connector, None)
    person = next(r for r in records_of(pages) if r.ref == ref("contact", lee))
    assert isinstance(person, Person)
    deal = ref("deal", opp)
    booked = datetime(2026, 11, 2, 9, tzinfo=UTC)  # CreatedDate: when the sandbox stored them
    assert person.activities == (
        Activity(datetime(2026, 10, 1, tzinfo=UTC), "email", False, "Email: Pricing proposal",
                 deal),
        Activity(datetime(2026, 10, 3, tzinfo=UTC), "email", True,
                 "Email: Re: Pricing proposal", deal, text="Re: Pricing proposal"),
        Activity(datetime(2026, 10, 5, tzinfo=UTC), "call", True, "Call: intro"),
        Activity(datetime(2026, 10, 10, 15, tzinfo=UTC), "meeting", True, "Weekly sync", deal,
                 outcome="held", booked_at=booked),
        # a meeting ahead is kept as scheduled (it speaks for the deal), not as a touch
        Activity(datetime(2026, 11, 20, 10, tzinfo=UTC), "meeting", False, "Next call", deal,
                 outcome="scheduled", booked_at=booked))
    [again] = connector.read_records([ref("contact", lee)])
    assert again == person


def test_given_more_touches_than_the_cap_when_reading_then_the_newest(
        sandbox: Sandbox, org: SalesforceOrg, clock: ManualClock) -> None:
    lee = org.contact("Lee")
    for day in range(1, 6):
        org.event(lee, start=f"2026-10-0{day}T10:00:00.000+0000", subject=f"Sync {day}")
    with connect(sandbox, clock=clock, activity_cap=2) as conn:
        [person] = conn.read_records([ref("contact", lee)])
    assert [a.subject for a in person.activities] == ["Sync 4", "Sync 5"]  # type: ignore[union-attr]


def test_given_an_open_future_task_when_reading_the_deal_then_its_due_day_is_next(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    lee = org.contact("Lee")
    opp = org.opportunity(LastActivityDate="2026-10-20")
    org.task(lee, opp, day="2026-11-10", subject="Send the order form", Status="Not Started",
             IsClosed=False)
    org.event(lee, opp, start="2026-11-20T10:00:00.000+0000", subject="Steering committee")
    org.task(lee, opp, day="2026-10-28", subject="Overdue", Status="Not Started",
             IsClosed=False)  # forgotten: not scheduled
    org.task(None, opp, day="2026-11-03", subject="Stale deal: Acme", Status="Not Started",
             IsClosed=False, Leadpact_Task_Key__c="deal:stale:1")  # ours: not the buyer's
    [deal] = connector.read_records([ref("deal", opp)])
    assert isinstance(deal, Deal)
    assert deal.next_activity_at == datetime(2026, 11, 10, 23, 59, 59, tzinfo=UTC)


def test_given_a_first_read_then_deals_take_next_steps_from_one_read_of_each_kind(
        sandbox: Sandbox, org: SalesforceOrg, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    lee = org.contact("Lee")
    opps = [org.opportunity(f"Deal {n}", LastActivityDate="2026-10-20") for n in range(460)]
    org.task(lee, opps[0], day="2026-11-10", subject="Send the order form",
             Status="Not Started", IsClosed=False)
    org.event(lee, opps[459], start="2026-11-20T10:00:00.000+0000", subject="Steering")
    org.task(lee, opps[2], day="2026-10-28", subject="Overdue", Status="Not Started",
             IsClosed=False)  # forgotten: not scheduled
    org.task(None, opps[1], day="2026-11-03", subject="Stale deal", Status="Not Started",
             IsClosed=False, Leadpact_Task_Key__c="deal:stale:1")  # ours: not the buyer's
    asked: list[str] = []
    handle = sandbox.handle

    def watched(request: Request) -> Response | None:
        asked.extend(request.args("q"))
        return handle(request)

    monkeypatch.setattr(sandbox, "handle", watched)
    with connect(sandbox, clock=clock) as conn:  # a first read: the deals' rows read once
        whole = {r.ref.id: r.next_activity_at for r in records_of(list(conn.read_changes(None)))
                 if isinstance(r, Deal)}
    # The open tasks and upcoming events of every deal in one query each; id lists only
    # for the few deals whose activities the activity streams then bring (was a 450-id
    # and a 10-id list of each kind for the page of 460 deals).
    assert sum("WHERE WhatId != null" in q for q in asked) == 2
    lists = [q for q in asked if "WHERE WhatId IN" in q]
    assert lists and all(q.count("'006") <= 4 for q in lists), lists
    with connect(sandbox, clock=clock) as conn:  # deals read by id: 450-id lists
        by_id = {r.ref.id: r.next_activity_at  # type: ignore[union-attr]
                 for r in conn.read_records([ref("deal", o) for o in opps])}
    assert whole == by_id and len(whole) == 460
    assert whole[opps[0]] == datetime(2026, 11, 10, 23, 59, 59, tzinfo=UTC)
    assert whole[opps[459]] == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert whole[opps[1]] == whole[opps[2]] == datetime(2026, 10, 20, tzinfo=UTC)


def test_given_a_first_read_then_deals_take_roles_and_history_from_one_read_each(
        sandbox: Sandbox, org: SalesforceOrg, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    people = [org.contact(f"P{n}") for n in range(3)]
    opps = [org.opportunity(f"Deal {n}") for n in range(460)]
    for n, opp in enumerate(opps[::46]):  # ten deals with a committee and a history
        org.contact_role(opp, people[(n + 1) % 3])
        org.contact_role(opp, people[n % 3], "Decision Maker", primary=True)
        for stage in ("Prospecting", "Negotiation"):
            org.add("OpportunityHistory", OpportunityId=opp, StageName=stage,
                    CloseDate="2026-12-15")
            clock.advance(days=1)
    asked: list[str] = []
    handle = sandbox.handle

    def watched(request: Request) -> Response | None:
        asked.extend(request.args("q"))
        return handle(request)

    def seen(deal: Deal) -> tuple[object, ...]:
        return (deal.contacts, deal.stage_history)

    monkeypatch.setattr(sandbox, "handle", watched)
    with connect(sandbox, clock=clock) as conn:  # a first read: every deal's rows read once
        whole = {r.ref.id: seen(r) for r in records_of(list(conn.read_changes(None)))
                 if isinstance(r, Deal)}
    lists = [q for q in asked if "OpportunityId IN" in q and "FieldHistory" not in q]
    # Only the deals the contact-role stream brings back go by id (was 450-id lists).
    assert all(q.count("'006") <= 10 for q in lists), lists
    assert sum(q.startswith("SELECT") and "FROM OpportunityHistory ORDER BY" in q
               for q in asked) == 1
    with connect(sandbox, clock=clock) as conn:  # deals read by id: 450-id lists
        by_id = {r.ref.id: seen(r)  # type: ignore[arg-type]
                 for r in conn.read_records([ref("deal", o) for o in opps])}
    assert whole == by_id and len(whole) == 460
    committee, history = whole[opps[0]]
    assert [c.role for c in committee] == [None, "Decision Maker"]  # type: ignore[attr-defined]
    assert [stage for _, stage in history] == ["Prospecting", "Negotiation"]  # type: ignore[attr-defined]


def test_given_nothing_scheduled_when_reading_deals_then_a_past_time_for_open_ones_only(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    quiet = org.opportunity("Quiet", LastActivityDate="2026-10-20")
    fresh = org.opportunity("Fresh")
    won = org.opportunity("Won", StageName="Closed Won", IsClosed=True, IsWon=True)
    deals = {r.ref.id: r for r in connector.read_records(
        [ref("deal", quiet), ref("deal", fresh), ref("deal", won)])}
    # In the past, so the staleness rule reads "nothing scheduled"; None stays "unknown".
    assert deals[quiet].next_activity_at == datetime(2026, 10, 20, tzinfo=UTC)  # type: ignore[union-attr]
    assert deals[fresh].next_activity_at is None  # type: ignore[union-attr]  # created now
    assert deals[won].next_activity_at is None  # type: ignore[union-attr]


def test_given_a_new_activity_when_reading_again_then_its_person_and_deal_come_back(
        org: SalesforceOrg, connector: SalesforceConnector, clock: ManualClock) -> None:
    lee, park = org.contact("Lee"), org.lead("Park")
    opp = org.opportunity()
    org.contact_role(opp, lee)
    _, cursor = read_all(connector, None)
    clock.advance(hours=1)
    org.event(lee, opp, start="2026-11-02T09:30:00.000+0000", subject="Pilot check-in")
    org.email_task(park, day="2026-11-02", subject="Re: Intro", sender="park@acme.example",
                   to=REP)
    org.task(lee, opp, day="2026-11-04", subject="Ours", Status="Not Started", IsClosed=False,
             Leadpact_Task_Key__c="deal:committee:1")
    pages, cursor = read_all(connector, cursor)
    records = {r.ref: r for r in records_of(pages)}
    assert set(records) == {ref("contact", lee), ref("deal", opp), ref("lead", park)}
    assert [a.subject for a in records[ref("contact", lee)].activities] == [  # type: ignore[union-attr]
        "Pilot check-in"]
    assert records[ref("lead", park)].activities[0].inbound  # type: ignore[union-attr]
    clock.advance(hours=1)
    assert records_of(list(connector.read_changes(cursor))) == []


def test_given_an_org_read_once_when_only_our_own_task_changes_then_nothing_comes_back(
        org: SalesforceOrg, connector: SalesforceConnector, clock: ManualClock) -> None:
    opp = org.opportunity()
    _, cursor = read_all(connector, None)
    clock.advance(minutes=10)
    [made] = connector.apply([UpsertTask(ref("deal", opp), "deal:stale:1", "Re-engage", "",
                                         None, date(2026, 11, 5))])
    assert made.ok
    assert records_of(read_all(connector, cursor)[0]) == []


# -- writes ---------------------------------------------------------------------------------
def test_given_250_field_changes_when_applying_then_two_collection_calls(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    leads = [org.lead(f"L{n}") for n in range(250)]
    changes = [SetField(ref("lead", lead), "seniority", "c_level") for lead in leads]
    results = connector.apply(changes)
    assert all(r.ok for r in results) and [r.change for r in results] == changes
    assert connector.api_calls == 2
    assert {row.fields["Leadpact_Seniority__c"] for row in org.rows("Lead")} == {"c_level"}


def test_given_several_fields_of_one_record_when_applying_then_one_record_update(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    lead = org.lead()
    changes = [SetField(ref("lead", lead), "role_confidence", "0.85"),
               SetField(ref("lead", lead), "role", "economic_buyer"),
               SetLeadStatus(ref("lead", lead), "salesforce_lead_status", "Working - Contacted")]
    assert all(r.ok for r in connector.apply(changes))
    assert connector.api_calls == 1
    fields = org.get("Lead", lead).fields
    assert (fields["Leadpact_Role_Confidence__c"], fields["Leadpact_Role__c"],
            fields["Status"]) == (0.85, "economic_buyer", "Working - Contacted")
    [person] = connector.read_records([ref("lead", lead)])
    assert person.leadpact["role_confidence"] == "0.85"  # our write reads back equal


def test_given_one_bad_record_when_applying_then_it_fails_alone(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    good, contact = org.lead("Good"), org.contact()
    converted = org.converted_lead(contact)
    changes = [SetField(ref("lead", good), "lead_stage", "mql"),
               SetField(ref("lead", "00Q000000000999AAA"), "lead_stage", "mql"),
               SetField(ref("lead", converted), "lead_stage", "mql"),
               SetField(ref("lead", good), "no_such_field", "x")]
    results = connector.apply(changes)
    assert [r.ok for r in results] == [True, False, False, False]
    assert "INVALID_CROSS_REFERENCE_KEY" in (results[1].error or "")
    assert "CANNOT_UPDATE_CONVERTED_LEAD" in (results[2].error or "")
    assert org.get("Lead", good).fields["Leadpact_Lead_Stage__c"] == "mql"


def test_given_a_field_missing_in_the_org_when_applying_then_its_record_fails_with_the_reason(
        sandbox: Sandbox, org: SalesforceOrg, connector: SalesforceConnector) -> None:
    set_custom_fields(sandbox.store, {"Lead": ["Leadpact_Seniority__c"]})
    lead = org.lead()
    [result] = connector.apply([SetField(ref("lead", lead), "lead_stage", "mql")])
    assert not result.ok and "No such column 'Leadpact_Lead_Stage__c'" in (result.error or "")


def test_given_the_same_task_key_twice_when_applying_then_one_task(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    owner, contact = org.user(), org.contact()
    opp = org.opportunity(OwnerId=owner)
    task = UpsertTask(about=ref("deal", opp), key="deal:stale:2026-W45", subject="Re-engage",
                      body="Buyer silent for 30 days", owner_id=owner, due=date(2026, 11, 9),
                      contact=ref("contact", contact))
    first = connector.apply([task, task])
    second = connector.apply([task])
    [row] = org.rows("Task")
    assert {r.created_id for r in first + second} == {row.id}
    assert all(r.ok for r in first + second)
    assert (row.fields["WhatId"], row.fields["WhoId"], row.fields["ActivityDate"],
            row.fields["Status"], row.fields["Leadpact_Task_Key__c"]) == (
        opp, contact, "2026-11-09", "Not Started", "deal:stale:2026-W45")


def test_given_a_task_write_answered_after_the_read_timeout_when_retried_then_one_task(
        sandbox: Sandbox, org: SalesforceOrg, sleeps: list[float]) -> None:
    lead = org.lead()
    late = Fault(system="salesforce", path_contains="/composite/sobjects", kind="delay",
                 delay=1.0)
    sandbox.faults.add(late)
    task = UpsertTask(ref("lead", lead), "lead:sql:1", "Call", "", None, date(2026, 11, 3))
    with connect(sandbox, sleep=sleeps.append, timeout=0.3) as conn:
        [result] = conn.apply([task])
    assert late.done.wait(timeout=10)  # the late write has landed too
    assert len(sleeps) == 1  # the timed-out call was retried once
    [row] = org.rows("Task")
    assert result.ok and result.created_id == row.id
    assert row.fields["Leadpact_Task_Key__c"] == "lead:sql:1"


def test_given_a_task_when_closing_it_then_completed(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    lead = org.lead()
    task = UpsertTask(ref("lead", lead), "lead:sql:1", "Call", "", None, date(2026, 11, 3))
    [created] = connector.apply([task])
    assert created.created_id is not None
    [closed] = connector.apply([CloseTask(ref("task", created.created_id), "lead:sql:1")])
    assert closed.ok
    fields = org.get("Task", created.created_id).fields
    assert (fields["Status"], fields["IsClosed"], fields["WhoId"]) == ("Completed", True, lead)


def test_given_contact_roles_when_setting_them_then_role_filled_by_id_or_by_lookup(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    a, b = org.contact("A"), org.contact("B")
    opp = org.opportunity()
    role_a, role_b = org.contact_role(opp, a), org.contact_role(opp, b)
    results = connector.apply([
        SetDealContactRole(ref("deal", opp), ref("contact", a), BuyingRole.ECONOMIC_BUYER,
                           role_a),
        SetDealContactRole(ref("deal", opp), ref("contact", b), BuyingRole.TECHNICAL_EVALUATOR),
        SetDealContactRole(ref("deal", opp), ref("contact", "003000000000999AAA"),
                           BuyingRole.USER)])
    assert [r.ok for r in results] == [True, True, False]
    assert org.get("OpportunityContactRole", role_a).fields["Role"] == "Economic Buyer"
    assert org.get("OpportunityContactRole", role_b).fields["Role"] == "Evaluator"
    # undo puts back exactly the ledger's value, by the name the ledger keeps for it
    [undone] = connector.apply([RestoreLedgerValue(ref("deal", opp), f"contact_role:{role_a}",
                                                   "Technical Buyer", "Economic Buyer")])
    assert undone.ok
    assert org.get("OpportunityContactRole", role_a).fields["Role"] == "Technical Buyer"


# -- failures and retries -------------------------------------------------------------------
@pytest.mark.parametrize("status", [429, 503])
def test_given_a_busy_server_with_retry_after_when_reading_then_retried_after_that_wait(
        sandbox: Sandbox, org: SalesforceOrg, connector: SalesforceConnector,
        sleeps: list[float], status: int) -> None:
    org.lead()
    sandbox.faults.add(Fault(system=SF, status=status, headers={"Retry-After": "7"}, times=2,
                             body=[{"message": "busy", "errorCode": "SERVER_UNAVAILABLE"}]))
    assert len(records_of(list(connector.read_changes(None)))) == 1
    assert sleeps == [7.0, 7.0]
    # six streams, the lead page's Task, Event and CampaignMember queries, and the two
    # retried attempts
    assert connector.api_calls == 6 + 3 + 2


def test_given_a_dropped_connection_on_a_write_when_applying_then_retried_with_backoff(
        sandbox: Sandbox, org: SalesforceOrg, connector: SalesforceConnector,
        sleeps: list[float]) -> None:
    lead = org.lead()
    sandbox.faults.add(Fault(system=SF, kind="drop", method="PATCH"))
    [result] = connector.apply([SetField(ref("lead", lead), "seniority", "vp")])
    assert result.ok and len(sleeps) == 1


def test_given_the_daily_limit_is_used_up_when_applying_then_quota_exhausted(
        sandbox: Sandbox, org: SalesforceOrg, sleeps: list[float]) -> None:
    connector = connect(sandbox, sleep=sleeps.append, max_api_share=1.0)
    lead = org.lead()
    sandbox.salesforce_daily_limit = 4
    connector.read_records([ref("lead", lead)])  # the lead, its tasks, events, campaigns
    assert connector.api_usage == (4, 4)
    with pytest.raises(QuotaExhausted) as caught:
        connector.apply([SetField(ref("lead", lead), "seniority", "vp")])
    assert str(caught.value) == (
        "Salesforce daily API limit reached (REQUEST_LIMIT_EXCEEDED): nothing more was "
        "written; run again after the limit resets")
    assert sleeps == []
    assert "Leadpact_Seniority__c" not in org.get("Lead", lead).fields


def test_given_a_bad_token_when_reading_then_auth_error_without_the_token(
        sandbox: Sandbox, org: SalesforceOrg) -> None:
    org.lead()
    with connect(sandbox, token="not-the-token-s3cr3t") as conn, \
            pytest.raises(AuthError) as caught:
        list(conn.read_changes(None))
    assert "LEADPACT_SALESFORCE_TOKEN" in str(caught.value)
    assert "s3cr3t" not in str(caught.value) and "s3cr3t" not in repr(conn)


def test_given_nothing_listening_when_reading_then_unreachable_naming_the_host(
        sleeps: list[float]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with SalesforceConnector(f"http://127.0.0.1:{port}", "tok-s3cr3t",
                             retry=RetryPolicy(attempts=3, sleep=sleeps.append)) as conn:
        with pytest.raises(UnreachableError) as caught:
            list(conn.read_changes(None))
        assert conn.api_calls == 3
    assert "127.0.0.1" in str(caught.value) and "s3cr3t" not in str(caught.value)
    assert len(sleeps) == 2


# -- check ----------------------------------------------------------------------------------
def test_given_an_org_with_leadpact_fields_when_checking_then_no_problems(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    assert connector.check() == []


def test_given_an_org_without_leadpact_fields_when_checking_then_each_missing_field_named(
        sandbox: Sandbox, connector: SalesforceConnector) -> None:
    ensure_schema(sandbox.store, with_leadpact_fields=False)
    set_custom_fields(sandbox.store, {"Lead": ["Leadpact_Seniority__c"]})
    problems = connector.check()
    assert [p.what.split(":")[0] for p in problems] == [
        f"Salesforce {s} is missing fields leadpact writes or reads"
        for s in ("Lead", "Contact", "Opportunity", "Account", "Task")]
    lead_missing = problems[0].what.split(": ")[1].split(", ")
    assert "Leadpact_Seniority__c" not in lead_missing and "Leadpact_Lead_Stage__c" in lead_missing
    assert "Leadpact_Sales_Feedback__c" in lead_missing  # read: the change query selects it
    assert "Leadpact_Group_Stage__c" in problems[3].what
    assert problems[4].what.endswith(": Leadpact_Task_Key__c")


def test_given_a_bad_token_when_checking_then_one_problem_saying_what_to_set(
        sandbox: Sandbox) -> None:
    with connect(sandbox, token="wrong") as conn:
        [problem] = conn.check()
    assert "LEADPACT_SALESFORCE_TOKEN" in problem.fix


def test_given_a_role_added_long_after_the_deal_was_read_then_the_next_read_brings_it(
        org: SalesforceOrg, connector: SalesforceConnector) -> None:
    contact = org.contact("Late")
    opp = org.opportunity(StageName="Prospecting")
    _, cursor = read_all(connector, None)
    org.clock.advance(hours=1)
    org.contact_role(opp, contact, "Decision Maker")
    pages, _ = read_all(connector, cursor)
    deals = [r for r in records_of(pages) if isinstance(r, Deal)]
    assert [d.ref.id for d in deals] == [opp]
    assert deals[0].contacts[0].role == "Decision Maker"


def test_given_usage_past_the_share_leadpact_may_use_then_it_stops_before_the_limit(
        sandbox: Sandbox, org: SalesforceOrg) -> None:
    contact = ref("contact", org.contact("Any"))
    sandbox.salesforce_daily_limit = sandbox.store.calls("salesforce") + 10
    conn = connect(sandbox, max_api_share=0.5)
    with pytest.raises(QuotaExhausted, match=r"past the 50% leadpact may use"):
        for _ in range(20):
            conn.read_records([contact])
    assert sandbox.store.calls("salesforce") < sandbox.salesforce_daily_limit
