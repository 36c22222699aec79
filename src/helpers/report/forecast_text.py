"""Words and tables of the forecasting report, zh or en: model names, notes, findings, tables.

Numbers are formatted in each series' own unit; every table is returned ready for `rep.table`
(strings already formatted, so mixed units can share a column).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from helpers.core.calendar import SHOPPING_FESTIVALS
from helpers.metrics.forecasting import SeriesRun, weekly_forecast
from helpers.stats.forecast import LEVELS, Note
from helpers.render import fmt

MODEL_NAMES = {
    "seasonal_naive": ("季节性朴素", "Seasonal naive"),
    "ets_damped": ("ETS 阻尼趋势", "ETS, damped trend"),
    "structural": ("结构模型", "Structural model"),
    "combined": ("ETS 与结构模型平均", "ETS + structural average"),
}
MODEL_LEGEND = (
    "季节性朴素：上周同一天的值（基准）；ETS 阻尼趋势：指数平滑，趋势逐渐放平，含周季节；"
    "结构模型：水平 + 周季节 + 逐渐消退的短期偏离 + 日历回归（节假日、调休、购物节、自定义事件）；"
    "平均：前两者的平均。正值序列在对数尺度上建模（效应按比例），两年以上历史时先去掉年度季节。",
    "Seasonal naive: the same weekday last week (the benchmark). ETS, damped trend: exponential "
    "smoothing whose trend flattens out, with weekly seasonality. Structural model: level + weekly "
    "seasonality + a short-lived deviation + calendar regressors (holidays, make-up workdays, shopping "
    "festivals, events). Average: the mean of the two. Positive series are modelled on the log scale "
    "(effects in proportion); with two years of history a yearly profile is taken out first.")
REASONS = {
    "non_finite": ("出现非有限值", "non-finite values"),
    "diverged": ("预测超出历史的合理范围", "forecast left the plausible range"),
    "interval_exploded": ("区间发散", "interval exploded"),
    "short_history": ("历史太短", "history too short"),
    "no_history": ("缺少某个星期几的历史", "a weekday without history"),
}
WEEKDAYS_ZH = "一二三四五六日"


def _t(language: str, zh: str, en: str) -> str:
    return zh if language == "zh" else en


def model_name(model: str, language: str) -> str:
    zh, en = MODEL_NAMES[model]
    return _t(language, zh, en)


def day(d: date | pd.Timestamp, language: str, weekday: bool = True) -> str:
    """'11月21日（周六）' / 'Sat 21 Nov'."""
    d = pd.Timestamp(d)
    if language == "zh":
        return f"{d.month}月{d.day}日" + (f"（周{WEEKDAYS_ZH[d.weekday()]}）" if weekday else "")
    return (f"{d:%a} " if weekday else "") + f"{d.day} {d:%b}"


def span(first: date | pd.Timestamp, last: date | pd.Timestamp, language: str) -> str:
    return f"{day(first, language, False)}–{day(last, language, False)}"


def regressor_name(column: str, language: str) -> str:
    """Calendar column -> words."""
    fixed = {
        "holiday": ("法定节假日（工作日放假）", "Public holiday on a weekday"),
        "spring_festival": ("春节假期", "Spring Festival break"),
        "makeup_workday": ("调休上班日", "Make-up workday (调休)"),
    }
    if column in fixed:
        return _t(language, *fixed[column])
    if column.startswith("event:"):
        return _t(language, "自定义事件：", "Event: ") + column.removeprefix("event:")
    kind, _, key = column.partition("_")
    festival = next(f for f in SHOPPING_FESTIVALS if f.key == key)
    label = festival.label_zh if language == "zh" else festival.label_en
    if kind == "presale":
        return label + _t(language, " 预售期", " pre-sale")
    return label + _t(language, " 当天", " (day)")


def _reason(code: str, language: str) -> str:
    if code.startswith("error:"):
        return _t(language, "拟合出错 ", "fit error ") + code.removeprefix("error:")
    return _t(language, *REASONS.get(code, (code, code)))


def note_text(note: Note, language: str) -> str:
    if note.kind == "log_not_possible":
        return _t(language, "含 0 或负值：不取对数（乘法模型会发散），用加法模型",
                  "zero or negative values: modelled additively (a log/multiplicative model would explode)")
    if note.kind == "failed_backtest":
        return _t(language,
                  f"{model_name(note.model, language)}在 {note.count}/{note.other} 个回测起点被拒"
                  f"（{_reason(note.reason, language)}），这些起点按季节性朴素计分",
                  f"{model_name(note.model, language)} rejected at {note.count} of {note.other} backtest "
                  f"origins ({_reason(note.reason, language)}); scored as seasonal naive there")
    if note.kind == "fallback":
        return _t(language,
                  f"{model_name(note.model, language)}最终拟合被拒（{_reason(note.reason, language)}），"
                  f"改用{model_name(note.other, language)}",
                  f"{model_name(note.model, language)} rejected on the latest data "
                  f"({_reason(note.reason, language)}); fell back to {model_name(note.other, language)}")
    if note.kind == "short_history":
        return _t(language, f"历史只有 {note.count} 天，不足以回测：用季节性朴素，区间未校准",
                  f"only {note.count} days of history, too few to backtest: seasonal naive, "
                  f"intervals not calibrated")
    return note.kind


def value(run: SeriesRun, x: float | None, language: str) -> str:
    """A series value in its unit; forecasts of counts are shown as whole numbers."""
    if x is not None and np.isfinite(x) and run.info.unit in ("users", "orders", "count") and abs(x) >= 1:
        x = float(round(x))
    return fmt.value(x, run.info.unit, language)


def band(run: SeriesRun, lo: float, hi: float, language: str) -> str:
    """'2,430–2,728'; with a negative bound '−15～44' / '-15 to 44' so the sign stays readable."""
    sep = "–" if lo >= 0 else ("～" if language == "zh" else " to ")
    return f"{value(run, lo, language)}{sep}{value(run, hi, language)}"


def deviation(run: SeriesRun, a: Any, language: str) -> str:
    """Relative deviation for positive series; the signed difference where a ratio means nothing."""
    if np.isfinite(a.deviation):
        return fmt.relative_change(a.deviation)
    return ("+" if a.difference > 0 else "") + value(run, a.difference, language)


# ----------------------------------------------------------------------------------------------
# Monitoring
# ----------------------------------------------------------------------------------------------

def day_context(d: pd.Timestamp, regressors: pd.DataFrame, campaigns: dict[date, list[str]],
                language: str) -> str:
    """The calendar features and campaigns of a day, e.g. '双11 当天、双11 预售'."""
    on = regressors.loc[d] if d in regressors.index else pd.Series(dtype=float)
    names = [regressor_name(c, language) for c in on.index[on > 0]] + campaigns.get(d.date(), [])
    return ("、" if language == "zh" else ", ").join(names)


def anomaly_table(runs: list[SeriesRun], regressors: pd.DataFrame, campaigns: dict[date, list[str]],
                  language: str) -> pd.DataFrame:
    """One row per anomaly, by series then date, with what was on that day."""
    rows = []
    for run in runs:
        for a in run.monitoring.anomalies.itertuples():
            rows.append({
                _t(language, "指标", "Metric"): run.info.label(language),
                _t(language, "日期", "Date"): day(a.date, language),
                _t(language, "实际", "Actual"): value(run, a.actual, language),
                _t(language, "预期", "Expected"): value(run, a.expected, language),
                _t(language, "95% 区间", "95% interval"): band(run, a.lo95, a.hi95, language),
                _t(language, "偏离", "Deviation"): deviation(run, a, language),
                _t(language, "当天日历与活动", "Calendar and campaigns that day"): day_context(
                    a.date, regressors, campaigns, language),
            })
    return pd.DataFrame(rows)


def alert_table(alerts: list[dict[str, object]], labels: dict[str, str], units: dict[str, str],
                language: str) -> pd.DataFrame:
    rows = [{
        _t(language, "规则", "Rule"): f"{labels[a['metric']]} "
                                    f"{'>' if a['rule'] == 'above' else '<'} "
                                    f"{fmt.value(a['threshold'], units[a['metric']], language)}",
        _t(language, "日期", "Date"): day(pd.Timestamp(a["date"]), language),
        _t(language, "当天值", "Value"): fmt.value(a["value"], units[a["metric"]], language),
    } for a in alerts]
    return pd.DataFrame(rows)


def monitoring_finding(runs: list[SeriesRun], alerts: list[dict[str, object]], labels: dict[str, str],
                       units: dict[str, str], language: str) -> str:
    """The week's anomalies in a few sentences: the most severe day (furthest outside its band) of
    each series, most severe first, three series at most."""
    found = [(a.severity, run, a) for run in runs for a in run.monitoring.anomalies.itertuples()]
    found.sort(key=lambda x: -x[0])
    worst = {}
    for item in found:
        worst.setdefault(item[1].info.key, item)
    if not found:
        text = _t(language, f"本周 {len(runs)} 项指标每天都在预期的 95% 区间内，没有异常日。",
                  f"All {len(runs)} series stayed inside their 95% expected range every day this week.")
    else:
        parts = []
        for _, run, a in list(worst.values())[:3]:
            parts.append(_t(
                language,
                f"{run.info.label(language)} {day(a.date, language)} {value(run, a.actual, language)}，"
                f"{'高于' if a.direction == 'up' else '低于'} 95% 区间 {band(run, a.lo95, a.hi95, language)}"
                f"（预期 {value(run, a.expected, language)}，偏离 {deviation(run, a, language)}）",
                f"{run.info.label(language)} on {day(a.date, language)}: {value(run, a.actual, language)}, "
                f"{'above' if a.direction == 'up' else 'below'} the 95% range "
                f"{band(run, a.lo95, a.hi95, language)} (expected {value(run, a.expected, language)}, "
                f"off by {deviation(run, a, language)})"))
        series = len(worst)
        text = _t(language, f"本周 {series} 项指标共 {len(found)} 个异常日，各指标最突出的：" + "；".join(parts) + "。",
                  f"{len(found)} anomalous day(s) in {series} series this week; the most severe per series: "
                  + "; ".join(parts) + ".")
    if alerts:
        first = alerts[0]
        rule = _t(language, "超过" if first["rule"] == "above" else "低于",
                  "above" if first["rule"] == "above" else "below")
        text += _t(
            language,
            f" 阈值告警 {len(alerts)} 次，如 {labels[first['metric']]} {day(pd.Timestamp(first['date']), language)}"
            f" 为 {fmt.value(first['value'], units[first['metric']], language)}，{rule}阈值 "
            f"{fmt.value(first['threshold'], units[first['metric']], language)}。",
            f" {len(alerts)} threshold alert(s), e.g. {labels[first['metric']]} on "
            f"{day(pd.Timestamp(first['date']), language)} at "
            f"{fmt.value(first['value'], units[first['metric']], language)}, {rule} "
            f"{fmt.value(first['threshold'], units[first['metric']], language)}.")
    return text


# ----------------------------------------------------------------------------------------------
# Forecast, weekly roll-up and targets
# ----------------------------------------------------------------------------------------------

def _weeks(runs: list[SeriesRun]) -> dict[str, pd.DataFrame]:
    return {run.info.key: weekly_forecast(run) for run in runs}


def week_label(monday: pd.Timestamp, language: str) -> str:
    iso = monday.isocalendar()
    return f"W{iso.week:02d}（{span(monday, monday + pd.Timedelta(days=6), language)}）" if language == "zh" \
        else f"W{iso.week:02d} ({span(monday, monday + pd.Timedelta(days=6), language)})"


def weekly_table(runs: list[SeriesRun], targets: dict[str, float], language: str) -> pd.DataFrame:
    """One row per series, one column per forecast week: the week's total (or daily mean) with its
    80% interval, and against the weekly target where one is set."""
    rows = []
    for run in runs:
        weeks = weekly_forecast(run)
        target = targets.get(run.info.key)
        how = _t(language, "日均", "daily mean") if run.info.weekly == "mean" else _t(language, "周合计", "week total")
        row = {_t(language, "指标", "Metric"): f"{run.info.label(language)}（{how}）" if language == "zh"
               else f"{run.info.label(language)} ({how})"}
        for w in weeks.itertuples():
            cell = f"{value(run, w.value, language)}（{band(run, w.lo, w.hi, language)}）" if language == "zh" \
                else f"{value(run, w.value, language)} ({band(run, w.lo, w.hi, language)})"
            if target:
                cell += _t(language, f" · 达成 {fmt.percent(w.value / target, 0)}",
                           f" · {fmt.percent(w.value / target, 0)} of target")
            row[week_label(w.week, language)] = cell
        row[_t(language, "周目标", "Weekly target")] = value(run, target, language) if target else fmt.MISSING
        rows.append(row)
    return pd.DataFrame(rows)


def forecast_finding(runs: list[SeriesRun], targets: dict[str, float], language: str) -> str:
    """The horizon's outlook for the headline series, and targets at risk."""
    if not runs:
        return ""
    first, last = runs[0].forecast.dates[0], runs[0].forecast.dates[-1]
    parts = []
    for run in runs[:4]:
        weeks = weekly_forecast(run)
        if weeks.empty:
            continue
        mean = weeks["value"].mean()
        how = _t(language, "日均" if run.info.weekly == "mean" else "周均",
                 "daily mean" if run.info.weekly == "mean" else "per week")
        parts.append(_t(language, f"{run.info.label(language)}{how} {value(run, mean, language)}",
                        f"{run.info.label(language)} {value(run, mean, language)} {how}"))
    text = _t(language, f"预测期 {span(first, last, language)}：" + "，".join(parts) + "（各周 80% 区间见下表）。",
              f"Forecast for {span(first, last, language)}: " + "; ".join(parts)
              + " (80% intervals per week below).")
    risky = []
    for run in runs:
        target = targets.get(run.info.key)
        if not target:
            continue
        weeks = weekly_forecast(run)
        short = weeks[weeks["hi"] < target]
        if len(short):
            risky.append(_t(language, f"{run.info.label(language)}有 {len(short)} 周连 80% 区间上限都低于目标",
                            f"{run.info.label(language)}: {len(short)} week(s) with even the 80% upper bound "
                            f"below target"))
    if risky:
        text += _t(language, " 目标风险：" + "；".join(risky) + "。", " Targets at risk: " + "; ".join(risky) + ".")
    return text


