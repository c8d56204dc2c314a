"""`leadpact report html`, the pure part: report data → one self-contained HTML page.

Nothing is fetched when the page is viewed: the CSS is inline, the charts are inline SVG
drawn in Python (leadpact.svg_chart), and the one small inline script only counts the bars
the browser laid out (so a headless browser can tell the charts drew).
"""

from __future__ import annotations

from html import escape

from leadpact.history import RunRecord
from leadpact.report_data import RUN_METRICS, ReportData, run_metric
from leadpact.stale_report_output import owner_label
from leadpact.svg_chart import Series, bar_chart

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;
max-width:820px;color:#111827;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px;border-bottom:1px solid
#e5e7eb;padding-bottom:4px}h3{font-size:14px;margin:14px 0 2px;color:#374151}
.meta,.note{color:#6b7280;font-size:12px}svg.chart{display:block;max-width:100%;height:auto}
svg.chart text{font-size:11px;fill:#374151}table{border-collapse:collapse;font-size:12px;
width:100%}td,th{border-bottom:1px solid #f3f4f6;padding:3px 6px;text-align:left}
td.num{text-align:right}.failed,.died{color:#b91c1c}.partial{color:#b45309}
"""

# Counts the bars the browser actually laid out (non-zero boxes): a headless browser's
# dumped DOM then says whether the charts drew.
DRAWN_SCRIPT = """
document.addEventListener("DOMContentLoaded", function () {
  var drawn = 0;
  document.querySelectorAll("svg.chart rect.bar").forEach(function (bar) {
    var box = bar.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) { drawn += 1; }
  });
  document.body.setAttribute("data-bars-drawn", String(drawn));
});
"""

METRIC_TITLES = {"records_read": "Records read", "changes_applied": "Changes written",
                 "changes_failed": "Changes refused", "tasks_created": "Tasks created",
                 "api_calls": "API calls"}


def render_html(data: ReportData) -> str:
    sections = [_runs_section(data), _stale_section(data), _committee_section(data),
                _stages_section(data)]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>leadpact report</title>"
        f"<style>{CSS}</style><script>{DRAWN_SCRIPT}</script></head><body>"
        "<h1>leadpact report</h1>"
        f"<p class=\"meta\">Generated {escape(data.generated_at.isoformat(timespec='seconds'))}"
        " from leadpact's local state (what the syncs recorded and last judged).</p>"
        + "".join(sections) + "</body></html>\n")


def run_label(run: RunRecord) -> str:
    return f"{run.started_at[:16].replace('T', ' ')} {run.kind} {run.run_id[-6:]}"


def _runs_section(data: ReportData) -> str:
    runs = data.runs
    labels = [run_label(r) for r in runs]
    charts = "".join(
        f"<h3>{METRIC_TITLES[m]} per run</h3>"
        + bar_chart(f"runs-{m}", f"{METRIC_TITLES[m]} per run and CRM", labels,
                    [Series(s, [run_metric(r, s, m) for r in runs]) for s in data.systems])
        for m in RUN_METRICS)
    rows = "".join(
        f"<tr><td>{escape(r.run_id)}</td><td>{escape(r.kind)}</td>"
        f"<td class=\"{escape(r.status)}\">{escape(r.status)}</td>"
        f"<td>{escape(r.started_at[:19])}</td><td>{escape(r.rules_version or '')}</td>"
        f"<td>{escape('; '.join(r.first_errors(1)))}</td></tr>" for r in reversed(runs))
    return ("<section id=\"runs\"><h2>Run history</h2>"
            f"<p class=\"note\">The last {len(runs)} run(s), oldest at the top.</p>{charts}"
            "<table><tr><th>run</th><th>kind</th><th>status</th><th>started</th>"
            f"<th>rules</th><th>first error</th></tr>{rows}</table></section>")


def _stale_section(data: ReportData) -> str:
    report = data.stale
    owners = [o for o in report.owners if o.deals]
    names = [owner_label(o) for o in owners]  # the name where a sync learnt it, else the id
    value = bar_chart("stale-value", "Stale pipeline value by owner", names,
                      [Series("value at risk", [o.value_at_risk for o in owners])])
    counts = bar_chart("stale-deals", "Stale and open deals by owner", names,
                       [Series("stale deals", [len(o.deals) for o in owners]),
                        Series("open deals", [o.open_deals for o in owners])])
    return ("<section id=\"stale\"><h2>Stale pipeline by owner</h2>"
            f"<p class=\"note\"><span id=\"stale-total\" data-value=\"{report.value_at_risk:g}\">"
            f"{report.value_at_risk:,.0f}</span> at risk in {report.stale_deals} stale of "
            f"{report.open_deals} open deals"
            + (f" ({report.stale_without_amount} stale without an amount)"
               if report.stale_without_amount else "")
            + f".</p><h3>Value at risk</h3>{value}<h3>Deals</h3>{counts}</section>")


def _committee_section(data: ReportData) -> str:
    cov = data.coverage
    roles = [r.role.replace("_", " ") for r in cov.roles]
    chart = bar_chart("committee", "Buying roles across open deals", roles,
                      [Series("deals with the role", [r.present for r in cov.roles]),
                       Series("deals flagged missing it", [r.missing for r in cov.roles])])
    return ("<section id=\"committee\"><h2>Buying-committee coverage</h2>"
            f"<p class=\"note\">Across {cov.open_deals} open deals: "
            f"{cov.single_threaded} single-threaded, {cov.user_only} engaged only through "
            f"users.</p>{chart}</section>")


def _stages_section(data: ReportData) -> str:
    stages = list(data.stages)
    chart = bar_chart("stages", "Leads per stage and CRM", stages,
                      [Series(s, [data.stages[stage].get(s, 0) for stage in stages])
                       for s in data.systems])
    return ("<section id=\"stages\"><h2>Leads per stage</h2>"
            "<p class=\"note\">Every lead and contact leadpact has judged, by the stage "
            f"it was last given, per CRM.</p>{chart}</section>")
