"""Everything the merchant report shows, computed once per run (`load`) from the warehouse: the
week's sales by merchant with last week's, their statuses, the weekly trends, concentration and
tiers, the chain levels, and which merchants' figures privacy hides (`privacy`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, day_number
from helpers.merchants import chains, concentration, privacy, queries
from helpers.merchants.lifecycle import Rules, statuses, weekly_counts

SALES_COLUMNS = ["merchant_id", "gmv", "orders", "buyers", "aov", "share", "gmv_wow", "gmv_prev", "orders_prev",
                 "buyers_prev"]


@dataclass
class MerchantData:
    """The report's numbers; `missing` (catalog key for `rep.skipped`) or `why` (for
    `rep.unavailable`) says why there are none."""

    period: Period
    k: int
    missing: str | None = None
    why: str | None = None
    split: dict[str, float] = field(default_factory=dict)
    split_prev: dict[str, float] | None = None
    week: pd.DataFrame | None = None  # SALES_COLUMNS + tier, tier_prev; merchants with GMV this or last week
    statuses: pd.DataFrame | None = None  # lifecycle.statuses at the week's end
    counts: pd.DataFrame | None = None  # lifecycle.weekly_counts of the trend weeks
    trend: pd.DataFrame | None = None  # concentration.trend of the trend weeks
    weekly: pd.DataFrame | None = None  # queries.weekly_sales of the trend window
    week_starts: list[int] = field(default_factory=list)
    info: pd.DataFrame | None = None  # queries.merchant_info
    chain: pd.DataFrame | None = None  # chains.chain_table
    chain_hidden: pd.DataFrame | None = None  # its hidden cells
    hidden_now: set[str] = field(default_factory=set)
    hidden_prev: set[str] = field(default_factory=set)
    lorenz: list[list[str]] = field(default_factory=list)  # privacy-safe steps of the Lorenz curve
    dropped: set[str] = field(default_factory=set)  # sums left out for privacy: top:top10, tier:head, ...
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.missing is None and self.why is None

    @property
    def lo(self) -> int:
        return day_number(self.period.start)

    @property
    def hi(self) -> int:
        return self.lo + 6

    @property
    def previous_complete(self) -> bool:
        return self.split_prev is not None

    def shown_week(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The week's sales frame with hidden cells missing, and the mask of hidden cells."""
        hidden = privacy.mask(self.week, self.hidden_now, self.hidden_prev)
        return privacy.apply(self.week, hidden), hidden


def missing_key(wh: Warehouse) -> str | None:
    """The catalog key of what the source lacks for the whole report, or None."""
    if not wh.has("orders"):
        return "mc_missing_orders"
    if not queries.has_merchant_column(wh):
        return "mc_missing_merchant_id"
    return None


def sales_frame(weekly: pd.DataFrame, lo: int, previous_complete: bool) -> pd.DataFrame:
    """Per merchant with paid orders in the week starting on day `lo` or the week before: its
    figures in both weeks, AOV, share of the week's merchant GMV and GMV week on week (NaN when
    last week is not in the data or had no GMV)."""
    this = weekly[weekly["wk"] == lo].set_index("merchant_id")
    last = weekly[weekly["wk"] == lo - 7].set_index("merchant_id")
    ids = sorted(set(this.index) | (set(last.index) if previous_complete else set()))
    frame = pd.DataFrame({"merchant_id": ids})
    for column in ("gmv", "orders", "buyers"):
        frame[column] = this[column].reindex(ids).fillna(0).astype("float64").to_numpy()
        prev = last[column].reindex(ids).fillna(0).astype("float64").to_numpy()
        frame[f"{column}_prev"] = prev if previous_complete else np.nan
    total = frame["gmv"].sum()
    frame["aov"] = frame["gmv"] / frame["orders"].where(frame["orders"] > 0)
    frame["share"] = frame["gmv"] / total if total > 0 else np.nan
    frame["gmv_wow"] = frame["gmv"] / frame["gmv_prev"].where(frame["gmv_prev"] > 0) - 1
    return frame[SALES_COLUMNS]


def load(wh: Warehouse, period: Period, params: Any) -> MerchantData:
    """The report's numbers for `period` with `params` (MerchantPerformanceParams)."""
    data = MerchantData(period, params.min_cell_size, missing=missing_key(wh))
    if data.missing:
        return data
    lo, hi, first = data.lo, data.hi, int(wh.meta["first_day"])
    data.split = queries.sales_split(wh, lo, hi)
    if queries.merchant_orders_until(wh, hi) == 0:
        data.why = "mc_why_no_merchant_sales"
        return data
    data.split_prev = queries.sales_split(wh, lo - 7, lo - 1) if lo - 7 >= first else None
    data.week_starts = [w for w in range(lo - 7 * (params.trend_weeks - 1), lo + 1, 7) if w >= first]
    window = min(data.week_starts[0], lo) - 7
    data.weekly = queries.weekly_sales(wh, window, hi)
    history = queries.merchant_history(wh, window, hi)
    rules = Rules(params.dormant_days, params.churn_days)
    data.statuses = statuses(history, data.weekly, hi, rules)
    data.counts = weekly_counts(history, data.weekly, [w for w in data.week_starts if w - 7 >= first] or [lo], rules)
    data.trend = concentration.trend(data.weekly, data.week_starts)
    data.info = queries.merchant_info(wh)
    week = sales_frame(data.weekly, lo, data.previous_complete)
    tiers = concentration.tiers(week, params.head_share, params.waist_share)
    week["tier"] = tiers.reindex(week["merchant_id"]).to_numpy()
    last = week.assign(gmv=week["gmv_prev"].fillna(0), buyers=week["buyers_prev"].fillna(0))
    week["tier_prev"] = (concentration.tiers(last, params.head_share, params.waist_share)
                         .reindex(week["merchant_id"]).to_numpy() if data.previous_complete else None)
    data.week = week
    if chains.has_chains(wh):
        data.extra["levels"] = chains.levels(wh)
        data.chain = chains.chain_table(data.extra["levels"], chains.level_sales(wh, lo, hi), lo, hi)
    _protect(data)
    return data


