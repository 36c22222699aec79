"""One-sentence findings of the user-analysis sections, generated from the numbers.

Each finding's logic is written once; its clauses are catalog entries (`users/text.yaml`), so the
sentence reads the same in both languages and every figure is formatted by its metric's unit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from helpers.core.periods import Period
from helpers.core.warehouse import day_to_date
from helpers.render.text import Text
from helpers.stats.anomaly import weekday_dips
from helpers.stats.proportions import chi_square_p_value, two_proportion_p_value
from helpers.users.clv import ClvResult

ALPHA = 0.05  # significance level of the tests behind comparative sentences (retention, funnel)


def growth(weekly: pd.DataFrame, tx: Text, min_group: int = 30) -> str:
    """New users of the week (against the week before when that week is complete), the largest
    channel and the channel that moved most (only when there is more than one channel; counts,
    described as such; a channel is named only with `min_group` new users in the week, or for the
    mover in one of the two weeks: smaller groups are never ranked).
    weekly: wide new users per complete week (index week start, the last = the report week) and
    channel (columns), as `growth.weekly_new_users` gives them."""
    totals = weekly.sum(axis=1)
    this = float(totals.iloc[-1])
    if not this:
        return tx("ua_growth_none") + tx("ua_end")
    text = tx("ua_growth", new_users=this)
    before = float(totals.iloc[-2]) if len(totals) > 1 else None
    if before:
        text += tx("ua_growth_change", change=this / before - 1)
    if weekly.shape[1] > 1:
        share = weekly.iloc[-1] / this
        top = share.idxmax()
        if weekly.iloc[-1][top] >= min_group:
            text += tx("ua_growth_top", top=tx.data(top), share=share[top])
        moved = weekly.iloc[-1] - weekly.iloc[-2] if len(weekly) > 1 else weekly.iloc[-1] * 0
        moved = moved[weekly.iloc[-2:].max() >= min_group]
        mover = moved.abs().idxmax() if len(moved) else None
        if mover is not None and moved[mover]:
            text += tx("ua_growth_mover", mover=tx.data(mover), moved=int(moved[mover]))
    return text + tx("ua_end")


def activity(metrics: dict[str, Any], sessions: pd.Series, daily: pd.DataFrame, tx: Text,
             week_start: int | None = None) -> str:
    """Active users and sessions of the week, and the day whose DAU fell furthest below what its
    weekday and the week lead one to expect, when `stats.anomaly.weekday_dips` finds it far
    outside the usual range (often broken tracking); figures the data cannot give (MAU before 30
    days of data, bounce rate without page views) are left out. metrics: headline; sessions: one
    row of session_stats; daily: daily_active from DIP_WEEKS weeks before the period (as far as
    the data goes) to its end, the period starting on day number `week_start` (None: `daily`
    holds the period only, and no day is judged)."""
    text = tx("ua_activity", **{k: metrics[k] for k in ("dau_mean", "wau")})
    if metrics["mau"] is not None:
        text += tx("ua_activity_month", **{k: metrics[k] for k in ("mau", "stickiness")})
    if sessions["sessions"]:
        text += tx("ua_activity_sessions", **{k: sessions[k] for k in ("opens_per_user", "session_seconds")})
        if pd.notna(sessions["bounce_rate"]):
            text += tx("ua_activity_bounce", bounce_rate=sessions["bounce_rate"])
    text += tx("ua_end")
    if week_start is None:
        return text
    dau = pd.Series(daily["dau"].to_numpy(), index=pd.to_datetime(daily["date"]))
    judged = weekday_dips(dau, pd.Timestamp(day_to_date(week_start)))
    low = judged[judged["low"]].sort_values("score").head(1)
    for row in low.itertuples():
        text += tx("ua_activity_low_day", day=row.date.date(), dau=row.actual, expected=row.expected,
                   gap=-row.deviation)
    return text


def retention(change: pd.DataFrame, later_week: date, k: int, by: str, tx: Text, min_group: int = 30,
              alpha: float = ALPHA) -> str | None:
    """Day-k retention of the latest complete weekly cohort and the cohort before (when it has
    users): called a rise or fall only when a two-proportion test finds the change (p < alpha),
    otherwise the earlier rate is described; and the group the change is concentrated in, only
    when that group (`min_group` users in both cohorts) changed significantly itself.
    change: retention.cohort_change (overall row '*'). None when the cohort has no new users."""
    overall = change[change[by] == "*"].iloc[0]
    if not overall["size_later"]:
        return None
    text = tx("ua_retention", week=later_week, k=k, rate=overall["rate_later"])
    if pd.isna(overall["rate_earlier"]):
        return text + tx("ua_end")
    p = _change_p(overall)
    if not p < alpha:  # no evidence of a change (or nothing to test: both 0% or 100%)
        key = "ua_retention_before" if pd.isna(p) else "ua_retention_steady"
        return text + tx(key, rate=overall["rate_earlier"], p=p) + tx("ua_end")
    delta = overall["rate_later"] - overall["rate_earlier"]
    text += tx("ua_retention_change", direction=tx("ua_fell") if delta < 0 else tx("ua_rose"), delta=delta, p=p)
    driver = _retention_driver(change, by, delta, min_group, alpha)
    if driver is not None:
        text += tx("ua_retention_driver", driver=tx.data(driver[by]), effect=driver["rate_effect"],
                   p=_change_p(driver))
    return text + tx("ua_end")


def _change_p(row: pd.Series) -> float:
    """Two-sided two-proportion test of a row's later against its earlier retention."""
    return float(two_proportion_p_value(row["retained_later"], row["size_later"], row["retained_earlier"],
                                        row["size_earlier"], "two-sided"))


