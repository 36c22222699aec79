"""One-sentence findings of the user-analysis sections, generated from the numbers (zh and en)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from helpers.metrics.value import ClvResult
from helpers.render import fmt
from helpers.render.text import label


def _day(d: date, language: str) -> str:
    return f"{d.month}月{d.day}日" if language == "zh" else f"{d:%-d %b}"


def _week(d: date) -> str:
    iso = d.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def growth(weekly: pd.DataFrame, language: str) -> str:
    """weekly: wide new users per week (index week start) and channel (columns)."""
    totals = weekly.sum(axis=1)
    this, before = float(totals.iloc[-1]), float(totals.iloc[-2]) if len(totals) > 1 else None
    change = None if not before else this / before - 1
    share = weekly.iloc[-1] / this if this else weekly.iloc[-1] * 0
    top = share.idxmax()
    moved = (weekly.iloc[-1] - weekly.iloc[-2]) if len(weekly) > 1 else weekly.iloc[-1] * 0
    mover = moved.abs().idxmax()
    if language == "zh":
        text = f"本周新增用户 {fmt.number(this, language)}（周环比 {fmt.relative_change(change)}）"
        text += f"，最大来源是{label(top, language)}（{fmt.percent(share[top])}）"
        if len(weekly) > 1:
            text += f"；变化最大的是{label(mover, language)}（{int(moved[mover]):+d} 人）"
        return text + "。"
    text = (f"{fmt.number(this, language)} new users this week ({fmt.relative_change(change)} week on "
            f"week); the largest channel is {label(top, language)} ({fmt.percent(share[top])})")
    if len(weekly) > 1:
        text += f"; the biggest change is {label(mover, language)} ({int(moved[mover]):+d} users)"
    return text + "."


def activity(metrics: dict, sessions: pd.Series, daily: pd.DataFrame, language: str) -> str:
    """metrics: headline; sessions: one row of session_stats; daily: the period's daily_active."""
    low = daily.loc[daily["dau"].idxmin()]
    others = daily.loc[daily.index != low.name, "dau"].mean()
    gap = low["dau"] / others - 1 if others else None
    if language == "zh":
        text = (f"日活均值 {fmt.number(metrics['dau_mean'], language)}，WAU "
                f"{fmt.number(metrics['wau'], language)}，MAU {fmt.number(metrics['mau'], language)}，"
                f"粘性 {fmt.percent(metrics['stickiness'])}；人均打开 {sessions.opens_per_user:.2f} 次，"
                f"次均停留 {fmt.duration(sessions.session_seconds, language)}，跳出率 "
                f"{fmt.percent(sessions.bounce_rate)}。")
        if gap is not None and gap < -0.1:
            text += (f"{_day(low['date'], language)} 的 DAU 只有 {fmt.number(low['dau'], language)}，"
                     f"比本周其他日子均值低 {fmt.percent(-gap)}，请核查埋点或活动。")
        return text
    text = (f"Mean DAU {fmt.number(metrics['dau_mean'], language)}, WAU "
            f"{fmt.number(metrics['wau'], language)}, MAU {fmt.number(metrics['mau'], language)}, "
            f"stickiness {fmt.percent(metrics['stickiness'])}; {sessions.opens_per_user:.2f} opens per "
            f"user, sessions of {fmt.duration(sessions.session_seconds, language)} on average, "
            f"bounce rate {fmt.percent(sessions.bounce_rate)}.")
    if gap is not None and gap < -0.1:
        text += (f" DAU on {_day(low['date'], language)} was only {fmt.number(low['dau'], language)}, "
                 f"{fmt.percent(-gap)} below the week's other days: check tracking or campaigns.")
    return text


