"""`leadpact report html` on the demo org's real state: the page's figures are the state's,
the HTML is valid and self-contained, and a real headless Chromium draws its charts."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner
from PIL import Image

from leadpact.cli import main
from leadpact.cli_report import read_stale_inputs
from leadpact.demo import run_demo
from leadpact.history import read_history
from leadpact.stale_report import stale_report
from leadpact.stale_report_output import owner_label
from leadpact.state import State

NO_TOKENS = {"LEADPACT_SALESFORCE_TOKEN": None, "LEADPACT_HUBSPOT_TOKEN": None}
AS_OF = "2026-12-05T12:00:00+00:00"
BROWSERS = ("chromium", "chromium-browser", "chromium-headless-shell", "google-chrome",
            "google-chrome-stable")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(config, written report) for a demo org synced twice."""
    folder = tmp_path_factory.mktemp("demo")
    run_demo(folder, people=150, seed=5, now=datetime(2026, 12, 5, 9, tzinfo=UTC))
    config = folder / "leadpact.toml"
    config.write_text('[leadpact]\nstate = "state.sqlite3"\n\n'
                      '[salesforce]\ninstance_url = "https://example.my.salesforce.com"\n\n'
                      '[hubspot]\nhost = "https://api.hubapi.com"\n')
    out = folder / "report.html"
    result = CliRunner().invoke(main, ["report", "html", str(out), "--config", str(config),
                                       "--as-of", AS_OF], env=NO_TOKENS)
    assert result.exit_code == 0, result.output
    return config, out


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def elements(page: str) -> list[tuple[str, dict[str, str]]]:
    parser = Elements()
    parser.feed(page)
    return parser.found


def bars(page: str, chart: str) -> dict[tuple[str, str], float]:
    return {(a["data-category"], a["data-series"]): float(a["data-value"])
            for tag, a in elements(page)
            if tag == "rect" and a.get("class") == "bar" and a["data-chart"] == chart}


def test_given_demo_state_then_run_figures_equal_the_runs_table(demo: tuple[Path, Path]) -> None:
    config, out = demo
    page = out.read_text()
    with read_history(config.parent / "state.sqlite3") as history:
        assert history is not None
        runs = history.runs(30)
    assert len(runs) == 2
    for metric in ("records_read", "changes_applied", "tasks_created", "api_calls"):
        shown = bars(page, f"runs-{metric}")
        expected = {(label, system): float(stats.get(metric, 0))
                    for run in runs for system, stats in run.systems.items()
                    for label in [label_of(page, run.run_id)]}
        assert shown == expected, metric
    first = runs[-1].systems["salesforce"]
    assert first["records_read"] > 0 and first["api_calls"] > 0  # the demo did real work


def label_of(page: str, run_id: str) -> str:
    """The chart row label of a run: its start minute, kind and the end of its id."""
    [label] = {a["data-category"] for tag, a in elements(page)
               if tag == "rect" and a.get("data-category", "").endswith(run_id[-6:])}
    return label


def test_given_demo_state_then_stale_figures_equal_the_stale_report(
        demo: tuple[Path, Path]) -> None:
    config, out = demo
    page = out.read_text()
    inputs = read_stale_inputs(config.parent / "state.sqlite3")
    report = stale_report(inputs.open_deals, datetime.fromisoformat(AS_OF),
                          owner_names=inputs.owner_names)
    assert report.stale_deals > 0 and report.value_at_risk > 0  # amounts and owners kept
    expected = {(owner_label(o), "value at risk"): o.value_at_risk
                for o in report.owners if o.deals}
    # the syncs learnt the owners' names: the chart shows people, not ids
    assert all(o.owner_name and o.owner_name != o.owner_id for o in report.owners if o.deals)
    assert bars(page, "stale-value") == expected
    [total] = [a for tag, a in elements(page) if a.get("id") == "stale-total"]
    assert float(total["data-value"]) == report.value_at_risk


