"""The fake HubSpot API driven by the unmodified hubspot-api-client in strict mode
(client_side_validation=True: a missing required response field raises)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import hubspot
import pytest
import requests
import urllib3
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import PublicMergeInput, SimplePublicObjectInputForCreate
from hubspot.crm.objects import ApiException as ObjectsApiException
from hubspot.crm.objects.exceptions import NotFoundException
from hubspot.crm.properties import ApiException as PropertiesApiException

from leadpact.connectors.sandbox.hubspot_schema import ensure_schema
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from tests.hs_builders import T0, FakeClock, contact, deal, link_deal_contact, owner

AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[hubspot.HubSpot]:
    ensure_schema(sandbox.store)
    sandbox.store.set_clock(FakeClock(T0 + timedelta(hours=1)))
    yield hubspot.HubSpot(access_token=SANDBOX_TOKEN, host=sandbox.url,
                          retry=urllib3.Retry(0), client_side_validation=True)


def raw(sandbox: Sandbox, method: str, path: str, **kwargs: object) -> requests.Response:
    return requests.request(method, sandbox.url + path, headers=AUTH, timeout=5, **kwargs)


def error_body(exc: Exception) -> dict:
    return json.loads(exc.body)  # type: ignore[attr-defined]


# -- basic ---------------------------------------------------------------------------------
def test_given_contacts_when_listing_then_paging_only_while_there_is_a_next_page(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    made = [contact(sandbox.store, at=T0) for _ in range(3)]
    first = client.crm.contacts.basic_api.get_page(limit=2, properties=["email", "jobtitle"])
    assert [o.id for o in first.results] == made[:2]
    assert set(first.results[0].properties) >= {"email", "jobtitle", "hs_object_id"}
    last = raw(sandbox, "GET", "/crm/v3/objects/contacts",
               params={"limit": 2, "after": first.paging.next.after})
    assert [o["id"] for o in last.json()["results"]] == made[2:]
    assert "paging" not in last.json()
    assert [o.id for o in client.crm.contacts.get_all()] == made
    assert [o.id for o in client.crm.objects.get_all("contacts")] == made  # needs no "paging"


def test_given_properties_as_repeated_and_comma_lists_when_reading_then_all_returned(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    id_ = contact(sandbox.store, at=T0)
    body = raw(sandbox, "GET", f"/crm/v3/objects/CONTACTS/{id_}",
               params=[("properties", "email,firstname"), ("properties", "leadpact_role")]).json()
    assert body["properties"]["firstname"] == "Ada"
    assert body["properties"]["leadpact_role"] is None  # requested: present even when empty
    assert body["createdAt"].endswith("Z") and body["archived"] is False
    assert raw(sandbox, "GET", f"/crm/v3/objects/0-1/{id_}").status_code == 200


def test_given_a_task_with_associations_when_creating_then_201_and_both_directions(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    renewal = deal(sandbox.store, at=T0)
    created = client.crm.objects.tasks.basic_api.create({
        "properties": {"hs_timestamp": "1772668800000", "hs_task_subject": "Call"},
        "associations": [{"to": {"id": renewal}, "types": [
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 216}]}]})
    assert created is not None  # any status but 201 would make the client return None
    assert created.properties["hs_timestamp"] == "2026-03-05T00:00:00.000Z"  # normalised
    assert sandbox.store.associations("hubspot", "deals", renewal, "tasks")[0][:2] == \
        (created.id, 215)


def test_given_a_task_key_taken_when_creating_another_then_409_conflict_naming_the_holder(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    props = {"hs_timestamp": "1772668800000", "leadpact_task_key": "k1"}
    made = client.crm.objects.tasks.batch_api.create({"inputs": [{"properties": props}]})
    with pytest.raises(ObjectsApiException) as raised:
        client.crm.objects.batch_api.create("tasks", {"inputs": [
            {"properties": {**props, "leadpact_task_key": "k2"}},
            {"properties": {**props, "leadpact_task_key": "K1"}}]})
    body = json.loads(raised.value.body)
    assert raised.value.status == 409 and body["category"] == "CONFLICT"
    assert body["message"].endswith(f"Existing ID: {made.results[0].id}")
    assert sandbox.store.count("hubspot", "tasks") == 1  # none of the batch was written


def test_given_an_unknown_property_when_updating_then_400_naming_it(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    id_ = contact(sandbox.store, at=T0)
    with pytest.raises(ContactsApiException) as raised:
        client.crm.contacts.basic_api.update(id_, {"properties": {"favourite_colour": "red"}})
    body = error_body(raised.value)
    assert raised.value.status == 400 and body["category"] == "VALIDATION_ERROR"
    assert body["message"].startswith("Property values were not valid")
    assert "favourite_colour" in body["message"] and body["correlationId"]


def test_given_an_archived_record_when_reading_then_404_unless_archived_is_asked(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    id_ = contact(sandbox.store, at=T0)
    client.crm.objects.basic_api.archive("contacts", id_)
    with pytest.raises(NotFoundException):
        client.crm.objects.basic_api.get_by_id("contacts", id_)
    archived = client.crm.objects.basic_api.get_page("contacts", archived=True)
    assert [o.id for o in archived.results] == [id_]
    assert archived.results[0].archived and archived.results[0].archived_at is not None
    assert client.crm.objects.basic_api.get_page("contacts").results == []


def test_given_two_contacts_when_merging_then_the_loser_reads_as_the_survivor(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    keep, lose = contact(sandbox.store, at=T0, jobtitle=None), contact(sandbox.store, at=T0)
    survivor = client.crm.contacts.basic_api.merge(
        PublicMergeInput(primary_object_id=keep, object_id_to_merge=lose))
    assert survivor.id == keep
    again = client.crm.contacts.basic_api.get_by_id(
        lose, properties=["hs_merged_object_ids", "jobtitle"])
    assert again.id == keep
    assert again.properties["hs_merged_object_ids"] == lose
    assert again.properties["jobtitle"] == "CFO"  # the primary's empty values are filled
    row = sandbox.store.get("hubspot", "contacts", lose)
    assert row is not None and row.deleted and row.merged_into == keep


# -- search --------------------------------------------------------------------------------
def test_given_a_search_when_paging_then_total_and_hubspot_limits(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    for i in range(3):
        contact(sandbox.store, at=T0 + timedelta(minutes=i))
    search = client.crm.objects.search_api
    found = search.do_search("contacts", {
        "filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE",
                                       "value": str(int((T0 + timedelta(minutes=1)).timestamp()
                                                        * 1000))}]}],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}], "limit": 1})
    assert found.total == 2 and found.paging.next.after == "1"
    for body in ({"limit": 201}, {"limit": 100, "after": "9901"}):
        with pytest.raises(ObjectsApiException) as raised:
            search.do_search("contacts", body)
        assert raised.value.status == 400


# -- batch ---------------------------------------------------------------------------------
def test_given_batches_when_too_big_then_400_validation_error(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    batch = client.crm.objects.batch_api
    for body in ({"inputs": [{"id": str(i)} for i in range(101)]},
                 {"inputs": [{"id": str(i)} for i in range(51)],
                  "propertiesWithHistory": ["dealstage"]}):
        with pytest.raises(ObjectsApiException) as raised:
            batch.read("deals", body)
        assert raised.value.status == 400
        assert error_body(raised.value)["category"] == "VALIDATION_ERROR"


def test_given_an_unknown_id_when_batch_updating_then_207_and_only_it_fails(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    id_ = contact(sandbox.store, at=T0)
    answer = client.crm.objects.batch_api.update("contacts", {"inputs": [
        {"id": id_, "properties": {"jobtitle": "CEO"}},
        {"id": "424242", "properties": {"jobtitle": "CEO"}}]})
    assert [o.id for o in answer.results] == [id_]
    assert answer.num_errors == 1 and answer.errors[0].category == "OBJECT_NOT_FOUND"
    assert answer.errors[0].context == {"ids": ["424242"]}


def test_given_batch_create_read_upsert_archive_when_calling_then_hubspot_statuses(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    batch = client.crm.objects.batch_api
    created = batch.create("contacts", {"inputs": [
        {"properties": {"email": "a@example.com"}}, {"properties": {"email": "b@example.com"}}]})
    assert created is not None and len(created.results) == 2  # 201
    read = batch.read("contacts", {"inputs": [{"id": "a@example.com"}], "idProperty": "email",
                                   "properties": ["email"]})
    assert read.results[0].id == created.results[0].id
    upserted = batch.upsert("contacts", {"inputs": [
        {"id": "b@example.com", "idProperty": "email", "properties": {"firstname": "Bo"}},
        {"id": "c@example.com", "idProperty": "email", "properties": {"firstname": "Cy"}}]})
    assert [o.new for o in upserted.results] == [False, True]
    assert batch.archive("contacts", {"inputs": [{"id": created.results[0].id}]}) is None
    assert sandbox.store.count("hubspot", "contacts") == 2


def test_given_deal_stage_changes_when_reading_with_history_then_newest_first(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    created = client.crm.deals.basic_api.create(SimplePublicObjectInputForCreate(
        properties={"dealname": "Acme", "dealstage": "qualifiedtobuy"}))
    for stage in ("contractsent", "closedwon"):
        client.crm.deals.basic_api.update(created.id, {"properties": {"dealstage": stage}})
    read = client.crm.deals.batch_api.read({"inputs": [{"id": created.id}],
                                           "properties": ["hs_is_closed_won"],
                                           "propertiesWithHistory": ["dealstage", "closedate"]})
    deal_read = read.results[0]
    assert [v.value for v in deal_read.properties_with_history["dealstage"]] == \
        ["closedwon", "contractsent", "qualifiedtobuy"]
    assert deal_read.properties_with_history["closedate"] == []
    assert deal_read.properties["hs_is_closed_won"] == "true"  # computed from the stage
    assert "_history" not in deal_read.properties


# -- associations v4 -------------------------------------------------------------------------
def test_given_labelled_associations_when_batch_reading_then_v4_shape_and_errors(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    renewal, ada = deal(sandbox.store, at=T0), contact(sandbox.store, at=T0)
    lonely = deal(sandbox.store, at=T0)
    link_deal_contact(sandbox.store, renewal, ada, "Champion")
    api = client.crm.associations.v4.batch_api
    answer = api.get_page("deals", "contacts", {"inputs": [{"id": renewal}, {"id": lonely}]})
    [result] = answer.results
    assert result._from.id == renewal and result.to[0].to_object_id == ada
    assert {(t.category, t.label) for t in result.to[0].association_types} == \
        {("HUBSPOT_DEFINED", None), ("USER_DEFINED", "Champion")}
    assert answer.num_errors == 1
    with pytest.raises(Exception) as raised:
        api.get_page("deals", "contacts", {"inputs": [{"id": str(i)} for i in range(1001)]})
    assert raised.value.status == 400  # type: ignore[attr-defined]


def test_given_v4_creates_when_associating_then_stored_and_listed(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    renewal, ada, bo = (deal(sandbox.store, at=T0), contact(sandbox.store, at=T0),
                        contact(sandbox.store, at=T0))
    v4 = client.crm.associations.v4
    made = v4.batch_api.create("deals", "contacts", {"inputs": [
        {"from": {"id": renewal}, "to": {"id": ada},
         "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]}]})
    assert made is not None and made.results[0].to_object_id == ada  # 201
    default = v4.batch_api.create_default("deals", "contacts", {"inputs": [
        {"from": {"id": renewal}, "to": {"id": bo}}]})
    assert default.results[0].association_spec.association_type_id == 3
    single = v4.basic_api.create("contacts", ada, "deals", renewal, [
        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 4}])
    assert single is not None and single.from_object_type_id == "0-1"
    listed = v4.basic_api.get_page("deals", renewal, "contacts")
    assert [r.to_object_id for r in listed.results] == [ada, bo]


# -- properties, owners ------------------------------------------------------------------------
def test_given_the_properties_api_when_creating_and_reading_then_model_properties(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    core, groups = client.crm.properties.core_api, client.crm.properties.groups_api
    role = core.get_by_name("contacts", "hs_buying_role")
    assert role.field_type == "checkbox" and "DECISION_MAKER" in {o.value for o in role.options}
    assert groups.create("deals", {"name": "extra", "label": "Extra"}).name == "extra"
    made = core.create("deals", {"name": "extra_score", "label": "Score", "type": "number",
                                 "fieldType": "number", "groupName": "extra"})
    assert made.name == "extra_score" and made.hubspot_defined is False
    with pytest.raises(PropertiesApiException) as raised:
        core.create("deals", {"name": "extra_score", "label": "Score", "type": "number",
                              "fieldType": "number", "groupName": "extra"})
    assert raised.value.status == 409
    assert core.update("deals", "extra_score", {"label": "Score 2"}).label == "Score 2"
    assert "extra_score" in {p.name for p in core.get_all("deals").results}
    assert "extra" in {g.name for g in groups.get_all("deals").results}


def test_given_owners_when_listing_then_paged(sandbox: Sandbox, client: hubspot.HubSpot) -> None:
    made = [owner(sandbox.store, f"rep{i}@example.com") for i in range(3)]
    first = client.crm.owners.owners_api.get_page(limit=2)
    second = client.crm.owners.owners_api.get_page(limit=2, after=first.paging.next.after)
    assert [o.id for o in first.results + second.results] == made and second.paging is None


# -- limits and errors ---------------------------------------------------------------------------
def test_given_any_answer_when_reading_headers_then_rate_limit_headers(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    _, status, headers = client.crm.objects.basic_api.get_page_with_http_info("contacts")
    assert status == 200
    assert headers["X-HubSpot-RateLimit-Max"] == "190"
    assert int(headers["X-HubSpot-RateLimit-Remaining"]) < 190
    assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert int(headers["X-HubSpot-RateLimit-Daily-Remaining"]) < int(
        headers["X-HubSpot-RateLimit-Daily"])


def test_given_the_rolling_window_is_full_when_calling_then_429_ten_secondly(
    sandbox: Sandbox, client: hubspot.HubSpot,
) -> None:
    sandbox.hubspot_burst = (2, 10.0)  # type: ignore[attr-defined]
    answers = [raw(sandbox, "GET", "/crm/v3/objects/contacts") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    body = answers[2].json()
    assert (body["errorType"], body["policyName"]) == ("RATE_LIMIT", "TEN_SECONDLY_ROLLING")
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert answers[2].headers["Retry-After"] == "10"


def test_given_the_daily_limit_is_used_when_calling_then_429_daily(sandbox: Sandbox) -> None:
    sandbox.hubspot_daily_limit = 1  # type: ignore[attr-defined]
    raw(sandbox, "GET", "/crm/v3/objects/contacts")
    answer = raw(sandbox, "GET", "/crm/v3/objects/contacts")
    assert answer.status_code == 429 and answer.json()["policyName"] == "DAILY"


def test_given_no_token_when_calling_then_401_in_hubspot_format(sandbox: Sandbox) -> None:
    answer = requests.get(sandbox.url + "/crm/v3/objects/contacts", timeout=5)
    assert answer.status_code == 401
    assert answer.json()["category"] == "INVALID_AUTHENTICATION"
    assert raw(sandbox, "GET", "/crm/v3/objects/widgets").status_code == 400
