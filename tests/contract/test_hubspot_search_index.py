"""The sandbox answers last-modified range searches from its time index (SQL LIMIT and
COUNT) instead of filtering every row: same answers as the full evaluation, page by page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests

from leadpact.connectors.sandbox.hubspot_schema import ensure_schema
from leadpact.connectors.sandbox.hubspot_search import parse_request
from leadpact.connectors.sandbox.hubspot_search_slice import time_slice
from leadpact.connectors.sandbox.server import SANDBOX_TOKEN, Sandbox
from tests.hs_builders import T0

AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
# Ids of different lengths (text order is not numeric order) on few timestamps, so ties
# straddle page ends.
IDS = [7, 8, 9, 10, 11, 12, 99, 100, 101, 102, 950, 1000, 1001, 20, 3, 45]
STAMPS = [T0, T0 + timedelta(milliseconds=1), T0 + timedelta(minutes=1)]


def millis(offset: timedelta) -> str:
    return str(int((T0 + offset).timestamp() * 1000))


def search(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(sandbox.url + "/crm/v3/objects/contacts/search", json=body,
                           headers=AUTH, timeout=5)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def in_full(body: dict[str, Any]) -> dict[str, Any]:
    """The same search with a filter every contact meets, which the index path declines."""
    groups = body.get("filterGroups") or [{"filters": []}]
    return {**body, "filterGroups": [
        {"filters": [*g["filters"], {"propertyName": "hs_object_id",
                                     "operator": "HAS_PROPERTY"}]} for g in groups]}


def test_given_range_searches_when_paged_from_the_index_then_same_as_full_evaluation(
    sandbox: Sandbox,
) -> None:
    ensure_schema(sandbox.store)
    for n, id_ in enumerate(IDS):
        sandbox.store.insert("hubspot", "contacts", str(id_), {"email": f"p{id_}@example.com"},
                             created_at=T0, modified_at=STAMPS[n % len(STAMPS)])
    sandbox.store.delete("hubspot", "contacts", "99")  # archived: in neither answer
    bounds = [
        [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": millis(timedelta())}],
        [{"propertyName": "hs_lastmodifieddate", "operator": "GT", "value": millis(timedelta())},
         {"propertyName": "lastmodifieddate", "operator": "LTE",
          "value": millis(timedelta(minutes=1))}],
        [{"propertyName": "lastmodifieddate", "operator": "LT",
          "value": millis(timedelta(minutes=1))}],
        [{"propertyName": "lastmodifieddate", "operator": "BETWEEN", "value": millis(timedelta()),
          "highValue": millis(timedelta(milliseconds=1))}],
        [{"propertyName": "lastmodifieddate", "operator": "EQ",
          "value": millis(timedelta(milliseconds=1))}],
    ]
    for filters in bounds:
        for direction in ("ASCENDING", "DESCENDING"):
            for limit in (1, 4, 200):
                after = 0
                while True:
                    body = {"filterGroups": [{"filters": filters}], "limit": limit,
                            "sorts": [{"propertyName": "lastmodifieddate",
                                       "direction": direction}],
                            "properties": ["email"], "after": after}
                    assert time_slice(parse_request(body), "contacts") is not None
                    assert time_slice(parse_request(in_full(body)), "contacts") is None
                    fast, full = search(sandbox, body), search(sandbox, in_full(body))
                    assert fast == full, (filters, direction, limit, after)
                    if "paging" not in fast:
                        break
                    after = int(fast["paging"]["next"]["after"])
    everything = search(sandbox, {"sorts": [{"propertyName": "lastmodifieddate",
                                             "direction": "ASCENDING"}], "limit": 200})
    assert everything["total"] == len(IDS) - 1