def calendar_ahead(regressors: pd.DataFrame, runs: list[SeriesRun], campaigns: pd.DataFrame,
                   language: str) -> pd.DataFrame:
    """Calendar features and campaigns inside the horizon, and whether the forecast includes them."""
    if not runs:
        return pd.DataFrame()
    dates = runs[0].forecast.dates
    ahead = regressors.reindex(dates).fillna(0.0)
    rows = []
    for column in ahead.columns:
        days = ahead.index[ahead[column] > 0]
        if not len(days):
            continue
        unseen = [run.info.label(language) for run in runs if column in run.forecast.unseen]
        estimated = [run.info.label(language) for run in runs if run.forecast.effects is not None
                     and column in set(run.forecast.effects["regressor"])]
        if unseen and not estimated:
            status = _t(language, "历史中没有，无法估计：预测未包含其影响",
                        "never in the history, so not estimable: not in the forecast")
        elif estimated:
            status = _t(language, "效应已估计，计入结构模型的预测",
                        "effect estimated; in the structural model's forecast")
        else:
            status = _t(language, "—", "—")
        rows.append({_t(language, "日期", "Dates"): _days_text(days, language),
                     _t(language, "日历", "Calendar"): regressor_name(column, language),
                     _t(language, "预测是否计入", "In the forecast?"): status})
    for c in campaigns.itertuples():
        rows.append({_t(language, "日期", "Dates"): span(max(c.start, dates[0].date()), min(c.end, dates[-1].date()),
                                                        language),
                     _t(language, "日历", "Calendar"): _t(language, f"活动：{c.name}", f"Campaign: {c.name}"),
                     _t(language, "预测是否计入", "In the forecast?"): _t(
                         language, "未计入：活动效应不随日历重复", "not in the forecast: campaign effects do not "
                         "recur with the calendar")})
    return pd.DataFrame(rows)