def retention(change: pd.DataFrame, later_week: date, k: int, by: str, language: str) -> str:
    """change: retention.cohort_change output (overall row key '*')."""
    overall = change[change[by] == "*"].iloc[0]
    parts = change[(change[by] != "*") & change["rate_effect"].notna()]
    delta = overall["rate_later"] - overall["rate_earlier"]
    driver = parts.loc[parts["rate_effect"].idxmin() if delta < 0 else parts["rate_effect"].idxmax()]
    verb_zh = "下降" if delta < 0 else "上升"
    verb_en = "fell" if delta < 0 else "rose"
    week = _week(later_week)
    if language == "zh":
        return (f"{week} 新用户的 D{k} 留存为 {fmt.percent(overall['rate_later'])}，比上一周的 cohort "
                f"{verb_zh} {abs(100 * delta):.1f} 个百分点；变化主要来自{label(driver[by], language)}用户"
                f"（贡献 {fmt.points(driver['rate_effect'], language)}）。")
    return (f"D{k} retention of the {week} cohort was {fmt.percent(overall['rate_later'])}: it {verb_en} "
            f"{abs(100 * delta):.1f} points from the cohort before; the change is concentrated in "
            f"{label(driver[by], language)} users ({fmt.points(driver['rate_effect'], language)}).")


def lifecycle(week: pd.Series, at_risk: int, base: int, win_back: tuple[int, int], churn_days: int,
              language: str) -> str:
    """week: last row of weekly_lifecycle; base: users active in the 30 days."""
    at_risk_prev, back = win_back
    rate = back / at_risk_prev if at_risk_prev else None
    qr = week["quick_ratio"]
    if language == "zh":
        trend = "活跃用户在增加" if qr > 1 else "活跃用户在减少"
        return (f"本周新增 {fmt.number(week['new'], language)}、持续活跃 "
                f"{fmt.number(week['returning'], language)}、回流 {fmt.number(week['resurrecting'], language)}、"
                f"流失 {fmt.number(-week['dormant'], language)}，Quick ratio {qr:.2f}（{trend}）。"
                f"{churn_days} 天以上未访问的流失风险用户 {fmt.number(at_risk, language)}"
                f"（占 30 日活跃用户 {fmt.percent(at_risk / base if base else None)}）；"
                f"上周的风险用户本周召回 {fmt.percent(rate)}。")
    trend = "the active base grows" if qr > 1 else "the active base shrinks"
    return (f"This week {fmt.number(week['new'], language)} new, "
            f"{fmt.number(week['returning'], language)} returning, "
            f"{fmt.number(week['resurrecting'], language)} resurrecting and "
            f"{fmt.number(-week['dormant'], language)} dormant users: quick ratio {qr:.2f} ({trend}). "
            f"{fmt.number(at_risk, language)} users have not been back for {churn_days}+ days "
            f"({fmt.percent(at_risk / base if base else None)} of the 30-day active users); "
            f"{fmt.percent(rate)} of last week's at-risk users came back.")


def value(metrics: dict, top_segment: pd.Series | None, clv: ClvResult | None, language: str) -> str:
    zh = language == "zh"
    if zh:
        text = (f"本周购买用户 {fmt.number(metrics['buyers'], language)}，复购率 "
                f"{fmt.percent(metrics['repurchase_rate'])}，老客占比 "
                f"{fmt.percent(metrics['returning_buyer_share'])}；ARPU {fmt.money(metrics['arpu'], language)}，"
                f"ARPPU {fmt.money(metrics['arppu'], language)}。")
    else:
        text = (f"{fmt.number(metrics['buyers'], language)} buyers this week, repurchase rate "
                f"{fmt.percent(metrics['repurchase_rate'])}, {fmt.percent(metrics['returning_buyer_share'])} "
                f"returning buyers; ARPU {fmt.money(metrics['arpu'], language)}, ARPPU "
                f"{fmt.money(metrics['arppu'], language)}.")
    if top_segment is not None:
        text += (f"最大的 RFM 分群是{top_segment['segment_label']}（{fmt.percent(top_segment['share'])}）。" if zh
                 else f" The largest RFM segment is {top_segment['segment_label']} "
                      f"({fmt.percent(top_segment['share'])}).")
    if clv is not None:
        predicted, actual = clv.holdout_total
        error = predicted / actual - 1 if actual else None
        mean = clv.customers["clv"].mean()
        text += (f"预测未来 {clv.horizon_days} 天客均价值 {fmt.money(mean, language)}；留出期检验中模型预测复购 "
                 f"{fmt.number(predicted, language)} 次，实际 {fmt.number(actual, language)} 次"
                 f"（误差 {fmt.relative_change(error)}）。" if zh else
                 f" Predicted value per customer over the next {clv.horizon_days} days: "
                 f"{fmt.money(mean, language)}; in the holdout check the model predicted "
                 f"{fmt.number(predicted, language)} repeat purchases against {fmt.number(actual, language)} "
                 f"that happened ({fmt.relative_change(error)}).")
    return text


