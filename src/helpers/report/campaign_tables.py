"""What the campaign report shows: tables (frame + units for `Report.table`), generated findings
and the words of the campaign vocabulary, in zh or en.

Every number says what it is: differences of rates are percentage points (fmt.points), relative
lifts say "relative", money carries ¥, intervals are 95%.
"""

from __future__ import annotations

import html
import math
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from helpers.core.calendar import SHOPPING_FESTIVALS
from helpers.metrics import campaigns as cm
from helpers.core.metrics import METRICS
from helpers.stats import experiments as ex
from helpers.core.warehouse import day_to_date
from helpers.render import fmt
from helpers.report.campaign_analysis import Evaluation, Experiment, LiftRow
from helpers.render.text import label

WORDS: dict[str, tuple[str, str]] = {
    # campaign types (campaigns.type)
    "coupon": ("优惠券", "coupon"), "group_buy": ("拼团", "group-buy"), "bargain": ("砍价", "bargain"),
    "flash_sale": ("限时大促", "flash sale"), "live": ("直播", "live stream"),
    "kol": ("KOL 种草", "KOL post"), "fission": ("裂变", "fission"), "referral": ("推荐", "referral"),
    "push": ("推送", "push"), "points": ("积分", "points"), "other": ("其他", "other"),
    # methods
    "randomized": ("随机对照", "randomized"), "counterfactual": ("反事实模型", "counterfactual model"),
    "diff_in_diff": ("双重差分", "difference-in-differences"), "none": ("无法评估", "not evaluated"),
    # metrics of a lift
    "conversion": ("转化率", "conversion"), "revenue_per_user": ("人均收入", "revenue per user"),
    "orders_per_user": ("人均订单", "orders per user"), "aov": ("客单价", "average order value"),
    "refund_rate": ("退款率", "refund rate"), "unfollow_rate": ("取关率", "unfollow rate"),
    "orders": ("支付订单", "paid orders"), "gmv": ("成交额", "GMV"), "new_users": ("新增用户", "new users"),
    # other
    "running": ("进行中", "running"), "ended": ("已结束", "ended"),
    "during": ("活动期间", "during"), "after": ("活动结束后", "after"),
    "campaign": ("活动带来的用户", "campaign-acquired"), "organic": ("自然新增用户", "organic"),
    # variants and campaign events
    "control": ("对照组", "control"), "treatment": ("实验组", "treatment"),
    "coupon_claim": ("领券", "coupon claim"), "live_view": ("观看直播", "live-stream view"),
}
METRIC_UNIT = {"conversion": "fraction", "revenue_per_user": "CNY", "orders_per_user": "ratio",
               "aov": "CNY", "refund_rate": "fraction", "unfollow_rate": "fraction",
               "orders": "orders", "gmv": "CNY", "new_users": "users"}
TEST_KEYS = {"conversion": "ab_conversion", "revenue_per_user": "ab_revenue_per_user",
             "orders_per_user": "ab_orders_per_user", "aov": "ab_aov", "refund_rate": "ab_refund_rate",
             "unfollow_rate": "ab_unfollow_rate"}


def word(key: str, lang: str) -> str:
    """A campaign word in the report language; other data values via i18n.label."""
    if key not in WORDS:
        return label(key, lang)
    zh, en = WORDS[key]
    return zh if lang == "zh" else en


