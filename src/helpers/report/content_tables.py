"""The content_performance tables for people: labelled columns, units, suppressed cells.

Each function takes a frame from `metrics.content` and returns (frame, units, hidden) for
`Report.table`: columns carry the registry's labels in the report language, text cells (titles,
pages) stay raw because `Report.table` escapes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from helpers.metrics.content import NONE
from helpers.core.metrics import METRICS
from helpers.core.wechat import follower_source_label
from helpers.render import fmt
from helpers.render.text import t
from helpers.render.privacy import suppress

Table = tuple[pd.DataFrame, dict[str, str], pd.DataFrame | None]

# The registry metrics each section shows (for the report's definitions appendix).
SECTION_KEYS: dict[str, list[str]] = {
    "glance": ["articles_published_wow", "readers_wow", "read_rate_wow", "share_rate_wow",
               "new_followers_wow", "unfollows_wow"],
    "articles": ["article_recipients", "article_read_rate_days", "article_read_rate_shrunk",
                 "article_shrink_weight", "article_share_rate_shrunk", "article_readers",
                 "article_read_rate", "article_share_rate", "article_favorites", "article_likes",
                 "article_zaikan", "article_comments", "article_interaction_rate",
                 "article_original_rate", "article_finish_rate"],
    "what_works": ["content_articles", "content_read_rate", "content_read_rate_adjusted",
                   "content_share_rate"],
    "timing": ["headline_read_rate", "pushes_per_week", "days_since_push"],
    "followers": ["followers_cumulative", "follower_new_share", "push_unfollows",
                  "push_unfollows_usual", "push_unfollow_ratio"],
    "buying": ["article_openers", "article_open_rate", "article_buyers", "article_orders",
               "article_gmv", "article_conversion", "article_gmv_share"],
    "pages": ["mp_page_views", "mp_page_visitors", "mp_time_on_page", "mp_entry_rate",
              "mp_exit_rate", "mp_exit_rate_change", "mp_page_shares", "mp_shares_per_100_views"],
    "outliers": ["article_readers_days", "article_expected_readers", "article_vs_expected"],
}


def metric_label(key: str, language: str, days: int | None = None) -> str:
    """A registry label; "N" in labels of same-age metrics becomes the number of days."""
    label = METRICS[key].label(language)
    if days is None:
        return label
    if language == "zh":
        return label.replace(" N ", str(days))
    return label.replace("first N days", f"first {days} day" + ("s" if days > 1 else ""))


def title(row: Any) -> str:
    """An article's title, or its id when the source has no title."""
    value = row["title"]
    return str(row["article_id"]) if value is None or pd.isna(value) or not str(value).strip() \
        else str(value)


def position(value: Any, language: str) -> str:
    if value is None or pd.isna(value) or int(value) < 1:
        return NONE
    return t("cp_headline", language) if int(value) == 1 else t("cp_nth", language, n=int(value))


def format_label(value: Any, language: str) -> str:
    key = f"cp_format_{value}"
    try:
        return t(key, language)
    except KeyError:
        return str(value)


def weekday(day: int, language: str) -> str:
    return t("cp_weekdays", language).split(",")[int(day)]


def published(row: Any, language: str) -> str:
    ts = row["published"]
    day = weekday(ts.weekday(), language)
    return f"{ts:%m-%d} {day} {ts:%H:%M}" if language == "zh" else f"{day} {ts:%d %b %H:%M}"


def interval(lo: Any, hi: Any) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return fmt.MISSING
    return f"{fmt.percent(lo)}–{fmt.percent(hi)}"


def with_interval(rate: Any, lo: Any, hi: Any) -> str:
    """'3.6% (3.4%–3.7%)': a rate with its 95% interval in one cell."""
    if pd.isna(rate):
        return fmt.MISSING
    return fmt.percent(rate) if pd.isna(lo) or pd.isna(hi) else \
        f"{fmt.percent(rate)} ({interval(lo, hi)})"


def _build(columns: list[tuple[str, str | None, Iterable[Any]]]) -> tuple[pd.DataFrame, dict[str, str]]:
    """(label, unit or None for text, values) -> frame and units."""
    frame = pd.DataFrame({label: list(values) for label, _, values in columns})
    return frame, {label: unit for label, unit, _ in columns if unit}


def _metric(key: str, values: Iterable[Any], language: str, days: int | None = None
            ) -> tuple[str, str, Iterable[Any]]:
    return metric_label(key, language, days), METRICS[key].unit, values


