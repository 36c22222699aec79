"""The browser harness itself: the pipe protocol's framing, finding the browser and what happens
without one, and each check on hand-made measurements (no browser needed); then the probe on small
hand-written pages whose answers are known (browser needed, marked `browser`)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from browser import checks
from browser.cdp import Browser, encode, find_chromium, missing_browser, requests_of, split_messages
from browser.probe import DESKTOP, PHONE, measure

# -- the pipe's framing ------------------------------------------------------------------------------


def test_messages_are_split_on_nul_and_the_incomplete_tail_is_kept():
    one, two = {"id": 1, "result": {}}, {"method": "Page.loadEventFired", "params": {"timestamp": 1.5}}
    stream = encode(one) + encode(two) + b'{"id": 3, "res'
    messages, rest = split_messages(stream)
    assert messages == [one, two] and rest == b'{"id": 3, "res'
    more, rest = split_messages(rest + b'ult": {"x": "\xe5\x9b\xbe"}}\0')
    assert more == [{"id": 3, "result": {"x": "图"}}] and rest == b""


def test_an_encoded_message_is_compact_json_ended_by_one_nul():
    data = encode({"id": 7, "method": "Runtime.evaluate", "params": {"expression": "1 + 1"}})
    assert data.endswith(b"\0") and data.count(b"\0") == 1
    assert json.loads(data[:-1]) == {"id": 7, "method": "Runtime.evaluate", "params": {"expression": "1 + 1"}}


def test_requests_are_read_from_network_events():
    events = [{"method": "Network.requestWillBeSent", "params": {"request": {"url": "file:///a.html"}}},
              {"method": "Page.loadEventFired", "params": {}},
              {"method": "Network.requestWillBeSent", "params": {"request": {"url": "https://cdn.example/x.js"}}}]
    assert requests_of(events) == ["file:///a.html", "https://cdn.example/x.js"]


FAKE_BROWSER = """#!{python}
import json, os, sys
buffer = b""
def say(message):
    os.write(4, json.dumps(message).encode() + b"\\0")
while True:
    chunk = os.read(3, 65536)
    if not chunk:
        break
    buffer += chunk
    while b"\\0" in buffer:
        line, buffer = buffer.split(b"\\0", 1)
        msg = json.loads(line)
        if msg["method"] == "Browser.getVersion":
            say({{"method": "Target.targetCreated", "params": {{}}}})  # an event before the reply
            say({{"id": msg["id"], "result": {{"product": "Fake/1.0"}}}})
        elif msg["method"] == "Broken.command":
            say({{"id": msg["id"], "error": {{"code": -32601, "message": "'Broken.command' wasn't found"}}}})
        elif msg["method"] == "Browser.close":
            say({{"id": msg["id"], "result": {{}}}})
            sys.exit(0)
        # anything else: no answer (a hung browser)
