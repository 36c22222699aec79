"""Ordered conversion funnels: each step must follow the previous one, all within a window that
starts at the user's first step-1 event in the period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core.warehouse import Warehouse

DEFAULT_STEPS = ("launch", "page_view", "add_to_cart", "checkout", "pay")


def funnel_paths(wh: Warehouse, first_day: int, last_day: int, steps: tuple[str, ...] | list[str],
                 window_seconds: int) -> pd.DataFrame:
    """One row per user who did step 1 in the period: channel, t1..tn (local seconds of the
    first matching event of each step, missing when not reached) and `observed`: the user's whole
    window [t1, t1 + window] lies inside the data (it ends by the last second of the data's last
    day). A window cut off by the end of the data is censored, not a failure: conversion is
    measured on observed windows only (`observed_paths`)."""
    ctes = ["""s1 AS (SELECT user_id, MIN(event_sec) AS t1, MIN(event_sec) AS tprev FROM events
                     WHERE event = :step1 AND event_day BETWEEN :lo AND :hi GROUP BY user_id)"""]
    for i in range(2, len(steps) + 1):
        ctes.append(f"""s{i} AS (
            SELECT s.user_id, s.t1, MIN(e.event_sec) AS tprev
            FROM s{i - 1} s JOIN events e ON e.user_id = s.user_id AND e.event = :step{i}
             AND e.event_sec >= s.tprev AND e.event_sec <= s.t1 + :window
             AND e.event_day BETWEEN :lo AND :hi + :window_days
            GROUP BY s.user_id, s.t1)""")
    times = ", ".join(f"s{i}.tprev AS t{i}" if i > 1 else "s1.t1 AS t1" for i in range(1, len(steps) + 1))
    joins = " ".join(f"LEFT JOIN s{i} ON s{i}.user_id = s1.user_id" for i in range(2, len(steps) + 1))
    params = {f"step{i}": step for i, step in enumerate(steps, start=1)}
    params.update({"lo": first_day, "hi": last_day, "window": window_seconds,
                   "window_days": window_seconds // 86_400 + 1})
    frame = wh.query(f"""
        WITH {", ".join(ctes)}
        SELECT s1.user_id, u.channel, {times}
        FROM s1 {joins} LEFT JOIN users u ON u.user_id = s1.user_id""", params)
    frame["channel"] = frame["channel"].fillna("unknown")
    # plain floats: a step nobody reached is NaN (never pd.NA, which no formatter or median takes)
    frame = frame.astype({f"t{i}": "float64" for i in range(1, len(steps) + 1)})
    frame["observed"] = frame["t1"] + window_seconds <= data_end_second(wh)
    return frame.drop(columns="user_id")


def data_end_second(wh: Warehouse) -> int:
    """The last second the data covers: the end of its last day (local seconds)."""
    return (wh.meta["last_day"] + 1) * 86_400 - 1


def observed_paths(paths: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The starters whose conversion window is fully observed, and how many were left out."""
    kept = paths[paths["observed"]]
    return kept, len(paths) - len(kept)


def missing_steps(wh: Warehouse, steps: tuple[str, ...] | list[str]) -> list[str]:
    """Funnel steps that no event of the data ever names: such a funnel cannot be measured."""
    seen = set(wh.query("SELECT DISTINCT event FROM events")["event"])
    return [s for s in steps if s not in seen]


def summarise(paths: pd.DataFrame, steps: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """Per step: users reaching it, step conversion (from the previous step), overall conversion."""
    reached = [int(paths[f"t{i}"].notna().sum()) for i in range(1, len(steps) + 1)]
    rows = []
    for i, (step, users) in enumerate(zip(steps, reached, strict=True)):
        previous = reached[i - 1] if i else users
        rows.append({"step": step, "users": users,
                     "step_conversion": users / previous if previous else np.nan,
                     "overall_conversion": users / reached[0] if reached[0] else np.nan})
    return pd.DataFrame(rows)


def by_channel(paths: pd.DataFrame, steps: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """Overall conversion, starters and the median minutes to convert per acquisition channel."""
    last = f"t{len(steps)}"
    grouped = paths.assign(converted=paths[last].notna(),
                           minutes=(paths[last] - paths["t1"]) / 60).groupby("channel")
    return grouped.agg(starters=("t1", "size"), converters=("converted", "sum"),
                       conversion=("converted", "mean"),
                       median_minutes=("minutes", "median")).reset_index()


def median_minutes_to_convert(paths: pd.DataFrame, steps: tuple[str, ...] | list[str]) -> float | None:
    """Median time from step 1 to the last step among converters, in minutes."""
    done = paths[f"t{len(steps)}"].notna()
    if not done.any():
        return None
    return float(((paths.loc[done, f"t{len(steps)}"] - paths.loc[done, "t1"]) / 60).median())


def biggest_drop(summary: pd.DataFrame) -> int | None:
    """Index of the step with the lowest step conversion (the largest relative loss)."""
    rates = summary["step_conversion"].iloc[1:]
    return None if rates.dropna().empty else int(rates.idxmin())
