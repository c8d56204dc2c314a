"""A change of the [native]/[fields] mappings in leadpact.toml reaches every known record,
like a rules change; removing a native mapping only stops managing those values."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadpact.field_map import DEFAULT_FIELDS, FieldMap, field_map
from leadpact.mapping_change import must_rejudge, remembered
from leadpact.native_stage import NO_NATIVE, NativeMap, native_map

TOML = Path("leadpact.toml")
MQL = native_map({"hubspot_lifecyclestage": {"marketing_qualified": "marketingqualifiedlead"}},
                 TOML)
MQL_SQL = native_map({"hubspot_lifecyclestage": {"marketing_qualified": "marketingqualifiedlead",
                                                 "sales_ready": "salesqualifiedlead"}}, TOML)
MQL_AS_LEAD = native_map({"hubspot_lifecyclestage": {"marketing_qualified": "lead"}}, TOML)
BOTH = native_map({"hubspot_lifecyclestage": {"marketing_qualified": "marketingqualifiedlead"},
                   "salesforce_lead_status": {"disqualified": "Closed - Not Converted"}}, TOML)
ICP = field_map({"hubspot": {"icp_tier": "icp_tier"}}, TOML)
NATIVES: dict[str, NativeMap] = {"none": NO_NATIVE, "mql": MQL, "mql+sql": MQL_SQL,
                                 "mql as lead": MQL_AS_LEAD, "both": BOTH}


@pytest.mark.parametrize(("before", "after", "expected"), [
    ("none", "none", False),
    ("none", "mql", True),           # a table added
    ("mql", "both", True),           # a second table added
    ("mql", "mql+sql", True),        # a stage line added
    ("mql", "mql as lead", True),    # a stage's value changed
    ("mql", "mql", False),
    ("both", "mql", False),          # a table removed: its field is no longer managed
    ("mql+sql", "mql", False),       # a stage line removed: the same
    ("mql", "none", False),
])
def test_when_a_native_mapping_change_judges_every_record_again(
        before: str, after: str, expected: bool) -> None:
    last = remembered(NATIVES[before], DEFAULT_FIELDS)
    assert must_rejudge(last, NATIVES[after], DEFAULT_FIELDS, True) is expected


@pytest.mark.parametrize(("before", "after", "expected"), [
    (DEFAULT_FIELDS, ICP, True),     # a field added: the fit may read a new value
    (ICP, DEFAULT_FIELDS, True),     # removed: a test of it now sees nothing
    (ICP, ICP, False),
    (DEFAULT_FIELDS, field_map({"salesforce": {"industry": "Sector__c"}}, TOML), True),
])
def test_any_fields_mapping_change_judges_every_record_again(before: FieldMap, after: FieldMap,
                                                             expected: bool) -> None:
    assert must_rejudge(remembered(MQL, before), MQL, after, True) is expected


@pytest.mark.parametrize(("native", "fields", "knows", "expected"), [
    (NO_NATIVE, DEFAULT_FIELDS, True, False),  # a state from before: ran with the defaults
    (MQL, DEFAULT_FIELDS, True, True),         # …and a table has been added since
    (NO_NATIVE, ICP, True, True),
    (MQL, ICP, False, False),                  # a first sync: nothing known to judge again
])
def test_a_state_without_the_stamp_counts_as_the_defaults(
        native: NativeMap, fields: FieldMap, knows: bool, expected: bool) -> None:
    assert must_rejudge(None, native, fields, knows) is expected


def test_the_stamp_does_not_depend_on_the_order_of_the_tables() -> None:
    flipped = NativeMap(tuple(reversed(BOTH.targets)))
    assert remembered(flipped, ICP) == remembered(BOTH, ICP)
