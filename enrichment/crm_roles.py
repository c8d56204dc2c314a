"""leadpact's buying roles in each CRM's own picklist.

HubSpot's `hs_buying_role` has no technical-evaluator value: an evaluator shapes the
decision without owning it, which is HubSpot's INFLUENCER. Salesforce's default
OpportunityContactRole picklist has no gatekeeper value, so a blocker writes nothing there
(the contact's Leadpact_Role__c still says blocker). `unknown` never writes anything.
"""

from __future__ import annotations

from leadpact.enrichment.labels import BuyingRole

HUBSPOT_BUYING_ROLE = {
    "economic_buyer": "BUDGET_HOLDER",
    "decision_maker": "DECISION_MAKER",
    "executive_sponsor": "EXECUTIVE_SPONSOR",
    "technical_evaluator": "INFLUENCER",
    "influencer": "INFLUENCER",
    "user": "END_USER",
    "blocker": "BLOCKER",
    "champion": "CHAMPION",
}

SALESFORCE_CONTACT_ROLE = {
    "economic_buyer": "Economic Buyer",
    "decision_maker": "Decision Maker",
    "executive_sponsor": "Executive Sponsor",
    "technical_evaluator": "Evaluator",
    "influencer": "Influencer",
    "user": "Business User",
    "champion": "Influencer",  # the default picklist has no champion; an advocate influences
}


def hubspot_buying_role(role: str, function: str) -> str | None:
    # Legal and compliance people block for their own reasons; HubSpot has a value for them.
    if role == "blocker" and function == "legal":
        return "LEGAL_AND_COMPLIANCE"
    return HUBSPOT_BUYING_ROLE.get(role)


def salesforce_contact_role(role: str) -> str | None:
    return SALESFORCE_CONTACT_ROLE.get(role)


_FROM_CRM = {
    # Salesforce OpportunityContactRole.Role (default picklist)
    "economic buyer": "economic_buyer",
    "economic decision maker": "economic_buyer",
    "decision maker": "decision_maker",
    "executive sponsor": "executive_sponsor",
    "evaluator": "technical_evaluator",
    "technical buyer": "technical_evaluator",
    "influencer": "influencer",
    "business user": "user",
    # HubSpot hs_buying_role / deal-contact labels
    "budget_holder": "economic_buyer",
    "decision_maker": "decision_maker",
    "executive_sponsor": "executive_sponsor",
    "end_user": "user",
    "blocker": "blocker",
    "legal_and_compliance": "blocker",
    "champion": "champion",
}


def role_from_crm(value: str | None) -> BuyingRole | None:
    """A role a person recorded in the CRM, in leadpact's terms (None: no usable value).
    A rep naming someone's role on a deal knows more than a title does."""
    if not value:
        return None
    # HubSpot enumerations say BUDGET_HOLDER, association labels say "Budget Holder".
    first = value.split(";")[0].strip().casefold()
    found = _FROM_CRM.get(first) or _FROM_CRM.get(first.replace(" ", "_"))
    return BuyingRole(found) if found else None