def portrait(frames: dict[str, pd.DataFrame], language: str) -> str:
    """frames: per dimension, rows of (value, population, users, share) with privacy applied."""
    def top(dimension: str, population: str) -> pd.Series | None:
        frame = frames[dimension]
        frame = frame[(frame["population"] == population) & (frame["value"] != "unknown")]
        return frame.sort_values("share", ascending=False).iloc[0] if len(frame) else None

    gender, age, city = top("gender", "new"), top("age_band", "new"), top("city", "active")
    if gender is None or age is None or city is None:
        return ("新增或活跃用户太少，画像按隐私规则不予展示。" if language == "zh" else
                "Too few new or active users to show a portrait under the privacy rule.")
    if language == "zh":
        return (f"新增用户中{label(gender['value'], language)}性占 {fmt.percent(gender['share'])}，"
                f"最多的年龄段是 {age['value']}（{fmt.percent(age['share'])}）；活跃用户最多来自"
                f"{city['value']}（{fmt.percent(city['share'])}）。")
    return (f"{fmt.percent(gender['share'])} of new users are {label(gender['value'], language).lower()}, "
            f"the largest age band is {age['value']} ({fmt.percent(age['share'])}); most active users "
            f"are in {city['value']} ({fmt.percent(city['share'])}).")


def funnel(summary: pd.DataFrame, drop: int | None, channels: pd.DataFrame, minutes: float | None,
           window_hours: float, language: str) -> str:
    first, last = summary.iloc[0], summary.iloc[-1]
    best = channels.loc[channels["conversion"].idxmax()] if len(channels) else None
    if language == "zh":
        text = (f"{label(first['step'], language)}→{label(last['step'], language)} 的 {window_hours:g} 小时"
                f"整体转化率为 {fmt.percent(last['overall_conversion'])}")
        if drop is not None:
            step, prev = summary.iloc[drop], summary.iloc[drop - 1]
            text += (f"；流失最大的一步是 {label(prev['step'], language)}→{label(step['step'], language)}"
                     f"（只有 {fmt.percent(step['step_conversion'])} 继续）")
        if minutes is not None:
            text += f"；转化用户的中位用时 {fmt.duration(60 * minutes, language)}"
        if best is not None:
            text += f"；转化率最高的渠道是{label(best['channel'], language)}（{fmt.percent(best['conversion'])}）"
        return text + "。"
    text = (f"{fmt.percent(last['overall_conversion'])} of users who did {label(first['step'], language)} "
            f"reached {label(last['step'], language)} within {window_hours:g} hours")
    if drop is not None:
        step, prev = summary.iloc[drop], summary.iloc[drop - 1]
        text += (f"; the biggest drop is {label(prev['step'], language)} -> {label(step['step'], language)} "
                 f"(only {fmt.percent(step['step_conversion'])} go on)")
    if minutes is not None:
        text += f"; converters took {fmt.duration(60 * minutes, language)} (median)"
    if best is not None:
        text += f"; the best channel is {label(best['channel'], language)} ({fmt.percent(best['conversion'])})"
    return text + "."


def referral(share: float | None, summary: dict, k: float | None, max_depth: int | None,
             language: str) -> str:
    if language == "zh":
        return (f"本周新增用户中 {fmt.percent(share)} 来自邀请；{fmt.number(summary['referrers'], language)} "
                f"名邀请人，人均邀请 {summary['invites_per_referrer']:.2f} 人，其中 "
                f"{fmt.number(summary['referrers_2plus'], language)} 人邀请了 2 人及以上（2+1）；本周 K = "
                f"{fmt.value(k, 'ratio', language)}，最长邀请链 {max_depth or 0} 层。")
    return (f"{fmt.percent(share)} of this week's new users came by referral from "
            f"{fmt.number(summary['referrers'], language)} referrers ({summary['invites_per_referrer']:.2f} "
            f"invites each; {fmt.number(summary['referrers_2plus'], language)} brought two or more, the "
            f"2+1 chain); K = {fmt.value(k, 'ratio', language)} this week; the longest chain is "
            f"{max_depth or 0} levels deep.")
