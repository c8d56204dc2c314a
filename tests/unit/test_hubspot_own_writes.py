"""leadpact's own HubSpot writes left out of the next read (connectors/hubspot/own_writes.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadpact.connectors.cursor import StreamCursor, dump, load
from leadpact.connectors.hubspot.own_writes import (
    MAX_LEFT_OUT,
    Segment,
    after_full_page,
    holds_only_ours,
    pack,
    ranges,
    searches,
    segments,
)
from leadpact.connectors.hubspot.search import Stream, Window, window_body

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
CONTACTS = Stream("contacts", "contacts", "lastmodifieddate", ("email",))


def test_given_checked_writes_then_ranges_hold_at_most_the_cap_oldest_first() -> None:
    checked = [(str(i), 1000 + i // 3) for i in range(MAX_LEFT_OUT + 5)]
    found = ranges(list(reversed(checked)))
    assert [len(ids) for _, ids in found] == [MAX_LEFT_OUT, 5]
    assert found[0][0] == 1000 + (MAX_LEFT_OUT - 1) // 3  # newest stamp of its own ids
    assert found[1][0] == 1000 + (MAX_LEFT_OUT + 4) // 3
    assert found[0][1][:3] == ("0", "1", "2")


def test_given_no_own_writes_then_the_read_is_one_piece() -> None:
    assert segments(100, 500, []) == [Segment(100, 500)]
    assert segments(None, 500, []) == [Segment(None, 500)]


def test_given_own_ranges_then_each_piece_ends_at_a_range_and_leaves_out_only_its_ids() -> None:
    own = [(300, ("b",)), (200, ("a",))]
    assert segments(100, 500, own) == [Segment(100, 200, ("a",)), Segment(201, 300, ("b",)),
                                       Segment(301, 500)]


def test_given_a_range_before_the_read_then_it_is_ignored_and_one_past_it_is_cut() -> None:
    assert segments(100, 500, [(50, ("old",)), (900, ("late",))]) == \
        [Segment(100, 500, ("late",))]


def test_given_two_ranges_ending_together_then_the_second_leaves_nothing_out_wrongly() -> None:
    # Its ids stamped at 200 fall in the first piece, where they are read: costly, not lost.
    assert segments(100, 500, [(200, ("a",)), (200, ("b",))]) == \
        [Segment(100, 200, ("a",)), Segment(201, 500)]


def test_given_ids_left_out_then_the_search_says_not_in_100_at_a_time() -> None:
    ids = tuple(str(i) for i in range(250))
    body = window_body(CONTACTS, Window(100, 200), 200, ids)
    left_out = [f for f in body["filterGroups"][0]["filters"] if f["operator"] == "NOT_IN"]
    assert [len(f["values"]) for f in left_out] == [100, 100, 50]
    assert all(f["propertyName"] == "hs_object_id" for f in left_out)
    pinned = window_body(CONTACTS, Window(100, 200, tie=150, after_id=7), 200,
                         ids[:MAX_LEFT_OUT - 50] + ids[:50])
    assert len(pinned["filterGroups"][0]["filters"]) <= 10  # HubSpot's cap per group


def test_given_a_checked_record_then_only_an_untouched_one_holds_only_ours() -> None:
    ours = {"role": "user", "hs_buying_role": "END_USER"}
    assert holds_only_ours(T0, T0, "p", "p", ours, dict(ours))
    later = T0 + timedelta(milliseconds=1)
    assert not holds_only_ours(T0, later, "p", "p", ours, dict(ours))  # changed since
    assert not holds_only_ours(None, T0, "p", "p", ours, dict(ours))  # write not answered
    assert not holds_only_ours(T0, T0, "p", "title edited", ours, dict(ours))
    assert not holds_only_ours(T0, T0, "p", "p", ours, {**ours, "role": "blocker"})


def test_given_own_ranges_then_the_cursor_keeps_them_and_plain_cursors_are_unchanged() -> None:
    plain = {"contacts": StreamCursor(T0)}
    assert "own" not in dump(plain)
    owned = {"contacts": StreamCursor(T0).with_own(((1234, ("1", "2")),))}
    assert load(dump(owned)) == owned
    assert load(dump(owned))["contacts"].advance([("9", T0)]).own == ((1234, ("1", "2")),)
    assert owned["contacts"].read_through(T0 + timedelta(seconds=1)).own == \
        ((1234, ("1", "2")),)


def test_given_pieces_then_a_search_packs_them_within_hubspots_caps() -> None:
    full = tuple(str(i) for i in range(MAX_LEFT_OUT))  # 7 NOT_IN filters + 2 for the range
    pieces = [Segment(1, 2, full), Segment(3, 4, full), Segment(5, 6, full), Segment(7, 9)]
    assert pack(pieces) == pieces[:2]  # 18 filters: a third 9 would pass 25
    assert pack(pieces[2:]) == pieces[2:]
    assert pack([Segment(i, i, ("x",)) for i in range(9)]) == \
        [Segment(i, i, ("x",)) for i in range(5)]  # five groups at most
    assert searches(pieces) == 2 and searches([Segment(None, 9)]) == 1


def test_given_a_full_packed_page_then_what_is_left_starts_at_its_last_stamp() -> None:
    pieces = [Segment(None, 20, ("a",)), Segment(21, 40, ("b",)), Segment(41, 90)]
    assert after_full_page(pieces, 30) == [Segment(30, 40, ("b",)), Segment(41, 90)]
    assert after_full_page(pieces, 5) == [Segment(5, 20, ("a",)), *pieces[1:]]
