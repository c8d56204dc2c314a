"""The connector's search walk (pure planner) and the sandbox's search semantics (pure)."""

from __future__ import annotations

import pytest

from leadpact.connectors.hubspot.search import (
    Hit,
    Stream,
    Window,
    high_water_body,
    key_search_bodies,
    next_window,
    window_body,
)
from leadpact.connectors.sandbox import hubspot_search as hs
from leadpact.connectors.sandbox.hubspot_search import Filter, SearchError, parse_request, run

STREAM = Stream("contacts", "contacts", "lastmodifieddate", ("email",))


# -- the planner, one step at a time -----------------------------------------------------
@pytest.mark.parametrize(
    ("window", "hits", "expected"),
    [
        # time mode: a short page ends the stream
        (Window(100, 900), [Hit(1, 150), Hit(2, 160)], None),
        # time mode: a full page restarts from its last timestamp (keyset, no offset)
        (Window(100, 900), [Hit(1, 150), Hit(2, 160), Hit(3, 170)], Window(170, 900)),
        (Window(None, 900), [Hit(1, 150), Hit(2, 160), Hit(3, 170)], Window(170, 900)),
        # time mode: a full page stuck at the lower bound pins that millisecond
        (Window(170, 900), [Hit(7, 170), Hit(3, 170), Hit(5, 170)], Window(170, 900, tie=170)),
        # tie mode: a full page goes on after the highest id
        (Window(170, 900, tie=170), [Hit(3, 170), Hit(5, 170), Hit(7, 170)],
         Window(170, 900, tie=170, after_id=7)),
        # tie mode: a short page leaves the millisecond
        (Window(170, 900, tie=170, after_id=7), [Hit(9, 170)], Window(171, 900)),
        (Window(900, 900, tie=900), [Hit(9, 900)], None),
    ],
)
def test_given_a_page_when_planning_then_the_next_window_moves_strictly_forward(
    window: Window, hits: list[Hit], expected: Window | None,
) -> None:
    assert next_window(window, hits, limit=3) == expected


def test_given_time_window_when_building_the_body_then_bounded_sorted_and_without_offset() -> None:
    body = window_body(STREAM, Window(1000, 2000), limit=50)
    assert body == {
        "filterGroups": [{"filters": [
            {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "1000"},
            {"propertyName": "lastmodifieddate", "operator": "LTE", "value": "2000"}]}],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        "properties": ["email"], "limit": 50,
    }


def test_given_tie_window_when_building_the_body_then_pages_by_object_id() -> None:
    body = window_body(STREAM, Window(1000, 2000, tie=1500, after_id=42), limit=500)
    assert body["filterGroups"][0]["filters"] == [
        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "1500"},
        {"propertyName": "lastmodifieddate", "operator": "LTE", "value": "1500"},
        {"propertyName": "hs_object_id", "operator": "GT", "value": "42"},
    ]
    assert body["sorts"] == [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
    assert body["limit"] == 200  # HubSpot's cap


def test_given_no_cursor_when_asking_the_high_water_then_newest_first_without_filters() -> None:
    assert high_water_body(STREAM, None) == {
        "filterGroups": [], "properties": ["lastmodifieddate"], "limit": 1,
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}]}


def test_given_a_page_size_then_the_high_water_asks_the_newest_page_with_the_properties(
        ) -> None:
    body = high_water_body(STREAM, 1500, page=50)
    assert body["limit"] == 50 and body["properties"] == list(STREAM.properties)
    assert body["sorts"] == [{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}]
    assert high_water_body(STREAM, 1500, page=500)["limit"] == 200  # HubSpot's cap


def test_given_many_keys_when_searching_tasks_then_lower_cased_unique_chunks_of_100() -> None:
    keys = [f"Key-{i}" for i in range(150)] + ["key-0"]
    bodies = key_search_bodies("leadpact_task_key", keys, ["leadpact_task_key"])
    values = [b["filterGroups"][0]["filters"][0]["values"] for b in bodies]
    assert [len(v) for v in values] == [100, 50]
    assert values[0][0] == "key-0"


