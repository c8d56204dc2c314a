"""Who else writes a field leadpact writes, asked of both CRMs over loopback HTTP: the
sandbox records each write with its author (leadpact's token, or another integration's),
serves Salesforce field history through SOQL and HubSpot property history through
propertiesWithHistory, and the real connectors name the writer. Owner names too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from leadpact.changes import SetField
from leadpact.connectors.hubspot.connector import HubSpotConnector
from leadpact.connectors.salesforce import SalesforceConnector
from leadpact.connectors.sandbox import hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.actors import Actor
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.model import Ref
from tests import hs_builders as hs
from tests.sf_builders import ManualClock, SalesforceOrg, connect

ZAPIER = Actor("Zapier Integration", hubspot_source_type="INTEGRATION",
               hubspot_source_id="3311", hubspot_source_label="Zapier")
WORKFLOW = Actor("Flow Automation", hubspot_source_type="WORKFLOW", hubspot_source_id="12345")


def other_writes(sandbox: Sandbox, token: str, method: str, path: str, body: object) -> None:
    answer = requests.request(method, sandbox.url + path, json=body, timeout=10,
                              headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code < 300, answer.text


# -- HubSpot -------------------------------------------------------------------------------
@pytest.fixture
def hubspot(sandbox: Sandbox) -> Iterator[HubSpotConnector]:
    hubspot_schema.ensure_schema(sandbox.store)
    sandbox.store.set_clock(hs.FakeClock(hs.T0))
    yield hs.connector(sandbox)


def hs_fight(sandbox: Sandbox, hubspot: HubSpotConnector, actor: Actor) -> Ref:
    """leadpact sets the stage, `actor` sets it back, leadpact sets it again."""
    ref = Ref("hubspot", "contact", hs.contact(sandbox.store, at=hs.T0,
                                               leadpact_lead_stage="nurture"))
    token = sandbox.add_actor(actor)
    assert hubspot.apply([SetField(ref, "lead_stage", "sales_ready")])[0].ok
    other_writes(sandbox, token, "PATCH", f"/crm/v3/objects/contacts/{ref.id}",
                 {"properties": {"leadpact_lead_stage": "nurture"}})
    assert hubspot.apply([SetField(ref, "lead_stage", "sales_ready")])[0].ok
    return ref


def test_given_an_integration_sets_a_property_back_when_asked_then_hubspot_names_it(
        sandbox: Sandbox, hubspot: HubSpotConnector) -> None:
    ref = hs_fight(sandbox, hubspot, ZAPIER)
    assert hubspot.who_changed(ref, "lead_stage", "sales_ready") == "integration Zapier"
    # the wire: versions newest first, each with its source
    answer = requests.get(f"{sandbox.url}/crm/v3/objects/contacts/{ref.id}", timeout=10,
                          params={"propertiesWithHistory": "leadpact_lead_stage"},
                          headers={"Authorization": "Bearer sandbox-token"}).json()
    versions = answer["propertiesWithHistory"]["leadpact_lead_stage"]
    assert [v["value"] for v in versions] == ["sales_ready", "nurture", "sales_ready", "nurture"]
    assert versions[1] == {"value": "nurture", "timestamp": versions[1]["timestamp"],
                           "sourceType": "INTEGRATION", "sourceId": "3311",
                           "sourceLabel": "Zapier"}
    assert versions[0]["sourceType"] == "API" and versions[3]["sourceType"] == "CRM_UI"


def test_given_a_workflow_sets_it_back_then_hubspot_names_the_workflow(
        sandbox: Sandbox, hubspot: HubSpotConnector) -> None:
    ref = hs_fight(sandbox, hubspot, WORKFLOW)
    calls = hubspot.api_calls
    assert hubspot.who_changed(ref, "lead_stage", "sales_ready") == "workflow 12345"
    assert hubspot.api_calls == calls + 1


def test_given_only_leadpact_wrote_the_property_then_hubspot_names_nobody(
        sandbox: Sandbox, hubspot: HubSpotConnector) -> None:
    ref = Ref("hubspot", "contact", hs.contact(sandbox.store, at=hs.T0))
    assert hubspot.apply([SetField(ref, "lead_stage", "sales_ready")])[0].ok
    assert hubspot.who_changed(ref, "lead_stage", "sales_ready") is None
    assert hubspot.who_changed(ref, "contact_role:9", "x") is None  # no property behind it


def test_given_owners_active_and_archived_then_their_names_in_two_calls(
        sandbox: Sandbox, hubspot: HubSpotConnector) -> None:
    rae = hs.owner(sandbox.store)
    sam = hs.owner(sandbox.store, email="sam@example.com", first="Sam", last="Ode")
    gone = hs.owner(sandbox.store, email="old@example.com", first="Old", last="Rep")
    sandbox.store.delete("hubspot", "owners", gone)
    calls = hubspot.api_calls
    assert hubspot.owner_names([rae, sam]) == {rae: "Rae Patel", sam: "Sam Ode"}
    assert hubspot.api_calls == calls + 1  # all found among the active owners
    assert hubspot.owner_names([sam, gone, "999"]) == {sam: "Sam Ode", gone: "Old Rep"}
    assert hubspot.api_calls == calls + 3  # active, then archived for the rest


# -- Salesforce ----------------------------------------------------------------------------
@pytest.fixture
def org(sandbox: Sandbox) -> SalesforceOrg:
    salesforce_schema.ensure_schema(sandbox.store)
    return SalesforceOrg(sandbox.store, ManualClock())


@pytest.fixture
def salesforce(sandbox: Sandbox) -> Iterator[SalesforceConnector]:
    with connect(sandbox) as conn:
        yield conn


def test_given_an_integration_user_sets_a_field_back_then_salesforce_names_the_user(
        sandbox: Sandbox, org: SalesforceOrg, salesforce: SalesforceConnector) -> None:
    ref = Ref("salesforce", "lead", org.lead("Ng", Leadpact_Lead_Stage__c="nurture"))
    token = sandbox.add_actor(ZAPIER)
    assert salesforce.apply([SetField(ref, "lead_stage", "sales_ready")])[0].ok
    org.clock.advance(minutes=1)
    other_writes(sandbox, token, "PATCH", f"/services/data/v59.0/sobjects/Lead/{ref.id}",
                 {"Leadpact_Lead_Stage__c": "nurture"})
    org.clock.advance(minutes=1)
    assert salesforce.apply([SetField(ref, "lead_stage", "sales_ready")])[0].ok
    rows = salesforce._query(  # the wire: LeadHistory through SOQL, newest first
        f"SELECT Field, OldValue, NewValue, CreatedById FROM LeadHistory WHERE LeadId = "
        f"'{ref.id}' ORDER BY CreatedDate DESC", False, "test")
    api_user = sandbox.store.get_meta(salesforce_schema.API_USER_META)
    zapier_user = rows[1]["CreatedById"]
    assert [(r["OldValue"], r["NewValue"], r["CreatedById"]) for r in rows] == [
        ("nurture", "sales_ready", api_user), ("sales_ready", "nurture", zapier_user),
        ("nurture", "sales_ready", api_user)]
    assert zapier_user != api_user
    calls = salesforce.api_calls
    assert salesforce.who_changed(ref, "lead_stage", "sales_ready") == \
        f"Zapier Integration (Salesforce user {zapier_user})"
    assert salesforce.api_calls == calls + 2  # the history, then the user's name


def test_given_no_change_by_anyone_else_then_salesforce_names_nobody(
        org: SalesforceOrg, salesforce: SalesforceConnector) -> None:
    deal = Ref("salesforce", "deal", org.opportunity())
    assert salesforce.apply([SetField(deal, "stale", "true")])[0].ok
    assert salesforce.who_changed(deal, "stale", "true") is None
    assert salesforce.who_changed(deal, "contact_role:003x", "Economic Buyer") is None


def test_given_owner_ids_then_salesforce_names_them_in_one_query(
        org: SalesforceOrg, salesforce: SalesforceConnector) -> None:
    ann, bo = org.user("Ames"), org.user("Bell")
    calls = salesforce.api_calls
    assert salesforce.owner_names([ann, bo, "005000000000999AAA"]) == {
        ann: "Olivia Ames", bo: "Olivia Bell"}
    assert salesforce.api_calls == calls + 1


def test_given_an_actor_registered_over_http_then_its_writes_are_its_own(
        sandbox: Sandbox, hubspot: HubSpotConnector) -> None:
    answer = requests.post(f"{sandbox.url}/_sandbox/actors", timeout=10, json={
        "name": "Ops Admin", "hubspot_source_type": "CRM_UI", "hubspot_user_id": 678})
    assert answer.status_code == 201
    token = answer.json()["token"]
    ref = Ref("hubspot", "contact", hs.contact(sandbox.store, at=hs.T0))
    assert hubspot.apply([SetField(ref, "lead_stage", "sales_ready")])[0].ok
    other_writes(sandbox, token, "PATCH", f"/crm/v3/objects/contacts/{ref.id}",
                 {"properties": {"leadpact_lead_stage": "nurture"}})
    assert hubspot.who_changed(ref, "lead_stage", "sales_ready") == "user 678 (CRM_UI)"
    refused = requests.get(f"{sandbox.url}/crm/v3/objects/contacts/{ref.id}", timeout=10,
                           headers={"Authorization": "Bearer actor-unknown"})
    assert refused.status_code == 401