def _retention_driver(change: pd.DataFrame, by: str, delta: float, min_group: int, alpha: float
                      ) -> pd.Series | None:
    """Of several groups, the one explaining most of a significant change, when it has `min_group`
    users in both cohorts and its own rate moved the same way significantly (p < alpha)."""
    groups = change[change[by] != "*"]
    parts = groups[groups["rate_effect"].notna() & (groups["size_earlier"] >= min_group)
                   & (groups["size_later"] >= min_group)]
    if len(groups) < 2 or not len(parts):
        return None
    driver = parts.loc[parts["rate_effect"].idxmin() if delta < 0 else parts["rate_effect"].idxmax()]
    moved = driver["rate_later"] - driver["rate_earlier"]
    return driver if moved * delta > 0 and _change_p(driver) < alpha else None


def retention_latest(metrics: dict[str, Any], tx: Text, days: tuple[int, ...] = (1, 7, 30)) -> str:
    """The published retention_d<k>_latest with their cohort weeks, one clause per k; a cohort
    nobody of which is observable is said so, never 0."""
    parts = []
    for k in days:
        rate, cohort = metrics[f"retention_d{k}_latest"], metrics[f"retention_d{k}_latest_cohort"]
        week = Period.parse(cohort).start
        tx.shows(f"retention_d{k}_latest", f"retention_d{k}_latest_cohort")
        parts.append(tx("ua_retention_latest_none", k=k, week=week) if rate is None else
                     tx("ua_retention_latest_item", k=k, week=week, rate=rate))
    return tx("ua_retention_latest", items=tx("ua_list_separator").join(parts))


def lifecycle(week: pd.Series, at_risk: int, base: int, win_back: tuple[int, int], churn_days: int,
              tx: Text, churn: float | None = None) -> str:
    """Where this week's active users came from and went (when the week before is in the data),
    churn risk and win-backs, and the weekly churn rate (when known). week: last row of
    weekly_lifecycle; base: users active in the 30 days; win_back: (at risk a week ago, came
    back); churn: the week's churn_rate (lifecycle.weekly_churn)."""
    if pd.isna(week["dormant"]):
        text = tx("ua_lifecycle_new", lifecycle_new=week["new"])
    else:
        text = tx("ua_lifecycle", lifecycle_new=week["new"], lifecycle_returning=week["returning"],
                  lifecycle_resurrecting=week["resurrecting"], lifecycle_dormant=-week["dormant"])
        if pd.notna(week["quick_ratio"]):
            text += tx("ua_lifecycle_quick", quick_ratio=week["quick_ratio"],
                       trend=tx("ua_base_grows") if week["quick_ratio"] > 1 else tx("ua_base_shrinks"))
    text += tx("ua_end")
    if base:
        text += tx("ua_churn_risk", churn_days=churn_days, churn_risk_users=at_risk, risk_share=at_risk / base)
        at_risk_before, back = win_back
        if at_risk_before:
            text += tx("ua_win_back", win_back_rate=back / at_risk_before)
        text += tx("ua_end")
    if churn is not None and pd.notna(churn):
        text += tx("ua_churn_rate", churn_rate=churn) + tx("ua_end")
    return text


def value(metrics: dict[str, Any], top_segment: pd.Series | None, clv: ClvResult | None, tx: Text,
          high_tier: pd.Series | None = None) -> str:
    """Buyers and revenue per user; the largest RFM segment with the figures that define it (mean
    orders, days since the last), so the name and the numbers can be checked against each other;
    the high-value tier's customers and share of spend; predicted value and how well the model
    predicted the held-out weeks. top_segment and high_tier are rows of `rfm.segment_sizes` and
    `rfm.tier_sizes` that the tables show (`rfm.largest_segment`, `rfm.high_value_tier`): None
    when privacy hides them."""
    if metrics["buyers"]:
        text = tx("ua_value", **{k: metrics[k] for k in ("buyers", "repurchase_rate", "returning_buyer_share",
                                                         "arpu", "arppu")})
    else:
        text = tx("ua_value_no_buyers")
    if top_segment is not None:
        text += tx("ua_value_segment", segment=top_segment["segment_label"], share=top_segment["share"],
                   frequency=top_segment["frequency"], recency=top_segment["recency_days"])
    if high_tier is not None:
        text += tx("ua_value_tier", rfm_customers=high_tier["customers"],
                   rfm_spend_share=high_tier["rfm_spend_share"])
    if clv is not None:
        predicted, actual = clv.holdout_total
        text += tx("ua_value_clv", horizon_days=clv.horizon_days, clv=clv.customers["clv"].mean(),
                   predicted=predicted, actual=actual)
        if actual:
            text += tx("ua_value_clv_error", error=predicted / actual - 1)
        text += tx("ua_end")
    return text