def _text(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _col(key: str, lang: str) -> str:
    return METRICS[key].label(lang)


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------

def level(x: float | None, metric: str, lang: str) -> str:
    """A metric's value in its unit."""
    unit = METRIC_UNIT.get(metric, "count")
    if _missing(x):
        return fmt.MISSING
    if unit == "ratio":
        return f"{x:.3f}"
    return fmt.value(round(x) if unit in ("orders", "users", "count") else x, unit, lang)


def change(x: float | None, metric: str, lang: str) -> str:
    """A signed difference in the metric's unit: points for rates, ¥ for money."""
    if _missing(x):
        return fmt.MISSING
    unit = METRIC_UNIT.get(metric, "count")
    if unit == "fraction":
        return fmt.points(x, lang)
    sign = "+" if x > 0 else "-" if x < 0 else ""
    if unit == "CNY":
        return sign + fmt.money(abs(x), lang)
    if unit == "ratio":
        return f"{x:+.3f}"
    return sign + fmt.number(abs(round(x)), lang)


def interval(low: float | None, high: float | None, metric: str, lang: str) -> str:
    """'+0.5 至 +3.7 个百分点' / '+0.5 to +3.7 pts'; money and counts likewise."""
    if _missing(low) or _missing(high):
        return fmt.MISSING
    between = " 至 " if lang == "zh" else " to "
    if METRIC_UNIT.get(metric) == "fraction":
        unit = "个百分点" if lang == "zh" else " pts"
        return f"{100 * low:+.1f}{between}{100 * high:+.1f}{unit}"
    return f"{change(low, metric, lang)}{between}{change(high, metric, lang)}"


def rel_interval(low: float | None, high: float | None, lang: str) -> str:
    if _missing(low) or _missing(high):
        return fmt.MISSING
    return f"{fmt.relative_change(low)}{' 至 ' if lang == 'zh' else ' to '}{fmt.relative_change(high)}"


def p_value(p: float | None) -> str:
    if _missing(p):
        return fmt.MISSING
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def p_is(p: float | None) -> str:
    """For prose: 'p=0.023' or 'p<0.001'."""
    text = p_value(p)
    return f"p{text}" if text.startswith("<") else f"p={text}"


def ratio(x: float | None, digits: int = 2) -> str:
    return fmt.MISSING if _missing(x) else f"{x:.{digits}f}"


def dates(start: date, end: date | None, lang: str) -> str:
    """'11月17日–20日' / '17–20 Nov'; an open end reads '起' / 'from'."""
    if end is None:
        return f"{start.month}月{start.day}日起" if lang == "zh" else f"from {start:%-d %b}"
    if lang == "zh":
        tail = f"{end.day}日" if (start.year, start.month) == (end.year, end.month) else \
            f"{end.month}月{end.day}日"
        return f"{start.month}月{start.day}日–{tail}"
    head = f"{start.day}" if (start.year, start.month) == (end.year, end.month) else f"{start:%-d %b}"
    return f"{head}–{end:%-d %b}"


def campaign_title(e: Evaluation, lang: str) -> str:
    c = e.campaign
    status = word("running" if e.running else "ended", lang)
    return (f"{c.name}（{word(c.type, lang)}，{dates(c.start, c.end, lang)}，{status}）" if lang == "zh"
            else f"{c.name} ({word(c.type, lang)}, {dates(c.start, c.end, lang)}, {status})")


# ---------------------------------------------------------------------------------------------
# Overview
# ---------------------------------------------------------------------------------------------

def overview(evals: list[Evaluation], gross_margin: float, lang: str) -> pd.DataFrame:
    """One row per campaign: method, metric, lift (absolute, relative), 95% interval, p, money."""
    rows = []
    for e in evals:
        lift = e.lift()
        roas, roi = e.roas_roi(gross_margin)
        gmv = e.incremental_gmv()
        rows.append({
            _text(lang, "活动", "Campaign"): campaign_title(e, lang),
            _col("campaign_method", lang): word(e.method, lang),
            _text(lang, "指标", "Metric"): word(e.metric, lang) if e.metric else fmt.MISSING,
            _col("campaign_lift_abs", lang): change(lift["abs"], e.metric or "", lang),
            _col("campaign_lift_rel", lang): fmt.relative_change(lift["rel"]),
            _col("campaign_ci", lang): interval(lift["low"], lift["high"], e.metric or "", lang),
            _col("campaign_p_value", lang): p_value(lift["p"]),
            _col("campaign_cost", lang): fmt.money(e.cost, lang),
            _col("campaign_incremental_gmv", lang): change(None if gmv is None else gmv[0], "gmv", lang),
            _col("campaign_roas", lang): ratio(roas),
            _col("campaign_roi", lang): fmt.relative_change(roi),
        })
    return pd.DataFrame(rows)


def overview_finding(evals: list[Evaluation], gross_margin: float, lang: str) -> str:
    if not evals:
        return _text(lang, "本期没有进行中的活动。", "No campaign ran during this period.")
    parts = []
    for e in evals:
        lift = e.lift()
        name = e.campaign.name
        if e.method == "none":
            parts.append(_text(lang, f"{name}：{reason(e, lang)}，无法估计效果",
                               f"{name}: no effect estimate ({reason(e, lang)})"))
            continue
        seq = e.experiment is not None and e.experiment.running
        ci = interval(lift["low"], lift["high"], e.metric or "", lang)
        what = word(e.metric or "", lang)
        gmv = e.incremental_gmv()
        _, roi = e.roas_roi(gross_margin)
        money = ""
        if gmv is not None:
            money = _text(lang, f"，增量成交额 {change(gmv[0], 'gmv', lang)}，ROI {fmt.relative_change(roi)}",
                          f"; incremental GMV {change(gmv[0], 'gmv', lang)}, ROI {fmt.relative_change(roi)}")
        kind = _text(lang, "序贯" if seq else "", "sequential " if seq else "")
        parts.append(_text(
            lang,
            f"{name}（{word(e.method, lang)}）：{what} {change(lift['abs'], e.metric or '', lang)}"
            f"（相对 {fmt.relative_change(lift['rel'])}，95% {kind}区间 {ci}，{p_is(lift['p'])}）{money}",
            f"{name} ({word(e.method, lang)}): {what} {change(lift['abs'], e.metric or '', lang)} "
            f"({fmt.relative_change(lift['rel'])} relative; 95% {kind}interval {ci}; "
            f"{p_is(lift['p'])}){money}"))
    return ("；".join(parts) + "。") if lang == "zh" else ("; ".join(parts) + ".")


def reason(e: Evaluation, lang: str) -> str:
    return fmt.MISSING if e.reason is None else _text(lang, *e.reason)


def roi_note(gross_margin: float, lang: str) -> str:
    m = fmt.percent(gross_margin, 0)
    return _text(
        lang,
        f"**ROI = (增量成交额 × 毛利率 {m} − 成本) / 成本**；**增量 ROAS = 增量成交额 / 成本**。"
        "增量指没有活动就不会发生的部分（随机对照：实验组与对照组之差；无对照组：实际值与模型预计值之差）；"
        "归因成交额（参与用户的全部订单）含本来就会发生的购买，只用于计分卡。"
        "率的差以“个百分点”表示，相对提升是相对变化；区间均为 95%。",
        f"**ROI = (incremental GMV × gross margin {m} − cost) / cost**; **incremental ROAS = "
        "incremental GMV / cost**. Incremental means what would not have happened without the "
        "campaign (randomized: treatment minus control; without control: actual minus the model's "
        "expectation); attributed GMV (all of the participants' orders) includes purchases that "
        "would have happened anyway and is used in the scorecards only. Differences of rates are "
        "in percentage points (pts), relative lifts are relative changes; intervals are 95%.")


# ---------------------------------------------------------------------------------------------
# Scorecards
# ---------------------------------------------------------------------------------------------

SCORECARD_KEYS = ("campaign_reach", "campaign_participants", "campaign_new_users",
                  "campaign_conversions", "campaign_conversion_rate", "campaign_orders",
                  "campaign_gmv", "campaign_cost", "campaign_cac", "campaign_roas_attributed",
                  "campaign_impressions", "campaign_clicks")
_CARD = {"campaign_reach": "reach", "campaign_participants": "participants",
         "campaign_new_users": "new_users", "campaign_conversions": "conversions",
         "campaign_conversion_rate": "conversion_rate", "campaign_orders": "orders",
         "campaign_gmv": "gmv", "campaign_cost": "cost", "campaign_cac": "cac",
         "campaign_roas_attributed": "roas_attributed", "campaign_impressions": "impressions",
         "campaign_clicks": "clicks"}


def _card_value(key: str, value: float | None, lang: str) -> str:
    unit = METRICS[key].unit
    return ratio(value) if unit == "ratio" else fmt.value(value, unit, lang)


def _change(key: str, now: float | None, before: float | None, lang: str) -> str:
    """Rates change in points, everything else relatively."""
    if _missing(now) or _missing(before):
        return fmt.MISSING
    if METRICS[key].unit == "fraction":
        return fmt.points(now - before, lang)
    return fmt.relative_change(now / before - 1) if before else fmt.MISSING


def _shown_keys(cards: list[dict[str, float | None]]) -> list[str]:
    """Scorecard rows; impressions and clicks only when some campaign has tagged spend."""
    return [k for k in SCORECARD_KEYS if k not in ("campaign_impressions", "campaign_clicks")
            or any(card.get(_CARD[k]) is not None for card in cards)]


def scorecards(evals: list[Evaluation], lang: str) -> pd.DataFrame:
    """Metric | one column per campaign."""
    keys = _shown_keys([e.card for e in evals])
    frame = pd.DataFrame({_text(lang, "指标", "Metric"): [_col(k, lang) for k in keys]})
    for e in evals:
        frame[e.campaign.name] = [_card_value(k, e.card.get(_CARD[k]), lang) for k in keys]
    return frame


def versus_previous(e: Evaluation, lang: str) -> pd.DataFrame:
    """Metric | this campaign | the previous campaign of the same type | change."""
    prev, before = e.previous
    keys = _shown_keys([e.card, before])
    span = dates(prev.start, prev.end, lang)
    return pd.DataFrame({
        _text(lang, "指标", "Metric"): [_col(k, lang) for k in keys],
        e.campaign.name: [_card_value(k, e.card.get(_CARD[k]), lang) for k in keys],
        _text(lang, f"{prev.name}（{span}）", f"{prev.name} ({span})"):
            [_card_value(k, before.get(_CARD[k]), lang) for k in keys],
        _text(lang, "变化", "Change"): [_change(k, e.card.get(_CARD[k]), before.get(_CARD[k]), lang)
                                       for k in keys],
    })


def scorecard_note(e: Evaluation, lang: str, treatment_conversion: float | None) -> str:
    """'- **name**: 12 days. Target ... Compared with ...' (a Markdown bullet)."""
    c = e.campaign
    days = c.days(e.as_of)
    if e.running:
        text = _text(lang, f"已进行 {days} 天（截至本期末）。", f"{days} days so far (to the end of the period).")
    else:
        text = _text(lang, f"共 {days} 天。", f"{days} days.")
    if c.target_metric and c.target_value:
        actual = cm.target_actual(e.card, c.target_metric, treatment_conversion)
        key = {"gmv": "campaign_gmv", "orders": "campaign_orders", "new_users": "campaign_new_users",
               "participants": "campaign_participants", "reach": "campaign_reach",
               "conversion": "campaign_conversion_rate"}.get(c.target_metric)
        if key and actual is not None:
            share = fmt.percent(actual / c.target_value, 0)
            target = _card_value(key, c.target_value, lang)
            now = _card_value(key, actual, lang)
            text += _text(lang, f"目标（{_col(key, lang)}）{target}，目前 {now}，达成 {share}。",
                          f" Target ({_col(key, lang)}) {target}; so far {now}, {share} of target.")
    if e.previous:
        p = e.previous[0]
        text += _text(lang, f"与上一次同类活动{p.name}的对比见下表。",
                      f" Compared with the previous {word(c.type, lang)} campaign, {p.name}, below.")
    else:
        text += _text(lang, "此前没有同类活动可比。", " No earlier campaign of this type to compare with.")
    return f"- **{c.name}**{_text(lang, '：', ': ')}{text}"


# ---------------------------------------------------------------------------------------------
# Randomized tests
# ---------------------------------------------------------------------------------------------

def srm_html(x: Experiment, lang: str) -> str:
    """The sample-ratio check: a red banner when it fails (the rest of the test is then
    unreliable), a quiet line when it passes."""
    shares = "、".join if lang == "zh" else ", ".join
    observed = shares(f"{word(v, lang)} {fmt.percent(s)}" for v, s in
                      zip(x.variants["variant"], x.variants["share"], strict=True))
    planned = shares(f"{word(v, lang)} {fmt.percent(s)}" for v, s in
                     zip(x.variants["variant"], x.variants["intended"], strict=True))
    p = f"p={float(x.srm.p_value):.2g}"
    if bool(x.srm.flagged):
        text = _text(lang,
                     f"⚠ 样本比例不匹配（SRM）：实际分组 {observed}，计划 {planned}，"
                     f"卡方检验 {p}（低于 0.001 的警戒线）。"
                     "分流或数据记录有问题，本实验下面的结果不可信；请先排查分流，再看效果。",
                     f"⚠ Sample ratio mismatch (SRM): users per variant {observed}, planned {planned}; "
                     f"chi-square {p} (below the 0.001 alarm line). The assignment or its logging is broken, so the "
                     "results below cannot be trusted; fix the split before reading the effects.")
        return ('<div style="border:2px solid #d64550;background:#fdecee;color:#8a1c25;'
                'padding:10px 14px;border-radius:6px;font-weight:600;margin:8px 0 12px">'
                f"{html.escape(text)}</div>")
    text = _text(lang, f"样本比例检查通过：实际分组 {observed}，计划 {planned}，卡方检验 {p}。",
                 f"Sample-ratio check passed: users per variant {observed}, planned {planned}; "
                 f"chi-square {p}.")
    return f'<p class="wx-note">✓ {html.escape(text)}</p>'


def _test_frame(x: Experiment, rows: list[LiftRow], lang: str, guardrail: bool) -> pd.DataFrame:
    seq = x.running
    multi = len(x.variants) > 2
    out = []
    for r in rows:
        f, rep = r.fixed, r.reported
        row = {_text(lang, "指标", "Metric"): _col(TEST_KEYS[r.metric], lang)
               + (_text(lang, "（主要）", " (primary)") if r.kind == "primary" else "")}
        if multi:
            row[_text(lang, "实验组", "Variant")] = word(r.variant, lang)
        row |= {
            _text(lang, "对照组", "Control"): level(float(f.control), r.metric, lang),
            _text(lang, "实验组", "Treatment"): level(float(f.treatment), r.metric, lang),
            _col("campaign_lift_abs", lang): change(float(f.abs), r.metric, lang),
            _col("campaign_lift_rel", lang): fmt.relative_change(float(f.rel)),
            (_text(lang, "95% 序贯区间", "95% sequential interval") if seq else _col("campaign_ci", lang)):
                interval(float(rep.abs_low), float(rep.abs_high), r.metric, lang),
            (_text(lang, "p 值（序贯）", "p (sequential)") if seq else _col("campaign_p_value", lang)):
                p_value(float(rep.p_value)),
        }
        if not guardrail:
            row[_col("ab_p_holm", lang)] = p_value(r.p_holm)
            if seq:
                row[_text(lang, "固定样本区间", "Fixed-horizon interval")] = interval(
                    float(f.abs_low), float(f.abs_high), r.metric, lang)
            row[_col("ab_cuped_narrowing", lang)] = (fmt.MISSING if r.narrowing is None
                                                     else fmt.percent(r.narrowing))
        out.append(row)
    return pd.DataFrame(out)


def test_table(x: Experiment, lang: str) -> pd.DataFrame:
    return _test_frame(x, [r for r in x.rows if r.kind != "guardrail"], lang, guardrail=False)


def guardrail_table(x: Experiment, lang: str) -> pd.DataFrame:
    return _test_frame(x, [r for r in x.rows if r.kind == "guardrail"], lang, guardrail=True)


def variants_table(x: Experiment, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        _text(lang, "分组", "Variant"): [word(v, lang) for v in x.variants["variant"]],
        _col("ab_users", lang): [fmt.number(v, lang) for v in x.variants["users"]],
        _text(lang, "实际占比", "Share"): [fmt.percent(v) for v in x.variants["share"]],
        _text(lang, "计划占比", "Planned"): [fmt.percent(v) for v in x.variants["intended"]],
    })