def _days_text(days: pd.DatetimeIndex, language: str) -> str:
    if len(days) == 1:
        return day(days[0], language)
    return span(days[0], days[-1], language) + _t(language, f"（{len(days)} 天）", f" ({len(days)} days)")


# ----------------------------------------------------------------------------------------------
# Models, calendar effects, past accuracy
# ----------------------------------------------------------------------------------------------

def _coverage_cell(level: float, run: SeriesRun) -> str:
    c = run.forecast.calibration[level]
    if c.factor == 1.0:
        return fmt.percent(c.raw, 0)
    return f"{fmt.percent(c.raw, 0)} → {fmt.percent(c.expected, 0)} (×{c.factor:.2f})"


def model_table(runs: list[SeriesRun], language: str) -> pd.DataFrame:
    rows = []
    for run in runs:
        f = run.forecast
        notes = [note_text(n, language) for n in f.notes]
        if run.masked:
            notes.append(_t(language, f"前向拟合剔除了异常日 {'、'.join(day(d, language, False) for d in run.masked)}",
                            f"anomaly day(s) {', '.join(day(d, language, False) for d in run.masked)} left "
                            f"out of the forward fit"))
        rows.append({
            _t(language, "指标", "Metric"): run.info.label(language),
            _t(language, "所选模型", "Chosen model"): model_name(f.model, language)
            + (_t(language, " + 年季节", " + yearly profile") if f.yearly else ""),
            _t(language, "回测 MASE", "Backtest MASE"): fmt.value(f.mase, "ratio", language),
            _t(language, "季节性朴素 MASE", "Seasonal naive MASE"): fmt.value(f.mase_naive, "ratio", language),
            _t(language, "80% 区间覆盖", "80% coverage"): _coverage_cell(0.80, run),
            _t(language, "95% 区间覆盖", "95% coverage"): _coverage_cell(0.95, run),
            _t(language, "说明", "Notes"): "；".join(notes) if language == "zh" else "; ".join(notes),
        })
    return pd.DataFrame(rows)


