"""State's typed rows: what goes in comes back as the same values, text written by older
versions still reads, and an unknown vocabulary word is refused naming the accepted ones."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime

import pytest

from leadpact.enrichment.labels import BuyingRole, Function, Seniority
from leadpact.model import CONTACT, DEAL, ContactRole, Deal, Ref, System
from leadpact.state import CHUNK, State
from leadpact.state_rows import SavedVerdict, deal_from_data, verdict_from_data
from leadpact.verdicts import DealSummary, PersonVerdict

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
DEAL_REF = Ref(System.SALESFORCE, DEAL, "006A")
PERSON = Ref(System.SALESFORCE, CONTACT, "003A")


def a_deal() -> Deal:
    return Deal(DEAL_REF, NOW, name="Acme renewal", stage="Negotiation", amount=12000.0,
                close_date=date(2026, 12, 1), created_at=datetime(2026, 8, 1, tzinfo=UTC),
                owner_id="005ann", account_id="001acme",
                stage_entered_at=datetime(2026, 10, 1, tzinfo=UTC), close_date_pushes=2,
                stage_history=((datetime(2026, 8, 1, tzinfo=UTC), "Discovery"),
                               (datetime(2026, 10, 1, tzinfo=UTC), "Negotiation")),
                close_date_history=((datetime(2026, 9, 1, tzinfo=UTC), date(2026, 11, 1)),),
                contacts=(ContactRole(PERSON, "Economic Buyer", "00KA"),))


def test_given_a_deal_and_its_summary_saved_then_the_row_gives_them_back() -> None:
    summary = DealSummary(True, "silent 40 days", 0.9, 40, "2026-09-23T10:00:00+00:00",
                          True, ("no_decision_maker",), (BuyingRole.DECISION_MAKER,))
    state = State(":memory:")
    state.save_deal(DEAL_REF, True, a_deal(), summary, [PERSON])

    row = state.deal(DEAL_REF)

    assert row is not None and row.ref == DEAL_REF
    assert row.deal == a_deal() and row.verdict == summary
    assert [r.deal for r in state.open_deals()] == [a_deal()]
    assert state.deals_of_person(PERSON) == [DEAL_REF]


def test_given_a_person_verdict_saved_then_it_reads_back_typed() -> None:
    judged = PersonVerdict(Seniority.VP, Function.FINANCE, BuyingRole.ECONOMIC_BUYER, 0.9,
                           "vp + finance", "sales_ready", 60, "economic buyer +40",
                           BuyingRole.ECONOMIC_BUYER, "A", 12)
    saved = SavedVerdict(judged, {"industry": "Software"}, "accepted")
    state = State(":memory:")
    state.save_person(PERSON, "id-1", "ana@acme.test", "VP Finance", NOW, saved)

    known = state.person(PERSON)

    assert known is not None and known.verdict == saved
    assert known.verdict.role is BuyingRole.ECONOMIC_BUYER


def test_given_a_snapshot_from_an_older_version_then_missing_keys_read_as_empty() -> None:
    old = {"name": "Old deal", "is_closed": False, "created_at": None,
           "modified_at": NOW.isoformat(), "close_date": None, "last_activity_at": None,
           "next_activity_at": None, "contacts": [[str(PERSON), None, None]]}

    deal = deal_from_data(DEAL_REF, json.loads(json.dumps(old)))

    assert deal == Deal(DEAL_REF, NOW, name="Old deal", contacts=(ContactRole(PERSON),))


def test_given_a_verdict_from_before_fit_and_engagement_then_they_default() -> None:
    old = {"seniority": "ic", "function": "it", "role": "user", "confidence": 0.7,
           "because": "ic + it", "stage": "nurture", "score": 10, "stage_reasons": "",
           "title_role": "user"}

    saved = verdict_from_data(old)

    assert (saved.judged.fit, saved.judged.engagement, saved.own_fields) == ("", 0.0, {})


@pytest.mark.parametrize(("text", "words"), [
    ("salesforce:opportunity:006A", "record kind; use one of lead, contact, deal"),
    ("pipedrive:deal:1", "system; use one of salesforce, hubspot"),
    ("no-colons", "not a record reference"),
])
def test_given_a_bad_reference_then_the_error_names_the_accepted_words(
        text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        Ref.parse(text)


def test_given_an_unknown_role_in_a_stored_verdict_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="'boss' is not a buying role; use one of"):
        verdict_from_data({"role": "boss"})


def test_given_more_rows_than_a_chunk_when_walked_then_every_row_once_in_ref_order() -> None:
    """Whole-table walks read CHUNK rows a query (a big org does not fit in memory): the
    chunk edges must neither drop nor repeat a row."""
    state = State(":memory:")
    people = [Ref(System.HUBSPOT, CONTACT, f"{n}") for n in range(CHUNK * 2 + 1)]
    for ref in people:
        state.save_person(ref, f"id-{ref.id}", None, None, NOW, None)
    state.save_person(PERSON, "id-sf", None, None, NOW, None)  # another CRM: left out
    deals = [Ref(System.HUBSPOT, DEAL, f"{n}") for n in range(CHUNK + 3)]
    for n, ref in enumerate(deals):
        state.save_deal(ref, n % 2 == 0, dataclasses.replace(a_deal(), ref=ref), None, [])

    assert [p.ref for p in state.persons_of(System.HUBSPOT)] == sorted(people, key=str)
    expected = sorted([*people, *deals[::2]], key=str)
    assert list(state.known_records(System.HUBSPOT)) == expected
    assert state.count_known(System.HUBSPOT) == len(expected)
    assert [r.ref for r in state.open_deals()] == sorted(deals[::2], key=str)
    assert [r.ref for r in state.deals()] == sorted(deals, key=str)


def test_given_many_task_intents_when_read_per_crm_then_in_record_and_rule_order() -> None:
    """The task pass reads a CRM's intents a chunk at a time, in the order it always took
    them: sorted by (record, rule)."""
    state = State(":memory:")
    saved = []
    for n in range(CHUNK + 101):
        for system in (System.HUBSPOT, System.SALESFORCE):
            about = Ref(system, CONTACT, f"{n}")
            for rule in ("lead:sales_ready", "lead:nurture"):
                saved.append((about, rule, json.dumps([str(about), rule])))
    state.save_task_intents((about, rule, True, text) for about, rule, text in saved)

    for system in (System.HUBSPOT, System.SALESFORCE):
        expected = [text for about, rule, text in sorted(saved, key=lambda s: str(s[:2]))
                    if about.system == system]
        assert list(state.task_intents(system)) == expected