def portrait(frames: dict[str, pd.DataFrame], tx: Text) -> str:
    """The typical new user (gender, age) and where active users are.
    frames: per dimension, rows of (value, population, users, share) with privacy applied."""
    def top(dimension: str, population: str) -> pd.Series | None:
        frame = frames[dimension]
        frame = frame[(frame["population"] == population) & (frame["value"] != "unknown")]
        return frame.sort_values("share", ascending=False).iloc[0] if len(frame) else None

    gender, age, city = top("gender", "new"), top("age_band", "new"), top("city", "active")
    if gender is None or age is None or city is None:
        return tx("ua_portrait_too_few")
    return tx("ua_portrait", gender=tx.data(gender["value"]).lower(), gender_share=gender["share"],
              age=str(age["value"]), age_share=age["share"], city=str(city["value"]), city_share=city["share"])


def funnel(summary: pd.DataFrame, drop: int | None, channels: pd.DataFrame, minutes: float | None,
           window_hours: float, tx: Text, censored: int = 0, min_group: int = 30, alpha: float = ALPHA) -> str:
    """Overall conversion, the step losing most users, time to convert, how channels compare and
    how many starters were left out because the data ends inside their window. summary:
    funnel.summarise of the week's observed starters; channels: funnel.by_channel of them."""
    first, last = summary.iloc[0], summary.iloc[-1]
    text = tx("ua_funnel", first=tx.data(first["step"]), last=tx.data(last["step"]), hours=window_hours,
              funnel_conversion=last["overall_conversion"])
    if drop is not None:
        step, prev = summary.iloc[drop], summary.iloc[drop - 1]
        text += tx("ua_funnel_drop", before=tx.data(prev["step"]), after=tx.data(step["step"]),
                   step_conversion=step["step_conversion"])
    if minutes is not None:
        text += tx("ua_funnel_minutes", minutes_to_convert=minutes)
    text += _funnel_channels(channels, tx, min_group, alpha) + tx("ua_end")
    if censored:
        text += tx("ua_funnel_censored", funnel_censored=censored, hours=window_hours)
    return text


def _funnel_channels(channels: pd.DataFrame, tx: Text, min_group: int, alpha: float) -> str:
    """Channels with `min_group` starters: the best one named only when the channels differ
    (chi-square test) and it converts more than the rest pooled (one-sided two-proportion test),
    both p < alpha; otherwise their range is described, unranked."""
    eligible = channels[channels["starters"] >= min_group]
    if len(eligible) < 2 or not eligible["converters"].sum():
        return ""
    p_all = chi_square_p_value(eligible["converters"], eligible["starters"])
    if pd.isna(p_all):
        return ""
    best = eligible.loc[eligible["conversion"].idxmax()]
    rest = eligible.drop(index=best.name)[["converters", "starters"]].sum()
    p_best = float(two_proportion_p_value(best["converters"], best["starters"], rest["converters"],
                                          rest["starters"], "larger"))
    if p_all < alpha and p_best < alpha:
        return tx("ua_funnel_best_channel", channel=tx.data(best["channel"]), conversion=best["conversion"],
                  others=rest["converters"] / rest["starters"], p=p_best, p_all=p_all)
    test = (tx("ua_test_chi_square", p=p_all) if not p_all < alpha else tx("ua_test_best_vs_rest", p=p_best))
    return tx("ua_funnel_channels_alike", channels=len(eligible), min_group=min_group,
              low=eligible["conversion"].min(), high=eligible["conversion"].max(), test=test)


def referral(share: float | None, summary: dict[str, float | None], k: float | None,
             max_depth: int | None, tx: Text, cell: int = 1) -> str:
    """How much of the week's growth came by invitation, who invites, how far chains go; each
    clause only when the week has its figure (new users, referrers, active users, chains). The
    referrers are counted only when there are at least `cell` of them, and those inviting two or
    more only when both they and the rest are (privacy: either count tells the other)."""
    if share is None:
        text = tx("ua_growth_none")
    else:
        text = tx("ua_referral", referral_share=share)
        referrers = summary["referrers"] or 0
        if referrers >= cell and referrers:
            text += tx("ua_referral_referrers", referrers=referrers,
                       invites_per_referrer=summary["invites_per_referrer"])
            two_plus = summary["referrers_2plus"] or 0
            if min(two_plus, referrers - two_plus) >= cell:
                text += tx("ua_referral_2plus", referrers_2plus=two_plus)
    if k is not None and pd.notna(k):
        text += tx("ua_referral_k", viral_k=k)
    if max_depth:
        text += tx("ua_referral_depth", depth=max_depth)
    return text + tx("ua_end")
