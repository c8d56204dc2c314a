"""The sync after a first sync does not read leadpact's own HubSpot writes back
(connectors/hubspot/own_writes.py), yet misses no person's edit: one made inside the write
(before the history check saw the record) or one made after it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from leadpact.connectors import cursor as cursors
from leadpact.connectors.base import Connector
from leadpact.connectors.cursor import StreamCursor
from leadpact.connectors.hubspot.mapping import to_ms
from leadpact.connectors.sandbox.server import Fault, Sandbox
from leadpact.model import Ref
from leadpact.pipeline import run_sync
from leadpact.rules.engine import load_rules
from leadpact.state import State
from tests.contract.orgs import HubSpotFace
from tests.sf_builders import ManualClock
from tests.unit.test_pipeline import classify

RULES = load_rules(None)
TITLES = ("Software Engineer", "Data Analyst", "Marketing Intern", "VP Engineering")


def left_out(state: State) -> set[str]:
    """Contact ids the next read leaves out, from the cursor the sync committed."""
    streams = cursors.load(state.cursor("hubspot"))
    return {id_ for _, ids in streams["contacts"].own for id_ in ids}


def rows_read(crm: Connector) -> list[str]:
    """Ids the connector's contact searches read from now on (the high-water search's
    newest row only counts when its answer is the whole read)."""
    rows: list[str] = []
    search = crm._search  # type: ignore[attr-defined]

    def counting(stream: Any, body: dict[str, Any]) -> Any:
        answer = search(stream, body)
        results = answer.results or []
        whole = (answer.total or 0) <= len(results)  # the high-water answer is the read
        if stream.name == "contacts" and (whole or body["sorts"][0]["direction"] == "ASCENDING"):
            rows.extend(str(obj.id) for obj in results)
        return answer

    crm._search = counting  # type: ignore[attr-defined]
    return rows


def test_given_a_first_sync_then_the_next_reads_none_of_its_writes_but_a_later_edit(
        sandbox: Sandbox) -> None:
    org = HubSpotFace(sandbox, ManualClock())
    people = [org.person(title, f"p{i}@acme.example") for i, title in enumerate(TITLES)]
    state = State(":memory:")
    run_sync([org.connector()], state, RULES, classify, org.clock.now)
    assert left_out(state) == {p.id for p in people}
    org.clock.advance(minutes=10)
    crm = org.connector(page_size=1)  # so leaving writes out is cheaper than reading all
    rows = rows_read(crm)
    summary, _ = run_sync([crm], state, RULES, classify, org.clock.now)
    assert rows == [] and summary.systems["hubspot"].records_read == 0
    org.clock.advance(minutes=10)
    org.set_title(people[0], "Procurement Manager")  # after the check: stamped later
    crm = org.connector(page_size=1)  # so leaving writes out is cheaper than reading all
    rows = rows_read(crm)
    run_sync([crm], state, RULES, classify, org.clock.now)
    assert set(rows) == {people[0].id}  # (pages of one overlap at their boundary)
    assert org.field(people[0], "function") == "procurement"


def test_given_a_title_edit_inside_the_first_sync_write_then_the_next_sync_reads_it(
        sandbox: Sandbox) -> None:
    """The edit lands under leadpact's write (same request): the record's stamp is
    leadpact's, but the check after the write sees the new title, so the record is not
    left out and the next sync judges the person's title."""
    org = HubSpotFace(sandbox, ManualClock())
    ann: Ref = org.person("Software Engineer", "ann@acme.example")
    bob = org.person("Data Analyst", "bob@acme.example")
    fault = Fault("hubspot", "POST", "/batch/update", kind="edit", edits=[{
        "system": "hubspot", "type": "contacts", "id": ann.id,
        "fields": {"jobtitle": "Procurement Manager"}}])
    sandbox.faults.add(fault)
    org.clock.advance(minutes=1)  # the sync (and the edit inside it) after the records' stamps
    state = State(":memory:")
    run_sync([org.connector()], state, RULES, classify, org.clock.now)
    assert fault.times == 0  # the edit landed inside the write
    assert org.field(ann, "function") == "engineering"  # judged on the title read before
    assert left_out(state) == {bob.id}
    org.clock.advance(minutes=10)
    crm = org.connector(page_size=1)  # so leaving writes out is cheaper than reading all
    rows = rows_read(crm)
    run_sync([crm], state, RULES, classify, org.clock.now)
    assert set(rows) == {ann.id}
    assert org.field(ann, "function") == "procurement"


