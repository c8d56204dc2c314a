"""Which CRM field holds each firmographic the lead definition tests, by canonical name.

`[fields.salesforce]` and `[fields.hubspot]` in leadpact.toml map a canonical name
(industry, employees, country, or any name an org adds, e.g. icp_tier) to the field that
holds it. A Salesforce value is one API name used on both Account and Lead, or an inline
table naming each side: `country = { account = "BillingCountry", lead = "Country" }` (a
side left out is not read there). A HubSpot value is a company property name. An org's
entries are added to the defaults; one with the same canonical name replaces a default.
Pure: parsed TOML in, a FieldMap out (or a ConfigError naming file, line and key).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadpact.errors import ConfigError

ACCOUNT_SIDE, LEAD_SIDE = "account", "lead"


@dataclass(frozen=True, slots=True)
class FieldMap:
    """Canonical name -> CRM field, per place the value is read from."""

    salesforce_account: Mapping[str, str] = field(default_factory=dict)
    salesforce_lead: Mapping[str, str] = field(default_factory=dict)
    hubspot_company: Mapping[str, str] = field(default_factory=dict)


DEFAULT_FIELDS = FieldMap(
    salesforce_account={"industry": "Industry", "employees": "NumberOfEmployees",
                        "country": "BillingCountry"},
    salesforce_lead={"industry": "Industry", "employees": "NumberOfEmployees",
                     "country": "Country"},
    hubspot_company={"industry": "industry", "employees": "numberofemployees",
                     "country": "country"},
)
FIELDS_KEYS = {"salesforce", "hubspot"}
_CANONICAL = re.compile(r"[a-z][a-z0-9_]{0,39}")
# Salesforce API names: a letter, then letters, digits and single underscores (custom
# fields end in __c, namespaced ones hold one more __).
_SALESFORCE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*(?:__c)?")
_HUBSPOT = re.compile(r"[a-z][a-z0-9_]{0,99}")  # HubSpot internal property names


def field_map(section: object, path: Path, text: str = "") -> FieldMap:
    """The [fields] section (already parsed) over the defaults; `text` is the file's
    content, to name the line of a bad entry."""
    if section is None:
        return DEFAULT_FIELDS
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: `fields` must be the tables [fields.salesforce] and "
                          "[fields.hubspot]")
    for name in section:
        if name not in FIELDS_KEYS:
            raise _error(path, text, "fields", str(name),
                         f"unknown table [fields.{_clip(name)}]; expected [fields.salesforce] "
                         "or [fields.hubspot]")
    sf_account = dict(DEFAULT_FIELDS.salesforce_account)
    sf_lead = dict(DEFAULT_FIELDS.salesforce_lead)
    for canonical, value in _table(section, "salesforce", path, text).items():
        _check_canonical(canonical, "salesforce", path, text)
        account, lead = _salesforce_sides(canonical, value, path, text)
        for target, side in ((sf_account, account), (sf_lead, lead)):
            target.pop(canonical, None)
            if side:
                target[canonical] = side
    hubspot = dict(DEFAULT_FIELDS.hubspot_company)
    for canonical, value in _table(section, "hubspot", path, text).items():
        _check_canonical(canonical, "hubspot", path, text)
        if not isinstance(value, str) or not _HUBSPOT.fullmatch(value):
            raise _error(path, text, "fields.hubspot", canonical,
                         f"`{canonical}` must be a HubSpot company property's internal name "
                         f"(lower case, e.g. \"icp_tier\"), not {_shown(value)}")
        hubspot[canonical] = value
    return FieldMap(sf_account, sf_lead, hubspot)


def _table(section: dict[str, Any], name: str, path: Path, text: str) -> dict[str, Any]:
    table = section.get(name, {})
    if not isinstance(table, dict):
        raise _error(path, text, "fields", name,
                     f"`fields.{name}` must be a [fields.{name}] table of "
                     "canonical_name = \"CRM field\" lines")
    return table


def _check_canonical(name: str, crm: str, path: Path, text: str) -> None:
    if not _CANONICAL.fullmatch(name):
        raise _error(path, text, f"fields.{crm}", name,
                     f"`{_clip(name)}` is not a canonical field name; use lower case letters, "
                     "digits and _ (e.g. icp_tier), as the rules file names it")


def _salesforce_sides(canonical: str, value: object, path: Path, text: str
                      ) -> tuple[str | None, str | None]:
    """(Account field, Lead field) of one [fields.salesforce] entry."""
    def api_name(raw: object, where: str) -> str:
        if not isinstance(raw, str) or not _SALESFORCE.fullmatch(raw) or len(raw) > 80:
            raise _error(path, text, "fields.salesforce", canonical,
                         f"`{canonical}`{where} must be a Salesforce field API name (e.g. "
                         f"\"ICP_Tier__c\"), not {_shown(raw)}")
        return raw

    if isinstance(value, dict):
        unknown = set(value) - {ACCOUNT_SIDE, LEAD_SIDE}
        if unknown or not value:
            raise _error(path, text, "fields.salesforce", canonical,
                         f"`{canonical}` takes `account` and/or `lead`, e.g. "
                         f"{{ account = \"BillingCountry\", lead = \"Country\" }}"
                         + (f", not `{_clip(sorted(unknown)[0])}`" if unknown else ""))
        account, lead = value.get(ACCOUNT_SIDE), value.get(LEAD_SIDE)
        return (api_name(account, ".account") if account is not None else None,
                api_name(lead, ".lead") if lead is not None else None)
    name = api_name(value, "")
    return name, name


def _error(path: Path, text: str, table: str, key: str, message: str) -> ConfigError:
    line = _line_of(text, table, key)
    where = f"{path}:{line}" if line else str(path)
    return ConfigError(f"{where}: [{table}] {message}", path=path, line=line)


def _line_of(text: str, table: str, key: str) -> int | None:
    """The line of `key =` inside `[table]` (or of the [table.key] header), if found."""
    current = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.fullmatch(r"\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = re.sub(r"\s*\.\s*", ".", header[1])
            if current == f"{table}.{key}":
                return number
            continue
        if current == table and re.match(rf"['\"]?{re.escape(key)}['\"]?\s*=", line):
            return number
    return None


def _clip(value: object, limit: int = 40) -> str:
    text = str(value).encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _shown(value: object) -> str:
    return f"'{_clip(value)}'" if isinstance(value, str) else f"a {type(value).__name__}"


def canonical_text(value: object) -> str | None:
    """A CRM value as the text the rules compare: None for empty; whole numbers without
    a decimal point (Salesforce sends 500, HubSpot "500"), booleans as true/false."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def mapped_values(row: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, str | None]:
    """{canonical name: value} of the mapped fields a row holds (empty ones left out)."""
    found: dict[str, str | None] = {}
    for canonical, name in mapping.items():
        value = canonical_text(row.get(name))
        if value is not None:
            found[canonical] = value
    return found
