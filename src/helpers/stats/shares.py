"""How a group's share of a total moves when the same items are credited by another rule.

Why: first-touch and last-touch attribution split the same orders' revenue between channels; a
channel "gaining" 12 points of share under last touch may rest on two big orders. Treating buyers
as the units (their orders are credited together and are not independent), the shift of each
group is a ratio of sums over buyers, D / A, with D a buyer's amount credited to the group by the
second rule less that by the first, and A the buyer's total; its standard error is the delta
method's for a ratio estimator (the same as a weighted regression of D on A with cluster-robust
HC1 errors), and the interval and p-value use Student's t with buyers - 1 degrees of freedom.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

SHIFT_COLUMNS = ["group", "shift", "low", "high", "p_value", "units"]


def share_shift(amount: ArrayLike, first: ArrayLike, second: ArrayLike, unit: ArrayLike,
                level: float = 0.95) -> pd.DataFrame:
    """Per group named by `first` or `second` (one value per item: the group each rule credits
    the item's `amount` to): shift = share under `second` - share under `first`, its interval at
    `level`, the two-sided p-value of "no shift", and `units`, the number of units (buyers) with
    an item credited to the group by either rule. Items are grouped into `unit`s (buyers) for the
    standard error. NaN bounds and p with fewer than two units; an empty frame without amount."""
    items = pd.DataFrame({"amount": np.asarray(amount, dtype="float64"), "first": np.asarray(first, dtype=object),
                          "second": np.asarray(second, dtype=object), "unit": np.asarray(unit, dtype=object)})
    items = items[np.isfinite(items["amount"])]
    total = float(items["amount"].sum())
    if items.empty or total <= 0:
        return pd.DataFrame(columns=SHIFT_COLUMNS)
    totals = items.groupby("unit")["amount"].sum()
    k = len(totals)
    groups = sorted(set(items["first"]) | set(items["second"]), key=str)
    t = stats.t.ppf(1 - (1 - level) / 2, k - 1) if k > 1 else np.nan
    rows = []
    for g in groups:
        moved = items["amount"] * ((items["second"] == g).astype(float) - (items["first"] == g).astype(float))
        per_unit = moved.groupby(items["unit"]).sum().reindex(totals.index)
        shift = float(per_unit.sum() / total)
        residual = per_unit - shift * totals
        se = float(np.sqrt(k / (k - 1) * np.sum(residual**2)) / total) if k > 1 else np.nan
        if k < 2:
            p = np.nan
        elif se > 0:
            p = float(2 * stats.t.sf(abs(shift) / se, k - 1))
        else:  # every buyer moves the same share of their amount: no doubt about the shift
            p = 0.0 if shift else 1.0
        credited = items.loc[(items["first"] == g) | (items["second"] == g), "unit"].nunique()
        rows.append({"group": g, "shift": shift, "low": shift - t * se, "high": shift + t * se,
                     "p_value": p, "units": int(credited)})
    return pd.DataFrame(rows, columns=SHIFT_COLUMNS)
