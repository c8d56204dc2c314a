"""How one CRM spells buying roles in its own fields, and which of its own fields a
canonical change (leadpact/changes.py NativeChange) writes. The spellings and field names
belong to the connectors (connectors/salesforce/roles.py, connectors/hubspot/roles.py,
connectors/native_fields.py, gathered in connectors/roles.py); the planner gets them as
data and speaks leadpact's roles. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar, assert_never

from leadpact.changes import (
    NativeChange,
    RestoreLedgerValue,
    SetBuyingRole,
    SetDealContactRole,
    SetLeadStatus,
)
from leadpact.enrichment.labels import BuyingRole, Function
from leadpact.model import Ref

K = TypeVar("K")
V = TypeVar("V")


def _none() -> Mapping[K, V]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class LedgerValue:
    """What a change leaves on one field, by the name the ledger keeps for it (the ledger,
    pending rows and the re-read before a write all speak these names)."""

    ref: Ref  # the record the ledger keys it by (a deal for a deal contact's role)
    field: str
    value: str | None
    previous: str | None = None


@dataclass(frozen=True, slots=True)
class RoleVocabulary:
    # The CRM's own buying-role field on a person, by the name the ledger keeps for it
    # (None: the CRM has none leadpact fills).
    person_field: str | None = None
    person_values: Mapping[BuyingRole, str] = field(default_factory=_none)  # leadpact role -> value
    # (leadpact role, function) -> a more exact value of that field
    person_by_function: Mapping[tuple[BuyingRole, Function], str] = field(default_factory=_none)
    # leadpact role -> the role of a contact on a deal (empty: the CRM keeps roles on people)
    deal_contact_values: Mapping[BuyingRole, str] = field(default_factory=_none)
    # leadpact role -> how a deal contact's role leadpact wrote in another CRM reads here
    # (HubSpot's Salesforce integration carries contact roles into deal-contact labels)
    echoed_contact_values: Mapping[BuyingRole, str] = field(default_factory=_none)
    # The ledger's name for one deal contact's role is this prefix and the role record's id.
    contact_role_prefix: str | None = None
    # A value a person recorded (casefolded, spaces as underscores too) -> leadpact role
    recorded: Mapping[str, BuyingRole] = field(default_factory=_none)
    # [native] config table -> the status field it fills here (connectors/native_fields.py)
    native_fields: Mapping[str, str] = field(default_factory=_none)

    def ledger_value(self, change: NativeChange) -> LedgerValue | None:
        """The field (by its ledger name) and value a canonical change writes here; None
        when this CRM has nothing to write for it (no such field, no spelling for the
        role). Connectors resolve their writes with it, the planner compares with it."""
        if isinstance(change, SetBuyingRole):
            if self.person_field is None:
                return None
            value = None if change.role is None else \
                self.person_role(change.role, change.function or Function.OTHER)
            if change.role is not None and value is None:
                return None
            return LedgerValue(change.person, self.person_field, value, change.previous_value)
        if isinstance(change, SetDealContactRole):
            name = self.contact_role_field(change.role_record_id)
            value = None if change.role is None else self.deal_contact_role(change.role)
            if name is None or (change.role is not None and value is None):
                return None
            return LedgerValue(change.deal, name, value, change.previous_value)
        if isinstance(change, SetLeadStatus):
            name = self.native_fields.get(change.target)
            return None if name is None else \
                LedgerValue(change.person, name, change.value, change.previous_value)
        if isinstance(change, RestoreLedgerValue):
            return LedgerValue(change.ref, change.field, change.value, change.previous) \
                if self.owns(change.field) else None
        assert_never(change)

    def owns(self, ledger_field: str) -> bool:
        """Whether a ledger field names one of this CRM's own fields leadpact fills."""
        return ledger_field == self.person_field or ledger_field in \
            self.native_fields.values() or self.contact_role_id(ledger_field) is not None

    def person_role(self, role: BuyingRole, function: Function) -> str | None:
        """The person field's value for a role (None: nothing to write)."""
        return self.person_by_function.get((role, function)) or self.person_values.get(role)

    def deal_contact_role(self, role: BuyingRole) -> str | None:
        return self.deal_contact_values.get(role)

    def guessed_contact_role(self, role: BuyingRole) -> str | None:
        """The value a deal contact's role holds when it is only leadpact's guess."""
        return self.deal_contact_values.get(role) or self.echoed_contact_values.get(role)

    def contact_role_field(self, role_record_id: str | None) -> str | None:
        """The ledger field of one deal contact's role (None: the CRM keeps none)."""
        if self.contact_role_prefix is None or role_record_id is None:
            return None
        return f"{self.contact_role_prefix}{role_record_id}"

    def contact_role_id(self, ledger_field: str) -> str | None:
        """The role record's id a ledger field names, if it names one."""
        prefix = self.contact_role_prefix
        return ledger_field[len(prefix):] if prefix and ledger_field.startswith(prefix) \
            else None

    def role_from_crm(self, value: str | None) -> BuyingRole | None:
        """A role a person recorded in the CRM, in leadpact's terms (None: no usable
        value). A rep naming someone's role on a deal knows more than a title does."""
        if not value:
            return None
        first = value.split(";")[0].strip().casefold()
        return self.recorded.get(first) or self.recorded.get(first.replace(" ", "_"))


NO_ROLES = RoleVocabulary()  # a CRM without buying-role fields of its own