def experiment_finding(e: Evaluation, alpha: float, lang: str) -> str:
    x = e.experiment
    row = x.row(x.primary)
    r = row.reported
    what = word(x.primary, lang)
    ci = interval(float(r.abs_low), float(r.abs_high), x.primary, lang)
    significant = float(r.p_value) < alpha
    c = e.campaign
    if x.running:
        total = c.end_day - c.start_day + 1 if c.end_day is not None else None
        of = _text(lang, f"，共 {total} 天" if total else "", f" of {total}" if total else "")
        head = _text(lang, f"实验仍在进行（第 {x.days} 天{of}）。区间为序贯区间：每周查看都有效，不因反复查看而虚高。",
                     f"The test is still running (day {x.days}{of}). Intervals are sequential: valid "
                     "at every weekly look, so repeated peeking does not inflate them. ")
    else:
        head = _text(lang, f"实验已结束（共 {x.days} 天）。", f"The test has ended ({x.days} days).")
    verdict = _text(lang, "显著" if significant else "尚不显著",
                    "significant" if significant else "not yet significant")
    body = _text(lang,
                 f"主要指标{what}：对照组 {level(float(r.control), x.primary, lang)}，实验组 "
                 f"{level(float(r.treatment), x.primary, lang)}，提升 {change(float(r.abs), x.primary, lang)}"
                 f"（相对 {fmt.relative_change(float(r.rel))}，95% 区间 {ci}，{p_is(float(r.p_value))}，{verdict}）。",
                 f"Primary metric, {what}: control {level(float(r.control), x.primary, lang)}, treatment "
                 f"{level(float(r.treatment), x.primary, lang)}, lift {change(float(r.abs), x.primary, lang)} "
                 f"({fmt.relative_change(float(r.rel))} relative; 95% interval {ci}; "
                 f"{p_is(float(r.p_value))}; {verdict}).")
    if row.narrowing is not None:
        body += _text(lang, f"用实验前 {x.cuped_covariate_days} 天的同一指标做 CUPED 调整，"
                      f"区间收窄 {fmt.percent(row.narrowing)}。",
                      f" CUPED with the same metric over the {x.cuped_covariate_days} days before "
                      f"assignment narrowed the interval by {fmt.percent(row.narrowing)}.")
    return head + body


