"""Value: buyers, repurchase, ARPU/ARPPU, LTV curves, RFM segments and forward-looking CLV."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.stats import clv
from helpers.core.warehouse import Warehouse
from helpers.core.sql import PAID, paid, week_start

CONSENTED = "COALESCE(u.consent, TRUE)"  # users who refused analytics are left out of profiling


def buyer_metrics(wh: Warehouse, first_day: int, last_day: int, active_users: int
                  ) -> dict[str, float | None]:
    """buyers, repurchase_rate, returning_buyer_share, gmv, arpu (GMV / active users), arppu."""
    row = wh.query(f"""
        WITH p AS (SELECT user_id, COUNT(*) AS orders, SUM(amount) AS gmv FROM orders
                   WHERE {PAID} AND paid_day BETWEEN :lo AND :hi GROUP BY user_id),
             before AS (SELECT DISTINCT user_id FROM orders WHERE {PAID} AND paid_day < :lo)
        SELECT COUNT(*) AS buyers,
               SUM(CASE WHEN p.orders >= 2 THEN 1 ELSE 0 END) AS repeaters,
               COUNT(before.user_id) AS returning,
               SUM(p.gmv) AS gmv
        FROM p LEFT JOIN before ON before.user_id = p.user_id""",
                   {"lo": first_day, "hi": last_day}).iloc[0]
    buyers = int(row.buyers)
    gmv = 0.0 if pd.isna(row.gmv) else float(row.gmv)
    return {
        "buyers": buyers,
        "repurchase_rate": float(row.repeaters) / buyers if buyers else None,
        "returning_buyer_share": float(row.returning) / buyers if buyers else None,
        "gmv": gmv,
        "arpu": gmv / active_users if active_users else None,
        "arppu": gmv / buyers if buyers else None,
    }


def ltv_curves(wh: Warehouse, first_cohort_day: int, last_cohort_day: int, max_weeks: int = 12,
               by: str | None = "channel") -> pd.DataFrame:
    """Cumulative paid GMV per cohort user by age in weeks since first seen (weekly cohorts).

    Long format: [by], age_week, users (cohort users observable at that age), ltv (CNY per user).
    An age counts only for cohorts whose every user has reached its end inside the data.
    """
    key = f"u.{by}" if by else "'all'"
    sizes = wh.query(f"""
        SELECT {week_start('first_seen_day')} AS cohort, {key} AS grp, COUNT(*) AS size
        FROM users u WHERE first_seen_day BETWEEN :lo AND :hi
        GROUP BY {week_start('first_seen_day')}, {key}""",
                     {"lo": first_cohort_day, "hi": last_cohort_day})
    revenue = wh.query(f"""
        SELECT {week_start('u.first_seen_day')} AS cohort, {key} AS grp,
               CAST(FLOOR((o.paid_day - u.first_seen_day) / 7) AS INTEGER) AS age, SUM(o.amount) AS gmv
        FROM orders o JOIN users u ON u.user_id = o.user_id
        WHERE u.first_seen_day BETWEEN :lo AND :hi AND {paid('o')}
          AND o.paid_day >= u.first_seen_day AND o.paid_day < u.first_seen_day + :span
        GROUP BY {week_start('u.first_seen_day')}, {key},
                 CAST(FLOOR((o.paid_day - u.first_seen_day) / 7) AS INTEGER)""",
                       {"lo": first_cohort_day, "hi": last_cohort_day, "span": 7 * max_weeks})
    sizes["grp"] = sizes["grp"].fillna("unknown")
    revenue["grp"] = revenue["grp"].fillna("unknown")
    last = wh.meta["last_day"]
    rows = []
    for (cohort, grp), size in sizes.set_index(["cohort", "grp"])["size"].items():
        gmv = revenue[(revenue.cohort == cohort) & (revenue.grp == grp)].set_index("age")["gmv"]
        cumulative = gmv.reindex(range(max_weeks), fill_value=0.0).cumsum()
        for age in range(max_weeks):
            # the youngest user of the cohort (first seen on its Sunday) reached age+1 weeks
            if cohort + 6 + 7 * (age + 1) - 1 <= last:
                rows.append({"grp": grp, "age_week": age + 1, "users": size,
                             "revenue": cumulative.iloc[age]})
    frame = pd.DataFrame(rows, columns=["grp", "age_week", "users", "revenue"])
    out = frame.groupby(["grp", "age_week"], as_index=False)[["users", "revenue"]].sum()
    out["ltv"] = out["revenue"] / out["users"]
    out = out.drop(columns="revenue").rename(columns={"grp": by or "group"})
    return out


# ---------------------------------------------------------------------------------------------
# RFM
# ---------------------------------------------------------------------------------------------

def rfm_frame(wh: Warehouse, as_of_day: int, window_days: int) -> pd.DataFrame:
    """Per consenting buyer in the window: recency_days, frequency (paid orders), monetary (CNY)."""
    return wh.query(f"""
        SELECT o.user_id, :asof - MAX(o.paid_day) AS recency_days, COUNT(*) AS frequency,
               SUM(o.amount) AS monetary
        FROM orders o JOIN users u ON u.user_id = o.user_id
        WHERE {paid('o')} AND o.paid_day BETWEEN :asof - :window + 1 AND :asof AND {CONSENTED}
        GROUP BY o.user_id""", {"asof": as_of_day, "window": window_days})


def quantile_scores(values: pd.Series, bins: int = 5, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..bins from percentile ranks. Ties share a score (average rank), so heavily tied
    values (most buyers order once) never break the scoring the way quantile edges do."""
    ranks = values.rank(method="average", ascending=higher_is_better)
    pct = (ranks - 0.5) / len(values)
    return (np.floor(pct * bins) + 1).clip(1, bins).astype(int)


