"""leadpact's buying roles in Salesforce's own terms: OpportunityContactRole.Role (the
default picklist), kept in the ledger as `contact_role:<OpportunityContactRole id>`.

The default picklist has no gatekeeper value, so a blocker writes nothing there (the
contact's Leadpact_Role__c still says blocker). `unknown` never writes anything. Pure.
"""

from __future__ import annotations

CONTACT_ROLE_LEDGER_PREFIX = "contact_role:"  # older state files name the field so

CONTACT_ROLE = {
    "economic_buyer": "Economic Buyer",
    "decision_maker": "Decision Maker",
    "executive_sponsor": "Executive Sponsor",
    "technical_evaluator": "Evaluator",
    "influencer": "Influencer",
    "user": "Business User",
    "champion": "Influencer",  # the default picklist has no champion; an advocate influences
}

# OpportunityContactRole.Role values (default picklist), casefolded
RECORDED = {
    "economic buyer": "economic_buyer",
    "economic decision maker": "economic_buyer",
    "decision maker": "decision_maker",
    "executive sponsor": "executive_sponsor",
    "evaluator": "technical_evaluator",
    "technical buyer": "technical_evaluator",
    "influencer": "influencer",
    "business user": "user",
}