def power_text(x: Experiment, planned_rel: float, alpha: float, lang: str) -> str:
    p = x.power
    if p is None:
        return ""
    n = fmt.number(float(x.variants["users"].sum()), lang)
    mde = fmt.percent(p.mde_rel)
    plan = fmt.percent(planned_rel, 0)
    if p.days_needed is None:
        more = _text(lang, "", "")
    elif p.days_needed == 0:
        more = _text(lang, f"计划检测的相对提升 {plan} 以现有样本已可检测。",
                     f" The planned relative lift of {plan} is already detectable with these users.")
    else:
        more = _text(lang, f"要检测计划的相对提升 {plan}，按目前每天的入组速度还需约 {math.ceil(p.days_needed)} 天"
                     f"（共需约 {fmt.number(p.users_needed, lang)} 人）。",
                     f" To detect the planned relative lift of {plan}, about {math.ceil(p.days_needed)} more "
                     f"days are needed at the current intake ({fmt.number(p.users_needed, lang)} users in all).")
    return _text(lang,
                 f"功效：以目前 {n} 名用户，{word(x.primary, lang)}可检测的最小相对提升为 {mde}"
                 f"（{fmt.percent(p.power, 0)} 功效，显著性水平 {alpha:g}，固定样本计算）。" + more,
                 f"Power: with {n} users so far, the smallest relative lift in {word(x.primary, lang)} "
                 f"detectable with {fmt.percent(p.power, 0)} power at significance level {alpha:g} is "
                 f"{mde} (fixed-horizon calculation)." + more)


