"""The records a Salesforce change read built, kept for the refresh pass: found by ref
past the size of one lookup statement, and holding leadpact's writes the CRM took (its
fields, a lead's Status, a deal contact's role), not those it refused."""

from __future__ import annotations

from leadpact.changes import (
    ChangeResult,
    SetDealContactRole,
    SetField,
    SetLeadStatus,
    UpsertTask,
)
from leadpact.connectors.salesforce.read_this_run import ReadThisRun
from leadpact.enrichment.labels import BuyingRole
from leadpact.model import ContactRole, Ref
from tests.builders import NOW, deal, person


def test_given_many_records_kept_then_each_is_found_by_its_ref_and_no_other() -> None:
    kept = ReadThisRun()
    try:
        kept.keep(person(f"003{n}", system="salesforce") for n in range(1200))
        wanted = [Ref("salesforce", "contact", f"003{n}") for n in range(0, 1200, 2)]
        found = kept.take([*wanted, Ref("salesforce", "lead", "0031"),
                           Ref("salesforce", "contact", "unknown")])
        assert sorted(found) == sorted(wanted)  # same id, another kind: not that record
        assert all(found[ref].ref == ref for ref in wanted)
    finally:
        kept.close()


def test_given_writes_answered_then_the_kept_records_hold_those_the_crm_took() -> None:
    ann = person("00Q1", system="salesforce", kind="lead", leadpact={"role": "user"},
                 native={"Status": "Open"})
    bo = ContactRole(Ref("salesforce", "contact", "0032"), None, "00K2")
    cy = ContactRole(Ref("salesforce", "contact", "0033"), None, "00K3")
    opp = deal("0061", contacts=(bo, cy))
    kept = ReadThisRun()
    try:
        kept.keep([ann, opp])
        kept.wrote([
            ChangeResult(SetField(ann.ref, "role", "economic_buyer", "user"), True),
            ChangeResult(SetField(ann.ref, "seniority", "c_level"), False, "refused"),
            ChangeResult(SetLeadStatus(ann.ref, "salesforce_lead_status", "Working", "Open"), True),
            ChangeResult(SetDealContactRole(opp.ref, bo.person, BuyingRole.DECISION_MAKER), True),
            ChangeResult(SetDealContactRole(opp.ref, cy.person, BuyingRole.INFLUENCER, "00K3"),
                         False),
            ChangeResult(UpsertTask(opp.ref, "k", "s", "b", None, NOW.date()), True),
        ])
        found = kept.take([ann.ref, opp.ref])
        assert found[ann.ref].leadpact == {"role": "economic_buyer"}
        assert found[ann.ref].native == {"Status": "Working"}  # type: ignore[union-attr]
        assert [c.role for c in found[opp.ref].contacts] == ["Decision Maker", None]  # type: ignore[union-attr]
    finally:
        kept.close()
