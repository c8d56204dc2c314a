"""Each CRM's spelling of leadpact's buying roles, as the connectors' mappings give it to
the planner (connectors/roles.py)."""

from __future__ import annotations

import pytest

from leadpact.connectors.roles import VOCABULARIES
from leadpact.role_vocabulary import NO_ROLES

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