def accuracy_finding(runs: list[SeriesRun], language: str) -> str:
    """How the chosen models compare with seasonal naive, and how honest the intervals are."""
    scored = [r for r in runs if np.isfinite(r.forecast.mase) and np.isfinite(r.forecast.mase_naive)
              and r.forecast.mase_naive > 0]
    if not scored:
        return _t(language, "历史太短，无法回测；预测用季节性朴素，区间未校准。",
                  "The history is too short to backtest; forecasts are seasonal naive with uncalibrated intervals.")
    gain = np.mean([1 - r.forecast.mase / r.forecast.mase_naive for r in scored])
    origins = len(scored[0].forecast.backtest.origins)
    cov = {lv: np.nanmean([r.forecast.calibration[lv].expected for r in scored]) for lv in LEVELS}
    recal = [r.info.label(language) for r in scored
             if any(r.forecast.calibration[lv].factor != 1.0 for lv in LEVELS)]
    text = _t(language,
              f"在 {origins} 个回测起点上，所选模型的误差（MASE）比季节性朴素平均低 {fmt.percent(gain, 0)}；"
              f"发布的 80% / 95% 区间在回测中平均覆盖 {fmt.percent(cov[0.80], 0)} / {fmt.percent(cov[0.95], 0)}。",
              f"Over {origins} backtest origins the chosen models' error (MASE) is {fmt.percent(gain, 0)} lower "
              f"than seasonal naive on average; the published 80% / 95% intervals covered "
              f"{fmt.percent(cov[0.80], 0)} / {fmt.percent(cov[0.95], 0)} of backtest days.")
    if recal:
        text += _t(language, f" 按回测误差重新校准了区间：{'、'.join(recal)}。",
                   f" Intervals recalibrated from backtest errors: {', '.join(recal)}.")
    return text