def ranking(shown: pd.DataFrame, ages: list[int], compare_days: int, language: str) -> Table:
    """The period's articles ranked by shrunk same-age read rate (rank 1 = best)."""
    rows = [r for _, r in shown.iterrows()]
    where = [" · ".join([str(r["column_name"]), format_label(r["format"], language),
                         position(r["position"], language)]) for r in rows]
    shrunk = metric_label("article_read_rate_shrunk", language)
    columns = [
        (f"{t('cp_rank', language)}. {t('cp_title', language)}", None,
         [f"{int(r['rank'])}. {title(r)}" for r in rows]),
        (" · ".join(t(k, language) for k in ("cp_column", "cp_format", "cp_position")), None, where),
        (t("cp_published", language), None, [published(r, language) for r in rows]),
        _metric("article_recipients", shown["recipients"], language),
        *(_metric("article_read_rate_days", shown[f"read_rate_d{k}"], language, k) for k in ages),
        (f"{shrunk}（{t('cp_interval', language)}）" if language == "zh" else
         f"{shrunk} ({t('cp_interval', language)})", None,
         [with_interval(*v) for v in shown[["read_shrunk", "read_lo", "read_hi"]].to_numpy()]),
        _metric("article_share_rate_shrunk", shown["share_shrunk"], language),
    ]
    frame, units = _build(columns)
    return frame, units, None


def engagement(current: pd.DataFrame, language: str) -> Table:
    """Totals and rates of the period's articles up to the end of the period."""
    columns = [
        (t("cp_title", language), None, [title(r) for _, r in current.iterrows()]),
        _metric("article_readers", current["readers"], language),
        _metric("article_read_rate", current["read_rate"], language),
        _metric("article_share_rate", current["share_rate"], language),
        _metric("article_favorites", current["favorites"], language),
        _metric("article_likes", current["likes"], language),
        _metric("article_zaikan", current["zaikan"], language),
        _metric("article_comments", current["comments"], language),
        _metric("article_interaction_rate", current["interaction_rate"], language),
        _metric("article_original_rate", current["original_rate"], language),
    ]
    if current["finish_rate"].notna().any():
        columns.append(_metric("article_finish_rate", current["finish_rate"], language))
    frame, units = _build(columns)
    return frame, units, None


def group_label(dimension: str, value: Any, language: str) -> str:
    if dimension == "format":
        return format_label(value, language)
    if dimension in ("position_key", "position"):
        return position(value, language)
    if dimension == "slot":
        return t(f"cp_{value}", language)
    if dimension == "hour":
        return f"{int(value):02d}:00"
    return str(value)


def breakdowns(parts: dict[str, pd.DataFrame], compare_days: int, language: str) -> Table:
    """Read and share rates per column, format and position (one block each), every rate with
    its 95% interval; the position-adjusted read rate is blank for positions themselves."""
    names = {"column_name": "cp_column", "format": "cp_format"}
    blocks = []
    for dimension, frame in parts.items():
        adjusted = dimension not in ("position_key", "slot")
        blocks.append(pd.DataFrame({
            "dimension": t(names.get(dimension, "cp_position"), language),
            "group": [group_label(dimension, v, language) for v in frame[dimension]],
            "articles": frame["articles"],
            "read": [with_interval(*v) for v in frame[["read_rate", "read_lo", "read_hi"]].to_numpy()],
            "adjusted": [with_interval(*v) if adjusted else fmt.MISSING
                         for v in frame[["read_adjusted", "adjusted_lo", "adjusted_hi"]].to_numpy()],
            "share": [with_interval(*v)
                      for v in frame[["share_rate", "share_lo", "share_hi"]].to_numpy()],
        }))
    data = pd.concat(blocks, ignore_index=True)
    columns = [
        (t("cp_dimension", language), None, data["dimension"]),
        (t("cp_group", language), None, data["group"]),
        _metric("content_articles", data["articles"], language),
        (metric_label("content_read_rate", language, compare_days), None, data["read"]),
        (metric_label("content_read_rate_adjusted", language), None, data["adjusted"]),
        (metric_label("content_share_rate", language, compare_days), None, data["share"]),
    ]
    frame, units = _build(columns)
    return frame, units, None