# Segments from R and F scores on 1-5 (the usual RFM grid); first match wins.
RFM_SEGMENTS: list[tuple[str, str, str, tuple[int, int], tuple[int, int]]] = [
    # key, zh, en, R range, F range
    ("champions", "重要价值客户", "Champions", (5, 5), (4, 5)),
    ("loyal", "忠诚客户", "Loyal", (3, 5), (4, 5)),
    ("cannot_lose", "不能流失客户", "Cannot lose them", (1, 2), (5, 5)),
    ("at_risk", "流失风险客户", "At risk", (1, 2), (3, 4)),
    ("potential_loyalists", "潜力客户", "Potential loyalists", (4, 5), (2, 3)),
    ("need_attention", "需要关注", "Need attention", (3, 3), (3, 3)),
    ("new_customers", "新客户", "New customers", (5, 5), (1, 1)),
    ("promising", "有希望客户", "Promising", (4, 4), (1, 1)),
    ("about_to_sleep", "即将沉睡", "About to sleep", (3, 3), (1, 2)),
    ("hibernating", "沉睡客户", "Hibernating", (1, 2), (1, 2)),
]


def rfm_segment(r: pd.Series, f: pd.Series) -> pd.Series:
    """Segment key per customer from R and F scores (1-5)."""
    out = pd.Series("hibernating", index=r.index, dtype=object)
    assigned = pd.Series(False, index=r.index)
    for key, _, _, (r_lo, r_hi), (f_lo, f_hi) in RFM_SEGMENTS:
        hit = ~assigned & r.between(r_lo, r_hi) & f.between(f_lo, f_hi)
        out[hit] = key
        assigned |= hit
    return out


