"""Each CRM's spelling of leadpact's buying roles, as the connectors' mappings give it to
the planner (connectors/roles.py)."""

from __future__ import annotations

import pytest

from leadpact.changes import (
    Change,
    CloseTask,
    RestoreLedgerValue,
    SetBuyingRole,
    SetDealContactRole,
    SetField,
    SetLeadStatus,
)
from leadpact.connectors.roles import VOCABULARIES, as_field_write, ledger_value
from leadpact.enrichment.labels import BuyingRole, Function
from leadpact.model import Ref
from leadpact.role_vocabulary import NO_ROLES, LedgerValue

SF, HS = VOCABULARIES["salesforce"], VOCABULARIES["hubspot"]


def test_the_ledger_names_are_those_older_state_files_hold() -> None:
    # undo and "is it ours" read these names back from existing state files
    assert HS.person_field == "hs_buying_role"
    assert SF.contact_role_field("00K1") == "contact_role:00K1"
    assert SF.contact_role_id("contact_role:00K1") == "00K1"
    assert SF.contact_role_id("role") is None
    assert HS.contact_role_field("00K1") is None and SF.person_field is None


@pytest.mark.parametrize(("role", "function", "hubspot", "salesforce"), [
    ("economic_buyer", "finance", "BUDGET_HOLDER", "Economic Buyer"),
    ("technical_evaluator", "engineering", "INFLUENCER", "Evaluator"),
    ("champion", "sales", "CHAMPION", "Influencer"),
    ("blocker", "legal", "LEGAL_AND_COMPLIANCE", None),
    ("blocker", "procurement", "BLOCKER", None),
    ("unknown", "other", None, None),
])
def test_given_a_role_then_each_crm_spells_it_its_own_way(
        role: str, function: str, hubspot: str | None, salesforce: str | None) -> None:
    assert HS.person_role(role, function) == hubspot
    assert SF.deal_contact_role(role) == salesforce
    assert HS.deal_contact_role(role) is None  # HubSpot keeps roles on the contact
    assert SF.person_role(role, function) is None


@pytest.mark.parametrize(("value", "role"), [
    ("Economic Decision Maker", "economic_buyer"),
    ("Technical Buyer", "technical_evaluator"),
    ("BUDGET_HOLDER", "economic_buyer"),
    ("Budget Holder", "economic_buyer"),  # a HubSpot label spelt for people
    ("Decision Maker;Champion", "decision_maker"),
    ("Other", None),
    (None, None),
])
def test_given_a_value_a_person_recorded_then_it_reads_as_a_role(value: str | None,
                                                                 role: str | None) -> None:
    assert SF.role_from_crm(value) == HS.role_from_crm(value) == role
    assert NO_ROLES.role_from_crm(value) is None


def test_a_salesforce_role_echoed_into_a_hubspot_label_is_only_our_guess() -> None:
    assert HS.guessed_contact_role("champion") == "Influencer"
    assert SF.guessed_contact_role("champion") == "Influencer"
    assert NO_ROLES.guessed_contact_role("champion") is None


# -- canonical changes resolved to the CRM's field (by its ledger name) and value ---------
HS_ANN = Ref("hubspot", "contact", "1")
SF_LEAD = Ref("salesforce", "lead", "00Q1")
SF_DEAL = Ref("salesforce", "deal", "006A")
SF_ANN = Ref("salesforce", "contact", "003A")


@pytest.mark.parametrize(("change", "expected"), [
    (SetBuyingRole(HS_ANN, BuyingRole.TECHNICAL_EVALUATOR, Function.ENGINEERING, "OTHER"),
     LedgerValue(HS_ANN, "hs_buying_role", "INFLUENCER", "OTHER")),
    (SetBuyingRole(HS_ANN, BuyingRole.BLOCKER, Function.LEGAL),
     LedgerValue(HS_ANN, "hs_buying_role", "LEGAL_AND_COMPLIANCE")),
    (SetBuyingRole(HS_ANN, BuyingRole.BLOCKER, None),
     LedgerValue(HS_ANN, "hs_buying_role", "BLOCKER")),
    (SetBuyingRole(HS_ANN, None, None, "CHAMPION"),  # clears
     LedgerValue(HS_ANN, "hs_buying_role", None, "CHAMPION")),
    (SetBuyingRole(HS_ANN, BuyingRole.UNKNOWN), None),  # nothing to write
    (SetBuyingRole(SF_ANN, BuyingRole.CHAMPION), None),  # Salesforce has no such field
    (SetDealContactRole(SF_DEAL, SF_ANN, BuyingRole.CHAMPION, "00K1"),
     LedgerValue(SF_DEAL, "contact_role:00K1", "Influencer")),
    (SetDealContactRole(SF_DEAL, SF_ANN, BuyingRole.BLOCKER, "00K1"), None),
    (SetDealContactRole(SF_DEAL, SF_ANN, BuyingRole.USER, None), None),  # no role record
    (SetLeadStatus(SF_LEAD, "salesforce_lead_status", "Working - Contacted", "Open"),
     LedgerValue(SF_LEAD, "Status", "Working - Contacted", "Open")),
    (SetLeadStatus(HS_ANN, "hubspot_lifecyclestage", "lead"),
     LedgerValue(HS_ANN, "lifecyclestage", "lead")),
    (SetLeadStatus(HS_ANN, "salesforce_lead_status", "Open"), None),  # another CRM's table
    (RestoreLedgerValue(SF_DEAL, "contact_role:00K1", "Technical Buyer", "Evaluator"),
     LedgerValue(SF_DEAL, "contact_role:00K1", "Technical Buyer", "Evaluator")),
    (RestoreLedgerValue(HS_ANN, "jobtitle", "CFO"), None),  # not a field leadpact fills
])
def test_given_a_canonical_change_then_its_crm_resolves_field_and_value(
        change: Change, expected: LedgerValue | None) -> None:
    assert ledger_value(change) == expected


def test_given_a_leadpact_field_or_a_task_then_the_ledger_value_is_the_field_or_none() -> None:
    assert ledger_value(SetField(HS_ANN, "role", "user", None)) == LedgerValue(
        HS_ANN, "role", "user", None)
    assert ledger_value(CloseTask(Ref("hubspot", "task", "9"), "k")) is None


def test_given_a_deal_contact_role_then_it_is_no_field_write_of_the_person() -> None:
    # re-checked on its own before the write (leadpact/contact_role_recheck.py)
    assert as_field_write(SetDealContactRole(SF_DEAL, SF_ANN, BuyingRole.USER, "00K1")) is None
    assert as_field_write(RestoreLedgerValue(SF_DEAL, "contact_role:00K1", None)) is None
    assert as_field_write(SetBuyingRole(HS_ANN, BuyingRole.USER, None, "x")) == \
        RestoreLedgerValue(HS_ANN, "hs_buying_role", "END_USER", "x")
