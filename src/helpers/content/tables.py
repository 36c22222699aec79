"""The content_performance tables for people: labelled columns, units, suppressed cells.

Each function takes a frame of the content computations and returns (frame, units, hidden) for
`Report.table`: columns carry the registry's labels in the report language (which records the
metrics as shown), text cells (titles, pages) stay raw because `Report.table` escapes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from helpers.content.labels import (
    DIMENSION_TEXT,
    format_label,
    group_label,
    position,
    published,
    same_age_label,
    title,
    with_interval,
)
from helpers.core.metrics import METRICS
from helpers.render import fmt
from helpers.render.privacy import suppress
from helpers.render.text import Text

Table = tuple[pd.DataFrame, dict[str, str], pd.DataFrame | None]
Column = tuple[str, str | None, Iterable[Any]]
PAGE_COLUMNS = (("page_views", "mp_page_views"), ("visitors", "mp_page_visitors"),
                ("avg_time", "mp_time_on_page"), ("entry_rate", "mp_entry_rate"),
                ("exit_rate", "mp_exit_rate"), ("exit_change", "mp_exit_rate_change"),
                ("shares", "mp_page_shares"), ("shares_per_100", "mp_shares_per_100_views"))
BUYING_HIDDEN = (("buyers", "article_buyers"), ("orders", "article_orders"), ("gmv", "article_gmv"),
                 ("conversion", "article_conversion"))


def _build(columns: list[Column]) -> tuple[pd.DataFrame, dict[str, str]]:
    """(label, unit or None for text, values) -> frame and units."""
    frame = pd.DataFrame({label: list(values) for label, _, values in columns})
    return frame, {label: unit for label, unit, _ in columns if unit}


def _metric(key: str, values: Iterable[Any], tx: Text, days: int | None = None) -> Column:
    label = tx.label(key) if days is None else same_age_label(tx, key, days)
    return label, METRICS[key].unit, values


def _hidden(table: pd.DataFrame, mask: pd.DataFrame, columns: Iterable[tuple[str, str]], tx: Text
            ) -> pd.DataFrame:
    """The suppression mask of `privacy.suppress` on the labelled columns of `table`."""
    hidden = pd.DataFrame(False, index=table.index, columns=table.columns)
    for column, key in columns:
        hidden[tx.label(key)] = mask[column].to_numpy()
    return hidden


def ranking(shown: pd.DataFrame, ages: list[int], tx: Text) -> Table:
    """The period's articles ranked by shrunk same-age read rate (rank 1 = best)."""
    rows = [r for _, r in shown.iterrows()]
    where = [" · ".join([str(r["column_name"]), format_label(r["format"], tx), position(r["position"], tx)])
             for r in rows]
    shrunk = tx("cp_with_interval", label=tx.label("article_read_rate_shrunk"),
                interval=tx("cp_interval"))
    columns = [
        (tx("cp_rank") + ". " + tx("cp_title"), None, [f"{int(r['rank'])}. {title(r)}" for r in rows]),
        (" · ".join(tx(k) for k in ("cp_column", "cp_format", "cp_position")), None, where),
        (tx("cp_published"), None, [published(r, tx) for r in rows]),
        _metric("article_recipients", shown["recipients"], tx),
        *(_metric("article_read_rate_days", shown[f"read_rate_d{k}"], tx, k) for k in ages),
        (shrunk, None,
         [with_interval(*v) for v in shown[["read_shrunk", "read_lo", "read_hi"]].to_numpy()]),
        _metric("article_share_rate_shrunk", shown["share_shrunk"], tx),
    ]
    frame, units = _build(columns)
    return frame, units, None


def engagement(current: pd.DataFrame, tx: Text) -> Table:
    """Totals and rates of the period's articles up to the end of the period."""
    columns = [
        (tx("cp_title"), None, [title(r) for _, r in current.iterrows()]),
        _metric("article_readers", current["readers"], tx),
        _metric("article_read_rate", current["read_rate"], tx),
        _metric("article_share_rate", current["share_rate"], tx),
        _metric("article_favorites", current["favorites"], tx),
        _metric("article_likes", current["likes"], tx),
        _metric("article_zaikan", current["zaikan"], tx),
        _metric("article_comments", current["comments"], tx),
        _metric("article_interaction_rate", current["interaction_rate"], tx),
        _metric("article_original_rate", current["original_rate"], tx),
    ]
    if current["finish_rate"].notna().any():
        columns.append(_metric("article_finish_rate", current["finish_rate"], tx))
    frame, units = _build(columns)
    return frame, units, None