"""


def test_the_client_keeps_events_raises_errors_and_times_out_against_a_fake_browser(tmp_path):
    import sys

    from browser.cdp import CDPError

    fake = tmp_path / "fake-chromium"
    fake.write_text(FAKE_BROWSER.format(python=sys.executable))
    fake.chmod(0o755)
    with Browser(str(fake), timeout=1.0) as b:
        assert b.version == "Fake/1.0"
        assert b.events == [{"method": "Target.targetCreated", "params": {}}]
        with pytest.raises(CDPError, match="wasn't found"):
            b.send("Broken.command")
        with pytest.raises(CDPError, match="no answer from the browser in time"):
            b.send("Page.navigate", {"url": "file:///x"}, timeout=0.3)
    assert b.process.returncode == 0  # closed politely


def test_a_browser_that_dies_at_start_is_an_error_with_what_it_said(tmp_path):
    from browser.cdp import CDPError

    dying = tmp_path / "dying-chromium"
    dying.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 1\n")
    dying.chmod(0o755)
    with pytest.raises(CDPError, match="cannot open display"):
        Browser(str(dying), timeout=5.0)


# -- finding the browser, and without one --------------------------------------------------------------


def _executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_the_browser_is_found_on_path_or_where_the_variable_says(tmp_path):
    chromium = _executable(tmp_path / "chromium")
    assert find_chromium({"PATH": str(tmp_path)}) == str(chromium)
    assert find_chromium({"PATH": str(tmp_path / "nowhere")}) is None
    other = _executable(tmp_path / "my-chrome")
    assert find_chromium({"PATH": "", "WXREPORT_CHROMIUM": str(other)}) == str(other)
    assert find_chromium({"PATH": str(tmp_path), "WXREPORT_CHROMIUM": str(tmp_path / "missing")}) is None


@pytest.mark.parametrize(("ci", "outcome"), [("true", "fail"), ("TRUE", "fail"), ("1", "fail"),
                                             ("", "skip"), ("false", "skip"), (None, "skip")])
def test_a_missing_browser_fails_under_ci_and_is_skipped_elsewhere_with_how_to_install(ci, outcome):
    env = {} if ci is None else {"CI": ci}
    got, message = missing_browser(env)
    assert got == outcome and "apt-get install chromium" in message


# -- the checks, on hand-made measurements ------------------------------------------------------------


def measured(**changes) -> dict:
    """A phone measurement of a page that passes every check; `changes` break one thing."""
    m = {"url": "file:///out/2026-W47/index.html", "lang": "zh-CN",
         "viewport": {"inner_width": 390, "inner_height": 844, "client_width": 390, "dpr": 3},
         "scroll_width": 390, "scroll_height": 2000, "wide": [],
         "fonts": [{"family": "Noto Sans SC", "status": "loaded", "weight": "400", "style": "normal"}],
         "images": [chart()], "links": [{"href": "file:///out/2026-W46/index.html", "text": "W46"}],
         "first_screen": {"verdict": box("p.wx-verdict", 80, 140),
                          "cards": [box("div.wx-card", 150 + 90 * i, 230 + 90 * i) for i in range(4)]},
         "requests": ["file:///out/2026-W47/index.html"], "exceptions": [],
         "navigation": {"index_at_end": ['a "本周总览"'], "menu_at_end": ['summary "目录"'],
                        "back_to_top": ['a "回到顶部"']}}
    m.update(changes)
    return m


def chart(**changes) -> dict:
    item = {"kind": "svg", "label": "svg 1", "alt": None, "role": "img", "aria_label": "每日活跃用户的走势",
            "aria_hidden": False, "title": None, "width": 358, "height": 240, "shown": True, "loaded": True,
            "natural_width": None, "min_text_px": 11.0, "text_count": 12, "text_sample": "11月16日",
            "measured": True}
    item.update(changes)
    return item


def box(label: str, top: float, bottom: float, left: float = 16, right: float = 374) -> dict:
    return {"label": label, "shown": True, "top": top, "bottom": bottom, "left": left, "right": right,
            "width": right - left, "height": bottom - top}


def test_a_page_that_does_everything_right_passes_every_check():
    m = measured()
    assert checks.overflow(m, 390) == checks.network(m, "/out") == checks.script_errors(m) == []
    assert checks.fonts(m) == checks.alt_texts(m) == checks.images_load(m) == checks.chart_text(m, "phone") == []
    assert checks.first_screen(m, 844, 390) == []
    assert checks.links_to(m, {"W46": "/out/2026-W46/index.html"}) == []
    assert checks.navigation(m) == []


def test_a_report_without_a_way_back_from_its_end_fails():
    m = measured(navigation={"index_at_end": [], "menu_at_end": [], "back_to_top": []})
    assert [p.split(" ")[-2:] for p in checks.navigation(m)] == [["on", "screen"], ["on", "screen"],
                                                                 ["the", "top)"]]


def test_overflow_is_judged_on_the_layout_viewport_not_the_zoomed_out_inner_width():
    # What Chromium reports for a 617-px table on a phone: innerWidth follows the zoomed-out page.
    m = measured(scroll_width=617, viewport={"inner_width": 617, "inner_height": 1335, "client_width": 390, "dpr": 3},
                 wide=[{"label": 'table#T_1 "指标"', "right": 617}])
    [problem] = checks.overflow(m, 390)
    assert "617 px wide on a 390 px screen" in problem and 'table#T_1 "指标"' in problem
    no_meta = measured(viewport={"inner_width": 980, "inner_height": 2100, "client_width": 980, "dpr": 3},
                       scroll_width=980)
    assert "viewport" in checks.overflow(no_meta, 390)[0]


def test_any_request_off_the_machine_or_outside_the_out_folder_is_a_problem():
    m = measured(requests=["file:///out/2026-W47/index.html", "data:image/png;base64,AAAA",
                           "https://fonts.example/a.woff2", "file:///tmp/elsewhere/chart.png",
                           "file:///out/2026-W47/weekly_summary.png"])
    problems = checks.network(m, "/out")
    assert len(problems) == 2
    assert "https://fonts.example/a.woff2" in problems[0] and "/tmp/elsewhere/chart.png" in problems[1]


def test_fonts_must_be_declared_and_every_one_must_load():
    assert "no font of its own" in checks.fonts(measured(fonts=[]))[0]
    broken = measured(fonts=[{"family": "Noto Sans SC", "status": "error", "weight": "700", "style": "normal"}])
    assert checks.fonts(broken) == ["font Noto Sans SC (700 normal) did not load: error"]


def test_alt_text_must_exist_not_be_the_placeholder_and_be_in_the_report_language():
    images = [chart(kind="img", label="img 1", role=None, aria_label=None, alt=""),
              chart(kind="img", label="img 2", role=None, aria_label=None,
                    alt="No description has been provided for this image"),
              chart(label="svg 3", aria_label="Daily active users"),
              chart(label="svg 4", role=None),
              chart(label="svg 5", aria_label=None, title="成交额与目标"),
              chart(label="svg 6", aria_label=None, role=None, aria_hidden=True),
              chart(kind="img", label="img 7", role="presentation", alt="")]
    problems = checks.alt_texts(measured(images=images))
    assert [p.split(":")[0] for p in problems] == ["img 1", "img 2", "svg 3", "svg 4"]
    english = measured(lang="en", images=[chart(aria_label="Daily active users")])
    assert checks.alt_texts(english) == []


def test_chart_text_must_be_measurable_and_large_enough_for_the_screen():
    images = [chart(label="svg 1", min_text_px=9.2, text_sample="周一"),
              chart(label="svg 2", min_text_px=10.0),
              chart(label="img 3", kind="img", measured=False, min_text_px=None),
              chart(label="svg 4", measured=False, min_text_px=None, text_count=0),
              chart(label="svg 5", min_text_px=3.0, width=20, height=20),  # an icon
              chart(label="svg 6", min_text_px=3.0, shown=False)]  # in a closed <details>
    phone = checks.chart_text(measured(images=images), "phone")
    assert [p.split(":")[0] for p in phone] == ["svg 1", "img 3", "svg 4"]
    assert "9.2 px (e.g. '周一'), under 10 px on the phone" in phone[0]
    assert "data-wx-min-text-px" in phone[1] and "paths" in phone[2]
    desktop = checks.chart_text(measured(images=[chart(min_text_px=11.0)]), "desktop")
    assert "under 12 px on the desktop" in desktop[0]


def test_the_verdict_and_every_kpi_card_must_be_wholly_on_the_first_screen():
    m = measured()
    m["first_screen"]["cards"].append(box('div.wx-card "成交额"', 790, 880))
    [problem] = checks.first_screen(m, 844, 390)
    assert '"成交额"' in problem and "790-880 px of 844" in problem
    assert len(checks.first_screen(measured(first_screen={"verdict": None, "cards": None}), 844, 390)) == 2
    hidden = measured()
    hidden["first_screen"]["verdict"]["shown"] = False
    assert "verdict" in checks.first_screen(hidden, 844, 390)[0]


def test_links_are_compared_as_resolved_file_paths():
    m = measured(links=[{"href": "file:///out/2026-W47/index.html", "text": ""},
                        {"href": "file:///out/2026-W47/user_analysis.html#funnel", "text": ""},
                        {"href": "https://example.com/out/2026-W47/forecasting.html", "text": ""}])
    targets = {"index": "/out/2026-W47/index.html", "users": "/out/2026-W47/user_analysis.html",
               "forecasting": "/out/2026-W47/forecasting.html"}
    assert checks.links_to(m, targets) == ["no link to forecasting (/out/2026-W47/forecasting.html)"]


# -- the probe, on pages whose answers are known (needs the browser) -------------------------------------

KNOWN_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title></head><body>
<header id="top" style="position:sticky;top:0;background:#fff"><a href="index.html">本周总览</a>
 <details><summary>目录</summary><a href="#trend">走势</a> <a href="#tail">末尾</a></details>
 <a href="#contents">目录</a> <a href="#nowhere">别处</a></header>
<nav id="contents"><a href="#trend">走势</a> <a href="#tail">末尾</a></nav>
<h2 id="trend">走势</h2>
<p class="wx-verdict">本周成交额在预期区间内。</p>
<div class="wx-cards"><div class="wx-card">成交额</div><div class="wx-card">订单</div></div>
<svg role="img" aria-label="走势图" width="400" height="100" viewBox="0 0 800 200" style="width:200px;height:auto">
 <text x="10" y="50" font-size="48">大字</text>
 <text transform="rotate(-90 100 100)" x="100" y="100" font-size="40">竖排<tspan font-size="24">小</tspan></text>
</svg>
<img alt="No description has been provided for this image" width="300" height="100" data-wx-min-text-px="30"
 src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='600' height='200'/%3E">
<div style="overflow-x:auto"><table><tr><td style="white-space:nowrap">{cells}</td></tr></table></div>
{extra}
<a href="../2026-W46/index.html">上周</a>
<div id="tail" style="height:3000px"></div><a href="#top">回到顶部</a>
</body></html>"""