# -- the planner walking a data set through the sandbox's search semantics ----------------
def _walk(stamps: dict[int, int], limit: int, since: int | None = None, cap: int = 10_000,
          after_page: dict[int, int] | None = None) -> list[int]:
    """Ids in the order the walk reads them; `after_page` re-stamps records after page 1."""
    def search(body: dict[str, object]) -> list[Hit]:
        records = [(str(i), {"hs_object_id": str(i), "lastmodifieddate": str(ts)})
                   for i, ts in stamps.items()]
        page, _, _ = run(parse_request(body, window=cap), records)
        return [Hit(int(i), int(p["lastmodifieddate"] or 0)) for i, p in page]

    newest = search(high_water_body(STREAM, since))
    window: Window | None = Window(since, newest[0].modified)
    read: list[int] = []
    for step in range(1000):
        assert window is not None
        body = window_body(STREAM, window, limit)
        assert "after" not in body
        hits = search(body)
        read += [h.id for h in hits]
        if step == 0 and after_page:
            stamps.update(after_page)
        window = next_window(window, hits, limit)
        if window is None:
            return read
    raise AssertionError("the walk did not end")


def test_given_distinct_stamps_when_walking_then_every_record_once_or_at_a_boundary() -> None:
    stamps = {i: 1000 + i * 10 for i in range(1, 26)}
    read = _walk(stamps, limit=10)
    assert set(read) == set(stamps)
    assert len(read) <= len(stamps) + 3  # only page boundaries are read twice


def test_given_a_tie_bigger_than_the_search_window_when_walking_then_all_read() -> None:
    stamps = {i: 5000 for i in range(1, 51)} | {i: 4000 + i for i in range(51, 61)}
    read = _walk(stamps, limit=10, cap=20)  # the cap would refuse any offset past 20
    assert set(read) == set(stamps)


def test_given_a_lower_bound_when_walking_then_older_records_are_not_read() -> None:
    stamps = {1: 100, 2: 200, 3: 300}
    assert set(_walk(stamps, limit=10, since=200)) == {2, 3}


def test_given_records_modified_during_the_walk_when_walking_then_none_is_skipped() -> None:
    # Page 1's records get written back (they move past the high-water mark): an offset
    # walk would now skip the first records of page 2.
    stamps = {i: 1000 + i for i in range(1, 31)}
    read = _walk(stamps, limit=10, after_page={i: 9999 for i in range(1, 11)})
    assert set(read) == set(range(1, 31))
    assert all(read.count(i) == 1 for i in range(1, 11))  # moved past the high-water mark


# -- sandbox search semantics ----------------------------------------------------------------
PROPS = {"email": "ada@example.com", "amount": "1500", "hs_buying_role": "CHAMPION;BLOCKER",
         "lastmodifieddate": "2024-05-01T10:00:00.000Z", "dealname": "Acme renewal 2024",
         "empty": ""}


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (Filter("email", "EQ", "ADA@example.com"), True),
        (Filter("email", "NEQ", "bo@example.com"), True),
        (Filter("missing", "NEQ", "x"), True),
        (Filter("missing", "EQ", "x"), False),
        (Filter("amount", "GT", "900"), True),  # numbers, not text ("1500" < "900")
        (Filter("amount", "LTE", "1500.0"), True),
        (Filter("amount", "LT", "1500"), False),
        (Filter("amount", "BETWEEN", "1000", "2000"), True),
        (Filter("amount", "BETWEEN", "1600", "2000"), False),
        # epoch milliseconds against an ISO datetime compare as instants
        (Filter("lastmodifieddate", "GTE", "1714557600000"), True),
        (Filter("lastmodifieddate", "GT", "1714557600000"), False),
        (Filter("lastmodifieddate", "LT", "2024-05-01T10:00:00.001Z"), True),
        (Filter("lastmodifieddate", "EQ", "2024-05-01T12:00:00+02:00"), True),
        (Filter("hs_buying_role", "IN", values=("blocker", "END_USER")), True),
        (Filter("hs_buying_role", "NOT_IN", values=("END_USER",)), True),
        (Filter("missing", "NOT_IN", values=("x",)), True),
        (Filter("email", "HAS_PROPERTY"), True),
        (Filter("empty", "HAS_PROPERTY"), False),
        (Filter("empty", "NOT_HAS_PROPERTY"), True),
        (Filter("dealname", "CONTAINS_TOKEN", "renewal"), True),
        (Filter("dealname", "CONTAINS_TOKEN", "renew*"), True),
        (Filter("dealname", "CONTAINS_TOKEN", "renew"), False),
        (Filter("dealname", "NOT_CONTAINS_TOKEN", "churn"), True),
    ],
)
def test_given_a_filter_when_evaluating_then_hubspot_semantics(flt: Filter, expected: bool) -> None:
    assert hs.filter_matches(flt, PROPS) is expected


