"""leadpact's buying roles in HubSpot's own terms: the contact property `hs_buying_role`
(an enumeration) and the values a person records (the enumeration, deal-contact labels).

HubSpot has no technical-evaluator value: an evaluator shapes the decision without owning
it, which is HubSpot's INFLUENCER. Legal and compliance people block for their own
reasons; HubSpot has a value for them. `unknown` never writes anything. Pure.
"""

from __future__ import annotations

BUYING_ROLE_FIELD = "hs_buying_role"  # also the ledger's name for it

BUYING_ROLE = {
    "economic_buyer": "BUDGET_HOLDER",
    "decision_maker": "DECISION_MAKER",
    "executive_sponsor": "EXECUTIVE_SPONSOR",
    "technical_evaluator": "INFLUENCER",
    "influencer": "INFLUENCER",
    "user": "END_USER",
    "blocker": "BLOCKER",
    "champion": "CHAMPION",
}
BUYING_ROLE_BY_FUNCTION = {("blocker", "legal"): "LEGAL_AND_COMPLIANCE"}

# hs_buying_role values and deal-contact labels (enumeration spelling), casefolded
RECORDED = {
    "budget_holder": "economic_buyer",
    "decision_maker": "decision_maker",
    "executive_sponsor": "executive_sponsor",
    "end_user": "user",
    "blocker": "blocker",
    "legal_and_compliance": "blocker",
    "champion": "champion",
}
