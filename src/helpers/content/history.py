"""Official-account articles compared at the same age: the article table, the history behind
the column priors, shrunk read and share rates, and the ranking of the period's articles.

Event-level work (article_stats rows, events, orders) is portable SQL through `wh.query`; what
comes back is per article, per push, per page or per day. Days are the warehouse's integer day
numbers: a stats row's age is `day - published_day` (0 = the publish day), so "the first k days"
after publishing are ages 0..k-1, and k days are observable once `published_day + k - 1` is on or
before the last stats day used by the report (`as_of`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, day_number
from helpers.stats.shrinkage import priors_by_group

COUNTS = ("readers", "reads", "sharers", "shares", "favorites", "likes", "zaikan", "comments",
          "original_page_readers")
INTERACTIONS = ("favorites", "likes", "zaikan", "comments")
NONE = "—"  # a missing column / format / position, shown as is in every language
MIN_PRIOR_ARTICLES = 5  # columns with fewer comparable articles shrink toward the account average


def divide(numerator: Any, denominator: Any) -> Any:
    """numerator / denominator, NaN where the denominator is 0 or missing (Series or scalars)."""
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    ok = den > 0
    out = np.where(ok, num / np.where(ok, den, 1.0), np.nan)
    for arg in (numerator, denominator):
        if isinstance(arg, pd.Series):
            return pd.Series(out, index=arg.index)
    return float(out)


def stats_last_day(wh: Warehouse) -> int | None:
    """The last day article_stats covers (stats often lag the events by a day)."""
    value = wh.scalar('SELECT MAX("day") FROM article_stats')
    return None if value is None else int(value)


def publish_times_known(wh: Warehouse) -> bool:
    """Whether articles.published_at carries a time of day. WeChat's article statistics give the
    publish date only, which the conversion writes as 00:00: a source whose every published_at is
    exactly at 00:00:00 has dates only (an account that truly pushes at midnight every time loses
    only the publish-hour comparisons, which one hour could not make anyway)."""
    if not wh.has("articles"):
        return True
    row = wh.query("""SELECT COUNT(*) AS n,
                             SUM(CASE WHEN published_sec % 86400 <> 0 THEN 1 ELSE 0 END) AS timed
                      FROM articles""").iloc[0]
    return int(row["n"]) == 0 or int(row["timed"]) > 0


def as_of(wh: Warehouse, period: Period) -> int:
    """Article totals and ages are counted up to the period's last day, or the last stats day
    when the stats end earlier: a report for a past week does not change with later data."""
    end = day_number(period.end)
    last = stats_last_day(wh)
    return end if last is None else min(end, last)


def article_table(wh: Warehouse, first_day: int, as_of_day: int, ages: Iterable[int]) -> pd.DataFrame:
    """One row per article published from `first_day` to `as_of_day`: attributes, recipients,
    totals up to `as_of_day`, and readers / sharers in the first k days for each age k (NaN until
    k days are observable, or when the article has no stats rows)."""
    ages = sorted(set(ages))
    same_age = ",\n".join(
        f'SUM(CASE WHEN s."day" - a.published_day < :age{k} THEN s.{c} ELSE 0 END) AS {c}_d{k}'
        for k in ages for c in ("readers", "sharers"))
    totals = ",\n".join(f"SUM(s.{c}) AS {c}" for c in COUNTS)
    frame = wh.query(f"""
        SELECT a.article_id, a.title, a."column" AS column_name, a.format, a.position,
               a.published_day, a.published_sec,
               COUNT(s.article_id) AS stats_rows,
               MAX(s.recipients) AS recipients,
               {totals},
               SUM(s.finish_rate * s.readers)
                 / NULLIF(SUM(CASE WHEN s.finish_rate IS NOT NULL THEN s.readers END), 0) AS finish_rate,
               {same_age}
        FROM articles a
        LEFT JOIN article_stats s
          ON s.article_id = a.article_id AND s."day" >= a.published_day AND s."day" <= :as_of
        WHERE a.published_day BETWEEN :first AND :as_of
        GROUP BY a.article_id, a.title, a."column", a.format, a.position, a.published_day,
                 a.published_sec
        ORDER BY a.published_sec, a.position, a.article_id""",
                     {"first": first_day, "as_of": as_of_day, **{f"age{k}": k for k in ages}})
    numeric = ["recipients", *COUNTS, "finish_rate",
               *[f"{c}_d{k}" for k in ages for c in ("readers", "sharers")]]
    frame[numeric] = frame[numeric].astype("float64")
    no_stats = frame["stats_rows"] == 0
    frame.loc[no_stats, numeric] = np.nan
    for k in ages:
        unseen = frame["published_day"] + k - 1 > as_of_day
        frame.loc[unseen, [f"readers_d{k}", f"sharers_d{k}"]] = np.nan
        frame[f"read_rate_d{k}"] = divide(frame[f"readers_d{k}"], frame["recipients"])
        frame[f"share_rate_d{k}"] = divide(frame[f"sharers_d{k}"], frame[f"readers_d{k}"])
    frame["read_rate"] = divide(frame["readers"], frame["recipients"])
    frame["share_rate"] = divide(frame["sharers"], frame["readers"])
    frame["interaction_rate"] = divide(frame[list(INTERACTIONS)].sum(axis=1, min_count=1),
                                       frame["readers"])
    frame["original_rate"] = divide(frame["original_page_readers"], frame["readers"])
    frame["published"] = pd.to_datetime(frame["published_sec"], unit="s")
    frame["hour"] = (frame["published_sec"] % 86_400) // 3_600
    frame["weekday"] = (frame["published_day"] + 3) % 7  # day 0 was a Thursday; 0 = Monday
    for c in ("column_name", "format"):
        frame[c] = frame[c].astype("object").where(frame[c].notna(), NONE)
    return frame


@dataclass(frozen=True)
class History:
    """The articles of the last `weeks` weeks up to `as_of`, with same-age rates (first
    `compare_days` days), shrinkage toward each column's prior, and position norms."""

    frame: pd.DataFrame
    period: Period
    as_of: int
    compare_days: int
    first_day: int
    times_known: bool = True  # published_at has times of day (`publish_times_known`)

    @property
    def observed(self) -> pd.DataFrame:
        """Articles with recipients whose first `compare_days` days are observable."""
        return self.frame[self.frame["observed"]]

    @property
    def current(self) -> pd.DataFrame:
        """The period's articles, best shrunk read rate first, with their rank."""
        cur = self.frame[self.frame["in_period"]]
        cur = cur.sort_values(["read_shrunk", "published_sec", "article_id"],
                              ascending=[False, True, True], na_position="last")
        return cur.assign(rank=np.arange(1, len(cur) + 1))


