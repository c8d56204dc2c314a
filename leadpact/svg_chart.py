"""Grouped bar charts as inline SVG, drawn here in Python so the report needs no script
and no network to show them. Pure: values in, markup out.

Every bar carries its figure in `data-value` (and a <title> tooltip), so tests can read
the numbers back from the page, and a browser shows them on hover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#2563eb", "#f97316", "#16a34a", "#dc2626", "#9333ea", "#0891b2")
ROW = 22  # px per category in a horizontal chart
WIDTH = 760


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float]  # one per category


def bar_chart(chart_id: str, title: str, categories: Sequence[str],
              series: Sequence[Series], unit: str = "") -> str:
    """Horizontal grouped bars: one row per category, one bar per series in it."""
    label_w, right_pad = 220, 90
    plot_w = WIDTH - label_w - right_pad
    per_row = max(1, len(series))
    bar_h = max(4, (ROW - 6) // per_row)
    row_h = max(ROW, bar_h * per_row + 6)
    legend_h = 24
    height = legend_h + max(1, len(categories)) * row_h + 8
    top = max((v for s in series for v in s.values), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
             f'role="img" aria-label="{escape(title)}" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}">']
    for i, s in enumerate(series):
        x = label_w + i * 150
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" '
                     f'fill="{PALETTE[i % len(PALETTE)]}" class="legend"/>'
                     f'<text x="{x + 16}" y="16">{escape(s.name)}</text>')
    if not categories:
        parts.append(f'<text x="{label_w}" y="{legend_h + 16}" class="empty">nothing to show '
                     'yet</text>')
    for row, category in enumerate(categories):
        y0 = legend_h + row * row_h
        parts.append(f'<text x="{label_w - 6}" y="{y0 + row_h / 2 + 4:.0f}" '
                     f'text-anchor="end">{escape(_clip(category))}</text>')
        for i, s in enumerate(series):
            value = s.values[row]
            width = plot_w * value / top
            y = y0 + 3 + i * bar_h
            label = f"{category} · {s.name}: {_figure(value)}{unit}"
            parts.append(
                f'<rect class="bar" x="{label_w}" y="{y}" width="{width:.1f}" '
                f'height="{bar_h - 1}" fill="{PALETTE[i % len(PALETTE)]}" '
                f'data-chart="{escape(chart_id)}" data-category="{escape(category)}" '
                f'data-series="{escape(s.name)}" data-value="{_figure(value)}">'
                f'<title>{escape(label)}</title></rect>')
            if value:
                parts.append(f'<text x="{label_w + width + 4:.1f}" y="{y + bar_h - 2}" '
                             f'class="figure">{_figure(value)}{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _figure(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _clip(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
