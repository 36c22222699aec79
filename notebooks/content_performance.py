# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: wxreport
#     language: python
#     name: wxreport
# ---

# %% [markdown]
# # Content performance
# For official-account editors and their managers: which articles were read, shared and acted on,
# what works, when to publish, whether pushes cost followers, what reading brought in orders, and
# how the mini-program's pages did. Articles are compared at the same age (first N days after
# publishing, `compare_days`) and ranked by read rates shrunk toward their column's average, so
# that small samples do not top the list by luck. All numbers come from `helpers.metrics.content`;
# prose from `helpers.report.content_findings`. (Markdown cells are analysts' notes and are not
# shown in the report.)

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
from IPython.display import HTML, display

from helpers.render.report import open_report
from helpers.metrics import content
from helpers.core.kpis import relative_change
from helpers.render import components
from helpers.report import content_charts as charts
from helpers.report import content_findings as findings
from helpers.report import content_tables as tables
from helpers.core.warehouse import day_number

rep = open_report("content_performance", params)
rep.header()
p, wh = rep.params, rep.wh
hist = (content.history(wh, rep.period, p.history_weeks, p.compare_days, p.same_age_days)
        if wh.has("articles") and wh.has("article_stats") else None)
keys = list(content.HEADLINE_KEYS)

# %%
metrics = rep.publish(content.headline(wh, rep.period, hist))["metrics"]
previous = (content.headline(wh, rep.period.previous, None)
            if rep.period.previous.start >= wh.first_date else {})
wow = {k: relative_change(metrics[k], previous.get(k)) for k in findings.CARD_KEYS}

rep.section("本周要点", "This week at a glance")
rep.finding(findings.at_a_glance(metrics, wow, hist, rep.lang))
display(HTML(components.kpi_cards([components.Kpi(k, metrics[k], wow[k]) for k in findings.CARD_KEYS],
                                  rep.lang)))
keys += tables.SECTION_KEYS["glance"]

# %%
rep.section("本周文章", "This week's articles")
if hist is None:
    rep.skipped("文章表（articles）或文章数据表（article_stats）", "articles or article_stats table")
elif hist.current.empty:
    rep.say("本周没有发布文章。", "No articles were published this week.")
else:
    rep.finding(findings.articles(hist, rep.lang))
    shown, cut = content.top_bottom(hist.current, p.top_n)
    charts.show(charts.shrinkage(hist, shown, rep.lang))
    if cut:
        display(HTML(findings.note(findings.cut_note(len(hist.current), p.top_n, rep.lang))))
    rep.table(*tables.ranking(shown, p.same_age_days, p.compare_days, rep.lang))
    display(HTML(findings.note(findings.shrinkage_note(hist, rep.lang))))
    rep.table(*tables.engagement(hist.current, rep.lang))
    keys += tables.SECTION_KEYS["articles"]

# %%
rep.section("什么内容有效", "What works")
if hist is None or hist.observed.empty:
    rep.skipped("文章表（articles）或文章数据表（article_stats）", "articles or article_stats table")
else:
    parts = {dim: content.breakdown(hist.observed, dim)
             for dim in ("column_name", "format", "position_key")}
    rep.finding(findings.what_works(parts["column_name"], parts["format"],
                                    content.headline_vs_secondary(hist.observed), rep.lang))
    charts.show(charts.what_works(parts, p.compare_days, rep.lang))
    rep.table(*tables.breakdowns(parts, p.compare_days, rep.lang))
    display(HTML(findings.note(findings.what_works_note(hist, rep.lang))))
    keys += tables.SECTION_KEYS["what_works"]

# %%
rep.section("何时发布", "When to publish")
if hist is None or hist.observed.empty:
    rep.skipped("文章表（articles）或文章数据表（article_stats）", "articles or article_stats table")
else:
    by_hour = content.breakdown(hist.observed, "hour")
    frequency = content.push_frequency(wh, hist, p.target_pushes_per_week)
    gaps = content.gap_effect(hist)
    rep.finding(findings.timing(by_hour, frequency, gaps, p.target_pushes_per_week, rep.lang))
    charts.show(charts.timing_heatmap(*content.timing_heatmap(hist), p.compare_days, rep.lang))
    charts.show(charts.publishing(frequency, gaps, p.target_pushes_per_week, p.compare_days,
                                  rep.lang))
    keys += tables.SECTION_KEYS["timing"]

# %%
rep.section("粉丝变化", "Followers")
if not wh.has("followers"):
    rep.skipped("粉丝表（followers）", "followers table")
else:
    first = day_number(rep.period.start) - 7 * (p.follower_weeks - 1)
    last = day_number(rep.period.end)
    daily = content.follower_daily(wh, first, last)
    pushes = (content.push_unfollows(wh, first, last, p.unfollow_spike_ratio)
              if wh.has("articles") else None)
    this_week = pushes[pushes["published_day"] >= day_number(rep.period.start)] \
        if pushes is not None else None
    sources = content.follower_sources(wh, rep.period)
    rep.finding(findings.followers(metrics, sources, this_week, rep.lang))
    charts.show(charts.followers(daily, pushes, rep.lang))
    rep.table(*tables.sources(sources, rep.lang))
    if this_week is not None and len(this_week):
        rep.table(*tables.pushes(this_week, rep.lang))
        display(HTML(findings.note(findings.unfollow_note(p.unfollow_spike_ratio, rep.lang))))
    keys += tables.SECTION_KEYS["followers"]

# %%
rep.section("从阅读到购买", "From reading to buying")
if not (wh.has("events", "article_id") and wh.has("orders")):
    rep.skipped("带 article_id 的事件或订单表（orders）", "events with article_id, or orders table")
else:
    buying = content.reading_to_buying(wh, rep.period, p.conversion_window_hours)
    rep.finding(findings.buying(buying, content.period_gmv(wh, rep.period),
                                p.conversion_window_hours, rep.lang))
    if len(buying):
        rep.table(*tables.buying(buying.head(2 * p.top_n), p.min_cell_size, rep.lang))
        display(HTML(findings.note(findings.buying_note(p.conversion_window_hours, p.min_cell_size,
                                                        rep.lang))))
    keys += tables.SECTION_KEYS["buying"]

# %%
rep.section("小程序页面", "Mini-program pages")
if not wh.has("events", "page"):
    rep.skipped("事件的页面路径（events.page）", "page paths in events (events.page)")
else:
    pages = content.page_stats(wh, rep.period, p.exit_rate_jump)
    rep.finding(findings.pages(pages, rep.lang))
    if len(pages):
        rep.table(*tables.pages(pages, p.min_cell_size, rep.lang))
    keys += tables.SECTION_KEYS["pages"]

# %%
rep.section("异常文章", "Outliers")
if hist is None or hist.observed.empty:
    rep.skipped("文章表（articles）或文章数据表（article_stats）", "articles or article_stats table")
else:
    expected = content.expected_readers(hist, p.outlier_z)
    rep.finding(findings.outliers(expected, p.compare_days, rep.lang))
    if expected is not None:
        charts.show(charts.outliers(expected, p.compare_days, rep.lang))
        this_week = expected[expected["in_period"]].sort_values("z", ascending=False)
        rep.table(*tables.outliers(this_week, p.compare_days, rep.lang))
    keys += tables.SECTION_KEYS["outliers"]

# %%
rep.footer(keys)
