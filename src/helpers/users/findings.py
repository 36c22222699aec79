"""One-sentence findings of the user-analysis sections, generated from the numbers.

Each finding's logic is written once; its clauses are catalog entries (`users/text.yaml`), so the
sentence reads the same in both languages and every figure is formatted by its metric's unit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from helpers.render.text import Text
from helpers.users.clv import ClvResult


def growth(weekly: pd.DataFrame, tx: Text) -> str:
    """New users of the week (against the week before when that week is complete), the largest
    channel and the channel that moved most (only when there is more than one channel).
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
        text += tx("ua_growth_top", top=tx.data(top), share=share[top])
        moved = weekly.iloc[-1] - weekly.iloc[-2] if len(weekly) > 1 else weekly.iloc[-1] * 0
        mover = moved.abs().idxmax()
        if moved[mover]:
            text += tx("ua_growth_mover", mover=tx.data(mover), moved=int(moved[mover]))
    return text + tx("ua_end")


def activity(metrics: dict[str, Any], sessions: pd.Series, daily: pd.DataFrame, tx: Text) -> str:
    """Active users and sessions of the week, and a day whose DAU fell well below the others
    (often broken tracking); figures the data cannot give (MAU before 30 days of data, bounce
    rate without page views) are left out. metrics: headline; sessions: one row of
    session_stats; daily: the period's daily_active."""
    text = tx("ua_activity", **{k: metrics[k] for k in ("dau_mean", "wau")})
    if metrics["mau"] is not None:
        text += tx("ua_activity_month", **{k: metrics[k] for k in ("mau", "stickiness")})
    if sessions["sessions"]:
        text += tx("ua_activity_sessions", **{k: sessions[k] for k in ("opens_per_user", "session_seconds")})
        if pd.notna(sessions["bounce_rate"]):
            text += tx("ua_activity_bounce", bounce_rate=sessions["bounce_rate"])
    text += tx("ua_end")
    low = daily.loc[daily["dau"].idxmin()]
    others = daily.loc[daily.index != low.name, "dau"].mean()
    if others and low["dau"] / others - 1 < -0.1:
        text += tx("ua_activity_low_day", day=low["date"], dau=low["dau"], gap=1 - low["dau"] / others)
    return text


def retention(change: pd.DataFrame, later_week: date, k: int, by: str, tx: Text) -> str | None:
    """Day-k retention of the latest complete weekly cohort against the one before (when that
    cohort has users), and the group that explains most of the move (when there are several).
    change: retention.cohort_change (overall row '*'). None when the cohort has no new users."""
    overall = change[change[by] == "*"].iloc[0]
    if not overall["size_later"]:
        return None
    text = tx("ua_retention", week=later_week, k=k, rate=overall["rate_later"])
    delta = overall["rate_later"] - overall["rate_earlier"]
    if pd.notna(delta):
        text += tx("ua_retention_change", direction=tx("ua_fell") if delta < 0 else tx("ua_rose"), delta=delta)
        parts = change[(change[by] != "*") & change["rate_effect"].notna()]
        if len(parts) > 1:
            driver = parts.loc[parts["rate_effect"].idxmin() if delta < 0 else parts["rate_effect"].idxmax()]
            text += tx("ua_retention_driver", driver=tx.data(driver[by]), effect=driver["rate_effect"])
    return text + tx("ua_end")


def lifecycle(week: pd.Series, at_risk: int, base: int, win_back: tuple[int, int], churn_days: int,
              tx: Text) -> str:
    """Where this week's active users came from and went (when the week before is in the data),
    churn risk and win-backs. week: last row of weekly_lifecycle; base: users active in the 30
    days; win_back: (at risk a week ago, came back)."""
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
    return text


def value(metrics: dict[str, Any], top_segment: pd.Series | None, clv: ClvResult | None, tx: Text) -> str:
    """Buyers and revenue per user; the largest RFM segment; predicted value and how well the
    model predicted the held-out weeks."""
    if metrics["buyers"]:
        text = tx("ua_value", **{k: metrics[k] for k in ("buyers", "repurchase_rate", "returning_buyer_share",
                                                         "arpu", "arppu")})
    else:
        text = tx("ua_value_no_buyers")
    if top_segment is not None:
        text += tx("ua_value_segment", segment=top_segment["segment_label"], share=top_segment["share"])
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
           window_hours: float, tx: Text) -> str:
    """Overall conversion, the step losing most users, time to convert and the best of several
    channels (when any converted). summary: funnel.summarise of a week with step-1 users."""
    first, last = summary.iloc[0], summary.iloc[-1]
    text = tx("ua_funnel", first=tx.data(first["step"]), last=tx.data(last["step"]), hours=window_hours,
              funnel_conversion=last["overall_conversion"])
    if drop is not None:
        step, prev = summary.iloc[drop], summary.iloc[drop - 1]
        text += tx("ua_funnel_drop", before=tx.data(prev["step"]), after=tx.data(step["step"]),
                   step_conversion=step["step_conversion"])
    if minutes is not None:
        text += tx("ua_funnel_minutes", minutes_to_convert=minutes)
    if len(channels) > 1 and channels["conversion"].max() > 0:
        best = channels.loc[channels["conversion"].idxmax()]
        text += tx("ua_funnel_best_channel", channel=tx.data(best["channel"]), conversion=best["conversion"])
    return text + tx("ua_end")


def referral(share: float | None, summary: dict[str, float | None], k: float | None,
             max_depth: int | None, tx: Text) -> str:
    """How much of the week's growth came by invitation, who invites, how far chains go; each
    clause only when the week has its figure (new users, referrers, active users, chains)."""
    if share is None:
        text = tx("ua_growth_none")
    else:
        text = tx("ua_referral", referral_share=share)
        if summary["referrers"]:
            text += tx("ua_referral_referrers", referrers=summary["referrers"],
                       invites_per_referrer=summary["invites_per_referrer"],
                       referrers_2plus=summary["referrers_2plus"])
    if k is not None and pd.notna(k):
        text += tx("ua_referral_k", viral_k=k)
    if max_depth:
        text += tx("ua_referral_depth", depth=max_depth)
    return text + tx("ua_end")
