"""The HubSpot connector over real loopback HTTP against the sandbox, with the unmodified
hubspot-api-client in strict mode (client_side_validation=True)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import hubspot
import pytest
import urllib3
from hubspot.crm.contacts import PublicMergeInput

from leadpact.changes import (
    Change,
    CloseTask,
    RestoreLedgerValue,
    SetBuyingRole,
    SetDealContactRole,
    SetField,
    UpsertTask,
)
from leadpact.connectors.base import CheckProblem
from leadpact.connectors.hubspot.client import AUTH_FIX, AUTH_PROBLEM
from leadpact.connectors.sandbox.hubspot_schema import (
    ensure_schema,
    load_properties,
    save_properties,
)
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Fault, Sandbox
from leadpact.enrichment.labels import BuyingRole
from leadpact.errors import AuthError, QuotaExhausted, UnreachableError
from leadpact.model import Activity, Deal, Page, Person, Ref
from tests.hs_builders import (
    T0,
    FakeClock,
    Sleeps,
    call,
    company,
    connector,
    contact,
    deal,
    email,
    hs_time,
    link_contact_company,
    link_deal_company,
    link_deal_contact,
    meeting,
    rate_limited,
)


@pytest.fixture
def clock(sandbox: Sandbox) -> Iterator[FakeClock]:
    """The portal with leadpact's properties installed, on a clock the test moves."""
    ensure_schema(sandbox.store)
    fake = FakeClock(T0 + timedelta(hours=1))
    sandbox.store.set_clock(fake)
    yield fake


def ids(pages: list[Page]) -> list[str]:
    return [r.ref.id for p in pages for r in p.records]


def person(id_: str) -> Ref:
    return Ref("hubspot", "contact", id_)


