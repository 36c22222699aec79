"""Official-account content: articles compared at the same age, what works, when to publish,
follower flow, reading to buying, mini-program pages and outlying articles.

Event-level work (article_stats rows, events, orders) is portable SQL through `wh.query`; what
comes back is per article, per push, per page or per day. Days are the warehouse's integer day
numbers: a stats row's age is `day - published_day` (0 = the publish day), so "the first k days"
after publishing are ages 0..k-1, and k days are observable once `published_day + k - 1` is on or
before the last stats day used by the report (`as_of`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from helpers.core.periods import Period
from helpers.stats.shrinkage import priors_by_group, ratio_interval
from helpers.core.warehouse import Warehouse, day_number, day_to_date
from helpers.core.sql import PAID

HEADLINE_KEYS = ("articles_published", "readers", "reads", "sharers", "read_rate", "share_rate",
                 "new_followers", "unfollows", "net_followers", "best_article_id")
COUNTS = ("readers", "reads", "sharers", "shares", "favorites", "likes", "zaikan", "comments",
          "original_page_readers")
INTERACTIONS = ("favorites", "likes", "zaikan", "comments")
NONE = "—"  # a missing column / format / position, shown as is in every language
MIN_PRIOR_ARTICLES = 5  # columns with fewer comparable articles shrink toward the account average
SESSION_GAP_SEC = 1800  # data contract: without session_id, sessions end after 30 idle minutes
BASELINE_DAYS = 56  # usual unfollows are fitted on the 8 weeks before the pushes shown too
SPIKE_P_VALUE = 0.01  # an unusual day's excess must be unlikely as Poisson noise
GAP_BUCKETS = ((1, "1"), (2, "2"), (3, "3"), (4, "4–6"), (7, "7+"))


def _div(numerator: Any, denominator: Any) -> Any:
    """numerator / denominator, NaN where the denominator is 0 or missing (Series or scalars)."""
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    ok = den > 0
    out = np.where(ok, num / np.where(ok, den, 1.0), np.nan)
    for arg in (numerator, denominator):
        if isinstance(arg, pd.Series):
            return pd.Series(out, index=arg.index)
    return float(out)


# ----------------------------------------------------------------------------------------------
# Articles at the same age
# ----------------------------------------------------------------------------------------------

def stats_last_day(wh: Warehouse) -> int | None:
    """The last day article_stats covers (stats often lag the events by a day)."""
    value = wh.scalar('SELECT MAX("day") FROM article_stats')
    return None if value is None else int(value)


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
        frame[f"read_rate_d{k}"] = _div(frame[f"readers_d{k}"], frame["recipients"])
        frame[f"share_rate_d{k}"] = _div(frame[f"sharers_d{k}"], frame[f"readers_d{k}"])
    frame["read_rate"] = _div(frame["readers"], frame["recipients"])
    frame["share_rate"] = _div(frame["sharers"], frame["readers"])
    frame["interaction_rate"] = _div(frame[list(INTERACTIONS)].sum(axis=1, min_count=1),
                                       frame["readers"])
    frame["original_rate"] = _div(frame["original_page_readers"], frame["readers"])
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


def _pushes(wh: Warehouse, as_of_day: int) -> pd.DataFrame:
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
    pushes = _pushes(wh, end)[["published_sec", "gap_days"]]
    frame = frame.merge(pushes, on="published_sec", how="left")
    return History(frame, period, end, compare_days, first)


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


# ----------------------------------------------------------------------------------------------
# Headline figures (report-outputs.md `content_performance`)
# ----------------------------------------------------------------------------------------------

def headline(wh: Warehouse, period: Period, hist: History | None) -> dict[str, Any]:
    """The JSON metrics, exactly as report-outputs.md defines them; null when not computable."""
    lo, hi = day_number(period.start), day_number(period.end)
    p = {"lo": lo, "hi": hi}
    m: dict[str, Any] = dict.fromkeys(HEADLINE_KEYS)
    if wh.has("articles"):
        m["articles_published"] = int(wh.scalar(
            "SELECT COUNT(*) FROM articles WHERE published_day BETWEEN :lo AND :hi", p))
    if wh.has("article_stats"):
        sums = wh.query("""SELECT SUM(readers) AS readers, SUM(reads) AS reads,
                                  SUM(sharers) AS sharers
                           FROM article_stats WHERE "day" BETWEEN :lo AND :hi""", p).iloc[0]
        for k in ("readers", "reads", "sharers"):
            m[k] = None if pd.isna(sums[k]) else int(sums[k])
        if m["readers"]:
            m["share_rate"] = m["sharers"] / m["readers"]
    if wh.has("articles") and wh.has("article_stats"):
        rate = wh.query("""
            SELECT SUM(readers) AS readers, SUM(recipients) AS recipients FROM (
              SELECT a.article_id,
                     SUM(CASE WHEN s."day" BETWEEN :lo AND :hi THEN s.readers ELSE 0 END) AS readers,
                     MAX(s.recipients) AS recipients
              FROM articles a JOIN article_stats s ON s.article_id = a.article_id
              WHERE a.published_day BETWEEN :lo AND :hi
              GROUP BY a.article_id) r""", p).iloc[0]
        if pd.notna(rate["recipients"]) and rate["recipients"] > 0:
            m["read_rate"] = float(rate["readers"]) / float(rate["recipients"])
        m["best_article_id"] = best_article(hist) if hist is not None else None
    if wh.has("followers"):
        flow = wh.query("""SELECT SUM(new_followers) AS new_followers, SUM(unfollows) AS unfollows
                           FROM followers WHERE "day" BETWEEN :lo AND :hi""", p).iloc[0]
        if pd.notna(flow["new_followers"]):
            m["new_followers"], m["unfollows"] = int(flow["new_followers"]), int(flow["unfollows"])
            m["net_followers"] = m["new_followers"] - m["unfollows"]
    return m


# ----------------------------------------------------------------------------------------------
# What works
# ----------------------------------------------------------------------------------------------

BREAKDOWN_COLUMNS = ["articles", "recipients", "readers", "sharers", "read_rate", "read_lo",
                     "read_hi", "read_adjusted", "adjusted_lo", "adjusted_hi", "share_rate",
                     "share_lo", "share_hi"]


def breakdown(observed: pd.DataFrame, by: str) -> pd.DataFrame:
    """Same-age read and share rates per group of observed articles (`History.observed`), with
    95% intervals that treat articles as the units. `read_adjusted` is the group's read rate had
    it the account's position mix: the account's rate x readers / (recipients x the read rate of
    each article's position)."""
    overall = _div(observed["readers_c"].sum(), observed["recipients"].sum())
    rows = []
    for key, g in observed.groupby(by, sort=True, dropna=False):
        read = ratio_interval(g["readers_c"], g["recipients"])
        index = ratio_interval(g["readers_c"], g["expected_c"])
        share = ratio_interval(g["sharers_c"], g["readers_c"])
        rows.append([key, len(g), g["recipients"].sum(), g["readers_c"].sum(), g["sharers_c"].sum(),
                     *read, *(overall * v for v in index), *share])
    return pd.DataFrame(rows, columns=[by, *BREAKDOWN_COLUMNS])


def headline_vs_secondary(observed: pd.DataFrame) -> pd.DataFrame:
    """Headline (position 1) against all other positions."""
    slot = np.where(observed["position_key"] == 1, "headline", "secondary")
    return breakdown(observed.assign(slot=slot), "slot")


# ----------------------------------------------------------------------------------------------
# When to publish
# ----------------------------------------------------------------------------------------------

def _headlines(hist: History) -> pd.DataFrame:
    """Headline articles (one per push): position is held fixed. Without positions, all."""
    obs = hist.observed
    return obs[obs["position_key"] == 1] if (obs["position_key"] == 1).any() else obs


def timing_heatmap(hist: History) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Headline same-age read rate by publish hour (rows) x weekday (0 = Monday), and the
    number of headlines in each cell."""
    heads = _headlines(hist)
    if heads.empty:
        empty = pd.DataFrame(columns=range(7))
        return empty, empty
    grouped = heads.groupby(["hour", "weekday"])
    rate = (grouped["readers_c"].sum() / grouped["recipients"].sum()).unstack("weekday")
    count = grouped.size().unstack("weekday")
    columns = range(7)
    return rate.reindex(columns=columns), count.reindex(columns=columns).fillna(0).astype(int)


def push_frequency(wh: Warehouse, hist: History, band: Sequence[int]) -> pd.DataFrame:
    """Pushes and articles per ISO week over the history window (from the first push on), and
    whether each week lies inside the target band of pushes per week."""
    pushes = _pushes(wh, hist.as_of)
    if pushes.empty:
        return pd.DataFrame(columns=["week_start", "pushes", "articles", "in_band"])
    first = max(hist.first_day, int(pushes["published_day"].min()))
    first -= (first + 3) % 7  # Monday
    weeks = pd.DataFrame({"week_day": range(first, day_number(hist.period.start) + 1, 7)})
    pushes["week_day"] = pushes["published_day"] - (pushes["published_day"] + 3) % 7
    per_week = pushes.groupby("week_day").agg(pushes=("published_sec", "size"),
                                              articles=("articles", "sum"))
    out = weeks.merge(per_week, on="week_day", how="left").fillna(0)
    out[["pushes", "articles"]] = out[["pushes", "articles"]].astype(int)
    out["in_band"] = out["pushes"].between(*band)
    out.insert(0, "week_start", [day_to_date(d) for d in out.pop("week_day")])
    return out


def gap_effect(hist: History) -> pd.DataFrame:
    """Headline same-age read rate by days since the previous push (pushes as units)."""
    heads = _headlines(hist).dropna(subset=["gap_days"])
    edges = [lo for lo, _ in GAP_BUCKETS]
    labels = [label for _, label in GAP_BUCKETS]
    bucket = pd.cut(heads["gap_days"], [*edges, np.inf], right=False, labels=labels)
    rows = []
    for label in labels:
        g = heads[bucket == label]
        rate, lo, hi = ratio_interval(g["readers_c"], g["recipients"])
        if len(g):
            rows.append({"gap": label, "pushes": len(g), "read_rate": rate, "read_lo": lo,
                         "read_hi": hi})
    return pd.DataFrame(rows, columns=["gap", "pushes", "read_rate", "read_lo", "read_hi"])


# ----------------------------------------------------------------------------------------------
# Followers
# ----------------------------------------------------------------------------------------------

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
    frame["new_share"] = _div(frame["new_followers"], frame["new_followers"].sum())
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
    expected = np.full(len(y), np.nan)
    for _ in range(3):
        beta = np.linalg.lstsq(x[keep], y[keep], rcond=None)[0]
        expected = np.clip(x @ beta, 0.5, None)
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
        stats.poisson.sf(daily["unfollows"] - 1, daily["usual"]) < SPIKE_P_VALUE)
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
                     usual if len(window) else np.nan, _div(actual, usual)))
    out = pd.concat([pushes, pd.DataFrame(rows, columns=["days_counted", "unfollows_48h", "usual",
                                                         "ratio"])], axis=1)
    out["flagged"] = out["published_sec"].isin(credited)
    out["published"] = pd.to_datetime(out["published_sec"], unit="s")
    return out


# ----------------------------------------------------------------------------------------------
# From reading to buying
# ----------------------------------------------------------------------------------------------

def reading_to_buying(wh: Warehouse, period: Period, window_hours: int) -> pd.DataFrame:
    """Per article read in the period: article readers in the period (article_stats, when
    present), followers who opened the mini-program from it (read_article events), and the paid
    orders credited to it. Credit is last touch: each paid order goes to the buyer's latest
    read_article event at most `window_hours` before it (reads before the period compete for
    credit too); an article keeps the orders whose credited read falls in the period."""
    lo, hi = day_number(period.start), day_number(period.end)
    window_days = -(-window_hours // 24)
    frame = wh.query(f"""
        WITH touch AS (
          SELECT user_id, article_id, event_sec AS t, event_day AS d FROM events
          WHERE event = 'read_article' AND article_id IS NOT NULL
            AND event_day BETWEEN :touch_lo AND :hi),
        paid AS (
          SELECT order_id, user_id, amount, paid_sec FROM orders
          WHERE {PAID} AND paid_day BETWEEN :lo AND :order_hi),
        credited AS (
          SELECT p.order_id, p.user_id, p.amount, t.article_id, t.d,
                 ROW_NUMBER() OVER (PARTITION BY p.order_id ORDER BY t.t DESC, t.article_id) AS rn
          FROM paid p JOIN touch t
            ON t.user_id = p.user_id AND t.t <= p.paid_sec AND p.paid_sec - t.t <= :window),
        bought AS (
          SELECT article_id, COUNT(DISTINCT user_id) AS buyers, COUNT(*) AS orders,
                 SUM(amount) AS gmv
          FROM credited WHERE rn = 1 AND d BETWEEN :lo AND :hi GROUP BY article_id),
        opened AS (
          SELECT article_id, COUNT(DISTINCT user_id) AS openers FROM touch
          WHERE d BETWEEN :lo AND :hi GROUP BY article_id)
        SELECT o.article_id, o.openers, COALESCE(b.buyers, 0) AS buyers,
               COALESCE(b.orders, 0) AS orders, COALESCE(b.gmv, 0) AS gmv
        FROM opened o LEFT JOIN bought b ON b.article_id = o.article_id""",
                     {"lo": lo, "hi": hi, "touch_lo": lo - window_days,
                      "order_hi": hi + window_days, "window": window_hours * 3_600})
    if wh.has("article_stats"):
        readers = wh.query("""SELECT article_id, SUM(readers) AS readers FROM article_stats
                              WHERE "day" BETWEEN :lo AND :hi GROUP BY article_id""",
                           {"lo": lo, "hi": hi})
        frame = frame.merge(readers, on="article_id", how="left")
    else:
        frame["readers"] = np.nan
    titles = wh.query("SELECT article_id, title FROM articles") if wh.has("articles") else \
        pd.DataFrame(columns=["article_id", "title"])
    frame = frame.merge(titles, on="article_id", how="left")
    for c in ("readers", "openers", "buyers", "orders", "gmv"):
        frame[c] = frame[c].astype("float64")
    frame["open_rate"] = _div(frame["openers"], frame["readers"])
    frame["conversion"] = _div(frame["buyers"], frame["openers"])
    frame["gmv_per_opener"] = _div(frame["gmv"], frame["openers"])
    return frame.sort_values(["gmv", "openers", "article_id"], ascending=[False, False, True],
                             ignore_index=True)


def period_gmv(wh: Warehouse, period: Period) -> float:
    """GMV of the period's paid orders, the denominator of the article share of GMV."""
    value = wh.scalar(f"SELECT SUM(amount) FROM orders WHERE {PAID} AND paid_day BETWEEN :lo AND :hi",
                      {"lo": day_number(period.start), "hi": day_number(period.end)})
    return float(value or 0.0)


# ----------------------------------------------------------------------------------------------
# Mini-program pages
# ----------------------------------------------------------------------------------------------

def _sessions_sql(wh: Warehouse) -> str:
    """Events of the two weeks with a session key: events.session_id, or (when the source has
    none) a new session after 30 idle minutes, as the data contract says."""
    if wh.has("events", "session_id"):
        return """SELECT user_id, event, page, duration_s, event_sec, event_day,
                         COALESCE(session_id, user_id) AS session_key
                  FROM events WHERE event_day BETWEEN :lo AND :hi"""
    return f"""
        SELECT user_id, event, page, duration_s, event_sec, event_day,
               user_id || '#' || CAST(SUM(new_session) OVER (
                 PARTITION BY user_id ORDER BY event_sec ROWS UNBOUNDED PRECEDING) AS VARCHAR)
                 AS session_key
        FROM (SELECT user_id, event, page, duration_s, event_sec, event_day,
                     CASE WHEN event_sec - LAG(event_sec) OVER (PARTITION BY user_id ORDER BY event_sec)
                          <= {SESSION_GAP_SEC} THEN 0 ELSE 1 END AS new_session
              FROM events WHERE event_day BETWEEN :lo AND :hi) e"""


def page_stats(wh: Warehouse, period: Period, jump: float) -> pd.DataFrame:
    """Per page, this week and the week before: page views, visitors, average time on page,
    entry rate (sessions starting here / views), exit rate (sessions ending here / views) and
    shares (share events; without a page, the page last viewed before the share in the session).
    `exit_jump` flags pages whose exit rate rose by at least `jump` (a fraction, 0.05 = 5 points)
    and significantly (two-proportion z-test, p < 0.05)."""
    prev = period.previous
    lo, mid, hi = day_number(prev.start), day_number(period.start), day_number(period.end)
    frame = wh.query(f"""
        WITH ev AS ({_sessions_sql(wh)}),
        stream AS (
          SELECT session_key, user_id, event, page, duration_s, event_sec, event_day,
                 SUM(CASE WHEN event = 'page_view' THEN 1 ELSE 0 END) OVER (
                   PARTITION BY session_key
                   ORDER BY event_sec, CASE WHEN event = 'page_view' THEN 0 ELSE 1 END, page
                   ROWS UNBOUNDED PRECEDING) AS view_no,
                 COUNT(CASE WHEN event = 'page_view' THEN 1 END) OVER (
                   PARTITION BY session_key) AS views
          FROM ev WHERE event IN ('page_view', 'share')),
        located AS (
          SELECT s.*, MAX(CASE WHEN event = 'page_view' THEN page END) OVER (
                        PARTITION BY session_key, view_no) AS viewed_page
          FROM stream s),
        tagged AS (
          SELECT CASE WHEN event = 'page_view' THEN page ELSE COALESCE(page, viewed_page) END AS pg,
                 CASE WHEN event_day >= :mid THEN 1 ELSE 0 END AS this_week,
                 event, user_id, duration_s, view_no, views
          FROM located)
        SELECT pg AS page, this_week,
               SUM(CASE WHEN event = 'page_view' THEN 1 ELSE 0 END) AS page_views,
               COUNT(DISTINCT CASE WHEN event = 'page_view' THEN user_id END) AS visitors,
               AVG(CASE WHEN event = 'page_view' THEN duration_s END) AS avg_time,
               SUM(CASE WHEN event = 'page_view' AND view_no = 1 THEN 1 ELSE 0 END) AS entries,
               SUM(CASE WHEN event = 'page_view' AND view_no = views THEN 1 ELSE 0 END) AS exits,
               SUM(CASE WHEN event = 'share' THEN 1 ELSE 0 END) AS shares
        FROM tagged WHERE pg IS NOT NULL GROUP BY pg, this_week""",
                     {"lo": lo, "hi": hi, "mid": mid})
    numeric = ["page_views", "visitors", "avg_time", "entries", "exits", "shares"]
    frame[numeric] = frame[numeric].astype("float64")
    this = frame[frame["this_week"] == 1].drop(columns="this_week").set_index("page")
    before = frame[frame["this_week"] == 0].drop(columns="this_week").set_index("page")
    out = this.join(before[["page_views", "exits"]].add_suffix("_prev"), how="left")
    out = out[out["page_views"] > 0].reset_index()
    out["entry_rate"] = _div(out["entries"], out["page_views"])
    out["exit_rate"] = _div(out["exits"], out["page_views"])
    out["exit_rate_prev"] = _div(out["exits_prev"], out["page_views_prev"])
    out["exit_change"] = out["exit_rate"] - out["exit_rate_prev"]
    out["shares_per_100"] = 100 * _div(out["shares"], out["page_views"])
    out["exit_p"] = [
        proportions_ztest([e, ep], [n, n_p], alternative="larger")[1]
        if n_p > 0 and 0 < (e + ep) < (n + n_p) else np.nan
        for e, n, ep, n_p in zip(out["exits"], out["page_views"], out["exits_prev"].fillna(0),
                                 out["page_views_prev"].fillna(0), strict=True)]
    out["exit_jump"] = out["exit_change"].ge(jump) & out["exit_p"].lt(0.05)
    return out.sort_values(["page_views", "page"], ascending=[False, True], ignore_index=True)


# ----------------------------------------------------------------------------------------------
# Outliers
# ----------------------------------------------------------------------------------------------

def expected_readers(hist: History, z: float) -> pd.DataFrame | None:
    """Observed articles with their expected same-age readers given column, position and
    recipients: a regression of log((readers + 0.5) / recipients) on column and position (rates
    vary multiplicatively, hence the log scale). `z` = residual / residual standard deviation;
    |z| >= `z` is flagged. None when there are too few articles to fit."""
    obs = hist.observed.copy()
    terms = [f"C({c})" for c in ("column_name", "position_key") if obs[c].nunique() > 1]
    if len(obs) < 10:
        return None
    obs["log_rate"] = np.log((obs["readers_c"] + 0.5) / obs["recipients"])
    model = smf.ols("log_rate ~ " + (" + ".join(terms) or "1"), data=obs).fit()
    if model.df_resid < 5:
        return None
    sd = float(np.sqrt(model.scale))
    obs["expected_readers"] = obs["recipients"] * np.exp(model.fittedvalues) - 0.5
    obs["vs_expected"] = _div(obs["readers_c"], obs["expected_readers"])
    obs["z"] = model.resid / sd if sd > 0 else 0.0
    obs["flagged"] = obs["z"].abs() >= z
    return obs
