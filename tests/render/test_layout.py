"""Phone-first layout (issue 14): charts drawn for the width they are shown at with readable text
and alt text, tables in their own scrolling box with numbers kept whole, report navigation."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers.render import charts, style, tables
from helpers.render.html import (
    EMBEDDED_FONT,
    NBCONVERT_ALT,
    embed_cjk_font,
    external_references,
    fill_toc,
    toc_slot,
)
from helpers.render.text import Text
from helpers.suite import SUITE

style.apply()
SVG_FONT_SIZE = re.compile(r"font-size: ([\d.]+)px")


def _figure(width_in: float = 9.0, tick_size: float = 7) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(width_in, 3))
    ax.plot([1, 2, 3], [3, 1, 2], "o-", label="实际")
    ax.set_title("新增用户 <W47> & 渠道")
    ax.tick_params(labelsize=tick_size)
    ax.text(1, 2, "注", fontsize=6)
    ax.legend(fontsize=7)
    return fig


def test_house_figure_size_is_the_phone_width_in_svg_units():
    width, height = style.figure_size(230)
    assert width * style.POINTS_PER_INCH == style.PHONE_WIDTH
    assert height * style.POINTS_PER_INCH == 230
    assert style.figure_size(100)[1] * style.POINTS_PER_INCH == 120  # never a sliver
    assert style.figure_size(wide=True)[0] * style.POINTS_PER_INCH == style.WIDE_WIDTH
    assert style.rows_height(10) > style.rows_height(2)


def test_text_shown_on_a_phone_and_a_desktop_is_readable():
    """The rule the CSS implements: a chart shows at >= ~350 px on a 390-px phone and at most
    DESKTOP_WIDTH on a desktop (wide charts: at their drawn size, up to 1.5x)."""
    phone_content = 390 - 2 * 14
    assert style.MIN_TEXT * min(phone_content, style.PHONE_WIDTH) / style.PHONE_WIDTH >= 10
    assert style.MIN_TEXT * style.DESKTOP_WIDTH / style.PHONE_WIDTH >= 12
    assert style.MIN_TEXT * 960 / style.WIDE_WIDTH >= 12


def test_a_chart_written_otherwise_is_brought_to_the_house_size_and_text():
    fig = _figure(9.0)
    assert charts.small_texts(fig)
    charts.house_size(fig)
    assert charts.small_texts(fig) == []
    assert fig.get_size_inches()[0] * style.POINTS_PER_INCH == pytest.approx(style.WIDE_WIDTH)
    fig = _figure(5.5)
    charts.house_size(fig)
    assert fig.get_size_inches()[0] * style.POINTS_PER_INCH == pytest.approx(style.PHONE_WIDTH)
    plt.close("all")


def test_figure_html_is_inline_svg_with_text_as_text_and_alt_text():
    fig = _figure(style.PHONE_WIDTH / style.POINTS_PER_INCH)
    page = charts.figure_html(fig, "折线图：新增用户 <按日> & 渠道")
    assert page.startswith('<figure class="wx-chart"><svg role="img" '
                           'aria-label="折线图：新增用户 &lt;按日&gt; &amp; 渠道"')
    assert "<title>折线图：新增用户 &lt;按日&gt; &amp; 渠道</title>" in page
    assert "新增用户 &lt;W47&gt; &amp; 渠道</text>" in page  # text as text, escaped
    assert "<?xml" not in page and "<metadata" not in page and "<!DOCTYPE" not in page
    assert f'width="{style.PHONE_WIDTH}"' in page and f'viewBox="0 0 {style.PHONE_WIDTH} ' in page
    sizes = [float(s) for s in SVG_FONT_SIZE.findall(page)]
    assert sizes and min(sizes) >= style.MIN_TEXT
    assert "font-family: 'WX Chart', 'WX CJK', sans-serif" in page
    assert "Noto Sans CJK" not in page
    assert external_references(page) == []
    plt.close("all")


@pytest.mark.parametrize("alt", ["", "   "])
def test_a_chart_without_alt_text_is_refused(alt):
    with pytest.raises(ValueError, match="alt"):
        charts.figure_html(_figure(), alt)
    plt.close("all")


def test_wide_charts_scroll_and_panels_reflow():
    wide = charts.figure_html(plt.subplots(figsize=style.figure_size(wide=True))[0], "热力图")
    assert wide.startswith('<figure class="wx-chart wx-wide">')
    page = charts.panels_html([(_figure(5), "面板一"), (_figure(5), "面板二")])
    assert page.startswith('<div class="wx-panels">') and page.count('<figure class="wx-chart">') == 2
    assert 'aria-label="面板一"' in page and 'aria-label="面板二"' in page
    # ids of markers and clip paths differ between the charts of one page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    plt.close("all")


def test_category_ticks_label_at_most_a_few_and_always_the_last():
    _fig, ax = plt.subplots()
    labels = [f"W{w}" for w in range(30, 48)]
    ax.bar(range(len(labels)), np.arange(len(labels)))
    charts.category_ticks(ax, labels, 6)
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert len(shown) <= 6 and shown[-1] == "W47"
    plt.close("all")


@pytest.mark.parametrize("cell", ["+¥1.34万", "3.2 个百分点", "−3.1 pts", "[-1.2%, +3.4%]", "<10", "—",
                                  "1,234", "2026-11-16", "¥97.24", "+18.7%", "2分41秒", "2.8% (2.4%–3.3%)",
                                  "11月18日（周三）"])
def test_numbers_stay_whole(cell):
    assert tables.is_number(cell)


@pytest.mark.parametrize("cell", ["双11 预热：全场满300减50", "新用户来自朋友圈 12", "W47 新品上市活动", "",
                                  "朋友圈广告", "Singles' Day 11.11 pre-sale"])
def test_words_may_wrap(cell):
    assert not tables.is_number(cell)


def test_tables_scroll_in_their_own_box_with_number_cells_marked():
    frame = pd.DataFrame({"campaign": ["双11 预热：全场满300减50，会员再享折上折"], "change": ["+¥1.34万"]})
    page = tables.html(tables.styled(frame, {"change": tables.PREFORMATTED}, Text("zh")))
    assert page.startswith('<div class="wx-table"><style') and page.endswith("</table>\n</div>")
    cells = re.findall(r'<td [^>]*class="([^"]*)"[^>]*>([^<]*)</td>', page)
    assert {text: css for css, text in cells} == {
        "双11 预热：全场满300减50，会员再享折上折": "data row0 col0 ",
        "+¥1.34万": "data row0 col1 wx-num"} or all(
        ("wx-num" in css) == (text == "+¥1.34万") for css, text in cells)


def _page(notebook: str, sections: list[tuple[str, str]]) -> str:
    heads = "".join(f'<h2 id="{a}">{t}<a class="anchor-link" href="#{a}">¶</a></h2>' for a, t in sections)
    return (f"<html><head></head><body class=\"jp-Notebook\"><main><h1>T</h1>{toc_slot(notebook)}"
            f"{heads}</main></body></html>")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_report_links_the_index_its_siblings_its_sections_and_back_to_top(language):
    tx = Text(language)
    reports = [(nb.name, tx(nb.title)) for nb in SUITE]  # as the runner gives them
    page = fill_toc(_page("user_analysis", [("ua_growth", "增长 &lt;新&gt;"), ("notes", "附注")]), language, reports)
    bar = page[page.index('<header class="wx-bar" id="top">'):page.index("</header>")]
    assert page.index("<header") < page.index("<main>")  # a child of body: sticky for the whole page
    assert '<a class="wx-home" href="index.html">' in bar and tx("nav_index") in bar
    assert '<a class="wx-menu" href="#contents">' in bar
    toc = page[page.index('<details class="wx-contents"><summary>'):page.index("</nav></details>")]
    assert '<nav id="contents" class="wx-toc">' in toc
    assert page.index("<h1>T</h1>") < page.index(toc) < page.index("<h2")  # under the title
    links = re.findall(r'<li><a href="([a-z_]+)\.html"', toc)
    assert links == [nb.name for nb in SUITE]
    for nb in SUITE:
        assert tx(nb.title) in toc
    assert '<a href="user_analysis.html" aria-current="page">' in toc
    assert '<li><a href="#ua_growth">增长 &lt;新&gt;</a></li><li><a href="#notes">附注</a></li>' in toc
    assert page.rstrip().endswith(f'<a href="#top">↑ {tx("nav_back_to_top")}</a></p></main></body></html>')
    assert "data-notebook" not in page and "<script" not in page  # plain links, no script
    assert external_references(page) == []


def test_a_page_without_the_slot_is_left_alone():
    page = "<html><body><main><h2 id='x'>X</h2></main></body></html>"
    assert fill_toc(page, "zh") == page


def test_fonts_are_embedded_as_woff2_subsets_with_the_chart_letters():
    svg_text = "<svg><text style=\"font-size: 10.5px\">W47 ¥1.2万</text></svg>"
    page = embed_cjk_font(f"<html><head></head><body>本周 {svg_text}</body></html>")
    assert page.count("data:font/woff2;base64,") == 2
    assert f'font-family: "{EMBEDDED_FONT}"' in page and 'font-family: "WX Chart"' in page
    assert external_references(page) == []
    assert "WX Chart" not in embed_cjk_font("<html><head></head><body>本周</body></html>")


def test_nbconverts_english_default_alt_is_a_constant_we_replace():
    assert NBCONVERT_ALT == "No description has been provided for this image"


def test_retention_heatmap_leaves_out_days_no_cohort_can_be_observed():
    from helpers.users.charts import daily_cohorts

    cohorts = pd.DataFrame({"date": pd.to_datetime(["2026-11-16", "2026-11-17"]), "size": [120, 90],
                            "d1": [0.4, 0.35], "d7": [0.2, np.nan], "d30": [np.nan, np.nan]})
    fig = daily_cohorts(cohorts, (1, 7, 30), Text("zh"))
    fig.draw_without_rendering()
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["d1", "d7"]
    assert charts.small_texts(fig) == []
    plt.close("all")


def test_long_titles_break_into_lines_within_the_drawn_width():
    fig, ax = plt.subplots(figsize=style.figure_size())
    ax.plot([0, 1], [0, 1])
    ax.set_title("相对提升与 95% 区间（粗：序贯区间，细：固定样本区间），护栏指标为灰色，以及更多说明文字")
    charts.house_size(fig)
    fig.draw_without_rendering()
    title = ax._left_title  # the house style puts titles on the left
    extent = title.get_window_extent(fig.canvas.get_renderer())
    assert "\n" in title.get_text() and extent.x1 <= fig.bbox.x1 + 1
    assert charts.wrap_line("活动评估，本周", 5) == "活动评估，\n本周"
    assert charts.wrap_line("abc", 5) == "abc"
    plt.close("all")


def test_small_multiples_of_the_user_report_are_one_phone_width_figure_per_panel():
    from helpers.users import charts as user_charts

    tx = Text("zh")
    depth = pd.DataFrame({"depth": [1, 2, 3], "users": [120, 40, 12]})
    k = pd.DataFrame({"week": pd.date_range("2026-09-28", periods=8, freq="7D"), "k": np.linspace(0.1, 0.3, 8)})
    frame = pd.DataFrame({"value": ["female", "male", "female", "male"],
                          "population": ["new", "new", "active", "active"],
                          "users": [60, 40, 600, 400], "share": [0.6, 0.4, 0.6, 0.4]})
    frames = {"gender": frame, "age_band": frame, "platform": frame}
    panels = user_charts.referral_panels(depth, k, tx) + user_charts.portrait_panels(frames, tx)
    assert len(panels) == 5
    for fig, alt in panels:
        assert alt.strip() and "No description" not in alt
        assert fig.get_size_inches()[0] * style.POINTS_PER_INCH == style.PHONE_WIDTH
        assert charts.small_texts(fig) == []
    plt.close("all")