@pytest.fixture(scope="module")
def browser(chromium):
    with Browser(chromium) as b:
        yield b


@pytest.mark.browser
def test_the_probe_measures_known_pages(browser, tmp_path):
    week = tmp_path / "2026-W47"
    week.mkdir()
    page_file = week / "index.html"
    page_file.write_text(KNOWN_PAGE.replace("{cells}", "宽" * 80).replace("{extra}", ""), encoding="utf-8")
    with browser.page() as page:
        m = measure(page, page_file.as_uri(), PHONE, tmp_path / "shots", "known")
        wide = measure(page, page_file.as_uri(), DESKTOP)
    assert m["viewport"]["client_width"] == 390 and m["viewport"]["dpr"] == 3
    assert checks.overflow(m, 390) == []  # the wide table scrolls inside its own box
    assert checks.network(m, str(tmp_path)) == [] and m["exceptions"] == []
    svg, img = m["images"]
    # viewBox 800 wide shown 200 px wide: x 0.25. 48 -> 12 px, 40 -> 10 px (rotated), 24 -> 6 px.
    assert svg["min_text_px"] == pytest.approx(6.0) and svg["text_sample"] == "小" and svg["text_count"] == 3
    assert img["min_text_px"] == pytest.approx(15.0)  # 30 image px, 600 drawn at 300
    assert [p.split(":")[0] for p in checks.alt_texts(m)] == ['img 2 under "走势"']
    assert svg["label"] == 'svg 1 under "走势"'
    assert checks.first_screen(m, 844, 390) == [] and checks.navigation(m) == []
    assert m["navigation"]["back_to_top"] == ['a "回到顶部"']
    assert m["navigation"]["menu_at_end"] == ['summary "目录"', 'a "目录"']  # not the link to #nowhere
    assert checks.links_to(m, {"W46": str(tmp_path / "2026-W46" / "index.html")}) == []
    assert (tmp_path / "shots" / "known-phone.png").stat().st_size > 1000
    assert wide["viewport"]["client_width"] == 1280