def test_given_groups_when_matching_then_or_of_ands() -> None:
    request = parse_request({"filterGroups": [
        {"filters": [{"propertyName": "amount", "operator": "GT", "value": "9000"}]},
        {"filters": [{"propertyName": "amount", "operator": "GT", "value": "1000"},
                     {"propertyName": "email", "operator": "HAS_PROPERTY"}]}]})
    assert hs.matches(request, PROPS)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"limit": 201}, "limit"),
        ({"limit": 100, "after": "9901"}, "10000"),
        ({"filterGroups": [{"filters": [{"propertyName": "a", "operator": "LIKE"}]}]}, "LIKE"),
        ({"filterGroups": [{"filters": [{"propertyName": "a", "operator": "EQ"}]}]}, "value"),
        ({"filterGroups": [{"filters": []}] * 6}, "groups"),
        ({"filterGroups": [{"filters": [{"propertyName": "a", "operator": "HAS_PROPERTY"}] * 11}]},
         "filters"),
    ],
)
def test_given_a_bad_request_when_parsing_then_refused_like_hubspot(body: dict,
                                                                    message: str) -> None:
    with pytest.raises(SearchError, match=message):
        parse_request(body)


def test_given_a_smaller_window_when_paging_past_it_then_refused() -> None:
    parse_request({"limit": 10, "after": "10"}, window=20)
    with pytest.raises(SearchError):
        parse_request({"limit": 10, "after": "11"}, window=20)


def test_given_sorts_when_running_then_typed_order_missing_last_and_paging() -> None:
    records = [("1", {"amount": "900"}), ("2", {"amount": "1500"}), ("3", {}),
               ("4", {"amount": "80"})]
    request = parse_request({"sorts": [{"propertyName": "amount", "direction": "DESCENDING"}],
                             "limit": 2})
    page, total, more = run(request, records)
    assert [i for i, _ in page] == ["2", "1"] and total == 4 and more == 2
    page, _, more = run(parse_request({"sorts": ["amount"], "limit": 2, "after": "2"}), records)
    assert [i for i, _ in page] == ["2", "3"]  # ascending: 80, 900 | 1500, missing
    assert more is None


def test_given_a_free_text_query_when_matching_then_word_prefixes_of_searchable_props() -> None:
    request = parse_request({"query": "acme ren"})
    assert hs.matches(request, PROPS, searchable=("dealname",))
    assert not hs.matches(request, PROPS, searchable=("email",))


def test_given_modified_filters_in_every_group_then_the_loosest_bound_is_used() -> None:
    from datetime import UTC, datetime

    from leadpact.connectors.sandbox.hubspot_search import Filter, SearchRequest, modified_since

    group_a = (Filter("lastmodifieddate", "GTE", "1700000000000"),)
    group_b = (Filter("lastmodifieddate", "GTE", "2026-01-01T00:00:00Z"),
               Filter("hs_object_id", "GT", "5"))
    bound = modified_since(SearchRequest(groups=(group_a, group_b)))
    assert bound == datetime.fromtimestamp(1_700_000_000, UTC)
    assert modified_since(SearchRequest(groups=(group_a, (Filter("email", "EQ", "x"),)))) is None
    assert modified_since(SearchRequest()) is None