def _named_groups(data: MerchantData) -> dict[str, list[str]]:
    """The groups of merchants whose summed GMV of the week the report shows (all, top 10, top 20%,
    each tier, each chain level shown and the hidden levels together), without those `dropped`."""
    week = data.week
    named = {f"top:{name}": ids for name, ids in concentration.top_groups(week).items()}
    named |= {f"tier:{t}": week.loc[week["tier"] == t, "merchant_id"].tolist() for t in ("head", "waist", "tail")}
    if data.chain is not None:
        named |= _chain_groups(data)
    return {name: ids for name, ids in named.items() if ids and name not in data.dropped}


def _chain_groups(data: MerchantData) -> dict[str, list[str]]:
    """Merchants of each chain row shown (`level:<row>`), and of the hidden rows (`level:rest`)."""
    levels = data.extra["levels"].set_index("merchant_id")["level"]
    active = data.week.loc[data.week["gmv"] > 0, "merchant_id"]
    level_of = levels.reindex(active.to_numpy())
    groups: dict[str, list[str]] = {}
    rest: list[str] = []
    for (i, row), hide in zip(data.chain.iterrows(), data.chain_hidden["gmv"], strict=True):
        ids = active[level_of.isna().to_numpy() if pd.isna(row["level"]) else (level_of == row["level"]).to_numpy()]
        if hide:
            rest += ids.tolist()
        else:
            groups[f"level:{i}"] = ids.tolist()
    return groups | ({"level:rest": rest} if rest else {})


IMPLIED = ("top:all", "level:rest", "top:prev_all")  # sums the report cannot leave out


def _culprit(named: dict[str, list[str]], exposed: set[str]) -> str | None:
    """The group to leave out while a hidden merchant is `exposed`: the smallest whose shown sum
    gives one away; else (it follows from the total less other sums, or from the total alone, every
    other merchant being shown alone somewhere) the smallest group left, until only the sums the
    report cannot leave out remain."""
    if not exposed:
        return None
    optional = {name: ids for name, ids in named.items() if name not in IMPLIED}
    found = [(len(ids), name) for name, ids in optional.items() if exposed & set(ids)]
    found = found or [(len(ids), name) for name, ids in optional.items()]
    return min(found)[1] if found else None


def _hide(data: MerchantData, buyers: pd.Series, named: Callable[[], dict[str, list[str]]],
          on_level: Callable[[int], None] | None = None) -> set[str]:
    """The merchants hidden for `buyers`: those under k and their partners (`privacy.protected`);
    while a hidden merchant still follows from a group's sum (a group of one shown merchant and
    one hidden, a tier of one merchant), that sum is left out (`data.dropped`, or its chain level
    hidden through `on_level`) and the merchants checked again."""
    ids = data.week["merchant_id"].tolist()
    while True:
        groups = named()
        singles = {ids[0] for ids in groups.values() if len(ids) == 1}
        hidden = privacy.protected(ids, buyers, data.k, list(groups.values()), singles)
        culprit = _culprit(groups, privacy.exposed(ids, hidden, list(groups.values())))
        if culprit is None:
            return hidden
        if culprit.startswith("level:") and on_level is not None:
            on_level(int(culprit.split(":")[1]))
        else:
            data.dropped.add(culprit)


def _protect(data: MerchantData) -> None:
    """Hide the figures of merchants with fewer than k buyers, and of more merchants until no
    hidden figure follows from the sums shown (`_hide`), for this week and last week (whose total
    and top 10 the report shows). The Lorenz curve's steps are then cut around the hidden
    merchants (`concentration.lorenz_groups`), which adds no sum to solve."""
    week, raw = data.week, data.chain
    force = np.zeros(len(raw), dtype=bool) if raw is not None else None

    def named() -> dict[str, list[str]]:
        if raw is not None:
            data.chain, data.chain_hidden = privacy.chain(raw, data.k, force)
        return _named_groups(data)

    def on_level(row: int) -> None:
        force[row] = True

    data.hidden_now = _hide(data, week["buyers"], named, on_level)
    data.lorenz = concentration.lorenz_groups(week, data.hidden_now)
    if data.previous_complete:
        last = week.assign(gmv=week["gmv_prev"])
        tops = concentration.top_groups(last)
        data.hidden_prev = _hide(data, week["buyers_prev"], lambda: {
            name: ids for name, ids in (("top:prev_all", tops["all"]), ("top:prev_top10", tops["top10"]))
            if ids and name not in data.dropped})
    for name, wk in (("top:top10", data.lo), ("top:prev_top10", data.lo - 7)):
        if name in data.dropped:
            data.trend.loc[data.trend["wk"] == wk, "top10_share"] = np.nan