def push_table(wh: Warehouse, as_of_day: int) -> pd.DataFrame:
    """One row per push (articles sent together share published_at), with days since the
    previous push."""
    pushes = wh.query("""
        SELECT published_sec, MIN(published_day) AS published_day, COUNT(*) AS articles
        FROM articles WHERE published_day <= :as_of
        GROUP BY published_sec ORDER BY published_sec""", {"as_of": as_of_day})
    pushes["gap_days"] = pushes["published_day"].diff()
    return pushes


def _shrink(frame: pd.DataFrame, successes: str, trials: str, prefix: str) -> None:
    """Posterior means, weights and 95% intervals, each article toward its column's prior
    (fitted on the observed articles; small columns use the account-wide prior). Counts above
    their trials (readers beyond recipients: reads from shares) are capped at the trials."""
    observed = frame["observed"].to_numpy()
    n = frame[trials].fillna(0).clip(lower=0).to_numpy(dtype="float64")
    x = np.minimum(frame[successes].fillna(0).clip(lower=0).to_numpy(dtype="float64"), n)
    fit = observed & (n > 0)
    priors, pooled = priors_by_group(x[fit], n[fit], frame["column_name"][fit], MIN_PRIOR_ARTICLES)
    out = {k: np.full(len(frame), np.nan) for k in ("prior", "shrunk", "weight", "lo", "hi")}
    for column, index in frame.groupby("column_name").indices.items():
        index = index[observed[index]]
        prior = priors.get(column, pooled)
        out["prior"][index] = prior.mean
        out["shrunk"][index] = prior.shrink(x[index], n[index])
        out["weight"][index] = prior.weight(n[index])
        out["lo"][index], out["hi"][index] = prior.interval(x[index], n[index])
    for k, values in out.items():
        frame[f"{prefix}_{k}"] = values


def history(wh: Warehouse, period: Period, weeks: int, compare_days: int,
            ages: Iterable[int] = ()) -> History:
    """Articles published in the `weeks` ISO weeks ending with `period` (up to `as_of`)."""
    end = as_of(wh, period)
    first = day_number(period.start) - 7 * (weeks - 1)
    frame = article_table(wh, first, end, {compare_days, *ages})
    c = compare_days
    frame["readers_c"], frame["sharers_c"] = frame[f"readers_d{c}"], frame[f"sharers_d{c}"]
    frame["read_rate_c"], frame["share_rate_c"] = frame[f"read_rate_d{c}"], frame[f"share_rate_d{c}"]
    # Same age is by calendar day (article_stats is daily): the time between publishing and the
    # end of the first c days differs with the hour of publishing.
    frame["same_age_sec"] = c * 86_400 - frame["published_sec"] % 86_400
    frame["in_period"] = frame["published_day"].between(day_number(period.start),
                                                        day_number(period.end))
    frame["observed"] = frame["readers_c"].notna() & frame["recipients"].gt(0)
    frame["position_key"] = frame["position"].astype("float64").fillna(0).astype(int)
    obs = frame[frame["observed"]]
    norms = obs.groupby("position_key")["readers_c"].sum() / obs.groupby("position_key")[
        "recipients"].sum()
    frame["expected_c"] = frame["recipients"] * frame["position_key"].map(norms)
    _shrink(frame, "readers_c", "recipients", "read")
    _shrink(frame, "sharers_c", "readers_c", "share")
    pushes = push_table(wh, end)[["published_sec", "gap_days"]]
    frame = frame.merge(pushes, on="published_sec", how="left")
    known = publish_times_known(wh)
    frame["time_known"] = known
    return History(frame, period, end, compare_days, first, known)


def best_article(hist: History) -> str | None:
    """The period's article with the highest shrunk same-age read rate."""
    ranked = hist.current.dropna(subset=["read_shrunk"])
    return None if ranked.empty else str(ranked["article_id"].iat[0])


def top_bottom(current: pd.DataFrame, n: int) -> tuple[pd.DataFrame, bool]:
    """All of the period's articles when there are at most 2n, else the top n and bottom n
    (already ranked); the flag says whether rows were left out."""
    if len(current) <= 2 * n:
        return current, False
    return pd.concat([current.head(n), current.tail(n)]), True

