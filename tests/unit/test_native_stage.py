"""The opt-in mapping of lead stages onto the CRMs' own fields (leadpact/native_stage.py):
config parsing, the lifecycle order, and the options check."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadpact.errors import ConfigError
from leadpact.model import CONTACT, HUBSPOT, LEAD, SALESFORCE, Ref
from leadpact.native_stage import (
    NO_NATIVE,
    moves_forward,
    native_map,
    option_problems,
    unknown_stages,
    wanted_values,
)

TOML = Path("leadpact.toml")
HS = Ref(HUBSPOT, CONTACT, "1")
SF_LEAD = Ref(SALESFORCE, LEAD, "00Q1")
SF_CONTACT = Ref(SALESFORCE, CONTACT, "0031")
MAPPED = native_map({
    "hubspot_lifecyclestage": {"sales_ready": "salesqualifiedlead",
                               "marketing_qualified": "marketingqualifiedlead"},
    "hubspot_lead_status": {"disqualified": "UNQUALIFIED", "sales_ready": "OPEN"},
    "salesforce_lead_status": {"sales_ready": "Working - Contacted"},
}, TOML)


@pytest.mark.parametrize(("current", "wanted", "moves"), [
    (None, "lead", True),
    ("", "subscriber", True),
    ("lead", "salesqualifiedlead", True),
    ("salesqualifiedlead", "salesqualifiedlead", True),  # the same: nothing to write
    ("customer", "salesqualifiedlead", False),  # never backward
    ("opportunity", "marketingqualifiedlead", False),
    ("other", "lead", False),  # outside the order: left alone
    ("lead", "other", False),
])
def test_a_lifecycle_stage_only_moves_forward_unless_empty(
        current: str | None, wanted: str, moves: bool) -> None:
    assert moves_forward(current, wanted) is moves


@pytest.mark.parametrize(("ref", "stage", "current", "expected"), [
    (HS, "sales_ready", {}, {"lifecyclestage": "salesqualifiedlead", "hs_lead_status": "OPEN"}),
    (HS, "sales_ready", {"lifecyclestage": "customer"}, {"hs_lead_status": "OPEN"}),
    (HS, "disqualified", {"lifecyclestage": "lead"}, {"hs_lead_status": "UNQUALIFIED"}),
    (HS, "nurture", {}, {}),  # an unmapped stage leaves every field as it is
    (HS, None, {}, {}),
    (SF_LEAD, "sales_ready", {}, {"Status": "Working - Contacted"}),
    (SF_CONTACT, "sales_ready", {}, {}),  # Status is a Lead's field only
])
def test_given_a_stage_when_mapped_then_the_native_values_it_asks_for(
        ref: Ref, stage: str | None, current: dict[str, str], expected: dict[str, str]) -> None:
    assert wanted_values(MAPPED, ref, stage, current) == expected


def test_given_no_native_section_then_nothing_is_mapped() -> None:
    assert native_map(None, TOML) is NO_NATIVE
    assert wanted_values(NO_NATIVE, HS, "sales_ready", {}) == {}


@pytest.mark.parametrize(("section", "says"), [
    ({"hubspot_lifecycle": {}}, "unknown table [native.hubspot_lifecycle]"),
    ({"hubspot_lead_status": "OPEN"}, "[native.hubspot_lead_status] must be a table"),
    ({"salesforce_lead_status": {"sales_ready": 3}}, "`sales_ready` must be the field's value"),
    ({"salesforce_lead_status": {"sales_ready": " "}}, "`sales_ready` must be the field's value"),
])
def test_given_a_bad_native_section_then_one_line_naming_the_table(
        section: object, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        native_map(section, TOML)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_a_stage_the_rules_do_not_have_is_named_with_its_table() -> None:
    found = unknown_stages(MAPPED, ["disqualified", "sales_ready", "nurture"])
    assert found == ["[native.hubspot_lifecyclestage] `marketing_qualified` is not a person "
                     "stage of the rules file (stages: disqualified, sales_ready, nurture); "
                     "fix or remove that line in leadpact.toml"]


def test_values_outside_the_fields_options_are_named_with_the_config_key() -> None:
    options = {"lifecyclestage": ["lead", "salesqualifiedlead"],
               "hs_lead_status": ["OPEN", "UNQUALIFIED"]}
    assert option_problems(MAPPED, HUBSPOT, options) == [
        "[native.hubspot_lifecyclestage] marketing_qualified = 'marketingqualifiedlead' is "
        "not an option of lifecyclestage (options: lead, salesqualifiedlead); use one of "
        "them in leadpact.toml"]
    assert option_problems(MAPPED, SALESFORCE, {}) == [
        "[native.salesforce_lead_status]: the CRM has no Status field to map stages onto; "
        "remove the table from leadpact.toml"]
    assert option_problems(MAPPED, SALESFORCE, {"Status": ["Working - Contacted"]}) == []
