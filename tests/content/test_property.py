"""Every public computation of helpers.content, and the findings and tables built on them, on
random valid datasets (tests/datasets.py) with random official-account tables: articles in few or
many columns, formats and positions (or none), stats that start late, end early or are missing,
followers of one or more sources, read_article events; any of them absent or present but empty.
They must return without error, as the notebook calls them."""

from __future__ import annotations

from datetime import date, timedelta

import matplotlib
import matplotlib.pyplot as plt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datasets import Tables, datasets, latest_week, open_warehouse
from helpers.content import buying, charts, findings, followers, pages, tables, works
from helpers.content.headline import headline, week_on_week
from helpers.content.history import history, top_bottom
from helpers.content.outliers import expected_readers
from helpers.core.warehouse import day_number
from helpers.render.text import Text

matplotlib.use("Agg")
COLUMNS = ("X", "Y", None)
FORMATS = ("article", "video", None)


@st.composite
def content_tables(draw) -> Tables:
    """A dataset of tests/datasets.py with the account's tables added (each maybe absent/empty),
    read_article events and page paths."""
    base = draw(datasets())
    end = max(date.fromisoformat(e["event_time"][:10]) for e in base["events"])
    span = draw(st.integers(7, 120))
    articles, stats = [], []
    for i in range(draw(st.sampled_from((0, 1, 12, 25, 25)))):
        day = end - timedelta(days=draw(st.integers(0, draw(st.sampled_from((14, span))))))
        articles.append({"article_id": f"A{i}", "title": draw(st.sampled_from((f"T{i}", None))),
                         "published_at": f"{day} {draw(st.integers(6, 22)):02d}:00:00",
                         "column": draw(st.sampled_from(COLUMNS)), "format": draw(st.sampled_from(FORMATS)),
                         "position": draw(st.sampled_from((1, 2, None)))})
        for k in range(draw(st.sampled_from((0, 1, 3, 3)))):
            if day + timedelta(days=k) <= end:
                stats.append({"article_id": f"A{i}", "date": str(day + timedelta(days=k)),
                              "recipients": draw(st.sampled_from((500, 500, 0))) if k == 0 else 0,
                              "readers": draw(st.integers(0, 80)), "sharers": draw(st.integers(0, 5))})
    first = end - timedelta(days=draw(st.integers(0, span)))
    sources = draw(st.sampled_from((("search",), ("search", "30"))))
    follow = [{"date": str(first + timedelta(days=d)), "source": s, "new_followers": draw(st.integers(0, 9)),
               "unfollows": draw(st.integers(0, 9))} for d in range((end - first).days + 1) for s in sources]
    extra = {"articles": articles, "article_stats": stats, "followers": follow}
    out = Tables(base)
    for name, rows in extra.items():
        presence = draw(st.sampled_from(("rows", "rows", "rows", "empty", "absent")))
        if presence != "absent":
            out[name] = rows if presence == "rows" else []
    if articles and draw(st.booleans()):
        for event in out["events"][::3]:
            event |= {"event": "read_article", "article_id": draw(st.sampled_from(articles))["article_id"]}
    if draw(st.booleans()):
        for event in out["events"][::2]:
            event["page"] = draw(st.sampled_from(("p/index", "p/item", None)))
    out.origin = f"content_tables over {base!r}"
    return out


def _sections(wh, tx: Text) -> None:
    """The computations of each section, and their findings, tables and charts, as the notebook
    calls them (each only when the tables it needs are present)."""
    period = latest_week(wh)
    hist = history(wh, period, 26, 1, [1, 7]) if wh.has("articles") and wh.has("article_stats") else None
    metrics = headline(wh, period, hist)
    wow, _ = week_on_week(wh, period, metrics, hist)
    if hist is not None and wow["read_rate"] is not None:
        findings.read_rate_wow_note(hist, tx)
    findings.at_a_glance(metrics, wow, hist, tx)
    if hist is not None and hist.current["read_shrunk"].notna().any():
        shown, _ = top_bottom(hist.current, 5)
        findings.articles(hist, tx)
        findings.shrinkage_note(hist, tx)
        plt.close(charts.shrinkage(hist, shown, tx))
        tables.ranking(shown, [1, 7], 1, 10, tx)
        tables.engagement(hist.current, 10, tx)
    if hist is not None and not hist.observed.empty:
        parts = {dim: works.breakdown(hist.observed, dim) for dim in ("column_name", "format", "position_key")}
        findings.what_works(hist.observed, 10, tx)
        findings.what_works_note(hist, 10, tx)
        tables.breakdowns(parts, 1, tx)
        for fig, alt in charts.what_works(parts, 1, tx):
            assert alt
            plt.close(fig)
        frequency, gaps = works.push_frequency(wh, hist, (3, 5)), works.gap_effect(hist)
        findings.timing(hist, frequency, (3, 5), 2, tx)
        plt.close(charts.timing_heatmap(*works.timing_heatmap(hist), 1, tx))
        for fig, alt in charts.publishing(frequency, gaps, (3, 5), 1, tx):
            assert alt
            plt.close(fig)
        expected = expected_readers(hist, 2.5)
        if expected is not None:
            findings.outliers(expected, 1, 2.5, 10, tx)
            tables.outliers(expected[expected["in_period"]], 1, 10, tx)
    if wh.has("followers") and metrics["new_followers"] is not None:
        first, last = day_number(period.start) - 21, day_number(period.end)
        daily = followers.follower_daily(wh, first, last)
        pushed = followers.push_unfollows(wh, first, last, 2.0) if wh.has("articles") else None
        sources = followers.follower_sources(wh, period)
        findings.followers(metrics, sources, pushed, 10, tx)
        tables.sources(sources, 10, tx)
        plt.close(charts.followers(daily, pushed, tx))
        if pushed is not None and len(pushed):
            tables.pushes(pushed, tx)
    if wh.has("events", "article_id") and wh.has("orders"):
        credit = buying.reading_to_buying(wh, period, 72)
        if len(credit.articles):
            for k in (1, 10):
                findings.buying(credit, k, 72, tx)
                tables.buying(credit.articles, k, 10, tx)
    if wh.has("events", "page"):
        frame = pages.page_stats(wh, period, 0.05)
        findings.pages(frame, 1, tx)
        tables.pages(frame, 10, tx)


@settings(derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                                    HealthCheck.data_too_large])
@given(content_tables(), st.sampled_from(("zh", "en")))
def test_every_content_computation_completes_on_any_valid_dataset(dataset, language):
    with open_warehouse(dataset) as wh:
        _sections(wh, Text(language))
