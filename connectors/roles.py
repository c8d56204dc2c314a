"""Each CRM's vocabulary (leadpact/role_vocabulary.py), by system, from the connectors'
own mappings: how it spells buying roles, which of its own fields leadpact fills and how
the ledger names them. The pipeline hands it to the planner; connectors resolve canonical
changes with it when they write (ledger_value)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from leadpact.changes import (
    Change,
    NativeChange,
    RestoreLedgerValue,
    SetDealContactRole,
    SetField,
    record_of,
)
from leadpact.connectors.hubspot import roles as hubspot
from leadpact.connectors.native_fields import TARGETS
from leadpact.connectors.salesforce import roles as salesforce
from leadpact.model import HUBSPOT, SALESFORCE
from leadpact.role_vocabulary import NO_ROLES, LedgerValue, RoleVocabulary

# Deal-contact labels in HubSpot and custom picklist values in Salesforce are typed by
# people, who use either CRM's spelling: both are read in both.
_RECORDED = MappingProxyType({**salesforce.RECORDED, **hubspot.RECORDED})


def _native_fields(system: str) -> Mapping[str, str]:
    return MappingProxyType({key: name for key, (owner, _, name, _) in TARGETS.items()
                             if owner == system})


VOCABULARIES: Mapping[str, RoleVocabulary] = MappingProxyType({
    SALESFORCE: RoleVocabulary(
        deal_contact_values=MappingProxyType(salesforce.CONTACT_ROLE),
        contact_role_prefix=salesforce.CONTACT_ROLE_LEDGER_PREFIX, recorded=_RECORDED,
        native_fields=_native_fields(SALESFORCE)),
    HUBSPOT: RoleVocabulary(
        person_field=hubspot.BUYING_ROLE_FIELD,
        person_values=MappingProxyType(hubspot.BUYING_ROLE),
        person_by_function=MappingProxyType(hubspot.BUYING_ROLE_BY_FUNCTION),
        echoed_contact_values=MappingProxyType(salesforce.CONTACT_ROLE), recorded=_RECORDED,
        native_fields=_native_fields(HUBSPOT)),
})


def ledger_value(change: Change) -> LedgerValue | None:
    """The field (ledger name) and value a change leaves on a record: a leadpact field as
    it is, one of the CRM's own fields as its connector's vocabulary resolves it; None for
    task changes and for what the CRM has no field for."""
    if isinstance(change, SetField):
        return LedgerValue(change.ref, change.field, change.value, change.previous)
    if isinstance(change, NativeChange):
        return VOCABULARIES.get(record_of(change).system, NO_ROLES).ledger_value(change)
    return None


def as_field_write(change: Change) -> SetField | RestoreLedgerValue | None:
    """A write to one field of one record, in the ledger's terms, as the re-read before a
    write, the history check after it and the put-back of a person's edit handle it: a
    leadpact field as it is, a person's buying role or status as the value it resolves to.
    None for tasks, and for a deal contact's role (re-checked on its own:
    leadpact/contact_role_recheck.py)."""
    if isinstance(change, SetField):
        return change
    if isinstance(change, SetDealContactRole):
        return None
    found = ledger_value(change)
    if found is None or VOCABULARIES.get(found.ref.system, NO_ROLES).contact_role_id(
            found.field) is not None:
        return None
    if isinstance(change, RestoreLedgerValue):
        return change
    return RestoreLedgerValue(found.ref, found.field, found.value, found.previous)