def guardrail_note(x: Experiment, lang: str) -> str:
    missing = "" if x.unfollows_tracked else _text(
        lang, "取关率无法计算：事件中没有 unfollow 记录。",
        " The unfollow rate cannot be computed: the events record no 'unfollow'.")
    return _text(lang, "护栏指标单独列出，不参与多重检验校正；上升即为警示。",
                 "Guardrail metrics are shown apart and are not part of the multiple-testing "
                 "correction; a rise is a warning.") + missing


# ---------------------------------------------------------------------------------------------
# Without control
# ---------------------------------------------------------------------------------------------

def counterfactual_table(e: Evaluation, lang: str) -> pd.DataFrame:
    a = e.counterfactual
    rows = []
    phases = [("during", a.fit.during, a.metric), ("after", a.fit.after, a.metric)]
    if a.gmv is not None and a.metric != "gmv":
        phases.insert(1, ("during", a.gmv, "gmv"))
    for phase, effect, metric in phases:
        if effect is None:
            continue
        rows.append({
            _text(lang, "时段", "Days"): f"{word(phase, lang)}（{effect.days} 天）" if lang == "zh"
            else f"{word(phase, lang)} ({effect.days} days)",
            _text(lang, "指标", "Metric"): word(metric, lang),
            _col("cf_actual", lang): level(effect.actual, metric, lang),
            _col("cf_expected", lang): level(effect.expected, metric, lang),
            _col("campaign_lift_abs", lang): change(effect.abs, metric, lang),
            _col("campaign_lift_rel", lang): fmt.relative_change(effect.rel),
            _col("campaign_ci", lang): interval(effect.abs_low, effect.abs_high, metric, lang),
            _col("campaign_p_value", lang): p_value(effect.p_value),
        })
    return pd.DataFrame(rows)


def counterfactual_finding(e: Evaluation, lang: str) -> str:
    a = e.counterfactual
    d, m = a.fit.during, a.metric
    c = e.campaign
    days = dates(c.start, day_to_date(c.last_day(e.as_of)), lang)
    text = _text(lang,
                 f"活动期间（{days}）{word(m, lang)}实际 {level(d.actual, m, lang)}，模型预计没有活动时为 "
                 f"{level(d.expected, m, lang)}：增量 {change(d.abs, m, lang)}（相对 {fmt.relative_change(d.rel)}，"
                 f"95% 区间 {interval(d.abs_low, d.abs_high, m, lang)}，{p_is(d.p_value)}）。",
                 f"During the campaign ({days}) {word(m, lang)} were {level(d.actual, m, lang)} against "
                 f"{level(d.expected, m, lang)} expected without it: {change(d.abs, m, lang)} "
                 f"({fmt.relative_change(d.rel)} relative; 95% interval "
                 f"{interval(d.abs_low, d.abs_high, m, lang)}; {p_is(d.p_value)}).")
    if a.gmv is not None and m != "gmv":
        g = a.gmv
        span = interval(g.abs_low, g.abs_high, "gmv", lang)
        text += _text(lang, f"增量成交额 {change(g.abs, 'gmv', lang)}（95% 区间 {span}）。",
                      f" Incremental GMV {change(g.abs, 'gmv', lang)} (95% interval "
                      f"{interval(g.abs_low, g.abs_high, 'gmv', lang)}).")
    after = a.fit.after
    if after is not None:
        lasting = not (after.abs_low <= 0 <= after.abs_high)
        verdict = _text(lang, "有持续效果" if lasting else "未见持续效果",
                        "a lasting effect" if lasting else "no lasting effect")
        text += _text(lang, f"结束后 {after.days} 天：{change(after.abs, m, lang)}（95% 区间 "
                      f"{interval(after.abs_low, after.abs_high, m, lang)}），{verdict}。",
                      f" In the {after.days} days after it: {change(after.abs, m, lang)} (95% interval "
                      f"{interval(after.abs_low, after.abs_high, m, lang)}): {verdict}.")
    elif e.running:
        text += _text(lang, "活动仍在进行，结束后的效果下周起可见。",
                      " The campaign is still running; effects after it show from next week.")
    return text


