"""Record ids and HubSpot association pairs exactly as SCHEMA.md defines them.

Shared by the demo seed and the fixture loader so both mint the same ids the fake APIs
mint (Salesforce: key prefix + zero-padded counter + "AAA"; HubSpot: decimal counters).
"""

from __future__ import annotations

from leadpact.connectors.sandbox.store import Store

SALESFORCE_KEY_PREFIXES: dict[str, str] = {
    "User": "005",
    "Account": "001",
    "Lead": "00Q",
    "Contact": "003",
    "Opportunity": "006",
    "OpportunityContactRole": "00K",
    "OpportunityHistory": "008",
    "Task": "00T",
    "Event": "00U",
}

# Where each HubSpot counter starts, so ids look like a real portal's (never "1", "2", ...).
HUBSPOT_ID_STARTS: dict[str, int] = {
    "owners": 30001,
    "companies": 5001,
    "contacts": 1001,
    "deals": 9001,
    "tasks": 200001,
    "emails": 300001,
    "meetings": 400001,
    "calls": 500001,
    "notes": 600001,
}

HUBSPOT_TYPES = tuple(HUBSPOT_ID_STARTS)

# typeId -> the typeId of the same association seen from the other side (SCHEMA.md).
_ASSOCIATION_PAIRS = (
    (1, 2),  # contact -> company / company -> contact
    (3, 4),  # deal -> contact / contact -> deal
    (5, 6),  # deal -> company / company -> deal
    (204, 203),  # task -> contact / contact -> task
    (216, 215),  # task -> deal / deal -> task
    (198, 197),  # email -> contact / contact -> email
    (210, 209),  # email -> deal / deal -> email
    (200, 199),  # meeting -> contact / contact -> meeting
    (212, 211),  # meeting -> deal / deal -> meeting
    (194, 193),  # call -> contact / contact -> call
    (206, 205),  # call -> deal / deal -> call
)
INVERSE_ASSOCIATION_TYPE: dict[int, int] = {
    **{a: b for a, b in _ASSOCIATION_PAIRS},
    **{b: a for a, b in _ASSOCIATION_PAIRS},
}

# typeId -> (from type, to type), to reject an association whose ends do not fit its type.
ASSOCIATION_ENDS: dict[int, tuple[str, str]] = {
    1: ("contacts", "companies"), 2: ("companies", "contacts"),
    3: ("deals", "contacts"), 4: ("contacts", "deals"),
    5: ("deals", "companies"), 6: ("companies", "deals"),
    204: ("tasks", "contacts"), 203: ("contacts", "tasks"),
    216: ("tasks", "deals"), 215: ("deals", "tasks"),
    198: ("emails", "contacts"), 197: ("contacts", "emails"),
    210: ("emails", "deals"), 209: ("deals", "emails"),
    200: ("meetings", "contacts"), 199: ("contacts", "meetings"),
    212: ("meetings", "deals"), 211: ("deals", "meetings"),
    194: ("calls", "contacts"), 193: ("contacts", "calls"),
    206: ("calls", "deals"), 205: ("deals", "calls"),
}

USER_DEFINED = "USER_DEFINED"
HUBSPOT_DEFINED = "HUBSPOT_DEFINED"


def new_salesforce_id(store: Store, sobject: str) -> str:
    """`003000000000042AAA`: 3-char key prefix, 12-digit counter, `AAA` (18 chars)."""
    prefix = SALESFORCE_KEY_PREFIXES[sobject]
    number = store.next_number(f"salesforce:{sobject}")
    return f"{prefix}{number:012d}AAA"


def new_hubspot_id(store: Store, type_: str) -> str:
    return str(store.next_number(f"hubspot:{type_}", start=HUBSPOT_ID_STARTS[type_]))


def associate_both_ways(
    store: Store, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int,
    label: str | None = None,
) -> None:
    """Store a HubSpot association and its inverse; a labelled one is USER_DEFINED."""
    category = USER_DEFINED if label else HUBSPOT_DEFINED
    inverse = INVERSE_ASSOCIATION_TYPE[type_id]
    store.associate("hubspot", from_type, from_id, to_type, to_id, type_id, label, category)
    store.associate("hubspot", to_type, to_id, from_type, from_id, inverse, label, category)
