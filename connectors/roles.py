"""Each CRM's buying-role vocabulary (leadpact/role_vocabulary.py), by system, from the
connectors' own mappings: what the pipeline hands the planner."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from leadpact.connectors.hubspot import roles as hubspot
from leadpact.connectors.salesforce import roles as salesforce
from leadpact.model import HUBSPOT, SALESFORCE
from leadpact.role_vocabulary import RoleVocabulary

# Deal-contact labels in HubSpot and custom picklist values in Salesforce are typed by
# people, who use either CRM's spelling: both are read in both.
_RECORDED = MappingProxyType({**salesforce.RECORDED, **hubspot.RECORDED})

VOCABULARIES: Mapping[str, RoleVocabulary] = MappingProxyType({
    SALESFORCE: RoleVocabulary(
        deal_contact_values=MappingProxyType(salesforce.CONTACT_ROLE),
        contact_role_prefix=salesforce.CONTACT_ROLE_LEDGER_PREFIX, recorded=_RECORDED),
    HUBSPOT: RoleVocabulary(
        person_field=hubspot.BUYING_ROLE_FIELD,
        person_values=MappingProxyType(hubspot.BUYING_ROLE),
        person_by_function=MappingProxyType(hubspot.BUYING_ROLE_BY_FUNCTION),
        echoed_contact_values=MappingProxyType(salesforce.CONTACT_ROLE), recorded=_RECORDED),
})
