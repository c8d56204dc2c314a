"""One person, one verdict: on the seeded demo org (people split across the two CRMs,
many in both), everyone present in both CRMs carries the same leadpact values in each
after a sync, read back from the sandbox the way a rep would see them."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import leadpact
from leadpact.connectors.sandbox.seed import seed_demo_org
from leadpact.connectors.sandbox.server import Sandbox
from leadpact.demo import sandbox_config
from leadpact.fields import PERSON, fields_for, to_canonical

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
# What the verdict says about a person (the version stamp is written only beside a moved
# value, so it may lag on one side by design; see README "The lead definition").
COMPARED = ("seniority", "function", "role", "role_confidence", "role_reason", "fit",
            "engagement", "lead_stage", "lead_score", "lead_reasons")


def test_a_person_in_both_crms_has_the_same_verdict_in_each(sandbox: Sandbox,
                                                            tmp_path: Path) -> None:
    seed_demo_org(sandbox.store, seed=9, people=500, now=NOW)
    org = leadpact.open(sandbox_config(sandbox.url, tmp_path / "state.sqlite3"),
                        clock=lambda: NOW)
    assert org.sync().ok
    specs = [s for s in fields_for(PERSON) if s.name in COMPARED]
    seen: dict[str, dict[str, list[dict[str, str | None]]]] = defaultdict(
        lambda: defaultdict(list))
    for sobject in ("Contact", "Lead"):
        for row in sandbox.store.scan("salesforce", sobject):
            if row.fields.get("Email") and not row.fields.get("IsConverted"):
                seen[row.fields["Email"].strip().lower()]["salesforce"].append(
                    {s.name: to_canonical(s, row.fields.get(s.salesforce)) for s in specs})
    for row in sandbox.store.scan("hubspot", "contacts"):
        if row.fields.get("email"):
            seen[row.fields["email"].strip().lower()]["hubspot"].append(
                {s.name: to_canonical(s, row.fields.get(s.hubspot)) for s in specs})
    both = {email: sides for email, sides in seen.items() if len(sides) == 2}
    assert len(both) >= 50  # the seed puts many people in both CRMs
    differ = [(email, sides) for email, sides in both.items()
              if len({tuple(sorted(v.items())) for side in sides.values() for v in side}) > 1]
    assert differ == []
    assert all(v["role"] for sides in both.values() for side in sides.values() for v in side)