# -- reading -------------------------------------------------------------------------------
def test_given_a_committed_cursor_when_reading_again_then_only_changes_deletes_and_merges(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    store = sandbox.store
    ada, bo = contact(store, at=T0), contact(store, at=T0 + timedelta(seconds=1), firstname="Bo")
    cy = contact(store, at=T0 + timedelta(seconds=2), firstname="Cy")
    acme = deal(store, at=T0 + timedelta(seconds=3))
    hubspot_connector = connector(sandbox)

    first = list(hubspot_connector.read_changes(None))
    assert ids(first) == [ada, bo, cy, acme]
    cursor = first[-1].cursor
    assert list(hubspot_connector.read_changes(cursor)) == []

    clock.advance(60)
    store.update("hubspot", "contacts", bo, {"jobtitle": "VP Finance"})
    store.delete("hubspot", "deals", acme)
    client = hubspot.HubSpot(access_token=SANDBOX_TOKEN, host=sandbox.url, retry=urllib3.Retry(0))
    client.crm.contacts.basic_api.merge(PublicMergeInput(primary_object_id=ada,
                                                         object_id_to_merge=cy))
    pages = list(hubspot_connector.read_changes(cursor))

    records = {r.ref.id: r for p in pages for r in p.records}
    assert isinstance(records[bo], Person) and records[bo].title == "VP Finance"
    assert records[ada].deleted is False  # the survivor changed (hs_merged_object_ids)
    assert records[cy].deleted and records[cy].merged_into == person(ada)
    assert isinstance(records[acme], Deal) and records[acme].deleted
    assert list(hubspot_connector.read_changes(pages[-1].cursor)) == []


def test_given_a_small_page_size_when_reading_then_several_pages_oldest_first(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    made = [contact(sandbox.store, at=T0 + timedelta(seconds=i)) for i in range(7)]
    hubspot_connector = connector(sandbox, page_size=2, enrich_batch=2)
    pages = list(hubspot_connector.read_changes(None))
    assert ids(pages) == made
    assert len(pages) >= 4
    assert hubspot_connector.api_calls == sandbox.store.calls("hubspot")


def test_given_search_pages_when_enriching_then_gathered_across_pages_in_fewer_calls(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    made = [contact(sandbox.store, at=T0 + timedelta(seconds=i)) for i in range(7)]
    per_page = connector(sandbox, page_size=2, enrich_batch=2)
    one_by_page = [p for p in per_page.read_changes(None) if p.records]
    gathered = connector(sandbox, page_size=2, enrich_batch=6)
    pages = [p for p in gathered.read_changes(None) if p.records]
    assert ids(pages) == ids(one_by_page) == made
    assert [len(p.records) for p in pages] == [6, 1]  # handed on once 6 are gathered
    # Per page: 4 association reads (companies + 3 engagement types); gathered, 4 per batch.
    assert per_page.api_calls - gathered.api_calls == 4 * (len(one_by_page) - len(pages))


def test_given_more_records_in_one_millisecond_than_the_search_window_when_reading_then_all_once(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    sandbox.hubspot_search_window = 6  # type: ignore[attr-defined]  # HubSpot's 10,000, shrunk
    bulk = [contact(sandbox.store, at=T0) for _ in range(14)]
    later = [contact(sandbox.store, at=T0 + timedelta(seconds=i + 1)) for i in range(5)]
    pages = list(connector(sandbox, page_size=3).read_changes(None))
    read = ids(pages)
    assert sorted(read) == sorted(bulk + later)
    assert read[-5:] == later


def test_given_a_deal_with_contacts_when_reading_then_roles_from_labels_and_account(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    store = sandbox.store
    acme = company(store, at=T0)
    ada, bo = contact(store, at=T0), contact(store, at=T0, firstname="Bo")
    link_contact_company(store, ada, acme)
    renewal = deal(store, at=T0, dealstage="contractsent", hubspot_owner_id="90001")
    link_deal_contact(store, renewal, ada, "Economic Buyer")
    link_deal_contact(store, renewal, bo)
    link_deal_company(store, renewal, acme)
    records = {r.ref.id: r for p in connector(sandbox).read_changes(None) for r in p.records}
    found = records[renewal]
    assert isinstance(found, Deal)
    assert {(c.person.id, c.role) for c in found.contacts} == {(ada, "Economic Buyer"), (bo, None)}
    assert found.account_id == acme and found.owner_id == "90001" and found.stage == "contractsent"
    assert records[ada].account_id == acme  # type: ignore[union-attr]


def test_given_many_associations_when_reading_then_per_record_paging_is_followed(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    sandbox.hubspot_association_page = 2  # type: ignore[attr-defined]
    renewal = deal(sandbox.store, at=T0)
    people = [contact(sandbox.store, at=T0) for _ in range(5)]
    for id_ in people:
        link_deal_contact(sandbox.store, renewal, id_)
    found = connector(sandbox).read_records([Ref("hubspot", "deal", renewal)])
    assert [c.person.id for c in found[0].contacts] == people  # type: ignore[union-attr]


def test_given_refs_when_reading_records_then_current_state_merges_followed_missing_left_out(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    store = sandbox.store
    ada, bo = contact(store, at=T0), contact(store, at=T0, firstname="Bo")
    renewal = deal(store, at=T0)
    store.update("hubspot", "contacts", ada, {"leadpact_role": "user"})
    client = hubspot.HubSpot(access_token=SANDBOX_TOKEN, host=sandbox.url, retry=urllib3.Retry(0))
    client.crm.contacts.basic_api.merge(PublicMergeInput(primary_object_id=ada,
                                                         object_id_to_merge=bo))
    wanted = [person(ada), Ref("hubspot", "deal", renewal), person(bo), person("123456"),
              Ref("salesforce", "contact", "003000000000001AAA")]
    found = connector(sandbox).read_records(wanted)
    assert [r.ref for r in found] == wanted[:3]
    assert found[0].leadpact == {"role": "user"}
    assert found[2].deleted and found[2].merged_into == person(ada)  # type: ignore[union-attr]


# -- activities ----------------------------------------------------------------------------
def day(month: int, day_: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day_, hour, tzinfo=UTC)


def test_given_a_contact_with_engagements_when_reading_then_its_touches_in_order(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    store = sandbox.store
    ada = contact(store, at=T0, recent_conversion_event_name="Webinar: Buying committees "
                  "explained", recent_conversion_date=hs_time(day(1, 20)))
    email(store, ada, when=day(2, 3), subject="Re: Pricing", incoming=True, at=T0)
    email(store, ada, when=day(2, 1), subject="Pricing", at=T0)
    call(store, ada, when=day(2, 5), title="Call: intro", direction="INBOUND", at=T0)
    meeting(store, ada, when=day(2, 10), title="Weekly sync", at=T0)
    meeting(store, ada, when=day(2, 12), title="Missed", outcome="NO_SHOW", at=T0)
    meeting(store, ada, when=day(3, 10), title="Next week", outcome="SCHEDULED", at=T0)
    email(store, ada, when=datetime(2025, 6, 1, tzinfo=UTC), subject="Old thread", at=T0)
    hubspot_connector = connector(sandbox, clock=clock)
    [person] = [r for p in hubspot_connector.read_changes(None) for r in p.records]
    assert isinstance(person, Person)
    booked = datetime(2026, 3, 2, 9, tzinfo=UTC)  # hs_createdate: when the sandbox stored them
    assert person.activities == (
        Activity(day(1, 20), "webinar", True, "Webinar: Buying committees explained"),
        Activity(day(2, 1), "email", False, "Pricing"),
        Activity(day(2, 3), "email", True, "Re: Pricing"),
        Activity(day(2, 5), "call", True, "Call: intro"),
        Activity(day(2, 10), "meeting", True, "Weekly sync", outcome="held", booked_at=booked),
        # missed and upcoming meetings are kept with their outcome: stale signals, not touches
        Activity(day(2, 12), "meeting", False, "Missed", outcome="no_show", booked_at=booked),
        Activity(day(3, 10), "meeting", False, "Next week", outcome="scheduled",
                 booked_at=booked))
    assert hubspot_connector.read_records([person.ref]) == [person]
    capped = connector(sandbox, clock=clock, activity_cap=2).read_records([person.ref])
    # the cap keeps the newest past two-way ones and, apart, the newest marketing ones (the
    # webinar, older, is not pushed out by them); a meeting ahead is kept besides
    assert [a.subject for a in capped[0].activities] == [  # type: ignore[union-attr]
        "Webinar: Buying committees explained", "Weekly sync", "Missed", "Next week"]


def test_given_a_page_of_contacts_when_reading_activities_then_a_few_calls_per_page(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    store = sandbox.store
    for _ in range(120):
        ada = contact(store, at=T0)
        email(store, ada, when=day(2, 1), subject="Hello", at=T0)
        meeting(store, ada, when=day(2, 2), title="Demo", at=T0)
    counted = []
    for cap in (50, 0):
        hubspot_connector = connector(sandbox, clock=clock, activity_cap=cap)
        people = [r for p in hubspot_connector.read_changes(None) for r in p.records]
        assert len(people) == 120 and all(len(r.activities) == (2 if cap else 0)  # type: ignore[union-attr]
                                          for r in people)
        counted.append(hubspot_connector.api_calls)
    # the 120 contacts are enriched together: 3 association reads (emails, meetings, calls),
    # per engagement type that has any (emails, meetings) 120 ids at 100 per batch read,
    # and for those types one read of the deals they were logged on
    assert counted[0] - counted[1] == 3 + 2 * 2 + 2


def test_given_an_email_logged_on_one_deal_then_the_activity_names_that_deal(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    from leadpact.model import Ref

    store = sandbox.store
    ada = contact(store, at=T0)
    first, second = deal(store, at=T0, dealname="One"), deal(store, at=T0, dealname="Two")
    for deal_id in (first, second):
        link_deal_contact(store, deal_id, ada)
    email(store, ada, when=day(2, 1), subject="About one", at=T0, deal_id=first)
    email(store, ada, when=day(2, 2), subject="About both", at=T0)
    people = [r for p in connector(sandbox, clock=clock).read_changes(None) for r in p.records
              if r.ref.kind == "contact"]
    [person] = people
    deals = {a.subject: a.deal for a in person.activities}  # type: ignore[union-attr]
    assert deals == {"About one": Ref("hubspot", "deal", first), "About both": None}


def test_given_a_new_engagement_when_reading_again_then_its_contact_comes_back(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    store = sandbox.store
    ada, bo = contact(store, at=T0), contact(store, at=T0, firstname="Bo")
    hubspot_connector = connector(sandbox, clock=clock)
    cursor = list(hubspot_connector.read_changes(None))[-1].cursor
    clock.advance(3600)
    meeting(store, ada, when=clock.now - timedelta(minutes=30), title="Pilot check-in")
    pages = list(hubspot_connector.read_changes(cursor))
    [person] = [r for p in pages for r in p.records]
    assert person.ref == Ref("hubspot", "contact", ada) and person.ref.id != bo
    assert [a.subject for a in person.activities] == ["Pilot check-in"]  # type: ignore[union-attr]
    clock.advance(3600)
    assert [r for p in hubspot_connector.read_changes(pages[-1].cursor) for r in p.records] == []


def test_given_a_deal_with_a_next_activity_date_when_reading_then_it_is_next(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    store = sandbox.store
    planned = deal(store, at=T0, notes_next_activity_date=hs_time(day(3, 9)))
    quiet = deal(store, at=T0, dealname="Quiet", notes_last_updated=hs_time(day(1, 15)))
    found = {r.ref.id: r for r in connector(sandbox, clock=clock).read_records(
        [Ref("hubspot", "deal", planned), Ref("hubspot", "deal", quiet)])}
    assert found[planned].next_activity_at == day(3, 9)  # type: ignore[union-attr]
    # nothing scheduled: a past time, which the staleness rule reads as such
    assert found[quiet].next_activity_at == day(1, 15)  # type: ignore[union-attr]


# -- writing -------------------------------------------------------------------------------
def test_given_more_than_100_changes_when_applying_then_batches_of_100(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    made = [contact(sandbox.store, at=T0) for _ in range(150)]
    changes = [SetField(person(i), "role", "user") for i in made]
    changes += [SetField(person(made[0]), "role_confidence", "0.85")]
    hubspot_connector = connector(sandbox)
    results = hubspot_connector.apply(changes)
    assert all(r.ok for r in results) and [r.change for r in results] == changes
    assert hubspot_connector.api_calls == 2
    stored = sandbox.store.get("hubspot", "contacts", made[0])
    assert stored is not None
    assert (stored.fields["leadpact_role"], stored.fields["leadpact_role_confidence"]) == \
        ("user", "0.85")


def test_given_an_unknown_record_in_a_batch_when_applying_then_only_it_fails(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    made = [contact(sandbox.store, at=T0) for _ in range(3)]
    changes = [SetField(person(i), "role", "user") for i in [made[0], "999999", *made[1:]]]
    results = connector(sandbox).apply(changes)
    assert [r.ok for r in results] == [True, False, True, True]
    assert "999999" in (results[1].error or "") and "Could not get some contacts" in (
        results[1].error or "")


def test_given_an_invalid_value_in_a_batch_when_applying_then_the_batch_is_split_to_find_it(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    made = [contact(sandbox.store, at=T0) for _ in range(5)]
    changes: list[Change] = [SetBuyingRole(person(i), BuyingRole.CHAMPION) for i in made]
    changes[3] = RestoreLedgerValue(person(made[3]), "hs_buying_role", "WIZARD")
    results = connector(sandbox).apply(changes)
    assert [r.ok for r in results] == [True, True, True, False, True]
    assert "WIZARD was not one of the allowed options" in (results[3].error or "")


def test_given_a_portal_without_leadpact_properties_when_applying_then_the_error_says_how_to_fix(
    sandbox: Sandbox,
) -> None:
    ada = contact(sandbox.store)
    hubspot_connector = connector(sandbox)
    results = hubspot_connector.apply([
        SetField(person(ada), "role", "user"),
        SetBuyingRole(person(ada), BuyingRole.CHAMPION),
        UpsertTask(person(ada), "k", "s", "b", None, date(2026, 3, 5)),
    ])
    assert not results[0].ok and "leadpact setup" in (results[0].error or "")
    assert not results[1].ok  # same record, same batch input
    assert not results[2].ok and "leadpact_task_key" in (results[2].error or "")
    # update, key read (refused: no such property), key search, task create
    assert hubspot_connector.api_calls <= 4


def test_given_a_task_when_upserting_twice_then_it_is_created_once_and_associated(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    store = sandbox.store
    ada, renewal = contact(store, at=T0), deal(store, at=T0)
    task = UpsertTask(Ref("hubspot", "deal", renewal), "Deal:1:Stale:2026-W10", "Re-engage",
                      "The buyer went silent", "90001", date(2026, 3, 5), contact=person(ada))
    first = connector(sandbox).apply([task, task])
    again = connector(sandbox).apply([task])
    created = first[0].created_id
    assert first[0].ok and created and first[1].created_id == created
    assert again[0].ok and again[0].created_id == created
    assert store.count("hubspot", "tasks") == 1
    stored = store.get("hubspot", "tasks", created)
    assert stored is not None and stored.fields["hs_timestamp"] == "2026-03-05T00:00:00.000Z"
    assert stored.fields["hs_task_status"] == "NOT_STARTED"
    assert [a[:2] for a in store.associations("hubspot", "tasks", created, "deals")] == \
        [(renewal, 216)]
    assert [a[:2] for a in store.associations("hubspot", "tasks", created, "contacts")] == \
        [(ada, 204)]
    assert [a[:2] for a in store.associations("hubspot", "deals", renewal, "tasks")] == \
        [(created, 215)]


@pytest.mark.parametrize("drop", ["drop", "drop_after"])
def test_given_a_task_create_goes_unanswered_then_the_next_run_checks_before_creating(
    sandbox: Sandbox, clock: FakeClock, drop: str,
) -> None:
    renewal = deal(sandbox.store, at=T0)
    sandbox.faults.add(Fault(system="hubspot", path_contains="/tasks/batch/create", kind=drop))
    task = UpsertTask(Ref("hubspot", "deal", renewal), "k1", "s", "b", None, date(2026, 3, 5))
    [first] = connector(sandbox).apply([task])
    # Unanswered: it may or may not exist, and HubSpot's search lags, so no retry now.
    assert not first.ok and "did not confirm" in str(first.error)
    [again] = connector(sandbox).apply([task])  # the next run
    assert again.ok and sandbox.store.count("hubspot", "tasks") == 1


def test_given_a_task_create_answered_after_the_read_timeout_when_rerun_then_one_task(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    renewal = deal(sandbox.store, at=T0)
    late = Fault(system="hubspot", path_contains="/tasks/batch/create", kind="delay",
                 delay=1.5)
    sandbox.faults.add(late)
    task = UpsertTask(Ref("hubspot", "deal", renewal), "k1", "s", "b", None, date(2026, 3, 5))
    [first] = connector(sandbox, timeout=0.3).apply([task])
    assert not first.ok and "did not confirm" in str(first.error)
    [again] = connector(sandbox, timeout=0.3).apply([task])  # the next run, at once
    assert late.done.wait(timeout=10)  # the late create has landed (and been refused)
    assert again.ok and again.created_id
    [only] = [row.id for row in sandbox.store.scan("hubspot", "tasks")]
    assert only == again.created_id


def test_given_a_task_made_after_the_key_read_when_creating_then_the_conflict_finds_it(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    renewal = deal(sandbox.store, at=T0)
    task = UpsertTask(Ref("hubspot", "deal", renewal), "k1", "s", "b", None, date(2026, 3, 5))
    [made] = connector(sandbox).apply([task])
    # The key read misses it (as if the late create had not landed yet): the create is
    # refused as a conflict, and the read after it finds the task.
    sandbox.faults.add(Fault(system="hubspot", path_contains="/tasks/batch/read",
                             kind="status", status=200, body={
                                 "status": "COMPLETE", "results": [],
                                 "startedAt": "2026-03-01T00:00:00Z",
                                 "completedAt": "2026-03-01T00:00:00Z"}))
    [again] = connector(sandbox).apply([task])
    assert again.ok and again.created_id == made.created_id
    assert sandbox.store.count("hubspot", "tasks") == 1


def test_given_a_portal_whose_task_key_is_not_unique_when_upserting_twice_then_one_task(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    properties = load_properties(sandbox.store)
    for prop in properties["tasks"]:  # set up before the key became a unique property
        prop["hasUniqueValue"] = prop["hasUniqueValue"] and prop["name"] != "leadpact_task_key"
    save_properties(sandbox.store, properties)
    renewal = deal(sandbox.store, at=T0)
    task = UpsertTask(Ref("hubspot", "deal", renewal), "k1", "s", "b", None, date(2026, 3, 5))
    [first] = connector(sandbox).apply([task])
    [again] = connector(sandbox).apply([task])  # the key read is refused: search instead
    assert first.ok and again.ok and again.created_id == first.created_id
    assert sandbox.store.count("hubspot", "tasks") == 1
    problems = connector(sandbox).check()
    assert [p.what for p in problems if "unique" in p.what] == [
        "HubSpot tasks property leadpact_task_key does not require unique values, so HubSpot "
        "cannot refuse a task made twice (leadpact falls back to a key search, which lags)"]


def test_given_an_open_task_when_closing_it_then_completed(sandbox: Sandbox,
                                                          clock: FakeClock) -> None:
    renewal = deal(sandbox.store, at=T0)
    hubspot_connector = connector(sandbox)
    [made] = hubspot_connector.apply(
        [UpsertTask(Ref("hubspot", "deal", renewal), "k1", "s", "b", None, date(2026, 3, 5))])
    task = Ref("hubspot", "task", made.created_id or "")
    [closed] = hubspot_connector.apply([CloseTask(task, "k1")])
    stored = sandbox.store.get("hubspot", "tasks", task.id)
    assert closed.ok and stored is not None and stored.fields["hs_task_status"] == "COMPLETED"


def test_given_a_contact_role_change_when_applying_then_refused_with_the_reason(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    [result] = connector(sandbox).apply([SetDealContactRole(
        Ref("hubspot", "deal", "1"), person("2"), BuyingRole.DECISION_MAKER, "1")])
    assert not result.ok
    assert result.error == "HubSpot stores buying roles on the contact (hs_buying_role)"


# -- failures ------------------------------------------------------------------------------
@pytest.mark.parametrize(("headers", "expected"), [({"Retry-After": "3"}, [3.0, 3.0]),
                                                   ({}, None)])
def test_given_429s_when_reading_then_retried_after_the_asked_or_backed_off_wait(
    sandbox: Sandbox, clock: FakeClock, headers: dict[str, str], expected: list[float] | None,
) -> None:
    contact(sandbox.store, at=T0)
    sandbox.faults.add(Fault(system="hubspot", path_contains="/search", status=429,
                             body=rate_limited(), headers=headers, times=2))
    sleeps = Sleeps()
    pages = list(connector(sandbox, sleeps=sleeps).read_changes(None))
    assert len(ids(pages)) == 1
    if expected is not None:
        assert sleeps.seen == expected
    else:  # exponential backoff with full jitter: base 0.5 s, doubling
        assert len(sleeps.seen) == 2
        assert 0 <= sleeps.seen[0] <= 0.5 and 0 <= sleeps.seen[1] <= 1.0


def test_given_the_rolling_limit_when_reading_then_waits_for_the_window_and_goes_on(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    sandbox.hubspot_burst = (3, 10.0)  # type: ignore[attr-defined]
    for i in range(4):
        contact(sandbox.store, at=T0 + timedelta(seconds=i))
    sleeps = Sleeps(then=clock.advance)
    pages = list(connector(sandbox, sleeps=sleeps, page_size=2).read_changes(None))
    assert len(ids(pages)) == 4
    assert sleeps.seen and all(0 < s <= 10 for s in sleeps.seen)


def test_given_the_daily_limit_when_reading_then_quota_exhausted_without_retrying(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    sandbox.faults.add(Fault(system="hubspot", status=429, body=rate_limited("DAILY")))
    sleeps = Sleeps()
    with pytest.raises(QuotaExhausted, match="daily API limit"):
        list(connector(sandbox, sleeps=sleeps).read_changes(None))
    assert sleeps.seen == []


def test_given_a_bad_token_when_reading_then_auth_error_without_the_token(
    sandbox: Sandbox, clock: FakeClock,
) -> None:
    with pytest.raises(AuthError) as raised:
        list(connector(sandbox, token="pat-na1-not-the-right-one").read_changes(None))
    assert "LEADPACT_HUBSPOT_TOKEN" in str(raised.value)
    assert "not-the-right-one" not in str(raised.value)


def test_given_no_server_when_reading_then_unreachable_naming_the_host(sandbox: Sandbox) -> None:
    sleeps = Sleeps()
    hubspot_connector = connector(sandbox, sleeps=sleeps, attempts=3)
    sandbox.stop()
    with pytest.raises(UnreachableError, match="127.0.0.1") as raised:
        list(hubspot_connector.read_changes(None))
    assert SANDBOX_TOKEN not in str(raised.value)
    assert len(sleeps.seen) == 2 and hubspot_connector.api_calls == 3


# -- setup ---------------------------------------------------------------------------------
def test_given_a_fresh_portal_when_checking_then_missing_properties_and_fix_creates_them(
    sandbox: Sandbox,
) -> None:
    hubspot_connector = connector(sandbox)
    problems = hubspot_connector.check()
    assert [p.what.split(" lack ")[0] for p in problems] == \
        ["HubSpot contacts", "HubSpot deals", "HubSpot companies", "HubSpot tasks"]
    assert "leadpact_role_confidence" in problems[0].what
    assert "leadpact_group_stage" in problems[2].what
    assert all(p.fix == "run `leadpact setup` to create them" for p in problems)

    created = hubspot_connector.create_missing_properties()
    assert "contacts.leadpact_role" in created and "tasks.leadpact_task_key" in created
    assert "companies.leadpact_engaged_roles" in created
    assert hubspot_connector.check() == []
    assert hubspot_connector.create_missing_properties() == []


def test_given_a_bad_token_when_checking_then_one_problem_saying_what_to_do(
    sandbox: Sandbox,
) -> None:
    assert connector(sandbox, token="nope").check() == [CheckProblem(AUTH_PROBLEM, AUTH_FIX)]