def sources(frame: pd.DataFrame, language: str) -> Table:
    """New followers and unfollows per WeChat follower source (user_source names)."""
    columns = [
        (t("cp_source", language), None, [follower_source_label(s, language) for s in frame["source"]]),
        _metric("new_followers", frame["new_followers"], language),
        _metric("unfollows", frame["unfollows"], language),
        _metric("net_followers", frame["net_followers"], language),
        _metric("follower_new_share", frame["new_share"], language),
    ]
    table, units = _build(columns)
    return table, units, None


def pushes(frame: pd.DataFrame, language: str) -> Table:
    """The period's pushes with unfollows in the 48 hours after each."""
    columns = [
        (t("cp_published", language), None, [published(r, language) for _, r in frame.iterrows()]),
        (t("cp_headline_title", language), None, [title(r) for _, r in frame.iterrows()]),
        (t("cp_articles_in_push", language), "count", frame["articles"]),
        _metric("push_unfollows", frame["unfollows_48h"], language),
        _metric("push_unfollows_usual", frame["usual"].round(), language),
        _metric("push_unfollow_ratio", frame["ratio"], language),
        (t("cp_flag", language), None,
         [t("cp_flag_spike", language) if f else "" for f in frame["flagged"]]),
    ]
    table, units = _build(columns)
    return table, units, None


def buying(frame: pd.DataFrame, k: int, language: str) -> Table:
    """Articles read in the period with the orders credited to them; buyer cells under k hidden."""
    data, mask = suppress(frame, "buyers", k, also=["orders", "gmv", "conversion"])
    columns = [
        (t("cp_title", language), None, [title(r) for _, r in data.iterrows()]),
        _metric("article_readers", data["readers"], language),
        _metric("article_openers", data["openers"], language),
        _metric("article_open_rate", data["open_rate"], language),
        _metric("article_buyers", data["buyers"], language),
        _metric("article_orders", data["orders"], language),
        _metric("article_gmv", data["gmv"], language),
        _metric("article_conversion", data["conversion"], language),
    ]
    table, units = _build(columns)
    source = {"buyers": "article_buyers", "orders": "article_orders", "gmv": "article_gmv",
              "conversion": "article_conversion"}
    hidden = pd.DataFrame(False, index=table.index, columns=table.columns)
    for column, key in source.items():
        hidden[metric_label(key, language)] = mask[column].to_numpy()
    return table, units, hidden


PAGE_VALUES = ["visitors", "avg_time", "entry_rate", "exit_rate", "exit_change", "shares",
               "shares_per_100", "page_views"]


def pages(frame: pd.DataFrame, k: int, language: str) -> Table:
    """Pages of the period; rows describing fewer than k visitors are hidden."""
    data, mask = suppress(frame, "visitors", k, also=[c for c in PAGE_VALUES if c != "visitors"])
    spec = [("page_views", "mp_page_views"), ("visitors", "mp_page_visitors"),
            ("avg_time", "mp_time_on_page"), ("entry_rate", "mp_entry_rate"),
            ("exit_rate", "mp_exit_rate"), ("exit_change", "mp_exit_rate_change"),
            ("shares", "mp_page_shares"), ("shares_per_100", "mp_shares_per_100_views")]
    columns = [(t("cp_page", language), None, data["page"]),
               *(_metric(key, data[c], language) for c, key in spec),
               (t("cp_flag", language), None,
                [t("cp_flag_exit", language) if f else "" for f in data["exit_jump"]])]
    table, units = _build(columns)
    hidden = pd.DataFrame(False, index=table.index, columns=table.columns)
    for c, key in spec:
        hidden[metric_label(key, language)] = mask[c].to_numpy()
    return table, units, hidden


def outliers(frame: pd.DataFrame, compare_days: int, language: str) -> Table:
    """Articles with actual and expected same-age readers; flagged ones say which way."""
    flags = [t("cp_flag_above" if z > 0 else "cp_flag_below", language) if f else ""
             for z, f in zip(frame["z"], frame["flagged"], strict=True)]
    columns = [
        (t("cp_title", language), None, [title(r) for _, r in frame.iterrows()]),
        (t("cp_column", language), None, frame["column_name"]),
        (t("cp_position", language), None, [position(v, language) for v in frame["position"]]),
        _metric("article_recipients", frame["recipients"], language),
        _metric("article_readers_days", frame["readers_c"], language, compare_days),
        _metric("article_expected_readers", frame["expected_readers"], language),
        _metric("article_vs_expected", frame["vs_expected"], language),
        (t("cp_flag", language), None, flags),
    ]
    table, units = _build(columns)
    return table, units, None
