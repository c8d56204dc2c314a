"""Buying-committee coverage of one deal. Pure: takes the buying roles of the deal's
contacts, returns which roles are there, which are missing and what that risks."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

# Roles whose absence a seller feels late: the ones who sign and the ones who decide.
DEFAULT_REQUIRED = ("economic_buyer", "decision_maker")
POWER_ROLES = frozenset({"economic_buyer", "decision_maker", "executive_sponsor"})
# The people who do the work, champions included: an advocate without the power to decide
# is still not the decision-maker a deal needs to hear from.
DOER_ROLES = frozenset({"user", "technical_evaluator", "champion"})
# A C-level sponsor can decide: a deal with one does not lack a decision maker.
SATISFIED_BY = {"decision_maker": frozenset({"decision_maker", "executive_sponsor"})}


@dataclass(frozen=True, slots=True)
class Coverage:
    present: tuple[str, ...]
    missing: tuple[str, ...]
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
    contact_roles: Sequence[str],
    required: Collection[str] = DEFAULT_REQUIRED,
    engaged_roles: Sequence[str] | None = None,
) -> Coverage:
    """`contact_roles`: one buying role per contact on the deal. `engaged_roles`: the roles
    of the contacts with recent buyer-side activity, if known."""
    present = tuple(sorted(set(contact_roles) - {"unknown"}))
    missing = tuple(role for role in required
                    if not SATISFIED_BY.get(role, frozenset({role})) & set(present))
    user_only = None
    if engaged_roles is not None:
        engaged = set(engaged_roles) - {"unknown"}
        user_only = bool(engaged) and engaged <= DOER_ROLES
    return Coverage(present, missing, len(contact_roles) <= 1, user_only)
