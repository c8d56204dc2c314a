"""Sales feedback as the connectors map it: a rep's picklist value under its canonical
name on both CRMs, empty left out; and merged over twins the same way whichever is read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadpact.connectors.hubspot import mapping as hs
from leadpact.connectors.salesforce import mapping as sf
from leadpact.lead_facts import person_facts, saved_verdict
from leadpact.model import HUBSPOT, SALESFORCE, Person, Ref
from leadpact.state import KnownPerson

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
STAMP = "2026-11-02T09:00:00.000+0000"


@pytest.mark.parametrize(("value", "expected"), [
    ("Rejected", "Rejected"), ("Accepted", "Accepted"), (None, None), ("", None)])
def test_both_connectors_read_the_feedback_picklist(value: str | None,
                                                    expected: str | None) -> None:
    lead = sf.to_person({"attributes": {"type": "Lead"}, "Id": "00Q1", "SystemModstamp": STAMP,
                         "Leadpact_Sales_Feedback__c": value})
    contact = hs.to_person("1", {"leadpact_sales_feedback": value}, modified_at=T)
    assert lead.leadpact.get("sales_feedback") == expected
    assert contact.leadpact.get("sales_feedback") == expected


def known(ref: Ref, feedback: str | None) -> KnownPerson:
    person = Person(ref, T, leadpact={"sales_feedback": feedback} if feedback else {})
    return KnownPerson(ref=ref, identity="x", email=None, title=None, modified_at=T,
                       verdict=saved_verdict({}, person))


@pytest.mark.parametrize(("sf_value", "hs_value", "expected"), [
    ("Rejected", None, "Rejected"),
    (None, "Rejected", "Rejected"),
    ("Accepted", "Rejected", "Rejected"),  # the lowest reference with a value: hubspot:…
    (None, None, None),
])
def test_twins_agree_on_the_feedback_whichever_record_is_judged(
        sf_value: str | None, hs_value: str | None, expected: str | None) -> None:
    sf_ref, hs_ref = Ref(SALESFORCE, "lead", "00Q1"), Ref(HUBSPOT, "contact", "1")
    sf_person = Person(sf_ref, T, leadpact={"sales_feedback": sf_value} if sf_value else {})
    hs_person = Person(hs_ref, T, leadpact={"sales_feedback": hs_value} if hs_value else {})
    from_sf = person_facts(sf_person, [known(hs_ref, hs_value)])
    from_hs = person_facts(hs_person, [known(sf_ref, sf_value)])
    assert from_sf.sales_feedback == from_hs.sales_feedback == expected