def test_given_demo_state_then_stage_and_committee_figures_equal_the_state(
        demo: tuple[Path, Path]) -> None:
    config, out = demo
    page = out.read_text()
    state = State(config.parent / "state.sqlite3")
    try:
        deals = list(state.open_deals())
    finally:
        state.close()
    with sqlite3.connect(config.parent / "state.sqlite3") as db:
        people = db.execute("SELECT ref, verdict FROM persons").fetchall()
    stage_counts: dict[tuple[str, str], float] = {}
    for ref, verdict in people:
        stage = json.loads(verdict).get("stage") if verdict else None
        key = (stage or "(not judged)", ref.split(":")[0])
        stage_counts[key] = stage_counts.get(key, 0) + 1
    assert len(stage_counts) > 2
    shown = {k: v for k, v in bars(page, "stages").items() if v}
    assert shown == stage_counts
    missing = sum(1 for row in deals if row.verdict for f in row.verdict.flags
                  if f.startswith("no_"))
    shown_missing = sum(v for (_, series), v in bars(page, "committee").items()
                        if series == "deals flagged missing it")
    assert missing > 0 and shown_missing == missing


def test_given_the_report_then_it_is_valid_html_with_nothing_fetched(
        demo: tuple[Path, Path]) -> None:
    page = demo[1].read_text()
    html5lib.HTMLParser(strict=True).parse(page)  # raises on any parse error
    for tag, attrs in elements(page):
        assert tag not in {"link", "iframe", "img", "object", "embed"}, tag
        for name in ("src", "href", "xlink:href", "action", "srcset"):
            assert name not in attrs, (tag, name)
    assert "url(" not in page and "@import" not in page


def browser() -> str | None:
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def run_browser(binary: str, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
    return subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--disable-dev-shm-usage",
                           f"--user-data-dir={page.parent / 'chromium-profile'}", *args,
                           page.as_uri()], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(browser() is None, reason="no Chromium/Chrome binary on PATH "
                    "(.ci/run installs Debian's chromium; apt-get install chromium)")
def test_given_the_report_when_chromium_renders_it_then_every_nonzero_bar_drew(
        demo: tuple[Path, Path]) -> None:
    binary, page = browser(), demo[1]
    assert binary is not None
    dumped = run_browser(binary, page, "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    drawn = re.search(r'data-bars-drawn="(\d+)"', dumped.stdout)
    assert drawn, "the page's script did not run"
    nonzero = sum(1 for tag, a in elements(page.read_text())
                  if tag == "rect" and a.get("class") == "bar" and float(a["data-value"]))
    assert nonzero > 20 and int(drawn.group(1)) == nonzero


@pytest.mark.skipif(browser() is None, reason="no Chromium/Chrome binary on PATH "
                    "(.ci/run installs Debian's chromium; apt-get install chromium)")
def test_given_the_report_when_screenshotted_then_the_charts_cover_real_area(
        demo: tuple[Path, Path]) -> None:
    binary, page = browser(), demo[1]
    assert binary is not None
    shot = page.parent / "shot.png"
    taken = run_browser(binary, page, f"--screenshot={shot}", "--window-size=900,1600",
                        "--hide-scrollbars")
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        # the palette's blue and orange bars, not text or rules (greys)
        colours = rgb.getcolors(maxcolors=1 << 20) or []
    blue = sum(n for n, c in colours if c == (0x25, 0x63, 0xEB))
    orange = sum(n for n, c in colours if c == (0xF9, 0x73, 0x16))
    assert blue > 2000 and orange > 2000, (blue, orange)


def test_given_report_dash_dash_html_then_the_same_page_is_written(
        demo: tuple[Path, Path], tmp_path: Path) -> None:
    config, written = demo
    out = tmp_path / "again.html"
    result = CliRunner().invoke(main, ["report", "--html", str(out), "--config", str(config)],
                                env=NO_TOKENS)
    assert result.exit_code == 0, result.output
    assert bars(out.read_text(), "runs-api_calls") == bars(written.read_text(),
                                                           "runs-api_calls")


def test_given_no_state_then_one_line_naming_it_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "leadpact.toml"
    config.write_text('[hubspot]\nhost = "https://api.hubapi.com"\n')
    result = CliRunner().invoke(main, ["report", "html", str(tmp_path / "r.html"),
                                       "--config", str(config)], env=NO_TOKENS)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "run `leadpact sync`" in result.output
    assert not (tmp_path / "r.html").exists()
