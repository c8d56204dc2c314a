"""Values a CRM field cannot hold, caught before the write (leadpact/crm_limits.py), and
each CRM's field limits read from its own definitions. Pure table tests."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from leadpact.changes import SetBuyingRole, SetDealContactRole, SetField
from leadpact.connectors.hubspot import limits as hubspot_limits
from leadpact.connectors.salesforce import limits as salesforce_limits
from leadpact.crm_limits import HUBSPOT_TEXT_MAX, FieldLimit, refusal, value_problem
from leadpact.enrichment.labels import BuyingRole
from leadpact.model import Ref

ANN = Ref("salesforce", "contact", "003A")
BOB = Ref("hubspot", "contact", "51")


@pytest.mark.parametrize(("limit", "value", "expected"), [
    (FieldLimit("F", max_length=5), "early", None),
    (FieldLimit("F", max_length=5), "sales_ready",
     "holds at most 5 characters and leadpact's value has 11"),
    (FieldLimit("F", allowed=frozenset({"A", "B"})), "B", None),
    (FieldLimit("F", allowed=frozenset({"A", "B"})), "C", "does not allow 'C' (allowed: A, B)"),
    (FieldLimit("F", allowed=frozenset({"A", "B"}), multi=True), "A;B", None),
    (FieldLimit("F", allowed=frozenset({"A", "B"}), multi=True), "A;C",
     "does not allow 'C' (allowed: A, B)"),
    (FieldLimit("F", allowed=frozenset({"A"})), "A;B", "does not allow 'A;B' (allowed: A)"),
    (FieldLimit("F", whole_digits=3), "999.5", None),
    (FieldLimit("F", whole_digits=3), "-1000", "takes at most 3 digits before the point, "
     "not -1000"),
    (FieldLimit("F", whole_digits=3), "1e400", "takes numbers and leadpact's value is '1e400'"),
    (FieldLimit("F"), "x" * 100_000, None),
])
def test_given_a_limit_then_the_values_it_refuses_are_named(
        limit: FieldLimit, value: str, expected: str | None) -> None:
    assert value_problem(limit, value) == expected


def test_given_changes_then_one_line_for_each_value_that_does_not_fit() -> None:
    limits = {("contact", "lead_stage"): FieldLimit(
        "Leadpact_Lead_Stage__c", max_length=5, where="Salesforce Setup > Object Manager")}
    assert refusal(SetField(ANN, "lead_stage", "sales_ready"), limits) == (
        "salesforce:contact:003A: Leadpact_Lead_Stage__c holds at most 5 characters and "
        "leadpact's value has 11: not written (to let leadpact write it, change the field "
        "in Salesforce Setup > Object Manager)")
    assert refusal(SetField(ANN, "lead_stage", "early"), limits) is None
    assert refusal(SetField(ANN, "lead_stage", None, "sales_ready"), limits) is None  # a clear
    assert refusal(SetField(ANN, "role", "x" * 300), limits) is None  # nothing known of it
    deal = Ref("salesforce", "deal", "006A")
    assert refusal(SetDealContactRole(deal, ANN, BuyingRole.CHAMPION, "00KA"), limits) is None


def describe(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"fields": list(fields)}


def test_given_salesforce_describes_then_lengths_restricted_picklists_and_digits() -> None:
    found = salesforce_limits.field_limits({
        "Contact": describe(
            {"name": "Leadpact_Lead_Stage__c", "type": "string", "length": 40},
            {"name": "Leadpact_Role__c", "type": "picklist", "length": 255,
             "restrictedPicklist": True, "picklistValues": [
                 {"value": "user", "active": True}, {"value": "old", "active": False}]},
            {"name": "Leadpact_Lead_Score__c", "type": "double", "precision": 5, "scale": 2},
            {"name": "Title", "type": "string", "length": 128}),
        "Task": describe({"name": "Subject", "type": "string", "length": 255})})
    assert found[("contact", "lead_stage")].max_length == 40
    assert found[("contact", "role")].allowed == frozenset({"user"})
    assert found[("contact", "lead_score")].whole_digits == 3
    assert {key[1] for key in found} == {"lead_stage", "role", "lead_score"}
    assert "Object Manager > Contact > Leadpact_Role__c" in found[("contact", "role")].where
    problem = salesforce_limits.narrower_fields(found)
    assert problem is not None and problem.advisory
    assert "Contact.Leadpact_Lead_Stage__c (40 < 255)" in problem.what


def prop(name: str, type_: str, field_type: str = "text", options: tuple[str, ...] = ()
         ) -> SimpleNamespace:
    return SimpleNamespace(name=name, label=name.replace("_", " "), type=type_,
                           field_type=field_type,
                           options=[SimpleNamespace(value=v) for v in options])


def test_given_hubspot_properties_then_text_caps_and_enumeration_options() -> None:
    found = hubspot_limits.field_limits({
        "contacts": [prop("leadpact_lead_stage", "string"),
                     prop("hs_buying_role", "enumeration", "checkbox", ("BLOCKER", "OTHER")),
                     prop("jobtitle", "string")],
        "deals": [prop("leadpact_stale_score", "number", "number")]})
    assert found[("contact", "lead_stage")].max_length == HUBSPOT_TEXT_MAX
    role = found[("contact", "hs_buying_role")]
    assert role.allowed == frozenset({"BLOCKER", "OTHER"}) and role.multi
    assert found[("deal", "stale_score")] == hubspot_limits.property_limit(
        prop("leadpact_stale_score", "number", "number"))
    # the canonical change is checked as HubSpot spells it (economic buyer: BUDGET_HOLDER)
    refused = refusal(SetBuyingRole(BOB, BuyingRole.ECONOMIC_BUYER), found)
    assert refused is not None and "'BUDGET_HOLDER'" in refused
    assert refusal(SetBuyingRole(BOB, BuyingRole.BLOCKER), found) is None
    problem = hubspot_limits.missing_options(found)
    assert problem is not None and problem.advisory and "BUDGET_HOLDER" in problem.what
    assert "CHAMPION" in problem.what and "BLOCKER" not in problem.what
