"""A contact role a person sets while a sync is under way (after the deal was read, before
the role is written) is left as it is: `OpportunityContactRole.Role` keeps no field history,
so the roles about to be written are re-read first (leadpact/contact_role_recheck.py),
through the real Salesforce connector over loopback HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from leadpact.changes import SetDealContactRole
from leadpact.connectors.sandbox import chaos
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.contact_role_recheck import moved_contact_roles
from leadpact.enrichment.labels import BuyingRole
from leadpact.model import Ref
from leadpact.pipeline import run_sync
from leadpact.rules.engine import load_rules
from leadpact.state import State
from tests.contract.orgs import SalesforceFace
from tests.sf_builders import ManualClock
from tests.unit.test_pipeline import classify

RULES = load_rules(None)


class PersonEditsFirst:
    """The real connector; a person sets a contact role just before leadpact re-reads the
    roles it is about to write (the moment the edit window opens on)."""

    def __init__(self, crm: Any, sandbox: Sandbox, role_id: str, role: str):
        self._crm, self._sandbox, self._edit = crm, sandbox, (role_id, role)
        self.system = crm.system

    def __getattr__(self, name: str) -> Any:
        return getattr(self._crm, name)

    def current_contact_roles(self, ids: Sequence[str]) -> dict[str, str | None]:
        role_id, role = self._edit
        chaos.apply_edits(self._sandbox.store, [{
            "system": "salesforce", "type": "OpportunityContactRole", "id": role_id,
            "fields": {"Role": role}}], self._sandbox.actors.person())
        found: dict[str, str | None] = self._crm.current_contact_roles(ids)
        return found


def contact_role(sandbox: Sandbox) -> tuple[str, str | None]:
    [row] = list(sandbox.store.scan("salesforce", "OpportunityContactRole"))
    return row.id, row.fields.get("Role")


def test_given_a_role_set_during_the_run_then_the_sync_leaves_it(sandbox: Sandbox) -> None:
    org = SalesforceFace(sandbox, ManualClock())
    ann = org.person("CFO", "ann@acme.example")
    org.deal("Big renewal", [ann], silent_days=3)
    role_id, before = contact_role(sandbox)
    assert before is None
    crm = PersonEditsFirst(org.connector(), sandbox, role_id, "Influencer")
    summary, planned = run_sync([crm], State(":memory:"), RULES, classify, org.clock.now)
    assert any(isinstance(c, SetDealContactRole) and c.role_record_id == role_id
               for c in planned)  # leadpact meant to fill it …
    assert contact_role(sandbox) == (role_id, "Influencer")  # … and left the person's
    assert summary.systems["salesforce"].manual_values_kept >= 1


def test_given_no_edit_then_the_role_is_filled_after_one_re_read(sandbox: Sandbox) -> None:
    org = SalesforceFace(sandbox, ManualClock())
    ann = org.person("CFO", "ann@acme.example")
    deal = org.deal("Big renewal", [ann], silent_days=3)
    role_id, _ = contact_role(sandbox)
    crm = org.connector()
    fill = SetDealContactRole(deal, ann, BuyingRole.ECONOMIC_BUYER, role_id, None)
    calls = crm.api_calls
    assert moved_contact_roles(crm, [fill]) == set()
    assert crm.api_calls == calls + 1
    gone = SetDealContactRole(deal, Ref("salesforce", "contact", "003000000000999AAA"),
                              BuyingRole.ECONOMIC_BUYER, "00K000000000999AAA", None)
    edited = SetDealContactRole(deal, ann, BuyingRole.ECONOMIC_BUYER, role_id, "Influencer")
    assert moved_contact_roles(crm, [fill, gone, edited]) == {gone, edited}
    run_sync([crm], State(":memory:"), RULES, classify, org.clock.now)
    assert contact_role(sandbox)[1] is not None  # filled
