"""The sandbox's harness faults over real HTTP: skip to the Nth request, kill -9 of the
client process before or after the work, a person's edit landing first, a HubSpot batch
that refuses one input (207), random faults from a seed; and the read-timeout setting."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import requests

from leadpact.connect import READ_TIMEOUT, read_timeout
from leadpact.connectors.sandbox.chaos import ChaosSettings, is_create, is_write
from leadpact.connectors.sandbox.server import Fault, Request, Sandbox
from leadpact.errors import ConfigError

AUTH = {"Authorization": "Bearer sandbox-token"}
UPDATE = "/crm/v3/objects/contacts/batch/update"


def contacts(sandbox: Sandbox, *ids: str) -> None:
    for id_ in ids:
        sandbox.store.insert("hubspot", "contacts", id_, {"email": f"{id_}@example.com"})


def update(sandbox: Sandbox, *ids: str, role: str = "user") -> requests.Response:
    body = {"inputs": [{"id": id_, "properties": {"jobtitle": role}} for id_ in ids]}
    return requests.post(sandbox.url + UPDATE, json=body, headers=AUTH, timeout=5)


def role(sandbox: Sandbox, id_: str) -> Any:
    row = sandbox.store.get("hubspot", "contacts", id_)
    assert row is not None
    return row.fields.get("jobtitle")


def sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_given_skip_then_the_fault_answers_the_request_after_that_many(
        sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault("hubspot", status=503, skip=2))
    codes = [requests.get(sandbox.url + "/crm/v3/objects/contacts", headers=AUTH,
                          timeout=5).status_code for _ in range(4)]
    assert codes == [200, 200, 503, 200]
    assert sandbox.faults.fired == 1


@pytest.mark.parametrize(("kind", "applied"), [("kill", False), ("kill_after", True)])
def test_given_a_kill_fault_then_the_process_dies_and_the_work_is_done_only_after(
        sandbox: Sandbox, kind: str, applied: bool) -> None:
    contacts(sandbox, "1")
    victim = sleeper()
    try:
        sandbox.faults.add(Fault("hubspot", kind=kind, pid=victim.pid, writes=True))
        with pytest.raises(requests.ConnectionError):
            update(sandbox, "1")
        assert victim.wait(timeout=10) == -9
        assert (role(sandbox, "1") == "user") is applied
    finally:
        victim.kill()
        victim.wait()


def test_given_an_edit_fault_then_the_persons_edit_lands_before_the_write(
        sandbox: Sandbox) -> None:
    contacts(sandbox, "1", "2")
    edit = {"system": "hubspot", "type": "contacts", "id": "2",
            "fields": {"jobtitle": "champion"}}
    sandbox.faults.add(Fault("hubspot", "POST", UPDATE, kind="edit", edits=[edit]))
    answer = update(sandbox, "1")
    assert answer.status_code == 200
    assert (role(sandbox, "1"), role(sandbox, "2")) == ("user", "champion")


def test_given_a_partial_fault_then_one_input_is_refused_with_207_and_the_rest_done(
        sandbox: Sandbox) -> None:
    contacts(sandbox, "1", "2", "3")
    sandbox.faults.add(Fault("hubspot", "POST", UPDATE, kind="partial"))
    answer = update(sandbox, "1", "2", "3")
    assert answer.status_code == 207
    body = answer.json()
    refused = body["errors"][0]["context"]["ids"]
    assert body["numErrors"] == 1 and len(body["results"]) == 2
    assert [role(sandbox, i) for i in ("1", "2", "3") if i not in refused] == ["user", "user"]
    assert role(sandbox, refused[0]) is None


def test_given_random_chaos_then_the_same_seed_gives_the_same_faults(sandbox: Sandbox) -> None:
    def statuses(seed: int) -> list[int | None]:
        requests.post(sandbox.url + "/_sandbox/chaos", timeout=5,
                      json={"rate": 0.5, "seed": seed, "kinds": ["429", "500", "html502"]})
        found: list[int | None] = []
        for _ in range(30):
            found.append(requests.get(sandbox.url + "/crm/v3/objects/contacts",
                                      headers=AUTH, timeout=5).status_code)
        return found

    first, again, other = statuses(5), statuses(5), statuses(6)
    assert first == again != other
    assert {429, 500, 502, 200} == set(first)
    requests.post(sandbox.url + "/_sandbox/chaos", json={}, timeout=5)
    assert statuses_off(sandbox) == {200}


def statuses_off(sandbox: Sandbox) -> set[int]:
    return {requests.get(sandbox.url + "/crm/v3/objects/contacts", headers=AUTH,
                         timeout=5).status_code for _ in range(10)}


def test_given_chaos_that_spares_creates_then_a_create_is_never_held_or_answer_dropped(
        sandbox: Sandbox) -> None:
    sandbox.chaos.configure(ChaosSettings(rate=1.0, kinds=("timeout", "drop_after")))
    create = Request("POST", "/crm/v3/objects/tasks/batch/create", {}, {}, b"")
    assert all(sandbox.chaos.pick("hubspot", create) is None for _ in range(20))
    update_request = Request("POST", UPDATE, {}, {}, b"")
    assert sandbox.chaos.pick("hubspot", update_request) is not None


@pytest.mark.parametrize(("system", "method", "path", "write", "create"), [
    ("salesforce", "GET", "/services/data/v59.0/query", False, False),
    ("salesforce", "PATCH", "/services/data/v59.0/composite/sobjects", True, False),
    ("salesforce", "POST", "/services/data/v59.0/composite/sobjects", True, True),
    ("hubspot", "POST", "/crm/v3/objects/contacts/search", False, False),
    ("hubspot", "POST", "/crm/v3/objects/contacts/batch/read", False, False),
    ("hubspot", "POST", UPDATE, True, False),
    ("hubspot", "POST", "/crm/v3/objects/tasks/batch/create", True, True),
    ("hubspot", "POST", "/crm/v4/associations/deals/contacts/batch/create", True, False),
])
def test_given_a_request_then_it_is_told_apart_as_read_write_or_create(
        system: str, method: str, path: str, write: bool, create: bool) -> None:
    request = Request(method, path, {}, {}, b"")
    assert (is_write(system, request), is_create(system, request)) == (write, create)


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf", "7200"])
def test_given_an_unusable_read_timeout_then_a_one_line_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match=READ_TIMEOUT) as raised:
        read_timeout({READ_TIMEOUT: value})
    assert "\n" not in str(raised.value)


def test_given_a_read_timeout_then_seconds_else_none() -> None:
    assert read_timeout({READ_TIMEOUT: "2.5"}) == 2.5
    assert read_timeout({}) is None
