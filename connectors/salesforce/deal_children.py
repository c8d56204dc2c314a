"""Every deal's contact roles and stage history, read once on a whole read of deals (a
first or `--full` read) instead of per page of deals in 450-id lists: one query each in
full 2,000-row pages, or a Bulk API 2.0 job when big. The rows wait in a private temporary
SQLite file (child_rows.py), so a million deals' rows do not grow the process."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from leadpact.connectors.salesforce import queries
from leadpact.connectors.salesforce.activity_reads import Pages
from leadpact.connectors.salesforce.child_rows import ChildRows

Row = dict[str, Any]
_ORDER = {"role": "Id", "history": "CreatedDate"}  # within a deal, as the per-page queries


class DealChildren:
    def __init__(self) -> None:
        self._rows = ChildRows()

    @classmethod
    def read(cls, pages: Pages) -> DealChildren:
        found = cls()
        try:
            found._keep("role", pages(queries.all_contact_roles_query(), False,
                                      "reading opportunity contact roles",
                                      "OpportunityContactRole"))
            found._keep("history", pages(queries.all_opportunity_history_query(), False,
                                         "reading opportunity history", "OpportunityHistory"))
        except BaseException:
            found.close()
            raise
        return found

    def _keep(self, kind: str, pages: Iterator[list[Row]]) -> None:
        for page in pages:
            self._rows.add(kind, ((str(row.get("OpportunityId") or ""), row) for row in page))

    def rows(self, kind: str, opportunity_ids: Sequence[str]) -> list[Row]:
        """The rows of one kind ("role", "history") of these deals, in the per-page
        query's order: by deal, then Id (roles) or CreatedDate (history)."""
        then = _ORDER[kind]
        return sorted(self._rows.of(kind, opportunity_ids),
                      key=lambda row: (str(row["OpportunityId"]), str(row[then])))

    def close(self) -> None:
        self._rows.close()
