"""The closed vocabularies a title and a person are labelled with (see the titles_dev
labelling guide). StrEnums: a member equals its text, so CRM fields, state and JSON keep
the same words, while the type checker tells a role from a seniority or a stray string."""

from __future__ import annotations

from enum import StrEnum


class BuyingRole(StrEnum):
    ECONOMIC_BUYER = "economic_buyer"
    DECISION_MAKER = "decision_maker"
    TECHNICAL_EVALUATOR = "technical_evaluator"
    USER = "user"
    INFLUENCER = "influencer"
    BLOCKER = "blocker"
    EXECUTIVE_SPONSOR = "executive_sponsor"
    UNKNOWN = "unknown"
    CHAMPION = "champion"  # behavioural: only engagement gives it, never a title


class Seniority(StrEnum):
    C_LEVEL = "c_level"
    VP = "vp"
    DIRECTOR = "director"
    MANAGER = "manager"
    SENIOR_IC = "senior_ic"
    IC = "ic"
    ENTRY = "entry"
    UNKNOWN = "unknown"


class Function(StrEnum):
    EXECUTIVE = "executive"
    FINANCE = "finance"
    PROCUREMENT = "procurement"
    LEGAL = "legal"
    SECURITY = "security"
    IT = "it"
    ENGINEERING = "engineering"
    DATA = "data"
    PRODUCT = "product"
    MARKETING = "marketing"
    SALES = "sales"
    CUSTOMER_SUCCESS = "customer_success"
    OPERATIONS = "operations"
    HR = "hr"
    OTHER = "other"


# The roles a title alone can give (the classifier's and the labelling guide's).
TITLE_ROLES = tuple(role for role in BuyingRole if role is not BuyingRole.CHAMPION)
