"""Who fights a write loop, in words: choosing the CRM's newest change that is not
leadpact's value, and describing HubSpot sources and Salesforce users. Pure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hubspot.crm.objects.models import ValueWithTimestamp

from leadpact.connectors.hubspot import property_history as hs
from leadpact.connectors.salesforce import field_history as sf
from leadpact.model import Ref


@pytest.mark.parametrize(("source", "expected"), [
    (("WORKFLOW", "12345", None, None), "workflow 12345"),
    (("WORKFLOW", "12345", "Lead cleanup", None), "workflow 12345 (Lead cleanup)"),
    (("AUTOMATION_PLATFORM", None, None, None), "a workflow"),
    (("INTEGRATION", "3311", "Zapier", None), "integration Zapier"),
    (("INTEGRATION", "3311", None, None), "integration 3311"),
    (("CRM_UI", "userId:678", None, 678), "user 678 (CRM_UI)"),
    (("IMPORT", "9", "Q3 list", None), "Q3 list (IMPORT)"),
    (("API", None, None, None), "API"),
    ((None, None, None, None), None),
])
def test_given_a_hubspot_source_then_it_is_described(
        source: tuple[str | None, str | None, str | None, int | None],
        expected: str | None) -> None:
    assert hs.describe_source(*source) == expected


def version(value: str, minute: int, source: str = "API") -> ValueWithTimestamp:
    return ValueWithTimestamp(value=value, source_type=source,
                              timestamp=datetime(2026, 3, 2, 9, minute, tzinfo=UTC))


def test_given_hubspot_versions_in_any_order_then_the_newest_other_value_wins() -> None:
    versions = [version("70", 1), version("70.0", 5), version("40", 3, "WORKFLOW"),
                version("10", 2, "CRM_UI")]
    found = hs.newest_other(versions, "lead_score", "70")  # "70.0" is leadpact's 70
    assert found is not None and (found.value, found.source_type) == ("40", "WORKFLOW")
    assert hs.newest_other([version("70", 1)], "lead_score", "70") is None
    cleared = hs.newest_other([version("", 2, "INTEGRATION"), version("x", 1)],
                              "lead_stage", "x")
    assert cleared is not None and cleared.source_type == "INTEGRATION"  # a clear counts


def test_given_ledger_field_names_then_the_crm_fields_behind_them() -> None:
    assert hs.property_name("lead_stage") == "leadpact_lead_stage"
    assert hs.property_name("hs_buying_role") == "hs_buying_role"
    assert hs.property_name("contact_role:003x") is None
    assert sf.api_field("stale_score") == "Leadpact_Stale_Score__c"
    assert sf.api_field("contact_role:003x") is None


def test_given_salesforce_history_rows_newest_first_then_the_first_other_value_wins() -> None:
    rows = [{"NewValue": 0.9, "CreatedById": "005A"}, {"NewValue": None, "CreatedById": "005B"},
            {"NewValue": 0.9, "CreatedById": "005A"}]
    assert sf.newest_other(rows, "role_confidence", "0.9") == rows[1]
    assert sf.newest_other(rows[:1], "role_confidence", "0.9") is None


def test_given_a_record_then_the_history_query_names_its_history_object() -> None:
    assert sf.history_query(Ref("salesforce", "deal", "006A"), "Leadpact_Stale__c") == (
        "SELECT Id, Field, OldValue, NewValue, CreatedById, CreatedDate FROM "
        "OpportunityFieldHistory WHERE OpportunityId = '006A' AND Field = 'Leadpact_Stale__c' "
        "ORDER BY CreatedDate DESC, Id DESC LIMIT 20")
    assert sf.history_query(Ref("salesforce", "task", "00TA"), "X__c") is None
    assert sf.describe_user("005A", "Zapier Integration") == \
        "Zapier Integration (Salesforce user 005A)"
    assert sf.describe_user("005A", None) == "Salesforce user 005A"