def test_given_own_ranges_packed_in_one_search_then_only_their_ids_are_left_out(
        sandbox: Sandbox) -> None:
    """Ranges go several to a search; when its page comes back full (pages of one here),
    the rest is read range by range from the last stamp, still leaving out only the ids
    of each range."""
    org = HubSpotFace(sandbox, ManualClock())
    start = org.clock.now
    people = []
    for i in range(6):
        org.clock.advance(seconds=1)
        people.append(org.person(TITLES[i % len(TITLES)], f"p{i}@acme.example"))
    stamp = [to_ms(start + timedelta(seconds=i + 1)) for i in range(6)]
    # Ranges end at people 1 and 3; people 0, 2 and 4 share their ranges but are not
    # theirs to leave out; person 5 comes after every range.
    own = ((stamp[1], (people[1].id,)), (stamp[3], (people[3].id,)))
    cursor = cursors.dump({"contacts": StreamCursor(start).with_own(own)})
    for page_size in (1, 2, 3):  # pages small enough that leaving out is the cheaper read
        crm = org.connector(page_size=page_size, lookback=timedelta(0))
        rows = rows_read(crm)
        read = {r.ref.id for page in crm.read_changes(cursor) for r in page.records}
        assert read == {p.id for i, p in enumerate(people) if i not in (1, 3)}
        assert people[1].id not in rows and people[3].id not in rows


def test_given_few_changes_then_each_stream_is_read_in_one_search(sandbox: Sandbox) -> None:
    """The high-water search asks for the newest page: when every change fits in it, it
    is the read, and no second search is made."""
    org = HubSpotFace(sandbox, ManualClock())
    people = [org.person(title, f"p{i}@acme.example") for i, title in enumerate(TITLES)]
    crm = org.connector()
    searches: list[str] = []
    search = crm._search  # type: ignore[attr-defined]

    def counting(stream: Any, body: dict[str, Any]) -> Any:
        searches.append(stream.name)
        return search(stream, body)

    crm._search = counting  # type: ignore[attr-defined]
    records = [r for page in crm.read_changes(None) for r in page.records]
    assert {r.ref.id for r in records} == {p.id for p in people}
    assert {getattr(r, "title", None) for r in records} == set(TITLES)  # read whole
    assert searches.count("contacts") == 1


def test_given_a_persons_value_put_back_after_the_write_then_the_record_is_read_again(
        sandbox: Sandbox) -> None:
    """An edit of a field leadpact writes, inside the write, is put back by a second write:
    the record then holds a person's value, so the next sync reads it as before."""
    org = HubSpotFace(sandbox, ManualClock())
    ann = org.person("Software Engineer", "ann@acme.example")
    bob = org.person("Data Analyst", "bob@acme.example")
    fault = Fault("hubspot", "POST", "/batch/update", kind="edit", edits=[{
        "system": "hubspot", "type": "contacts", "id": ann.id,
        "fields": {"leadpact_role": "influencer"}}])
    sandbox.faults.add(fault)
    org.clock.advance(minutes=1)
    state = State(":memory:")
    summary, _ = run_sync([org.connector()], state, RULES, classify, org.clock.now)
    assert fault.times == 0 and org.field(ann, "role") == "influencer"  # put back
    assert summary.systems["hubspot"].manual_values_kept >= 1
    assert left_out(state) == {bob.id}


def test_given_more_own_writes_than_are_kept_then_the_rest_are_read_back(
        sandbox: Sandbox, monkeypatch: Any) -> None:
    """Past MAX_KEPT ids a page's checked writes are not kept (the cursor stays bounded
    whatever the org's size): the next sync reads those records back, as before."""
    from leadpact.connectors.hubspot import own_writes
    monkeypatch.setattr(own_writes, "MAX_KEPT", 2)
    org = HubSpotFace(sandbox, ManualClock())
    people = [org.person(title, f"p{i}@acme.example") for i, title in enumerate(TITLES)]
    state = State(":memory:")
    run_sync([org.connector(page_size=1)], state, RULES, classify, org.clock.now)
    kept = left_out(state)
    assert len(kept) == 2 and kept < {p.id for p in people}
    org.clock.advance(minutes=10)
    crm = org.connector(page_size=1)
    rows = rows_read(crm)
    run_sync([crm], state, RULES, classify, org.clock.now)
    assert {p.id for p in people} - kept <= set(rows) and not kept & set(rows)
