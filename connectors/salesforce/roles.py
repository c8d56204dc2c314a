"""leadpact's buying roles in Salesforce's own terms: OpportunityContactRole.Role (the
default picklist), kept in the ledger as `contact_role:<OpportunityContactRole id>`.

The default picklist has no gatekeeper value, so a blocker writes nothing there (the
contact's Leadpact_Role__c still says blocker). `unknown` never writes anything. Pure.
"""

from __future__ import annotations

from leadpact.enrichment.labels import BuyingRole

CONTACT_ROLE_LEDGER_PREFIX = "contact_role:"  # older state files name the field so

CONTACT_ROLE: dict[BuyingRole, str] = {
    BuyingRole.ECONOMIC_BUYER: "Economic Buyer",
    BuyingRole.DECISION_MAKER: "Decision Maker",
    BuyingRole.EXECUTIVE_SPONSOR: "Executive Sponsor",
    BuyingRole.TECHNICAL_EVALUATOR: "Evaluator",
    BuyingRole.INFLUENCER: "Influencer",
    BuyingRole.USER: "Business User",
    # the default picklist has no champion; an advocate influences
    BuyingRole.CHAMPION: "Influencer",
}

# OpportunityContactRole.Role values (default picklist), casefolded
RECORDED: dict[str, BuyingRole] = {
    "economic buyer": BuyingRole.ECONOMIC_BUYER,
    "economic decision maker": BuyingRole.ECONOMIC_BUYER,
    "decision maker": BuyingRole.DECISION_MAKER,
    "executive sponsor": BuyingRole.EXECUTIVE_SPONSOR,
    "evaluator": BuyingRole.TECHNICAL_EVALUATOR,
    "technical buyer": BuyingRole.TECHNICAL_EVALUATOR,
    "influencer": BuyingRole.INFLUENCER,
    "business user": BuyingRole.USER,
}
