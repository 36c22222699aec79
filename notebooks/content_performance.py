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
# where readers came from (WeChat's reads by source), what works, when to publish, whether pushes
# cost followers, what reading brought in orders, and how the mini-program's pages did. On WeChat's
# statistics alone (no own events) the last two need user-level events and say so. Articles are
# compared at the same age (first N days after publishing, `compare_days`) and ranked by read
# rates shrunk toward their column's average, so that small samples do not top the list by luck.
# All numbers come from `helpers.content` (history, reads, works, followers, buying, pages,
# outliers); prose from `helpers.content.findings`.
# (Markdown cells are analysts' notes and are not shown in the report.)

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
from helpers.content import buying, charts, findings, followers, pages, tables, works
from helpers.content.headline import CARD_KEYS, CARD_TABLES, headline, week_on_week
from helpers.content.history import history, top_bottom
from helpers.content.outliers import MIN_ARTICLES, expected_readers
from helpers.content.reads import source_reads
from helpers.content.sections import events_missing, history_shown, week_articles_shown, without_recipients
from helpers.core.warehouse import day_number
from helpers.render.components import Kpi
from helpers.suite import open_report

rep = open_report("content_performance", params)
rep.header()
p, wh, tx = rep.params, rep.wh, rep.tx
hist = (history(wh, rep.period, p.history_weeks, p.compare_days, p.same_age_days)
        if wh.has("articles") and wh.has("article_stats") else None)

# %%
metrics = rep.publish(headline(wh, rep.period, hist, p.min_cell_size))["metrics"]
wow, partial = week_on_week(wh, rep.period, metrics, hist)
glance = findings.at_a_glance(metrics, wow, hist, tx)

rep.section("cp_section_glance")
if not any(wh.has(t) for t in set(CARD_TABLES.values())):
    rep.skipped("cp_missing_content")
elif not glance:
    rep.unavailable("cp_why_no_rows")
else:
    rep.finding(glance)
    rep.kpi_cards([Kpi(k, metrics[k], wow[k]) for k in CARD_KEYS if wh.has(CARD_TABLES[k])])
    if wow["read_rate"] is not None:
        rep.note(findings.read_rate_wow_note(hist, tx))
    if partial:
        rep.note(tx("cp_note_wow_partial"))

# %%
rep.section("cp_section_articles")
if week_articles_shown(rep, wh, hist, metrics["articles_published"]):
    rep.finding(findings.articles(hist, tx))
    shown, cut = top_bottom(hist.current, p.top_n)
    rep.chart(charts.shrinkage(hist, shown, tx), alt=tx("cp_alt_shrinkage"))
    if cut:
        rep.note(tx("cp_note_cut", total=len(hist.current), n=p.top_n))
    rep.table(*tables.ranking(shown, p.same_age_days, p.compare_days, p.min_cell_size, tx))
    rep.note(findings.shrinkage_note(hist, tx))
    rep.table(*tables.engagement(hist.current, p.min_cell_size, tx))
elif without_recipients(hist):
    rep.table(*tables.engagement(hist.current, p.min_cell_size, tx))

# %%
# WeChat's reads by source: shown when the data has them, or says what is missing when the data is
# WeChat's statistics alone (own tracking without oa_reads has never had this section)
week_reads = source_reads(wh, rep.period) if wh.has("oa_reads") else None
if wh.has("oa_reads") or not wh.has("events"):
    rep.section("cp_section_reads")
if not wh.has("oa_reads") and not wh.has("events"):
    rep.skipped("cp_missing_oa_reads")
elif wh.has("oa_reads") and week_reads is None:
    rep.unavailable("cp_why_no_read_rows")
elif week_reads is not None:
    rep.finding(findings.reads(week_reads, p.min_cell_size, tx))
    rep.table(*tables.reads(week_reads, p.min_cell_size, tx))
    rep.note(tx("cp_note_reads", k=p.min_cell_size))

