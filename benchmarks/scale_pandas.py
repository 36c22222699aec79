"""The week's headline metrics the way an analyst computes them by hand: pandas reads the Parquet
files whole and groups. The scale benchmark's baseline (`bench_scale`), and its check that the
suite's JSON says the same.

    python -m benchmarks.scale_pandas <data folder> <Monday of the week, YYYY-MM-DD>

prints one JSON line: dau_mean, wau, mau, retention_d1, retention_d7 (the week's new users: day 7
of the last week of the data is not observed, so that is null), retention_d1_latest and
retention_d7_latest (the week before's new users), funnel_conversion (the default funnel, 24
hours), orders and gmv, each as the suite defines it (users/metrics.yaml,
weekly/metrics.yaml): days are local calendar days of the naive timestamps; retention day k counts
only the new users whose day k lies inside the days the events cover; a funnel starter counts only
when their 24-hour window ends by the end of the data's last day. A straightforward script, not
tuned: every table is read in full (the columns it needs), then filtered.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

FUNNEL = ("launch", "page_view", "add_to_cart", "checkout", "pay")
WINDOW = pd.Timedelta(hours=24)
DAY = pd.Timedelta(days=1)


def read(folder: Path, table: str, columns: list[str]) -> pd.DataFrame:
    """A table given as `<table>.parquet` or as a folder of part files."""
    path = folder / f"{table}.parquet"
    return pd.read_parquet(path if path.exists() else folder / table, columns=columns)


def activity(events: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, float | None]:
    """Mean DAU over the week's 7 days, WAU, and MAU of the 30 days ending on the week's Sunday
    (None when the data starts later)."""
    week = events[(events["day"] >= start) & (events["day"] <= end)]
    days = pd.date_range(start, end, freq="D")
    dau = week.groupby("day")["user_id"].nunique().reindex(days, fill_value=0)
    month_start = end - 29 * DAY
    month = events[(events["day"] >= month_start) & (events["day"] <= end)]
    return {"dau_mean": float(dau.mean()), "wau": int(week["user_id"].nunique()),
            "mau": int(month["user_id"].nunique()) if month_start >= events["day"].min() else None}


def retention(events: pd.DataFrame, users: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
              ) -> dict[str, float | None]:
    """Day-1 and day-7 retention of the week's new users: active on exactly day k after the day
    they were first seen, among those whose day k lies inside the events' days."""
    first, last = events["day"].min(), events["day"].max()
    cohort = users[(users["first_day"] >= start) & (users["first_day"] <= end)]
    active = events[["user_id", "day"]].drop_duplicates().merge(cohort, on="user_id")
    active["k"] = (active["day"] - active["first_day"]).dt.days
    out: dict[str, float | None] = {}
    for k in (1, 7):
        day_k = cohort["first_day"] + k * DAY
        observable = cohort[(day_k >= first) & (day_k <= last)]
        returned = active.loc[active["k"] == k, "user_id"].unique()
        n = len(observable)
        out[f"retention_d{k}"] = float(observable["user_id"].isin(returned).sum() / n) if n else None
    return out


def funnel(events: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float | None:
    """Share of the week's launchers (from their first launch of the week) who then view a page,
    add to cart, check out and pay, each step at or after the previous one and within 24 hours of
    the launch; launchers whose window the data cuts off are left out."""
    in_week = (events["day"] >= start) & (events["day"] <= end)
    paths = (events[in_week & (events["event"] == FUNNEL[0])].groupby("user_id")["event_time"].min()
             .rename("t1").reset_index())
    paths["previous"] = paths["t1"]
    for step in FUNNEL[1:]:
        hits = events.loc[events["event"] == step, ["user_id", "event_time"]].merge(
            paths[["user_id", "t1", "previous"]].dropna(), on="user_id")
        hits = hits[(hits["event_time"] >= hits["previous"]) & (hits["event_time"] <= hits["t1"] + WINDOW)]
        reached = hits.groupby("user_id")["event_time"].min().rename("reached")
        paths = paths.drop(columns="previous").merge(reached, on="user_id", how="left")
        paths = paths.rename(columns={"reached": "previous"})
    data_end = events["day"].max() + DAY - pd.Timedelta(seconds=1)
    observed = paths[paths["t1"] + WINDOW <= data_end]
    return float(observed["previous"].notna().mean()) if len(observed) else None


def orders(folder: Path, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, float]:
    """Paid orders (status paid or empty) and their amount, by the day they were paid."""
    table = read(folder, "orders", ["paid_at", "amount", "status"])
    day = table["paid_at"].dt.normalize()
    paid = table["status"].str.lower().fillna("paid") == "paid"
    week = table[paid & (day >= start) & (day <= end)]
    return {"orders": len(week), "gmv": float(week["amount"].sum())}


def headline(folder: Path, monday: str) -> dict[str, float | None]:
    start = pd.Timestamp(monday)
    end = start + 6 * DAY
    events = read(folder, "events", ["user_id", "event_time", "event"])
    events["day"] = events["event_time"].dt.normalize()
    users = read(folder, "users", ["user_id", "first_seen_at"])
    users["first_day"] = users.pop("first_seen_at").dt.normalize()
    # The week before is the newest cohort week whose day 1 and day 7 both fall inside the report
    # week at the latest (retention_d<k>_latest, for a week ending on a Sunday).
    before = {f"{k}_latest": v for k, v in retention(events, users, start - 7 * DAY, end - 7 * DAY).items()}
    return {**activity(events, start, end), **retention(events, users, start, end), **before,
            "funnel_conversion": funnel(events, start, end), **orders(folder, start, end)}


def compare(pandas_values: dict[str, float | None], suite_values: dict[str, float | None],
            rel: float = 1e-9) -> list[tuple[str, float | None, float | None, bool]]:
    """(metric, pandas, suite, equal within `rel`) for each metric of the baseline."""
    rows = []
    for key, mine in pandas_values.items():
        theirs = suite_values.get(key)
        same = (mine is None and theirs is None) or (
            mine is not None and theirs is not None and bool(np.isclose(mine, theirs, rtol=rel, atol=0)))
        rows.append((key, mine, theirs, same))
    return rows


if __name__ == "__main__":
    print(json.dumps(headline(Path(sys.argv[1]), sys.argv[2])))