def model_note(e: Evaluation, pre_days_param: int, lang: str) -> str:
    a = e.counterfactual
    fit = a.fit
    names = {"holiday": ("节假日", "holidays"), "spring_festival": ("春节假期", "the Spring Festival break"),
             "makeup_workday": ("调休工作日", "make-up workdays"),
             "covariate:active_users": ("日活跃用户", "daily active users"),
             "covariate:other_channels": ("其他渠道用户的同一指标", "the metric among other channels' users")}
    for f in SHOPPING_FESTIVALS:
        names[f"festival_{f.key}"] = (f"{f.label_zh}当天", f"{f.label_en} day")
        names[f"presale_{f.key}"] = (f"{f.label_zh}预售期", f"{f.label_en} pre-sale")

    def name(r: str) -> str:
        if r.startswith(("campaign:", "event:")):
            return _text(lang, f"活动 {r.split(':', 1)[1]}", f"campaign {r.split(':', 1)[1]}")
        zh, en = names.get(r, (r, r))
        return _text(lang, zh, en)

    used = "、".join(name(r) for r in fit.regressors) if lang == "zh" else \
        ", ".join(name(r) for r in fit.regressors)
    scale = _text(lang, "对数尺度（节日与周内效应按比例作用）", "on the log scale (festival and weekday "
                  "effects multiply)") if fit.log_scale else _text(lang, "原始尺度", "on the original scale")
    text = _text(lang,
                 f"模型：用活动开始前 {fit.pre_days} 天的每日{word(a.metric, lang)}拟合状态空间模型"
                 f"（局部水平 + 周内模式"
                 f"{' + ' + used if used else ''}），{scale}；模拟 2,000 条路径得到区间。",
                 f"Model: a state-space model (local level + weekly pattern{' + ' + used if used else ''}) "
                 f"fitted to daily {word(a.metric, lang)} over the {fit.pre_days} days before the campaign, "
                 f"{scale}; intervals from 2,000 simulated paths.")
    if fit.pre_days < pre_days_param:
        text += _text(lang, f"（数据只覆盖活动前 {fit.pre_days} 天，少于参数设定的 {pre_days_param} 天。）",
                      f" (The data cover only {fit.pre_days} days before it, fewer than the "
                      f"{pre_days_param} set.)")
    if fit.unseen:
        text += _text(lang, f"注意：{'、'.join(name(r) for r in fit.unseen)} 在活动期间出现、此前从未出现，"
                      "其影响无法与活动分开，已计入估计的效果。",
                      f" Caution: {', '.join(name(r) for r in fit.unseen)} occur during the campaign but "
                      "never before it, so their effect cannot be separated from the campaign's and is "
                      "part of the estimate.")
    return text


def placebo_finding(e: Evaluation, lang: str) -> str:
    frame = e.counterfactual.placebos
    if frame.empty:
        return _text(lang, "安慰剂检验：活动前没有足够的无活动时段。",
                     "Placebo check: there are not enough campaign-free days before the campaign.")
    m = e.counterfactual.metric
    alarms, n = int(frame["excludes_zero"].sum()), len(frame)
    lo, hi = change(float(frame["abs"].min()), m, lang), change(float(frame["abs"].max()), m, lang)
    ok = stats.binom.sf(alarms - 1, n, 0.05) >= 0.05  # as many alarms as a sound 5% method gives
    verdict = _text(lang, "方法没有在无活动时“发现”效果。" if ok else
                    "方法在无活动时也常“发现”效果，上面的估计需谨慎看待。",
                    "the method does not find effects where there are none." if ok else
                    "the method often finds effects where there are none; read the estimate above "
                    "with caution.")
    return _text(lang,
                 f"安慰剂检验：在活动前 {n} 个无活动、无购物节的同长度时段上重复同一方法，"
                 f"其中 {alarms} 个的 95% 区间不含 0（方法可靠时约 5%），估计值在 {lo} 至 {hi} 之间；{verdict}",
                 f"Placebo check: the same method on {n} earlier windows of the same length without any "
                 f"campaign or festival gives {alarms} intervals excluding 0 (about 5% expected for a sound "
                 f"method) and estimates from {lo} to {hi}: {verdict}")


def did_table(e: Evaluation, lang: str) -> pd.DataFrame:
    d = e.did
    rows = []
    for metric, r in ((d.metric, d.result), ("gmv", d.gmv if d.metric != "gmv" else None)):
        if r is None:
            continue
        rows.append({
            _text(lang, "指标", "Metric"): word(metric, lang),
            _col("campaign_lift_abs", lang): change(r.abs, metric, lang),
            _col("campaign_lift_rel", lang): fmt.relative_change(r.rel),
            _col("campaign_ci", lang): interval(r.abs_low, r.abs_high, metric, lang),
            _col("campaign_p_value", lang): p_value(r.p_value),
            _col("did_pre_trend_p", lang): p_value(r.pre_trend_p),
        })
    return pd.DataFrame(rows)


def did_finding(e: Evaluation, lang: str) -> str:
    d = e.did
    g = d.group
    treated, comparison = ", ".join(g.treated), ", ".join(g.comparison)
    parallel = d.result.pre_trend_p >= 0.05
    trend = _text(lang, "活动前两组走势平行（趋势检验 p≥0.05）。" if parallel else
                  "注意：活动前两组走势不平行（趋势检验 p<0.05），估计可能有偏。",
                  " Before the campaign the groups moved in parallel (trend test p ≥ 0.05)." if parallel
                  else " Caution: before the campaign the groups did not move in parallel (trend test "
                  "p < 0.05), so the estimate may be biased.")
    return _text(lang,
                 f"双重差分：处理组为 users.{g.column} ∈ {{{treated}}}，比较组为 {{{comparison}}}；"
                 f"比较两组每日{word(d.metric, lang)}之比在活动前后的变化（Newey-West 标准误）。" + trend,
                 f"Difference-in-differences: treated users.{g.column} in {{{treated}}}, comparison "
                 f"{{{comparison}}}; the change in the ratio of the groups' daily {word(d.metric, lang)} "
                 "from before to during the campaign (Newey-West errors)." + trend)


