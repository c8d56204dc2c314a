from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from leadpact.connectors.sandbox import hubspot_schema, salesforce_schema
from leadpact.connectors.sandbox.errors import SandboxInputError
from leadpact.connectors.sandbox.fixture import load_fixture
from leadpact.connectors.sandbox.store import Store

EXAMPLE = Path(salesforce_schema.__file__).with_name("example_fixture.json")
SF_TYPES = ("User", "Account", "Lead", "Contact", "Opportunity", "OpportunityContactRole",
            "OpportunityHistory", "Task", "Event")
HS_TYPES = ("owners", "companies", "contacts", "deals", "emails")


@pytest.fixture
def store() -> Iterator[Store]:
    box = Store(":memory:", clock=lambda: datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    yield box
    box.close()


def example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def error_of(store: Store, data: Any) -> str:
    with pytest.raises(SandboxInputError) as caught:
        load_fixture(store, data)
    return str(caught.value)


def stamp(text: str) -> datetime:
    return salesforce_schema.parse_datetime(text)


# -- round trip ---------------------------------------------------------------------------------
def test_given_the_example_when_loaded_then_every_record_is_stored_as_written(
        store: Store) -> None:
    data = example()
    summary = load_fixture(store, EXAMPLE)
    assert summary.source == str(EXAMPLE)
    assert summary.salesforce == {t: len(data["salesforce"][t]) for t in SF_TYPES}
    assert summary.hubspot == {t: len(data["hubspot"][t]) for t in HS_TYPES}
    for raw in data["salesforce"]["Contact"]:
        row = store.get("salesforce", "Contact", raw["Id"])
        assert row is not None
        assert row.fields == {k: v for k, v in raw.items() if not k.startswith("_") and k != "Id"}
        assert row.created_at == stamp(raw["_created"]) == row.modified_at
    for raw in data["hubspot"]["contacts"]:
        row = store.get("hubspot", "contacts", raw["id"])
        assert row is not None
        assert row.fields == {k: v for k, v in raw["properties"].items() if v is not None}
        assert row.created_at == stamp(raw["_created"])
        assert row.modified_at == stamp(raw.get("_modified", raw["_created"]))


def test_given_the_example_then_it_tells_the_documented_story(store: Store) -> None:
    load_fixture(store, EXAMPLE)
    opportunity = list(store.scan("salesforce", "Opportunity"))
    roles = list(store.scan("salesforce", "OpportunityContactRole"))
    assert len(opportunity) == 1 and not opportunity[0].fields["IsClosed"]
    assert {r.fields["OpportunityId"] for r in roles} == {opportunity[0].id}
    assert len(roles) == 4
    linked = {r.fields["salesforcecontactid"] for r in store.scan("hubspot", "contacts")}
    assert linked == {r.fields["ContactId"] for r in roles}
    assert store.count("hubspot", "deals") == 1


def test_given_records_without_ids_when_loaded_then_ids_are_generated_past_explicit_ones(
        store: Store) -> None:
    summary = load_fixture(store, {
        "salesforce": {"Contact": [{"Id": "003000000000005AAA", "LastName": "Ng"},
                                   {"LastName": "Okafor"}]},
        "hubspot": {"contacts": [{"properties": {"email": "a@b.example"}}]},
    })
    assert summary.salesforce == {"Contact": 2}
    ids = sorted(r.id for r in store.scan("salesforce", "Contact"))
    assert ids[0] == "003000000000005AAA" and re.fullmatch(r"003\d{12}AAA", ids[1])
    assert ids[1] > ids[0]
    assert salesforce_schema.new_salesforce_id(store, "Contact") > ids[1]
    assert [r.id for r in store.scan("hubspot", "contacts")][0].isdigit()


def test_given_deleted_and_timestamped_records_then_metadata_is_kept(store: Store) -> None:
    load_fixture(store, {"hubspot": {"deals": [
        {"id": "9001", "properties": {"dealname": "Old"}, "_created": "2026-01-02T03:04:05Z",
         "_modified": "2026-02-03T04:05:06.000+0000", "_deleted": True}]}})
    row = store.get("hubspot", "deals", "9001")
    assert row is not None and row.deleted
    assert row.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert row.modified_at == datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert store.count("hubspot", "deals") == 0


def test_given_a_fixture_then_leadpact_fields_are_installed_unless_asked_not_to(
        store: Store) -> None:
    load_fixture(store, {}, with_leadpact_fields=False)
    assert "Leadpact_Role__c" not in salesforce_schema.custom_fields(store).get("Contact", [])
    load_fixture(store, {})
    assert "Leadpact_Role__c" in salesforce_schema.custom_fields(store)["Contact"]
    assert "leadpact_role" in hubspot_schema.properties_by_name(store, "contacts")


# -- associations ------------------------------------------------------------------------------
def test_given_associations_listed_once_then_both_directions_are_stored(store: Store) -> None:
    load_fixture(store, EXAMPLE)
    assert ("200001", 1, None, "HUBSPOT_DEFINED") in store.associations(
        "hubspot", "contacts", "100001", "companies")
    assert ("100001", 2, None, "HUBSPOT_DEFINED") in store.associations(
        "hubspot", "companies", "200001", "contacts")
    assert store.associations("hubspot", "deals", "300001", "companies") == [
        ("200001", 5, None, "HUBSPOT_DEFINED")]
    assert store.associations("hubspot", "companies", "200001", "deals") == [
        ("300001", 6, None, "HUBSPOT_DEFINED")]
    assert [a[:2] for a in store.associations("hubspot", "emails", "500001", "deals")] == [
        ("300001", 210)]
    assert ("500001", 209) in [a[:2] for a in store.associations("hubspot", "deals", "300001",
                                                                  "emails")]


def test_given_a_labelled_deal_contact_association_then_label_is_kept_both_ways(
        store: Store) -> None:
    load_fixture(store, EXAMPLE)
    forward = store.associations("hubspot", "deals", "300001", "contacts")
    backward = store.associations("hubspot", "contacts", "100003", "deals")
    assert ("100003", 3, None, "HUBSPOT_DEFINED") in forward
    assert any(a[0] == "100003" and a[2] == "Champion" and a[3] == "USER_DEFINED"
               for a in forward)
    assert ("300001", 4, None, "HUBSPOT_DEFINED") in backward
    assert [a[2:] for a in backward if a[1] != 4] == [("Champion", "USER_DEFINED")]


# -- errors ----------------------------------------------------------------------------------------
def test_given_bad_json_when_loading_a_file_then_error_names_file_and_line(
        store: Store, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"salesforce": {"Contact": [\n  {"LastName": "Ng",}\n]}}', encoding="utf-8")
    message = error_of(store, path)
    assert str(path) in message and "line 2" in message and "not valid JSON" in message


def test_given_a_missing_file_then_error_names_it(store: Store, tmp_path: Path) -> None:
    message = error_of(store, tmp_path / "nope.json")
    assert "nope.json" in message and "cannot be read" in message


def test_given_an_unknown_system_then_error_names_it(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text(json.dumps({"zendesk": {}}), encoding="utf-8")
    message = error_of(store, path)
    assert message.startswith(f"fixture {path} at zendesk: unknown system 'zendesk'")


@pytest.mark.parametrize(("edit", "where", "what"), [
    (lambda d: d["hubspot"]["contacts"][3]["properties"].update(emial="x@y.z"),
     "hubspot.contacts[3].properties.emial", "did you mean 'email'"),
    (lambda d: d["hubspot"].update(tickets=[]), "hubspot.tickets", "unknown object type"),
    (lambda d: d["salesforce"].update(Case=[]), "salesforce.Case", "unknown sObject"),
    (lambda d: d["salesforce"]["Contact"][1].update(CreatedDate="2026-01-01"),
     "salesforce.Contact[1].CreatedDate", "rendered"),
    (lambda d: d["salesforce"]["Contact"][0].update(Name="Katrin Weber"),
     "salesforce.Contact[0].Name", "rendered"),
    (lambda d: d["salesforce"]["Contact"][2].update(Titel="CEO"),
     "salesforce.Contact[2].Titel", "did you mean 'Title'"),
    (lambda d: d["salesforce"]["Opportunity"][0].update(CloseDate="next week"),
     "salesforce.Opportunity[0].CloseDate", "date field"),
    (lambda d: d["salesforce"]["Opportunity"][0].update(Amount="48k"),
     "salesforce.Opportunity[0].Amount", "currency field"),
    (lambda d: d["salesforce"]["Account"][0].update(Id="003000000000001AAA"),
     "salesforce.Account[0].Id", "18-character Account id"),
    (lambda d: d["hubspot"]["deals"][0].update(id="deal-1"), "hubspot.deals[0].id",
     "not a HubSpot id"),
    (lambda d: d["hubspot"]["deals"][0]["properties"].update(hs_object_id="1"),
     "hubspot.deals[0].properties.hs_object_id", "rendered"),
    (lambda d: d["hubspot"]["emails"][0].update(_created="yesterday"),
     "hubspot.emails[0]._created", "ISO-8601"),
    (lambda d: d["hubspot"]["emails"][0].update(archived=True), "hubspot.emails[0].archived",
     "use _deleted"),
    (lambda d: d["hubspot"]["contacts"].append(d["hubspot"]["contacts"][0]),
     "hubspot.contacts[4].id", "used twice (first at hubspot.contacts[0])"),
    (lambda d: d["hubspot"]["associations"][0].update(typeId=2),
     "hubspot.associations[0].typeId", "contacts -> companies is 1"),
    (lambda d: d["hubspot"]["associations"][0].update(typeId=77),
     "hubspot.associations[0].typeId", "unknown association type 77"),
    (lambda d: d["hubspot"]["associations"][5].update(label="Best friend"),
     "hubspot.associations[5].label", "unknown label 'Best friend'"),
    (lambda d: d["hubspot"]["associations"][1].update(to=["companies", "999"]),
     "hubspot.associations[1].to", "no companies record with id 999"),
    (lambda d: d["hubspot"]["associations"][1].update(to="companies/200001"),
     "hubspot.associations[1].to", "must be [type, id]"),
])
def test_given_a_broken_example_then_error_names_file_path_and_problem(
        store: Store, tmp_path: Path, edit: Any, where: str, what: str) -> None:
    data = copy.deepcopy(example())
    edit(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    message = error_of(store, path)
    assert message.startswith(f"fixture {path} at {where}: "), message
    assert what in message


def test_given_an_error_late_in_the_fixture_then_nothing_is_written(store: Store) -> None:
    data = example()
    data["hubspot"]["associations"][0]["typeId"] = 77
    error_of(store, data)
    assert store.count("salesforce", "Contact") == 0
    assert store.count("hubspot", "contacts") == 0


def test_given_an_id_already_in_the_store_then_error(store: Store) -> None:
    load_fixture(store, {"hubspot": {"contacts": [{"id": "101", "properties": {}}]}})
    message = error_of(store, {"hubspot": {"contacts": [{"id": "101", "properties": {}}]}})
    assert "hubspot.contacts[0]" in message and "already exists" in message
    assert message.startswith("fixture <mapping> at ")
