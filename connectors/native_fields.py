"""The CRMs' own lead-status fields that [native] in leadpact.toml may map a person's
stage onto, by config table: HubSpot contact `lifecyclestage` and `hs_lead_status`,
Salesforce Lead `Status`. The names belong to the connectors; the core
(leadpact/native_stage.py) gets them as data. Each name is also the ledger's name for
the field, so older state files keep reading. Pure.
"""

from __future__ import annotations

from leadpact.model import CONTACT, HUBSPOT, LEAD, SALESFORCE

HUBSPOT_LIFECYCLE = "lifecyclestage"
HUBSPOT_LEAD_STATUS = "hs_lead_status"
SALESFORCE_LEAD_STATUS = "Status"

# HubSpot's lifecycle order ("other" sits outside it: never moved from or to by order).
LIFECYCLE_ORDER = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
                   "opportunity", "customer", "evangelist")

# config table -> (system, record kind, native field, forward only)
TARGETS: dict[str, tuple[str, str, str, bool]] = {
    "hubspot_lifecyclestage": (HUBSPOT, CONTACT, HUBSPOT_LIFECYCLE, True),
    "hubspot_lead_status": (HUBSPOT, CONTACT, HUBSPOT_LEAD_STATUS, False),
    "salesforce_lead_status": (SALESFORCE, LEAD, SALESFORCE_LEAD_STATUS, False),
}

# Native names of the status fields a person record may carry (Person.native), per system.
PERSON_FIELDS: dict[str, tuple[str, ...]] = {
    system: tuple(name for s, _, name, _ in TARGETS.values() if s == system)
    for system in (HUBSPOT, SALESFORCE)}
