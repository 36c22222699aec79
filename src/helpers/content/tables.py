"""The content_performance tables for people: labelled columns, units, suppressed cells.

Each function takes a frame of the content computations and returns (frame, units, hidden) for
`Report.table`: columns carry the registry's labels in the report language (which records the
metrics as shown), text cells (titles, pages) stay raw because `Report.table` escapes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from helpers.content import privacy
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
from helpers.content.reads import SourceReads
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
BUYING_COLUMNS = (("readers", "article_readers"), ("openers", "article_openers"),
                  ("click_through", "article_click_through"), ("buyers", "article_buyers"),
                  ("orders", "article_orders"), ("gmv", "article_gmv"), ("conversion", "article_conversion"))


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


def ranking(shown: pd.DataFrame, ages: list[int], compare_days: int, k: int, tx: Text) -> Table:
    """The period's articles ranked by shrunk same-age read rate (rank 1 = best), with the time
    each had in its first `compare_days` calendar days (an evening push has little of day 1; not
    known, so not shown, when the source has publish dates only); a same-age read rate of fewer
    than k readers is hidden."""
    shown, mask = privacy.engagement(shown, k)
    rows = [r for _, r in shown.iterrows()]
    where = [" · ".join([str(r["column_name"]), format_label(r["format"], tx), position(r["position"], tx)])
             for r in rows]
    shrunk = tx("cp_with_interval", label=tx.label("article_read_rate_shrunk"),
                interval=tx("cp_interval"))
    columns = [
        (tx("cp_rank") + ". " + tx("cp_title"), None, [f"{int(r['rank'])}. {title(r)}" for r in rows]),
        (" · ".join(tx(k) for k in ("cp_column", "cp_format", "cp_position")), None, where),
        (tx("cp_published"), None, [published(r, tx) for r in rows]),
        *([_metric("article_same_age_time", shown["same_age_sec"], tx, compare_days)]
          if shown["time_known"].all() else []),
        _metric("article_recipients", shown["recipients"], tx),
        *(_metric("article_read_rate_days", shown[f"read_rate_d{k}"], tx, k) for k in ages),
        (shrunk, None,
         [with_interval(*v) for v in shown[["read_shrunk", "read_lo", "read_hi"]].to_numpy()]),
        _metric("article_share_rate_shrunk", shown["share_shrunk"], tx),
    ]
    frame, units = _build(columns)
    hidden = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for a in ages:
        hidden[same_age_label(tx, "article_read_rate_days", a)] = mask[f"read_rate_d{a}"].to_numpy()
    return frame, units, hidden


ENGAGEMENT_COLUMNS = (("readers", "article_readers"), ("read_rate", "article_read_rate"),
                      ("share_rate", "article_share_rate"), ("favorites", "article_favorites"),
                      ("likes", "article_likes"), ("zaikan", "article_zaikan"),
                      ("comments", "article_comments"), ("interaction_rate", "article_interaction_rate"),
                      ("original_rate", "article_original_rate"))


def engagement(current: pd.DataFrame, k: int, tx: Text) -> Table:
    """Totals and rates of the period's articles up to the end of the period; counts of fewer than
    k people hidden with the rates built on them (`privacy.engagement`)."""
    data, mask = privacy.engagement(current, k)
    keys = [*ENGAGEMENT_COLUMNS, *([("finish_rate", "article_finish_rate")]
                                   if current["finish_rate"].notna().any() else [])]
    columns = [(tx("cp_title"), None, [title(r) for _, r in data.iterrows()]),
               *(_metric(key, data[c], tx) for c, key in keys)]
    frame, units = _build(columns)
    return frame, units, _hidden(frame, mask, keys, tx)


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


def sources(frame: pd.DataFrame, k: int, tx: Text) -> Table:
    """New followers and unfollows per WeChat follower source (user_source names); counts under k
    hidden with what they reveal (`privacy.sources`, as in the finding)."""
    data, mask = privacy.sources(frame, k)
    keys = (("new_followers", "new_followers"), ("unfollows", "unfollows"),
            ("net_followers", "net_followers"), ("new_share", "follower_new_share"))
    columns = [(tx("cp_source"), None, [tx.follower_source(s) for s in data["source"]]),
               *(_metric(key, data[c], tx) for c, key in keys)]
    table, units = _build(columns)
    return table, units, _hidden(table, mask, keys, tx)


READ_COLUMNS = (("readers", "read_source_readers"), ("readers_share", "read_source_readers_share"),
                ("reads", "read_source_reads"), ("reads_share", "read_source_reads_share"),
                ("shares", "read_source_shares"), ("favorites", "read_source_favorites"))
READ_CELLS_OF_TOTAL = ("readers", "readers_share", "reads", "reads_share", "shares", "favorites")


def reads(result: SourceReads, k: int, tx: Text) -> Table:
    """The week's readers and reads per source with their shares, then the row of every source
    together (WeChat's deduplicated readers; blank without them); columns the source never gives
    are left out. Sources of fewer than k readers are hidden with what they reveal, and the total
    when it would give one away (`SourceReads.shown`, as in the finding and the JSON)."""
    data, mask, total = result.shown(k)
    hidden = all(np.isnan(v) for v in total.values()) and any(pd.notna(v) for v in result.total.values())
    total |= {"readers_share": 1.0 if pd.notna(total["readers"]) else None,
              "reads_share": 1.0 if pd.notna(total["reads"]) else None}
    keys = [(c, key) for c, key in READ_COLUMNS
            if result.sources[c].notna().any() or pd.notna(result.total.get(c, total[c]))]
    columns = [(tx("cp_source"), None, [*(tx.data(s) for s in data["source"]), tx("cp_reads_all")]),
               *(_metric(key, [*data[c], total[c]], tx) for c, key in keys)]
    table, units = _build(columns)
    last = pd.DataFrame(False, index=[len(mask)], columns=mask.columns)
    last[list(READ_CELLS_OF_TOTAL)] = hidden  # hidden for privacy: "<k", not a dash
    mask = pd.concat([mask, last], ignore_index=True)
    return table, units, _hidden(table, mask, keys, tx)


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


def buying(frame: pd.DataFrame, k: int, rows: int, tx: Text) -> Table:
    """The first `rows` articles (most credited GMV first) with the orders credited to them; cells
    describing fewer than k readers, openers or buyers hidden (`privacy.buying`, the suppression
    the finding goes through too). Rows whose GMV is hidden come last, by id: their place in the
    GMV order would tell what they hide."""
    data, mask = privacy.buying(frame, k)
    hidden = mask["gmv"].to_numpy()
    order = [*data.index[~hidden], *data[hidden].sort_values("article_id").index]
    data, mask = data.loc[order].head(rows), mask.loc[order].head(rows)
    columns = [(tx("cp_title"), None, [title(r) for _, r in data.iterrows()]),
               *(_metric(key, data[c], tx) for c, key in BUYING_COLUMNS)]
    table, units = _build(columns)
    return table, units, _hidden(table, mask, BUYING_COLUMNS, tx)


def pages(frame: pd.DataFrame, k: int, tx: Text) -> Table:
    """Pages of the period; rows describing fewer than k visitors are hidden."""
    values = [c for c, _ in PAGE_COLUMNS]
    data, mask = suppress(frame, "visitors", k, also=[c for c in values if c != "visitors"])
    columns = [(tx("cp_page"), None, [tx.page(v) for v in data["page"]]),
               *(_metric(key, data[c], tx) for c, key in PAGE_COLUMNS),
               (tx("cp_flag"), None, [tx("cp_flag_exit") if f else "" for f in data["exit_jump"]])]
    table, units = _build(columns)
    return table, units, _hidden(table, mask, PAGE_COLUMNS, tx)


def outliers(frame: pd.DataFrame, compare_days: int, k: int, tx: Text) -> Table:
    """Articles with actual and expected same-age readers; flagged ones say which way. Readers
    under k are hidden, with the ratio that gives them away."""
    frame, mask = privacy.outliers(frame, k)
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
    hidden = pd.DataFrame(False, index=table.index, columns=table.columns)
    hidden[same_age_label(tx, "article_readers_days", compare_days)] = mask["readers_c"].to_numpy()
    hidden[tx.label("article_vs_expected")] = mask["vs_expected"].to_numpy()
    return table, units, hidden
