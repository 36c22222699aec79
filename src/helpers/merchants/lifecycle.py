"""The merchants' lifecycle, judged at the end of each ISO week (Sunday, day E; the week is E-6..E)
from their paid orders up to E:

- new: first paid order ever in the week;
- active: a paid order in the week (new and reactivated merchants are active too);
- reactivated: active, not new, and dormant or churned at the end of the week before;
- quiet: no paid order in the week, the last fewer than `dormant_days` days before E;
- dormant: the last paid order `dormant_days` to `churn_days - 1` days before E;
- churned: no paid order for `churn_days` days or more;
- turned dormant / turned churned: dormant (churned) at E, not at the end of the week before.

Pure functions of the frames `queries.merchant_history` and `queries.weekly_sales` return.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

STATUSES = ("new", "reactivated", "active", "quiet", "dormant", "churned")
ACTIVE = ("new", "reactivated", "active")
COUNT_COLUMNS = ["active", "new", "reactivated", "dormant", "turned_dormant", "churned", "turned_churned"]


@dataclass(frozen=True)
class Rules:
    dormant_days: int = 14
    churn_days: int = 30


def last_paid(history: pd.DataFrame, weekly: pd.DataFrame, end: int) -> pd.Series:
    """Each merchant's last paid day up to day `end` (NaN when none), from the last day before the
    weekly window (`history.last_before`) and the weekly rows (`weekly.last_day`)."""
    inside = weekly[weekly["last_day"] <= end].groupby("merchant_id")["last_day"].max()
    before = history.set_index("merchant_id")["last_before"]
    return pd.concat([before, inside.astype("float64")], axis=1).max(axis=1).reindex(before.index)


def _gap_status(days: pd.Series, rules: Rules) -> pd.Series:
    """Status of merchants without a paid order in the week, by days since their last one."""
    return pd.Series(np.where(days >= rules.churn_days, "churned",
                              np.where(days >= rules.dormant_days, "dormant", "quiet")), index=days.index)


def statuses(history: pd.DataFrame, weekly: pd.DataFrame, end: int, rules: Rules) -> pd.DataFrame:
    """One row per merchant whose first paid order is on or before day `end`: merchant_id,
    first_day, last_day (last paid day up to `end`), status (STATUSES), turned (dormant / churned
    when it turned so this week, else None). `weekly` must cover days end - 13 .. end at least."""
    known = history[history["first_day"] <= end]
    last = last_paid(known, weekly, end)
    before = last_paid(known, weekly, end - 7)
    out = pd.DataFrame({"merchant_id": known["merchant_id"].to_numpy(), "first_day": known["first_day"].to_numpy(),
                        "last_day": last.to_numpy()})
    days, days_before = end - out["last_day"], (end - 7) - pd.Series(before.to_numpy())
    was = _gap_status(days_before.fillna(-1), rules).where(days_before.notna(), "none")
    active = days <= 6
    new = active & (out["first_day"] >= end - 6)
    back = active & ~new & was.isin(["dormant", "churned"])
    status = _gap_status(days, rules)
    status = status.where(~active, "active").where(~back, "reactivated").where(~new, "new")
    out["status"] = status
    turned = (status.isin(["dormant", "churned"]) & (status != was))
    out["turned"] = pd.Series([s if t else None for s, t in zip(status, turned, strict=True)], dtype=object)
    return out


def weekly_counts(history: pd.DataFrame, weekly: pd.DataFrame, week_starts: list[int], rules: Rules
                  ) -> pd.DataFrame:
    """Per week (Monday day numbers): merchants active, new, reactivated, dormant (at the week's
    end), turned dormant in the week, churned (at the week's end) and turned churned in it."""
    rows = []
    for wk in week_starts:
        s = statuses(history, weekly, wk + 6, rules)
        counts = s["status"].value_counts()
        rows.append({"wk": wk,
                     "active": int(s["status"].isin(ACTIVE).sum()),
                     "new": int(counts.get("new", 0)),
                     "reactivated": int(counts.get("reactivated", 0)),
                     "dormant": int(counts.get("dormant", 0)),
                     "turned_dormant": int((s["turned"] == "dormant").sum()),
                     "churned": int(counts.get("churned", 0)),
                     "turned_churned": int((s["turned"] == "churned").sum())})
    return pd.DataFrame(rows, columns=["wk", *COUNT_COLUMNS])
