"""The sandbox's SOQL parent relationship fields (`Campaign.Name` on CampaignMember), in
Salesforce's wire format: a nested record under the relationship name, or null."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from leadpact.connectors.sandbox.salesforce_schema import ensure_schema
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from tests.sf_builders import ManualClock, SalesforceOrg

V = "/services/data/v62.0"


@pytest.fixture
def org(sandbox: Sandbox) -> SalesforceOrg:
    ensure_schema(sandbox.store)
    return SalesforceOrg(sandbox.store, ManualClock())


@pytest.fixture
def query(sandbox: Sandbox) -> Iterator[Any]:
    session = requests.Session()
    session.trust_env = False

    def run(soql: str) -> requests.Response:
        return session.get(sandbox.url + V + "/query/", params={"q": soql}, timeout=5,
                           headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"})

    yield run
    session.close()


def test_given_parent_fields_then_nested_under_the_relationship(org: SalesforceOrg,
                                                                 query: Any) -> None:
    campaign = org.add("Campaign", Name="Webinar: X", Type="Webinar")
    lead = org.lead()
    member = org.add("CampaignMember", CampaignId=campaign, LeadId=lead, Status="Attended",
                     HasResponded=True)
    orphan = org.add("CampaignMember", CampaignId="701000000000999AAA", LeadId=lead,
                     Status="Sent", HasResponded=False)
    answer = query("SELECT Id, campaign.name, Campaign.Type FROM CampaignMember "
                   "WHERE Campaign.Type = 'Webinar' OR HasResponded = FALSE ORDER BY Id")
    assert answer.status_code == 200, answer.text
    rows = answer.json()["records"]
    assert [r["Id"] for r in rows] == [member, orphan]
    assert rows[0]["Campaign"] == {
        "attributes": {"type": "Campaign", "url": f"{V}/sobjects/Campaign/{campaign}"},
        "Name": "Webinar: X", "Type": "Webinar"}
    assert rows[1]["Campaign"] is None and "Campaign.Type" not in rows[1]


@pytest.mark.parametrize("field", ["Campaign.Nope", "Owner.Name", "Campaign.Owner.Name"])
def test_given_an_unknown_relationship_field_then_invalid_field(org: SalesforceOrg,
                                                                query: Any, field: str) -> None:
    answer = query(f"SELECT Id, {field} FROM CampaignMember")
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "INVALID_FIELD"