def breakdowns(parts: dict[str, pd.DataFrame], compare_days: int, tx: Text) -> Table:
    """Read and share rates per column, format and position (one block each), every rate with
    its 95% interval; the position-adjusted read rate is blank for positions themselves."""
    blocks = []
    for dimension, frame in parts.items():
        adjusted = dimension not in ("position_key", "slot")
        blocks.append(pd.DataFrame({
            "dimension": tx(DIMENSION_TEXT[dimension]),
            "group": [group_label(dimension, v, tx) for v in frame[dimension]],
            "articles": frame["articles"],
            "read": [with_interval(*v) for v in frame[["read_rate", "read_lo", "read_hi"]].to_numpy()],
            "adjusted": [with_interval(*v) if adjusted else fmt.MISSING
                         for v in frame[["read_adjusted", "adjusted_lo", "adjusted_hi"]].to_numpy()],
            "share": [with_interval(*v)
                      for v in frame[["share_rate", "share_lo", "share_hi"]].to_numpy()],
        }))
    data = pd.concat(blocks, ignore_index=True)
    columns = [
        (tx("cp_dimension"), None, data["dimension"]),
        (tx("cp_group"), None, data["group"]),
        _metric("content_articles", data["articles"], tx),
        (same_age_label(tx, "content_read_rate", compare_days), None, data["read"]),
        (tx.label("content_read_rate_adjusted"), None, data["adjusted"]),
        (same_age_label(tx, "content_share_rate", compare_days), None, data["share"]),
    ]
    frame, units = _build(columns)
    return frame, units, None


def sources(frame: pd.DataFrame, tx: Text) -> Table:
    """New followers and unfollows per WeChat follower source (user_source names)."""
    columns = [
        (tx("cp_source"), None, [tx.follower_source(s) for s in frame["source"]]),
        _metric("new_followers", frame["new_followers"], tx),
        _metric("unfollows", frame["unfollows"], tx),
        _metric("net_followers", frame["net_followers"], tx),
        _metric("follower_new_share", frame["new_share"], tx),
    ]
    table, units = _build(columns)
    return table, units, None


def pushes(frame: pd.DataFrame, tx: Text) -> Table:
    """The period's pushes with unfollows in the 48 hours after each."""
    columns = [
        (tx("cp_published"), None, [published(r, tx) for _, r in frame.iterrows()]),
        (tx("cp_headline_title"), None, [title(r) for _, r in frame.iterrows()]),
        (tx("cp_articles_in_push"), "count", frame["articles"]),
        _metric("push_unfollows", frame["unfollows_48h"], tx),
        _metric("push_unfollows_usual", frame["usual"].round(), tx),
        _metric("push_unfollow_ratio", frame["ratio"], tx),
        (tx("cp_flag"), None, [tx("cp_flag_spike") if f else "" for f in frame["flagged"]]),
    ]
    table, units = _build(columns)
    return table, units, None


def buying(frame: pd.DataFrame, k: int, tx: Text) -> Table:
    """Articles read in the period with the orders credited to them; buyer cells under k hidden."""
    data, mask = suppress(frame, "buyers", k, also=["orders", "gmv", "conversion"])
    columns = [
        (tx("cp_title"), None, [title(r) for _, r in data.iterrows()]),
        _metric("article_readers", data["readers"], tx),
        _metric("article_openers", data["openers"], tx),
        _metric("article_open_rate", data["open_rate"], tx),
        _metric("article_buyers", data["buyers"], tx),
        _metric("article_orders", data["orders"], tx),
        _metric("article_gmv", data["gmv"], tx),
        _metric("article_conversion", data["conversion"], tx),
    ]
    table, units = _build(columns)
    return table, units, _hidden(table, mask, BUYING_HIDDEN, tx)


def pages(frame: pd.DataFrame, k: int, tx: Text) -> Table:
    """Pages of the period; rows describing fewer than k visitors are hidden."""
    values = [c for c, _ in PAGE_COLUMNS]
    data, mask = suppress(frame, "visitors", k, also=[c for c in values if c != "visitors"])
    columns = [(tx("cp_page"), None, data["page"]),
               *(_metric(key, data[c], tx) for c, key in PAGE_COLUMNS),
               (tx("cp_flag"), None, [tx("cp_flag_exit") if f else "" for f in data["exit_jump"]])]
    table, units = _build(columns)
    return table, units, _hidden(table, mask, PAGE_COLUMNS, tx)


def outliers(frame: pd.DataFrame, compare_days: int, tx: Text) -> Table:
    """Articles with actual and expected same-age readers; flagged ones say which way."""
    flags = [tx("cp_flag_above" if z > 0 else "cp_flag_below") if f else ""
             for z, f in zip(frame["z"], frame["flagged"], strict=True)]
    columns = [
        (tx("cp_title"), None, [title(r) for _, r in frame.iterrows()]),
        (tx("cp_column"), None, frame["column_name"]),
        (tx("cp_position"), None, [position(v, tx) for v in frame["position"]]),
        _metric("article_recipients", frame["recipients"], tx),
        _metric("article_readers_days", frame["readers_c"], tx, compare_days),
        _metric("article_expected_readers", frame["expected_readers"], tx),
        _metric("article_vs_expected", frame["vs_expected"], tx),
        (tx("cp_flag"), None, flags),
    ]
    table, units = _build(columns)
    return table, units, None