def _pct(x: float) -> str:
    """A relative change in whole percent, without a '-0%'."""
    return fmt.relative_change(round(x, 2) + 0.0, 0)


def effect_cell(coef: float, se: float, log: bool, run: SeriesRun, language: str) -> str:
    lo, hi = coef - 1.96 * se, coef + 1.96 * se
    if log:
        low, high = _pct(np.expm1(lo)), _pct(np.expm1(hi))
        return f"{_pct(np.expm1(coef))}（{low}～{high}）" if language == "zh" else \
            f"{_pct(np.expm1(coef))} ({low} to {high})"
    sign = "+" if coef >= 0 else ""
    return f"{sign}{value(run, coef, language)}（{value(run, lo, language)}～{value(run, hi, language)}）" \
        if language == "zh" else f"{sign}{value(run, coef, language)} ({value(run, lo, language)} to " \
        f"{value(run, hi, language)})"


def effects_table(runs: list[SeriesRun], language: str) -> pd.DataFrame:
    """Calendar features x series: estimated effect with its 95% interval."""
    with_effects = [r for r in runs if r.forecast.effects is not None and len(r.forecast.effects)]
    columns: list[str] = []
    for r in with_effects:
        columns += [c for c in r.forecast.effects["regressor"] if c not in columns]
    rows = []
    for column in columns:
        row = {_t(language, "日历", "Calendar"): regressor_name(column, language)}
        for r in with_effects:
            e = r.forecast.effects.set_index("regressor")
            row[r.info.label(language)] = effect_cell(e.at[column, "coef"], e.at[column, "se"], r.forecast.log,
                                                     r, language) if column in e.index else fmt.MISSING
        rows.append(row)
    return pd.DataFrame(rows)


