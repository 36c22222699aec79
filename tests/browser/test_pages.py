"""Every page of a tiny-sample run, opened in headless Chromium at 390 x 844 (a phone, 3x) and
1280 x 900: no sideways scroll, nothing fetched, fonts loaded, images described, chart text readable,
the index's first screen answers the week and links the weeks before. Screenshots and the raw
measurements are saved under the session's temporary folder (`<basetemp>/made-once/browser/`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser import checks
from browser.pages import PAGES, PREVIOUS
from browser.probe import PHONE, SCREENS

pytestmark = pytest.mark.browser
SIZES = [s.name for s in SCREENS]
WIDTH = {s.name: s.width for s in SCREENS}


def page(run: dict[str, Any], name: str, screen: str) -> dict[str, Any]:
    measured = run["pages"][name]
    if measured is None:
        pytest.fail(f"{name}.html was not written by the run; run output:\n{run['runs'][-1]['output']}")
    if "error" in measured:
        pytest.fail(f"{name}.html could not be measured: {measured['error']}")
    return measured[screen]


def verdict(problems: list[str], run: dict[str, Any]) -> None:
    assert not problems, "\n".join([*problems, f"(screenshots: {run['screenshots']})"])


def test_the_two_weeks_ran(browser_run):
    failed = [f"wxreport run {' '.join(r['args'])} -> {r['returncode']}\n{r['output']}"
              for r in browser_run["runs"] if r["returncode"] != 0]
    assert not failed, "\n\n".join(failed)


@pytest.mark.parametrize("screen", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_no_sideways_scroll(browser_run, name, screen):
    verdict(checks.overflow(page(browser_run, name, screen), WIDTH[screen]), browser_run)


@pytest.mark.parametrize("screen", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_nothing_fetched_and_no_script_error(browser_run, name, screen):
    m = page(browser_run, name, screen)
    verdict(checks.network(m, browser_run["out"]) + checks.script_errors(m), browser_run)


@pytest.mark.parametrize("screen", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_embedded_fonts_load(browser_run, name, screen):
    verdict(checks.fonts(page(browser_run, name, screen)), browser_run)


@pytest.mark.parametrize("name", PAGES)
def test_every_image_loads_and_says_what_it_shows(browser_run, name):
    m = page(browser_run, name, PHONE.name)
    verdict(checks.images_load(m) + checks.alt_texts(m), browser_run)


@pytest.mark.parametrize("screen", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_chart_text_is_readable(browser_run, name, screen):
    verdict(checks.chart_text(page(browser_run, name, screen), screen), browser_run)


def test_the_index_first_screen_shows_the_verdict_and_headline_kpis(browser_run):
    verdict(checks.first_screen(page(browser_run, "index", PHONE.name), PHONE.height, PHONE.width), browser_run)


def test_the_index_links_the_previous_week(browser_run):
    previous = Path(browser_run["previous"]) / "index.html"
    assert previous.exists(), f"the {PREVIOUS} run wrote no index"
    verdict(checks.links_to(page(browser_run, "index", PHONE.name), {f"{PREVIOUS}'s index": str(previous)}),
            browser_run)


@pytest.mark.parametrize("screen", SIZES)
@pytest.mark.parametrize("name", [p for p in PAGES if p != "index"])
def test_each_report_can_be_left_from_anywhere(browser_run, name, screen):
    verdict(checks.navigation(page(browser_run, name, screen)), browser_run)


@pytest.mark.parametrize("name", [p for p in PAGES if p != "index"])
def test_each_report_links_the_index_and_its_siblings(browser_run, name):
    week = Path(browser_run["week"])
    targets = {"the index": str(week / "index.html")}
    targets |= {f"{other}.html": str(week / f"{other}.html") for other in PAGES
                if other not in ("index", name) and (week / f"{other}.html").exists()}
    verdict(checks.links_to(page(browser_run, name, PHONE.name), targets), browser_run)