# ---------------------------------------------------------------------------------------------
# Campaign-type specifics
# ---------------------------------------------------------------------------------------------

def _small(n: float, k: int) -> bool:
    return 0 < n < k


def tagged_table(frame: pd.DataFrame, k: int, lang: str) -> pd.DataFrame:
    """Events tagged with the campaign; rows of fewer than k users read "<k" (privacy)."""
    hide = [_small(n, k) for n in frame["users"]]

    def cells(values: pd.Series, show: object) -> list[str]:
        return [f"<{k}" if h else show(v) for v, h in zip(values, hide, strict=True)]

    return pd.DataFrame({
        _text(lang, "活动事件", "Campaign event"): [word(v, lang) for v in frame["event"]],
        _text(lang, "用户", "Users"): cells(frame["users"], lambda v: fmt.number(v, lang)),
        _text(lang, "次数", "Events"): cells(frame["events"], lambda v: fmt.number(v, lang)),
        _text(lang, "其后下单用户", "Bought afterwards"): cells(frame["buyers"], lambda v: fmt.number(v, lang)),
        _text(lang, "下单率", "Share who bought"): cells(frame["buyer_rate"], fmt.percent),
    })


def key_value_table(values: dict[str, str], lang: str) -> pd.DataFrame:
    return pd.DataFrame({_text(lang, "指标", "Metric"): [_col(k, lang) for k in values],
                         _text(lang, "数值", "Value"): list(values.values())})


def coupon_values(stats: dict[str, float | None], reach: float | None, e: Evaluation, lang: str
                  ) -> dict[str, str]:
    claimers = stats["claimers"]
    out = {"coupon_claimers": fmt.number(claimers, lang),
           "coupon_claim_rate": fmt.percent(claimers / reach if reach else None),
           "coupon_redemption_rate": fmt.percent(stats["redeemers"] / claimers
                                                 if claimers and stats["redeemers"] is not None else None),
           "coupon_discount": fmt.money(stats["discount"], lang)}
    x = e.experiment
    row = x.row("conversion") if x else None
    if row is not None:
        r = row.reported  # control / treatment = 1 / (1 + relative lift), capped at 100%
        share, lo = 1 / (1 + float(r.rel)), 1 / (1 + float(r.rel_high))
        hi = 1 / (1 + float(r.rel_low)) if float(r.rel_low) > 0 else 1.0
        span = f"{fmt.percent(min(share, 1.0))}（95% 区间 {fmt.percent(lo)}–{fmt.percent(hi)}）" if lang == "zh" \
            else f"{fmt.percent(min(share, 1.0))} (95% interval {fmt.percent(lo)}–{fmt.percent(hi)})"
        out["coupon_deadweight"] = span
    return out


def group_values(stats: dict[str, float | None], lang: str) -> dict[str, str]:
    return {"group_started": fmt.number(stats["groups"], lang),
            "group_completion_rate": fmt.percent(stats["completion_rate"]),
            "group_size": ratio(stats["group_size"])}


def referral_values(stats: dict[str, float | None], lang: str) -> dict[str, str]:
    return {"referral_inviters": fmt.number(stats["inviters"], lang),
            "referral_invites": fmt.number(stats["invites"], lang),
            "referral_joins": fmt.number(stats["joins"], lang),
            "referral_k_factor": ratio(stats["k_factor"]),
            "referral_cost_per_join": fmt.money(stats["cost_per_join"], lang)}


def media_values(card: dict[str, float | None], lang: str) -> dict[str, str]:
    imp, clicks, cost = card.get("impressions"), card.get("clicks"), card.get("cost")
    return {"campaign_impressions": fmt.number(imp, lang), "campaign_clicks": fmt.number(clicks, lang),
            "channel_ctr": fmt.percent(clicks / imp if imp and clicks is not None else None),
            "channel_cpc": fmt.money(cost / clicks if cost and clicks else None, lang),
            "campaign_cac": fmt.money(card.get("cac"), lang)}


def repeat_table(frame: pd.DataFrame, k: int, lang: str) -> tuple[pd.DataFrame, str]:
    """Repeat purchase, campaign-acquired vs organic, and the gap in points with its interval;
    groups of fewer than k buyers are hidden (privacy)."""
    rows = {g: r for g, r in zip(frame["group"], frame.itertuples(), strict=True) if r.buyers >= k}
    table = pd.DataFrame({
        _text(lang, "用户", "Users"): [word(g, lang) for g in rows],
        _text(lang, "可观察的购买用户", "Observable buyers"): [fmt.number(r.buyers, lang) for r in rows.values()],
        _col("repeat_rate", lang): [fmt.percent(r.repeaters / r.buyers) for r in rows.values()],
    })
    if not {"campaign", "organic"} <= set(rows):
        return table, ""

    def arm(r: object) -> ex.Moments:  # a 0/1 outcome: Σy = Σy² = repeaters
        return ex.Moments(float(r.buyers), float(r.repeaters), float(r.repeaters))

    gap = ex.mean_difference(arm(rows["organic"]), arm(rows["campaign"]))
    span = interval(float(gap.abs_low), float(gap.abs_high), "conversion", lang)
    mine, theirs = fmt.percent(float(gap.treatment)), fmt.percent(float(gap.control))
    return table, _text(lang, f"复购率：活动带来的用户 {mine}，自然新增用户 {theirs}，相差 "
                        f"{fmt.points(float(gap.abs), lang)}（95% 区间 {span}）。",
                        f"Repeat purchase: campaign-acquired users {mine}, organic users {theirs}, a gap of "
                        f"{fmt.points(float(gap.abs), lang)} (95% interval {span}).")


