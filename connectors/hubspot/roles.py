"""leadpact's buying roles in HubSpot's own terms: the contact property `hs_buying_role`
(an enumeration) and the values a person records (the enumeration, deal-contact labels).

HubSpot has no technical-evaluator value: an evaluator shapes the decision without owning
it, which is HubSpot's INFLUENCER. Legal and compliance people block for their own
reasons; HubSpot has a value for them. `unknown` never writes anything. Pure.
"""

from __future__ import annotations

from leadpact.enrichment.labels import BuyingRole, Function

BUYING_ROLE_FIELD = "hs_buying_role"  # also the ledger's name for it

BUYING_ROLE: dict[BuyingRole, str] = {
    BuyingRole.ECONOMIC_BUYER: "BUDGET_HOLDER",
    BuyingRole.DECISION_MAKER: "DECISION_MAKER",
    BuyingRole.EXECUTIVE_SPONSOR: "EXECUTIVE_SPONSOR",
    BuyingRole.TECHNICAL_EVALUATOR: "INFLUENCER",
    BuyingRole.INFLUENCER: "INFLUENCER",
    BuyingRole.USER: "END_USER",
    BuyingRole.BLOCKER: "BLOCKER",
    BuyingRole.CHAMPION: "CHAMPION",
}
BUYING_ROLE_BY_FUNCTION: dict[tuple[BuyingRole, Function], str] = {
    (BuyingRole.BLOCKER, Function.LEGAL): "LEGAL_AND_COMPLIANCE"}

# hs_buying_role values and deal-contact labels (enumeration spelling), casefolded
RECORDED: dict[str, BuyingRole] = {
    "budget_holder": BuyingRole.ECONOMIC_BUYER,
    "decision_maker": BuyingRole.DECISION_MAKER,
    "executive_sponsor": BuyingRole.EXECUTIVE_SPONSOR,
    "end_user": BuyingRole.USER,
    "blocker": BuyingRole.BLOCKER,
    "legal_and_compliance": BuyingRole.BLOCKER,
    "champion": BuyingRole.CHAMPION,
}
