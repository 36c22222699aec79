"""Follower flow: new followers, unfollows and net per day and per WeChat source, and the
unfollows after each push against the usual level for pushes of its size."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.content.history import divide, publish_times_known
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, day_number, day_to_date
from helpers.stats.counts import poisson_upper_tail
from helpers.stats.regression import ols

BASELINE_DAYS = 56  # usual unfollows are fitted on the 8 weeks before the pushes shown too
SPIKE_P_VALUE = 0.01  # an unusual day's excess must be unlikely as Poisson noise

def follower_daily(wh: Warehouse, first_day: int, last_day: int) -> pd.DataFrame:
    """New followers, unfollows, net and cumulative followers per day (all sources); cumulative
    is the source's `cumulative` (NaN when not provided)."""
    frame = wh.query("""
        SELECT "day", SUM(new_followers) AS new_followers, SUM(unfollows) AS unfollows,
               MAX(cumulative) AS cumulative
        FROM followers WHERE "day" BETWEEN :lo AND :hi GROUP BY "day" ORDER BY "day" """,
                     {"lo": first_day, "hi": last_day})
    days = pd.DataFrame({"day": range(first_day, last_day + 1)})
    frame = days.merge(frame, on="day", how="left")
    frame[["new_followers", "unfollows"]] = frame[["new_followers", "unfollows"]].astype("float64")
    frame["net_followers"] = frame["new_followers"] - frame["unfollows"]
    frame["cumulative"] = frame["cumulative"].astype("float64")
    frame["date"] = [day_to_date(d) for d in frame["day"]]
    return frame


def follower_sources(wh: Warehouse, period: Period) -> pd.DataFrame:
    """New followers and unfollows per WeChat user_source in the period, most new first."""
    frame = wh.query("""
        SELECT source, SUM(new_followers) AS new_followers, SUM(unfollows) AS unfollows
        FROM followers WHERE "day" BETWEEN :lo AND :hi GROUP BY source""",
                     {"lo": day_number(period.start), "hi": day_number(period.end)})
    frame["net_followers"] = frame["new_followers"] - frame["unfollows"]
    frame["new_share"] = divide(frame["new_followers"], frame["new_followers"].sum())
    return frame.sort_values(["new_followers", "source"], ascending=[False, True],
                             ignore_index=True)


def _usual_unfollows(daily: pd.DataFrame, spike_ratio: float) -> np.ndarray:
    """Expected unfollows per day given the articles pushed that day and the day before (pushes
    cost followers, bigger pushes more): least squares of unfollows on both counts, refitted
    twice without the days at `spike_ratio` times the fit or more, so that spikes do not raise
    their own baseline. With under two weeks of data, the median day."""
    y = daily["unfollows"].to_numpy(dtype=float)
    x = np.column_stack([np.ones(len(daily)), daily["articles_today"], daily["articles_before"]])
    keep = np.isfinite(y)
    if keep.sum() < 14:
        return np.full(len(y), np.nanmedian(y) if keep.any() else np.nan)
    for _ in range(3):
        expected = np.clip(ols(x[keep], y[keep]).predict(x), 0.5, None)
        keep = np.isfinite(y) & (y < spike_ratio * expected)
    return expected


def push_unfollows(wh: Warehouse, first_day: int, last_day: int, spike_ratio: float
                   ) -> pd.DataFrame:
    """Unfollows within 48 hours after each push from `first_day` to `last_day`: the followers
    table is daily, so the push day and the next day, against the usual unfollows of those days
    given the articles pushed (`_usual_unfollows`, fitted on the 8 weeks before and the range).
    A day is unusual at `spike_ratio` times usual or more when that many are unlikely as Poisson
    noise (p < 0.01); each run of unusual days is credited to the latest push on its first day or
    the day before, and that push is flagged (the pushes after it fall inside the run, the ones
    before it did not start it)."""
    lo = first_day - BASELINE_DAYS
    follower_last = wh.scalar('SELECT MAX("day") FROM followers')
    follower_last = lo - 1 if follower_last is None else int(follower_last)
    daily = follower_daily(wh, lo, min(last_day + 1, follower_last))
    articles = wh.query("""
        SELECT article_id, title, position, published_sec, published_day FROM articles
        WHERE published_day BETWEEN :lo AND :hi""", {"lo": lo - 1, "hi": last_day})
    per_day = articles.groupby("published_day").size()
    daily["articles_today"] = daily["day"].map(per_day).fillna(0)
    daily["articles_before"] = (daily["day"] - 1).map(per_day).fillna(0)
    daily["usual"] = _usual_unfollows(daily, spike_ratio)
    unusual = (daily["unfollows"] >= spike_ratio * daily["usual"]) & (
        poisson_upper_tail(daily["unfollows"], daily["usual"]) < SPIKE_P_VALUE)
    runs = daily["day"][unusual & ~unusual.shift(fill_value=False)]

    articles["articles"] = articles.groupby("published_sec")["article_id"].transform("size")
    pushes = (articles[articles["published_day"] >= first_day]
              .sort_values(["published_sec", "position", "article_id"], na_position="last")
              .drop_duplicates("published_sec", ignore_index=True))
    credited = {pushes.loc[pushes["published_day"].between(d - 1, d), "published_sec"].max()
                for d in runs}
    by_day = daily.set_index("day")
    rows = []
    for d in pushes["published_day"]:
        window = by_day.reindex([d, d + 1]).dropna(subset=["unfollows"])
        actual, usual = window["unfollows"].sum(), window["usual"].sum()
        rows.append((len(window), actual if len(window) else np.nan,
                     usual if len(window) else np.nan, divide(actual, usual)))
    out = pd.concat([pushes, pd.DataFrame(rows, columns=["days_counted", "unfollows_48h", "usual",
                                                         "ratio"])], axis=1)
    out["flagged"] = out["published_sec"].isin(credited)
    out["published"] = pd.to_datetime(out["published_sec"], unit="s")
    out["time_known"] = publish_times_known(wh)
    return out
