"""Buying-committee coverage of one deal. Pure: takes the buying roles of the deal's
contacts, returns which roles are there, which are missing and what that risks."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from leadpact.enrichment.labels import BuyingRole

# Roles whose absence a seller feels late: the ones who sign and the ones who decide.
DEFAULT_REQUIRED = (BuyingRole.ECONOMIC_BUYER, BuyingRole.DECISION_MAKER)
POWER_ROLES = frozenset({BuyingRole.ECONOMIC_BUYER, BuyingRole.DECISION_MAKER,
                         BuyingRole.EXECUTIVE_SPONSOR})
# The people who do the work, champions included: an advocate without the power to decide
# is still not the decision-maker a deal needs to hear from.
DOER_ROLES = frozenset({BuyingRole.USER, BuyingRole.TECHNICAL_EVALUATOR, BuyingRole.CHAMPION})
# A C-level sponsor can decide: a deal with one does not lack a decision maker.
SATISFIED_BY = {BuyingRole.DECISION_MAKER: frozenset({BuyingRole.DECISION_MAKER,
                                                     BuyingRole.EXECUTIVE_SPONSOR})}


@dataclass(frozen=True, slots=True)
class Coverage:
    present: tuple[BuyingRole, ...]
    missing: tuple[BuyingRole, ...]
    single_threaded: bool
    user_only: bool | None  # None: no engagement data to tell

    @property
    def flags(self) -> tuple[str, ...]:
        flags = []
        if self.single_threaded:
            flags.append("single_threaded")
        if self.user_only:
            flags.append("user_only_engagement")
        flags.extend(f"no_{role}" for role in self.missing)
        return tuple(flags)

    @property
    def has_gaps(self) -> bool:
        return bool(self.missing) or self.single_threaded or bool(self.user_only)


def committee_coverage(
    contact_roles: Sequence[BuyingRole],
    required: Collection[BuyingRole] = DEFAULT_REQUIRED,
    engaged_roles: Sequence[BuyingRole] | None = None,
) -> Coverage:
    """`contact_roles`: one buying role per contact on the deal. `engaged_roles`: the roles
    of the contacts with recent buyer-side activity, if known."""
    present = tuple(sorted(set(contact_roles) - {BuyingRole.UNKNOWN}))
    missing = tuple(role for role in required
                    if not SATISFIED_BY.get(role, frozenset({role})) & set(present))
    user_only = None
    if engaged_roles is not None:
        engaged = set(engaged_roles) - {BuyingRole.UNKNOWN}
        user_only = bool(engaged) and engaged <= DOER_ROLES
    return Coverage(present, missing, len(contact_roles) <= 1, user_only)
