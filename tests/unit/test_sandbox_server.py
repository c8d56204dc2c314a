from __future__ import annotations

import requests

from leadpact.connectors.sandbox.server import Fault, Sandbox


def test_given_no_token_when_calling_salesforce_then_401(sandbox: Sandbox) -> None:
    r = requests.get(sandbox.url + "/services/data/v59.0/limits/", timeout=5)
    assert r.status_code == 401


def test_given_a_fault_when_the_path_matches_then_it_is_served_once(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault(system="hubspot", status=503, body={"message": "down"}))
    headers = {"Authorization": "Bearer sandbox-token"}
    first = requests.get(sandbox.url + "/crm/v3/objects/contacts", headers=headers, timeout=5)
    second = requests.get(sandbox.url + "/crm/v3/objects/contacts", headers=headers, timeout=5)
    assert first.status_code == 503
    assert second.status_code != 503


def test_given_calls_when_asking_stats_then_counts_per_system(sandbox: Sandbox) -> None:
    headers = {"Authorization": "Bearer sandbox-token"}
    requests.get(sandbox.url + "/crm/v3/objects/contacts", headers=headers, timeout=5)
    stats = requests.get(sandbox.url + "/_sandbox/stats", timeout=5).json()
    assert stats["hubspot"]["api_calls"] == 1
    assert stats["salesforce"]["api_calls"] == 0