def effects_finding(runs: list[SeriesRun], language: str) -> str:
    """The clearest calendar effects (95% interval away from zero), largest first."""
    clear = []
    for r in runs:
        if r.forecast.effects is None or not r.forecast.log:
            continue
        for e in r.forecast.effects.itertuples():
            if abs(e.coef) > 1.96 * e.se:
                clear.append((abs(e.coef), r, e))
    if not clear:
        return _t(language, "历史中没有可以明确估计的日历效应（95% 区间都包含 0）。",
                  "No calendar effect is clear in the history (every 95% interval includes zero).")
    clear.sort(key=lambda x: -x[0])
    parts = [_t(language, f"{regressor_name(e.regressor, language)}的{r.info.label(language)} "
                          f"{fmt.relative_change(np.expm1(e.coef), 0)}",
                f"{r.info.label(language)} {fmt.relative_change(np.expm1(e.coef), 0)} on "
                f"{regressor_name(e.regressor, language)}") for _, r, e in clear[:4]]
    return _t(language, "相对同星期几的普通日，最明显的日历效应：" + "，".join(parts) + "。",
              "Clearest calendar effects against an ordinary day of the same weekday: " + "; ".join(parts) + ".")


def past_table(scores: pd.DataFrame, labels: dict[str, str], language: str) -> pd.DataFrame:
    """Earlier reports' forecasts scored: one row per report week and series."""
    return pd.DataFrame([{
        _t(language, "预测发布于", "Published in"): s.made_in,
        _t(language, "指标", "Metric"): labels.get(s.metric, s.metric),
        _t(language, "已知天数", "Days known"): str(s.days),
        _t(language, "误差（WAPE）", "Error (WAPE)"): fmt.percent(s.wape, 1),
        _t(language, "偏差", "Bias"): fmt.relative_change(s.bias, 1),
        _t(language, "落入 80% 区间", "Inside 80%"): fmt.percent(s.coverage80, 0),
        _t(language, "落入 95% 区间", "Inside 95%"): fmt.percent(s.coverage95, 0),
    } for s in scores.itertuples()])


def past_finding(scores: pd.DataFrame, language: str) -> str:
    days = int(scores["days"].sum())
    weights = scores["days"] / days
    wape = float((scores["wape"] * weights).sum())
    cov80 = float((scores["coverage80"] * weights).sum())
    cov95 = float((scores["coverage95"] * weights).sum())
    weeks = scores["made_in"].nunique()
    return _t(language,
              f"已对 {weeks} 期早前报告的预测打分（{days} 个指标日）：平均误差 {fmt.percent(wape, 1)}，"
              f"{fmt.percent(cov80, 0)} 落入 80% 区间，{fmt.percent(cov95, 0)} 落入 95% 区间。",
              f"Forecasts from {weeks} earlier report(s) scored on {days} series-days: average error "
              f"{fmt.percent(wape, 1)}; {fmt.percent(cov80, 0)} inside the 80% interval, "
              f"{fmt.percent(cov95, 0)} inside the 95% interval.")