def rfm_scores(frame: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """Adds r, f, m scores (1..bins) and the segment; R and F are rescaled to 1-5 for the grid."""
    out = frame.copy()
    out["r"] = quantile_scores(out["recency_days"], bins, higher_is_better=False)
    out["f"] = quantile_scores(out["frequency"], bins)
    out["m"] = quantile_scores(out["monetary"], bins)
    to5 = (lambda s: np.ceil(s * 5 / bins).astype(int)) if bins != 5 else (lambda s: s)
    out["segment"] = rfm_segment(to5(out["r"]), to5(out["f"]))
    return out


def segment_label(key: str, language: str) -> str:
    """A segment's name in the report language ('none' = not a buyer in the window)."""
    labels = {k: (zh if language == "zh" else en) for k, zh, en, _, _ in RFM_SEGMENTS}
    labels["none"] = "非客户" if language == "zh" else "not a buyer"
    return labels[key]


def segment_sizes(scored: pd.DataFrame, language: str) -> pd.DataFrame:
    """Customers, share, mean recency/frequency/spend per segment, in the grid's order."""
    table = scored.groupby("segment").agg(customers=("user_id", "count"),
                                          recency_days=("recency_days", "mean"),
                                          frequency=("frequency", "mean"),
                                          monetary=("monetary", "mean"))
    table = table.reindex([k for k, *_ in RFM_SEGMENTS]).dropna(how="all")
    table["share"] = table["customers"] / table["customers"].sum()
    table.insert(0, "segment_label", [segment_label(k, language) for k in table.index])
    return table.reset_index()


def segment_migration(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Customers moving from each segment (rows, previous period) to each segment (columns, this
    period); 'none' = not a buyer in that window."""
    joined = previous[["user_id", "segment"]].merge(current[["user_id", "segment"]], on="user_id",
                                                    how="outer", suffixes=("_before", "_now"))
    joined = joined.fillna({"segment_before": "none", "segment_now": "none"})
    order = [k for k, *_ in RFM_SEGMENTS] + ["none"]
    matrix = pd.crosstab(joined["segment_before"], joined["segment_now"])
    used = [k for k in order if k in matrix.index or k in matrix.columns]
    return matrix.reindex(index=used, columns=used, fill_value=0)


# ---------------------------------------------------------------------------------------------
# Forward-looking CLV (BG/NBD + Gamma-Gamma)
# ---------------------------------------------------------------------------------------------

def purchase_history(wh: Warehouse, end_day: int) -> pd.DataFrame:
    """Per consenting customer up to `end_day`, in lifetimes' conventions with days as purchase
    occasions: frequency (repeat purchase days), recency (first to last purchase) and t (first
    purchase to `end_day`) in weeks, monetary (mean paid amount per repeat day), channel."""
    frame = wh.query(f"""
        WITH d AS (SELECT user_id, paid_day, SUM(amount) AS amount FROM orders
                   WHERE {PAID} AND paid_day <= :end GROUP BY user_id, paid_day),
             f AS (SELECT user_id, MIN(paid_day) AS first_day FROM d GROUP BY user_id)
        SELECT d.user_id, u.channel, COUNT(*) - 1 AS frequency,
               (MAX(d.paid_day) - f.first_day) / 7.0 AS recency,
               (:end - f.first_day) / 7.0 AS t,
               SUM(CASE WHEN d.paid_day > f.first_day THEN d.amount ELSE 0 END) AS repeat_total
        FROM d JOIN f ON f.user_id = d.user_id JOIN users u ON u.user_id = d.user_id
        WHERE {CONSENTED}
        GROUP BY d.user_id, u.channel, f.first_day""", {"end": end_day})
    repeat = frame["frequency"] > 0
    frame["monetary"] = (frame.pop("repeat_total") / frame["frequency"].where(repeat)).fillna(0.0)
    frame["channel"] = frame["channel"].fillna("unknown")
    return frame


@dataclass(frozen=True)
class ClvResult:
    bg_nbd: clv.BgNbd
    gamma_gamma: clv.GammaGamma
    customers: pd.DataFrame  # per customer: channel, expected purchases, spend, clv, p_alive
    holdout: pd.DataFrame  # calibration check: by calibration frequency, predicted vs actual
    holdout_total: tuple[float, float]  # predicted and actual repeat purchases in the holdout
    horizon_days: int


MIN_CLV_CUSTOMERS = 200  # fewer calibration customers (or no repeat buyers) give no stable fit


def clv_estimate(wh: Warehouse, as_of_day: int, horizon_days: int = 90, holdout_weeks: int = 8
                 ) -> ClvResult | None:
    """Fit BG/NBD + Gamma-Gamma on purchases up to `as_of_day` and predict the next
    `horizon_days`; first, check the method by fitting on data up to `holdout_weeks` earlier and
    comparing its predictions with the repeat purchases that then happened. None when the data
    before the holdout has too few customers or repeat buyers to fit."""
    cutoff = as_of_day - 7 * holdout_weeks
    calibration = purchase_history(wh, cutoff)
    if len(calibration) < MIN_CLV_CUSTOMERS or not (calibration["frequency"] > 0).sum():
        return None
    model = clv.fit_bg_nbd(calibration["frequency"], calibration["recency"], calibration["t"])
    calibration["predicted"] = clv.bg_nbd_expected_purchases(
        model, holdout_weeks, calibration["frequency"], calibration["recency"], calibration["t"])
    actual = wh.query(f"""
        SELECT user_id, COUNT(DISTINCT paid_day) AS actual FROM orders
        WHERE {PAID} AND paid_day > :cut AND paid_day <= :asof GROUP BY user_id""",
                      {"cut": cutoff, "asof": as_of_day})
    check = calibration.merge(actual, on="user_id", how="left").fillna({"actual": 0})
    check["bucket"] = check["frequency"].clip(upper=6)
    holdout = check.groupby("bucket", as_index=False).agg(
        customers=("user_id", "count"), predicted=("predicted", "mean"), actual=("actual", "mean"))

    history = purchase_history(wh, as_of_day)
    bg = clv.fit_bg_nbd(history["frequency"], history["recency"], history["t"])
    gg = clv.fit_gamma_gamma(history["frequency"], history["monetary"])
    weeks = horizon_days / 7
    history["expected_purchases"] = clv.bg_nbd_expected_purchases(
        bg, weeks, history["frequency"], history["recency"], history["t"])
    history["expected_spend"] = clv.gamma_gamma_expected_spend(gg, history["frequency"],
                                                               history["monetary"])
    history["clv"] = history["expected_purchases"] * history["expected_spend"]
    history["p_alive"] = clv.bg_nbd_p_alive(bg, history["frequency"], history["recency"], history["t"])
    return ClvResult(bg, gg, history, holdout,
                     (float(check["predicted"].sum()), float(check["actual"].sum())), horizon_days)