@pytest.mark.browser
def test_the_probe_sees_overflow_requests_and_script_errors(browser, tmp_path):
    extra = ('<div style="width:620px">一行很宽的文字</div>'
             '<img alt="图" src="http://127.0.0.1:9/x.png"><script>undefinedFunction()</script>')
    page_file = tmp_path / "bad.html"
    bad = KNOWN_PAGE.replace("{cells}", "").replace("{extra}", extra).replace("position:sticky", "position:static")
    page_file.write_text(bad, encoding="utf-8")
    with browser.page() as page:
        m = measure(page, page_file.as_uri(), PHONE)
    problem = checks.overflow(m, 390)[0]
    assert "628 px wide" in problem and 'div "一行很宽的文字"' in problem  # 620 + the body's 8-px margin
    assert checks.network(m, str(tmp_path)) == ["requested http://127.0.0.1:9/x.png"]
    assert "undefinedFunction" in checks.script_errors(m)[0]
    assert checks.images_load(m) == ['img 3 under "走势": the image did not load']
    assert len(checks.navigation(m)) == 2  # the header scrolled away with the page: no index, no menu


def test_the_browser_flags_keep_it_off_the_network_and_out_of_the_developers_profile():
    from browser.cdp import FLAGS

    assert {"--headless", "--disable-background-networking", "--remote-debugging-pipe"} <= set(FLAGS)
    assert not any(flag.startswith("--user-data-dir") for flag in FLAGS)  # a fresh one per browser
    assert os.sep not in "".join(FLAGS)