# ---------------------------------------------------------------------------------------------
# Channels
# ---------------------------------------------------------------------------------------------

def _div(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a / b.where(b > 0)).astype("float64")


def channel_frames(frame: pd.DataFrame, k: int, lang: str) -> tuple[pd.DataFrame, dict, pd.DataFrame,
                                                                     pd.DataFrame, dict, pd.DataFrame]:
    """Acquisition table and attribution table (frames, units, hidden cells under k users)."""
    ch = [label(v, lang) for v in frame["channel"]]
    name = _text(lang, "渠道", "Channel")
    acq = pd.DataFrame({
        name: ch,
        _col("channel_spend", lang): frame["spend"],
        _col("channel_impressions", lang): frame["impressions"],
        _col("channel_clicks", lang): frame["clicks"],
        _col("channel_ctr", lang): _div(frame["clicks"], frame["impressions"]),
        _col("channel_cpc", lang): _div(frame["spend"], frame["clicks"]),
        _col("channel_new_users", lang): frame["new_users"],
        _col("channel_cac", lang): _div(frame["spend"], frame["new_users"]),
        _col("channel_conversion", lang): _div(frame["new_converted"], frame["new_users"]),
    })
    acq_units = {_col(k_, lang): METRICS[k_].unit for k_ in
                 ("channel_spend", "channel_impressions", "channel_clicks", "channel_ctr", "channel_cpc",
                  "channel_new_users", "channel_cac", "channel_conversion")}
    small_new = (frame["new_users"] > 0) & (frame["new_users"] < k)
    acq_hidden = pd.DataFrame(False, index=acq.index, columns=acq.columns)
    for key in ("channel_new_users", "channel_cac", "channel_conversion"):
        acq_hidden[_col(key, lang)] = small_new
    total_ft, total_lt = frame["ft_revenue"].sum(), frame["lt_revenue"].sum()
    shift = (_div(frame["lt_revenue"], pd.Series(total_lt, index=frame.index))
             - _div(frame["ft_revenue"], pd.Series(total_ft, index=frame.index)))
    att = pd.DataFrame({
        name: ch,
        _col("channel_orders_ft", lang): frame["ft_orders"],
        _col("channel_revenue_ft", lang): frame["ft_revenue"],
        _col("channel_aov_ft", lang): _div(frame["ft_revenue"], frame["ft_orders"]),
        _col("channel_roas_ft", lang): _div(frame["ft_revenue"], frame["spend"]),
        _col("channel_orders_lt", lang): frame["lt_orders"],
        _col("channel_revenue_lt", lang): frame["lt_revenue"],
        _col("channel_aov_lt", lang): _div(frame["lt_revenue"], frame["lt_orders"]),
        _col("channel_roas_lt", lang): _div(frame["lt_revenue"], frame["spend"]),
        _col("channel_share_shift", lang): shift,
    })
    att_units = {_col(k_, lang): METRICS[k_].unit for k_ in
                 ("channel_orders_ft", "channel_revenue_ft", "channel_aov_ft", "channel_roas_ft",
                  "channel_orders_lt", "channel_revenue_lt", "channel_aov_lt", "channel_roas_lt",
                  "channel_share_shift")}
    att_hidden = pd.DataFrame(False, index=att.index, columns=att.columns)
    for prefix, keys in (("ft", ("channel_orders_ft", "channel_revenue_ft", "channel_aov_ft",
                                 "channel_roas_ft")),
                         ("lt", ("channel_orders_lt", "channel_revenue_lt", "channel_aov_lt",
                                 "channel_roas_lt"))):
        small = (frame[f"{prefix}_buyers"] > 0) & (frame[f"{prefix}_buyers"] < k)
        for key in keys:
            att_hidden[_col(key, lang)] = small
        att_hidden[_col("channel_share_shift", lang)] |= small
    return acq, acq_units, acq_hidden, att, att_units, att_hidden


def channel_finding(frame: pd.DataFrame, k: int, lang: str) -> str:
    """What changes between first- and last-touch credit: the biggest gainer and loser."""
    ok = (frame["ft_buyers"] >= k) & (frame["lt_buyers"] >= k)
    total_ft, total_lt = frame["ft_revenue"].sum(), frame["lt_revenue"].sum()
    if not total_ft or not total_lt or not ok.any():
        return ""
    shift = (frame["lt_revenue"] / total_lt - frame["ft_revenue"] / total_ft).where(ok)
    up, down = frame.loc[shift.idxmax()], frame.loc[shift.idxmin()]
    paid = frame[frame["spend"] > 0]
    text = _text(lang,
                 f"改用末次触点归因后，{label(up['channel'], lang)}的收入占比变化最大"
                 f"（{fmt.points(shift.max(), lang)}），"
                 f"{label(down['channel'], lang)}下降最多（{fmt.points(shift.min(), lang)}）：用户多由后者带来，"
                 "最后却常从前者下单。",
                 f"Credited by last touch instead of first touch, {label(up['channel'], lang)} gains the most "
                 f"revenue share ({fmt.points(shift.max(), lang)}) and {label(down['channel'], lang)} loses "
                 f"the most ({fmt.points(shift.min(), lang)}): users arrive through the latter and often "
                 "buy last through the former.")
    if not paid.empty:
        parts = []
        for r in paid.itertuples():
            ft = r.ft_revenue / r.spend if r.spend else np.nan
            lt = r.lt_revenue / r.spend if r.spend else np.nan
            parts.append(f"{label(r.channel, lang)} {ratio(ft)} → {ratio(lt)}")
        text += _text(lang, "付费渠道 ROAS（首次 → 末次触点）：" + "，".join(parts) + "。",
                      " Paid channels' ROAS (first → last touch): " + ", ".join(parts) + ".")
    return text
