from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from leadpact.cli import main
from leadpact.config import HUBSPOT_TOKEN, SALESFORCE_TOKEN, STARTER, load_config
from leadpact.errors import ConfigError
from leadpact.exit_codes import exit_code
from leadpact.field_map import DEFAULT_FIELDS, canonical_text, mapped_values

BASE = STARTER.replace("https://YOUR-DOMAIN.my.salesforce.com", "http://127.0.0.1:1")
ENV = {SALESFORCE_TOKEN: "sf-secret", HUBSPOT_TOKEN: "hs-secret"}


def _load(tmp_path: Path, extra: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "leadpact.toml"
    path.write_text(BASE + extra)
    return load_config(path, ENV)


def test_given_no_fields_section_then_the_usual_crm_fields_are_read(tmp_path: Path) -> None:
    config = _load(tmp_path, "")
    assert config.fields == DEFAULT_FIELDS
    assert config.fields.salesforce_account["country"] == "BillingCountry"
    assert config.fields.salesforce_lead["country"] == "Country"
    assert config.fields.hubspot_company == {"industry": "industry",
                                             "employees": "numberofemployees",
                                             "country": "country"}


def test_given_an_org_mapping_then_it_adds_to_and_replaces_defaults(tmp_path: Path) -> None:
    config = _load(tmp_path, """
[fields.salesforce]
icp_tier = "ICP_Tier__c"
country = { account = "ShippingCountry" }

[fields.hubspot]
icp_tier = "icp_tier"
""")
    assert config.fields.salesforce_account["icp_tier"] == "ICP_Tier__c"
    assert config.fields.salesforce_lead["icp_tier"] == "ICP_Tier__c"
    assert config.fields.salesforce_account["country"] == "ShippingCountry"
    assert "country" not in config.fields.salesforce_lead  # the lead side was left out
    assert config.fields.salesforce_account["industry"] == "Industry"
    assert config.fields.hubspot_company["icp_tier"] == "icp_tier"


@pytest.mark.parametrize(("extra", "message"), [
    ('[fields.salesforce]\nicp_tier = "ICP Tier"\n',
     r"leadpact.toml:\d+: \[fields.salesforce\] `icp_tier` must be a Salesforce field API name"),
    ('[fields.salesforce]\nicp_tier = 3\n', r"API name .*not a int"),
    ('[fields.salesforce]\nIcpTier = "ICP_Tier__c"\n', r"`IcpTier` is not a canonical field name"),
    ('[fields.salesforce]\ncountry = { acount = "BillingCountry" }\n',
     r"`country` takes `account` and/or `lead`.*not `acount`"),
    ('[fields.hubspot]\nicp_tier = "ICP_Tier"\n',
     r":\d+: \[fields.hubspot\] `icp_tier` must be a HubSpot company property's internal name"),
    ('[fields.marketo]\nx = "y"\n', r"\[fields\] has unknown key `marketo`"),
])
def test_given_a_bad_mapping_then_one_line_names_file_line_and_fix(
        tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        _load(tmp_path, "\n" + extra)
    assert "\n" not in str(caught.value) and exit_code(caught.value) == 2


def test_given_a_bad_mapping_then_the_line_is_the_entry(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, '\n[fields.hubspot]\nindustry = "industry"\nicp_tier = "Bad"\n')
    lines = (BASE + '\n[fields.hubspot]\nindustry = "industry"\nicp_tier = "Bad"\n').splitlines()
    assert caught.value.line is not None and lines[caught.value.line - 1].startswith("icp_tier")


def test_given_a_bad_mapping_when_syncing_then_exit_2_before_any_call(tmp_path: Path) -> None:
    path = tmp_path / "leadpact.toml"
    path.write_text(BASE + '\n[fields.salesforce]\nicp_tier = "ICP Tier"\n')
    result = CliRunner().invoke(main, ["sync", "--config", str(path)], env=ENV)
    assert result.exit_code == 2
    assert "[fields.salesforce] `icp_tier`" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / ".leadpact").exists()  # stopped before the state was opened


@pytest.mark.parametrize(("raw", "text"), [
    (None, None), ("", None), (500, "500"), (500.0, "500"), (12.5, "12.5"), ("500", "500"),
    (True, "true"), ("Manufacturing", "Manufacturing"),
])
def test_given_crm_values_then_canonical_text_is_the_same_on_both(raw: object,
                                                                  text: str | None) -> None:
    assert canonical_text(raw) == text


def test_given_a_row_then_only_mapped_non_empty_fields_are_kept() -> None:
    row = {"Industry": "Banking", "NumberOfEmployees": 120, "BillingCountry": None, "Name": "X"}
    assert mapped_values(row, DEFAULT_FIELDS.salesforce_account) == {"industry": "Banking",
                                                                     "employees": "120"}
