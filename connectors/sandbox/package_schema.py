"""leadpact's custom fields and properties as the sandbox knows them: its own data
(leadpact_package.json), never the product's field list, so a field the product names
wrongly fails against the sandbox as it would against a real org."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def _package() -> dict[str, Any]:
    text = files(__package__).joinpath("leadpact_package.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def salesforce_custom_fields() -> dict[str, list[dict[str, Any]]]:
    """{sObject: [{name, label, kind[, external_id][, values]}, ...]}; kind is text |
    number | long_text | picklist (with its values); external_id marks an External ID +
    Unique field."""
    return {k: [dict(f) for f in v] for k, v in _package()["salesforce"].items()}


def hubspot_group() -> str:
    return str(_package()["hubspot"]["group"])


def hubspot_properties() -> dict[str, list[dict[str, Any]]]:
    """{object type: [PropertyCreate body, ...]}."""
    return {k: [dict(p) for p in v] for k, v in _package()["hubspot"]["properties"].items()}
