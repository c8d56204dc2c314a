"""Tasks upserted on their key (an External ID + Unique field): the sandbox's sObject
Collections upsert and uniqueness, driven by the unmodified simple-salesforce client, and
`check` finding a key field that is not an External ID."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce

from leadpact.changes import UpsertTask
from leadpact.connectors.salesforce import transport
from leadpact.connectors.sandbox.salesforce_schema import (
    custom_fields,
    ensure_schema,
    set_custom_fields,
)
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from leadpact.model import Ref
from tests.sf_builders import connect

UPSERT = "composite/sobjects/Task/Leadpact_Task_Key__c"


@pytest.fixture
def sf(sandbox: Sandbox) -> Iterator[Salesforce]:
    ensure_schema(sandbox.store)
    session = requests.Session()
    transport.mount(session, transport.endpoint(sandbox.url))
    yield Salesforce(instance_url=sandbox.url, session_id=SANDBOX_TOKEN, session=session)
    session.close()


def task(key: str, subject: str) -> dict[str, Any]:
    return {"attributes": {"type": "Task"}, "Subject": subject, "Leadpact_Task_Key__c": key}


def upsert(sf: Salesforce, *records: dict[str, Any]) -> list[dict[str, Any]]:
    saved: Any = sf.restful(UPSERT, method="PATCH",
                            json={"allOrNone": False, "records": list(records)})
    return list(saved)


def test_given_the_same_key_twice_when_upserting_then_created_once_then_updated(
        sf: Salesforce) -> None:
    [first] = upsert(sf, task("k1", "Call"))
    [again] = upsert(sf, task("K1", "Call back"))  # External IDs match case-insensitively
    assert (first["success"], first["created"], first["errors"]) == (True, True, [])
    assert (again["success"], again["created"], again["id"]) == (True, False, first["id"])
    rows = sf.query("SELECT Id, Subject FROM Task")["records"]
    assert [(r["Id"], r["Subject"]) for r in rows] == [(first["id"], "Call back")]


def test_given_a_taken_key_when_creating_or_repeating_it_then_refused_per_record(
        sf: Salesforce) -> None:
    [made] = upsert(sf, task("k1", "Call"))
    [dup] = sf.restful("composite/sobjects", method="POST",  # type: ignore[misc]
                       json={"allOrNone": False, "records": [task("k1", "Again")]})
    assert dup["success"] is False and dup["errors"][0]["statusCode"] == "DUPLICATE_VALUE"
    assert made["id"] in dup["errors"][0]["message"]
    twice = upsert(sf, task("k2", "a"), task("k2", "b"))
    assert [r["success"] for r in twice] == [True, False]
    assert twice[1]["errors"][0]["statusCode"] == "DUPLICATE_EXTERNAL_ID"
    assert sf.query("SELECT Id FROM Task")["totalSize"] == 2


def test_given_a_field_that_is_not_an_external_id_when_upserting_on_it_then_400(
        sf: Salesforce) -> None:
    with pytest.raises(Exception) as raised:
        sf.restful("composite/sobjects/Task/Subject", method="PATCH",
                   json={"records": [task("k1", "Call")]})
    assert getattr(raised.value, "status", None) == 400


def test_given_new_tasks_when_applying_then_one_upsert_call_and_no_look_up(
        sandbox: Sandbox, sf: Salesforce) -> None:
    leads: list[Any] = [sf.restful("sobjects/Lead", method="POST",
                                   json={"LastName": f"L{i}", "Company": "Acme"})
                        for i in range(3)]
    tasks = [UpsertTask(Ref("salesforce", "lead", lead["id"]), f"k{i}", "Call", "", None,
                        date(2026, 11, 3)) for i, lead in enumerate(leads)]
    with connect(sandbox) as conn:
        results = conn.apply(tasks)
        assert conn.api_calls == 1  # one collections upsert, no task-key query before it
        again = conn.apply(tasks)
    assert [r.created_id for r in again] == [r.created_id for r in results]
    assert all(r.ok for r in results + again)
    assert sf.query("SELECT Id FROM Task")["totalSize"] == 3


def test_given_a_key_field_that_is_not_an_external_id_when_checking_then_the_fix(
        sandbox: Sandbox, sf: Salesforce) -> None:
    fields = custom_fields(sandbox.store)
    set_custom_fields(sandbox.store, {**fields, "Task": []})
    sf.toolingexecute("sobjects/CustomField", method="POST", data={
        "FullName": "Task.Leadpact_Task_Key__c",
        "Metadata": {"type": "Text", "label": "leadpact task key", "length": 255}})
    me: Any = sf.oauth2("userinfo")
    permission_set: Any = sf.restful("sobjects/PermissionSet", method="POST",
                                     json={"Name": "Leadpact_Integration", "Label": "leadpact"})
    for name in ("Task.Leadpact_Task_Key__c",
                 *(f"{o}.{f}" for o, names in fields.items() if o != "Task" for f in names)):
        sf.restful("sobjects/FieldPermissions", method="POST", json={
            "ParentId": permission_set["id"], "SobjectType": name.split(".")[0],
            "Field": name, "PermissionsRead": True, "PermissionsEdit": True})
    sf.restful("sobjects/PermissionSetAssignment", method="POST", json={
        "AssigneeId": me["user_id"], "PermissionSetId": permission_set["id"]})
    with connect(sandbox) as conn:
        problems = conn.check()
        lead: Any = sf.restful("sobjects/Lead", method="POST",
                               json={"LastName": "Ng", "Company": "Acme"})
        [refused] = conn.apply([UpsertTask(Ref("salesforce", "lead", lead["id"]), "k1", "Call",
                                           "", None, date(2026, 11, 3))])
    assert not refused.ok and "run `leadpact check` for the fix" in str(refused.error)
    [problem] = [p for p in problems if "External ID" in p.what]
    assert problem.what == (
        "Salesforce Task field Leadpact_Task_Key__c is not an External ID + Unique field: "
        "leadpact upserts tasks on it, so a retried create could make a task twice (and the "
        "upsert is refused)")
    assert "tick \"External ID\" and \"Unique\"" in problem.fix