# %%
rep.section("cp_section_works")
if history_shown(rep, hist):
    parts = {dim: works.breakdown(hist.observed, dim) for dim in ("column_name", "format", "position_key")}
    rep.finding(findings.what_works(hist.observed, p.min_articles_per_group, tx))
    rep.charts(charts.what_works(parts, p.compare_days, tx))
    rep.table(*tables.breakdowns(parts, p.compare_days, tx))
    rep.note(findings.what_works_note(hist, p.min_articles_per_group, tx))

# %%
rep.section("cp_section_timing")
if history_shown(rep, hist):
    frequency = works.push_frequency(wh, hist, p.target_pushes_per_week)
    rep.finding(findings.timing(hist, frequency, p.target_pushes_per_week, p.min_articles_per_group, tx))
    if hist.times_known:
        rep.chart(charts.timing_heatmap(*works.timing_heatmap(hist), p.compare_days, tx), alt=tx("cp_alt_timing"))
    else:
        rep.skipped("cp_missing_publish_times")
    rep.charts(charts.publishing(frequency, works.gap_effect(hist), p.target_pushes_per_week,
                                 p.compare_days, tx))
    if hist.times_known:
        rep.note(findings.timing_note(p.compare_days, tx))

# %%
rep.section("cp_section_followers")
if not wh.has("followers"):
    rep.skipped("cp_missing_followers")
elif metrics["new_followers"] is None:
    rep.unavailable("cp_why_no_follower_rows")
else:
    first = day_number(rep.period.start) - 7 * (p.follower_weeks - 1)
    last = day_number(rep.period.end)
    daily = followers.follower_daily(wh, first, last)
    pushes = (followers.push_unfollows(wh, first, last, p.unfollow_spike_ratio)
              if wh.has("articles") else None)
    this_week = pushes[pushes["published_day"] >= day_number(rep.period.start)] \
        if pushes is not None else None
    sources = followers.follower_sources(wh, rep.period)
    rep.finding(findings.followers(metrics, sources, this_week, p.min_cell_size, tx))
    rep.chart(charts.followers(daily, pushes, tx), alt=tx("cp_alt_followers"))
    rep.table(*tables.sources(sources, p.min_cell_size, tx))
    if this_week is not None and len(this_week):
        rep.table(*tables.pushes(this_week, tx))
        rep.note(tx("cp_note_unfollows", ratio=p.unfollow_spike_ratio))

# %%
rep.section("cp_section_buying")
if not (wh.has("events", "article_id") and wh.has("orders")):
    rep.skipped(events_missing(wh, "cp_missing_buying", "cp_missing_events_buying"))
else:
    credit = buying.reading_to_buying(wh, rep.period, p.conversion_window_hours)
    if credit.articles.empty:
        rep.unavailable("cp_why_no_openers")
    else:
        rep.finding(findings.buying(credit, p.min_cell_size, p.conversion_window_hours, tx))
        rep.table(*tables.buying(credit.articles, p.min_cell_size, 2 * p.top_n, tx))
        rep.note(tx("cp_note_buying", hours=p.conversion_window_hours, k=p.min_cell_size))

# %%
rep.section("cp_section_pages")
if not wh.has("events", "page"):
    rep.skipped(events_missing(wh, "cp_missing_pages", "cp_missing_events_pages"))
else:
    page_frame = pages.page_stats(wh, rep.period, p.exit_rate_jump)
    if page_frame.empty:
        rep.unavailable("cp_why_no_page_views")
    else:
        rep.finding(findings.pages(page_frame, p.min_cell_size, tx))
        rep.table(*tables.pages(page_frame, p.min_cell_size, tx))

# %%
rep.section("cp_section_outliers")
if history_shown(rep, hist):
    expected = expected_readers(hist, p.outlier_z)
    if expected is None:
        rep.unavailable("cp_why_few_articles", n=len(hist.observed), needed=MIN_ARTICLES)
    else:
        rep.finding(findings.outliers(expected, p.compare_days, p.outlier_z, p.min_cell_size, tx))
        rep.chart(charts.outliers(expected, p.compare_days, tx), alt=tx("cp_alt_outliers"))
        this_week = expected[expected["in_period"]].sort_values("z", ascending=False)
        rep.table(*tables.outliers(this_week, p.compare_days, p.min_cell_size, tx))

# %%
rep.footer()
