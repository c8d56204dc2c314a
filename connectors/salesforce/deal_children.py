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

    def roles(self, opportunity_ids: Sequence[str]) -> list[Row]:
        """The contact-role rows of these deals, by deal and Id (as the per-page query)."""
        return sorted(self._rows.of("role", opportunity_ids),
                      key=lambda row: (str(row["OpportunityId"]), str(row["Id"])))

    def history(self, opportunity_ids: Sequence[str]) -> list[Row]:
        """The OpportunityHistory rows of these deals, by deal and CreatedDate."""
        return sorted(self._rows.of("history", opportunity_ids),
                      key=lambda row: (str(row["OpportunityId"]), str(row["CreatedDate"])))

    def close(self) -> None:
        self._rows.close()
