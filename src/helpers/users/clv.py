"""Forward-looking customer value: BG/NBD repeat purchases x Gamma-Gamma spend per consenting
customer, checked first on held-out weeks (the models themselves are in `helpers.stats.clv`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.core.sql import PAID
from helpers.core.warehouse import Warehouse
from helpers.render import privacy
from helpers.stats import clv as stats_clv
from helpers.users.value import CONSENTED


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
    """The fitted models, each customer's prediction and the holdout check the report shows."""

    bg_nbd: stats_clv.BgNbd
    gamma_gamma: stats_clv.GammaGamma
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
    before the holdout has too few customers or repeat buyers (with a positive spend) to fit, or
    the models do not converge to finite predictions."""
    cutoff = as_of_day - 7 * holdout_weeks
    calibration = purchase_history(wh, cutoff)
    repeaters = (calibration["frequency"] > 0) & (calibration["monetary"] > 0)
    if len(calibration) < MIN_CLV_CUSTOMERS or not repeaters.any():
        return None
    try:
        result = _fit(wh, calibration, as_of_day, horizon_days, holdout_weeks)
    except ValueError:  # the likelihood has no finite optimum on these purchases
        return None
    finite = np.isfinite(result.customers[["clv", "p_alive"]].to_numpy()).all()
    return result if finite and all(np.isfinite(result.holdout_total)) else None


def _fit(wh: Warehouse, calibration: pd.DataFrame, as_of_day: int, horizon_days: int, holdout_weeks: int
         ) -> ClvResult:
    """The holdout check on `calibration` (purchases up to the cutoff), then the fit on all data."""
    cutoff = as_of_day - 7 * holdout_weeks
    model = _fit_bg_nbd(calibration)
    calibration["predicted"] = stats_clv.bg_nbd_expected_purchases(
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
    bg = _fit_bg_nbd(history)
    gg = stats_clv.fit_gamma_gamma(history["frequency"], history["monetary"])
    weeks = horizon_days / 7
    history["expected_purchases"] = stats_clv.bg_nbd_expected_purchases(
        bg, weeks, history["frequency"], history["recency"], history["t"])
    history["expected_spend"] = stats_clv.gamma_gamma_expected_spend(gg, history["frequency"],
                                                               history["monetary"])
    history["clv"] = history["expected_purchases"] * history["expected_spend"]
    history["p_alive"] = stats_clv.bg_nbd_p_alive(bg, history["frequency"], history["recency"], history["t"])
    return ClvResult(bg, gg, history, holdout,
                     (float(check["predicted"].sum()), float(check["actual"].sum())), horizon_days)


def _fit_bg_nbd(customers: pd.DataFrame) -> stats_clv.BgNbd:
    """BG/NBD fitted on the distinct (frequency, recency, t) with their number of customers: the
    same likelihood, a fraction of the work (many customers share their purchase history)."""
    distinct = customers.groupby(["frequency", "recency", "t"], as_index=False).size()
    return stats_clv.fit_bg_nbd(distinct["frequency"], distinct["recency"], distinct["t"],
                                weights=distinct["size"])


def holdout_shown(holdout: pd.DataFrame, k: int) -> pd.DataFrame:
    """The holdout check (`ClvResult.holdout`) as the chart may show it (privacy): the buckets of
    the highest calibration frequencies folded into the one before until it holds k customers
    (the chart reads the last bucket as "n+"), with customer-weighted means; buckets still under k
    left out."""
    coded, folded = privacy.top_code(holdout.reset_index(drop=True), "customers", k)
    if folded:
        tail = holdout.iloc[len(coded) - 1:]
        for column in ("predicted", "actual"):
            coded.loc[coded.index[-1], column] = float(np.average(tail[column], weights=tail["customers"]))
    return privacy.large_only(coded, "customers", k)[0]
