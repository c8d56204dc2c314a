"""How the stale-deal report reads: a rich table for people, one JSON document, or CSV
(one row per stale deal)."""

from __future__ import annotations

import csv
import io
from typing import Any

from rich.console import Console
from rich.table import Table

from leadpact.stale_report import OwnerStale, StaleDeal, StaleReport

CSV_COLUMNS = ("owner_id", "owner_name", "deal", "system", "name", "stage", "amount", "close_date",
               "days_buyer_silent", "last_buyer_activity_at", "score", "reasons")
NO_OWNER = "(no owner)"


def report_dict(report: StaleReport) -> dict[str, Any]:
    return {
        "as_of": report.as_of.isoformat(),
        "owner": report.owner_filter,
        "total": {"open_deals": report.open_deals, "stale_deals": report.stale_deals,
                  "value_at_risk": report.value_at_risk,
                  "stale_without_amount": report.stale_without_amount},
        "owners": [_owner_dict(o) for o in report.owners],
    }


def report_csv(report: StaleReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for owner in report.owners:
        for deal in owner.deals:
            writer.writerow([owner.owner_id or "", owner.owner_name or "", str(deal.ref),
                             deal.ref.system, deal.name, deal.stage or "",
                             _plain(deal.amount), deal.close_date or "",
                             _plain(deal.days_buyer_silent), deal.last_buyer_activity_at or "",
                             _plain(deal.score), "; ".join(deal.reasons)])
    return buffer.getvalue()


def print_report(console: Console, report: StaleReport) -> None:
    summary = Table(title=f"Stale deals as of {report.as_of:%Y-%m-%d %H:%M} UTC",
                    title_justify="left")
    for column in ("owner", "open deals", "stale", "value at risk"):
        summary.add_column(column, justify="left" if column == "owner" else "right")
    for owner in report.owners:
        summary.add_row(owner_label(owner), str(owner.open_deals),
                        str(len(owner.deals)), _owner_at_risk(owner))
    summary.add_section()
    summary.add_row("total", str(report.open_deals), str(report.stale_deals),
                    _at_risk(report.value_at_risk, report.stale_without_amount))
    console.print(summary)
    for owner in report.owners:
        if owner.deals:
            console.print(_deals_table(owner))
    if not report.stale_deals:
        console.print("No stale open deals" + (f" for owner {report.owner_filter}"
                                               if report.owner_filter else "") + ".")


def _deals_table(owner: OwnerStale) -> Table:
    table = Table(title=f"{owner_label(owner)}: {len(owner.deals)} stale of "
                        f"{owner.open_deals} open, {_owner_at_risk(owner)} at risk",
                  title_justify="left")
    table.add_column("deal")
    table.add_column("stage")
    table.add_column("amount", justify="right")
    table.add_column("silent", justify="right")
    table.add_column("score", justify="right")
    table.add_column("reasons")
    for deal in owner.deals:
        table.add_row(deal.name, deal.stage or "—", _amount(deal.amount),
                      "—" if deal.days_buyer_silent is None else f"{deal.days_buyer_silent} d",
                      "—" if deal.score is None else f"{deal.score:.2f}",
                      "\n".join(deal.reasons) or "—")
    return table


def _owner_dict(owner: OwnerStale) -> dict[str, Any]:
    return {"owner_id": owner.owner_id, "owner_name": owner.owner_name,
            "open_deals": owner.open_deals,
            "stale_deals": len(owner.deals), "value_at_risk": owner.value_at_risk,
            "stale_without_amount": owner.stale_without_amount,
            "deals": [_deal_dict(d) for d in owner.deals]}


def owner_label(owner: OwnerStale) -> str:
    """The owner as people know them: the name, else the id (no name known)."""
    return owner.owner_name or owner.owner_id or NO_OWNER


def _deal_dict(deal: StaleDeal) -> dict[str, Any]:
    return {"deal": str(deal.ref), "system": deal.ref.system, "name": deal.name,
            "stage": deal.stage, "amount": deal.amount, "close_date": deal.close_date,
            "days_buyer_silent": deal.days_buyer_silent,
            "last_buyer_activity_at": deal.last_buyer_activity_at, "score": deal.score,
            "reasons": list(deal.reasons)}


def _plain(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _amount(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def _at_risk(value: float, without_amount: int) -> str:
    unknown = f" (+{without_amount} without amount)" if without_amount else ""
    return _amount(value) + unknown


def _owner_at_risk(owner: OwnerStale) -> str:
    return _at_risk(owner.value_at_risk, owner.stale_without_amount)
