# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: wxreport
#     language: python
#     name: wxreport
# ---

# %% [markdown]
# # Forecasting and monitoring
# Daily KPIs forecast for the weeks after the report week with honest 80% / 95% intervals,
# calendar effects (Chinese holidays, 调休, 618 / Double 11 / Double 12, user events), and the
# report week monitored against a forecast made before it. The models, their backtests and the
# interval calibration live in `helpers.stats.forecast`; the series in
# `helpers.metrics.forecasting`. (Markdown cells are for analysts and are not shown in the report.)

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
from datetime import timedelta
from pathlib import Path

from helpers.forecasting.params import CsvSeriesParams
from helpers.render.report import open_report
from helpers.metrics import forecasting as fm
from helpers.core.metrics import METRICS
from helpers.core.paths import project_root
from helpers.report import forecast_charts, forecast_text
from helpers.stats import forecast as fc

rep = open_report("forecasting", params)
rep.header()
p = rep.params

# %%
# The series: warehouse KPIs whose tables exist, then the CSV series of the parameters.
infos = {k: fm.warehouse_info(k) for k in p.metrics}
missing = {k: fm.missing_table(rep.wh, k) for k in p.metrics if fm.missing_table(rep.wh, k)}
series = fm.daily_series(rep.wh, rep.period, list(p.metrics))
for s in p.csv_series:
    path = CsvSeriesParams.resolve(s.path)
    infos[s.name] = fm.csv_info(s.name, path, s.label_zh, s.label_en, s.unit)
    series[s.name] = fm.read_csv_series(path)
settings = fc.Settings(horizon=p.horizon_days, origins=p.backtest_origins, step=p.backtest_step_days,
                       models=("seasonal_naive", *p.models), window=p.history_days,
                       yearly={"auto": None, "on": True, "off": False}[p.yearly],
                       tolerance=p.coverage_tolerance)
first_day = min([rep.wh.first_date, *(v.index.min().date() for v in series.values())])
regressors = fm.calendar_regressors(first_day, rep.period, p.horizon_days, {e.name: e.days() for e in p.events})
runs = [fm.run_series(infos[k], v, regressors, settings, rep.period, p.mask_anomalies) for k, v in series.items()]

labels = {k: i.label(rep.lang) for k, i in infos.items()} | {
    "daily_unfollow_rate": rep.label("daily_unfollow_rate")}
units = {k: i.unit for k, i in infos.items()} | {"daily_unfollow_rate": "fraction"}
alerts, unchecked = fm.alert_items({**series, "daily_unfollow_rate": fm.unfollow_rate(rep.wh, rep.period)},
                                   [(a.metric, a.above, a.below) for a in p.alerts], rep.period)
week_days = [rep.period.start + timedelta(days=i) for i in range(7)]
campaigns = fm.campaign_context(fm.campaigns_between(rep.wh, rep.period.start, rep.period.end), week_days)
horizon = (rep.period.end + timedelta(days=1), rep.period.end + timedelta(days=p.horizon_days))

# %%
rep.section("本周要点", "At a glance")
rep.finding(forecast_text.monitoring_finding(runs, alerts, labels, units, rep.lang))
rep.finding(forecast_text.forecast_finding(runs, p.targets, rep.lang))
for key, table in missing.items():
    rep.skipped(f"{table} 表，未预测{rep.label(key)}", f"a {table} table, so {rep.label(key)} is not forecast")

# %%
rep.section("异常监控：本周对比此前的预测", "Monitoring: the week against the forecast made before it")
rep.say("每条线是近几周的实际值；本周的蓝色带是只用本周之前的数据做出的 80% / 95% 预测区间，"
        "红点是落在 95% 区间之外的日子（偏离预期的幅度标在旁边）。",
        "Each line is the recent actual values; the blue bands over the report week are the 80% / 95% "
        "intervals forecast from the data before the week only; red dots are days outside the 95% "
        "interval, with their deviation from the expected value.")
forecast_charts.monitoring(runs, 4, rep.lang);

# %%
anomalies = forecast_text.anomaly_table(runs, regressors, campaigns, rep.lang)
if len(anomalies):
    rep.table(anomalies, {}, text=True)
if alerts:
    rep.say("**阈值告警**（参数 alerts）", "**Threshold alerts** (parameter alerts)")
    rep.table(forecast_text.alert_table(alerts, labels, units, rep.lang), {}, text=True)
for metric in unchecked:
    rep.skipped(f"告警规则所需的 {metric} 数据（如 followers.cumulative）",
                f"the data of the alert rule on {metric} (e.g. followers.cumulative)")

# %%
rep.section(f"未来 {p.horizon_days} 天预测", f"Forecast for the next {p.horizon_days} days")
forecast_charts.forecast(runs, regressors, p.chart_days, rep.lang);

# %%
rep.say("浅黄色竖条是节假日、调休、购物节及其预售期和自定义事件。预测期内的日历：",
        "Light yellow bars mark holidays, make-up workdays, shopping festivals with their pre-sales, and "
        "events. The calendar inside the forecast window:")
ahead = forecast_text.calendar_ahead(regressors, runs, fm.campaigns_between(rep.wh, *horizon), rep.lang)
if len(ahead):
    rep.table(ahead, {}, text=True)

# %%
rep.section("周度预测与目标", "Weekly forecast and targets")
rep.table(forecast_text.weekly_table(runs, p.targets, rep.lang), {}, text=True)
if not p.targets:
    rep.say("未设置周目标（参数 targets，如 `{daily_gmv: 150000}`）。",
            "No weekly targets set (parameter targets, e.g. `{daily_gmv: 150000}`).")

# %%
rep.section("日历效应", "Calendar effects")
rep.finding(forecast_text.effects_finding(runs, rep.lang))
effects = forecast_text.effects_table(runs, rep.lang)
if len(effects):
    rep.table(effects, {}, text=True)
rep.say("结构模型估计的效应：相对同一星期几的普通日的变化及其 95% 区间（对数尺度的序列为百分比）。"
        "只出现过一次的日子（如单次购物节）效应即当天的意外值，区间较宽。",
        "Effects estimated by the structural model: the change against an ordinary day of the same "
        "weekday with its 95% interval (percentages for log-scale series). A day seen only once (a single "
        "shopping festival) is estimated from that day alone, hence the wide intervals.")

# %%
rep.section("模型与回测", "Models and backtest")
rep.finding(forecast_text.accuracy_finding(runs, rep.lang))
rep.table(forecast_text.model_table(runs, rep.lang), {}, text=True)
rep.say(*forecast_text.MODEL_LEGEND)
rep.say(f"每个序列在报告周之前的 {p.backtest_origins} 个起点（间隔 {p.backtest_step_days} 天）上各做一次 "
        f"{p.horizon_days} 天预测，按 MASE（相对季节性朴素误差）选模型；区间覆盖率是回测中实际值落入区间的比例，"
        f"落在区间外的比例偏离名义比例超过 {p.coverage_tolerance:.0%} 时按回测误差重新校准"
        f"（箭头后为留一起点估计的校准后覆盖率）。",
        f"Each series is forecast {p.horizon_days} days ahead from {p.backtest_origins} origins before the "
        f"report week ({p.backtest_step_days} days apart) and the model with the lowest MASE (error relative "
        f"to seasonal naive) is kept; coverage is the share of backtest days inside the interval, and "
        f"intervals whose share of misses is more than {p.coverage_tolerance:.0%} off nominal are recalibrated "
        f"from the backtest errors "
        f"(after the arrow: the coverage expected after recalibration, estimated leaving each origin out).")

# %%
rep.section("早前预测回顾", "Earlier forecasts against what happened")
out_root = Path(p.out) if Path(p.out).is_absolute() else project_root() / p.out
past = fm.score_earlier(fm.earlier_forecasts(out_root, rep.period), series)
if len(past):
    rep.finding(forecast_text.past_finding(past, rep.lang))
    rep.table(forecast_text.past_table(past, labels, rep.lang), {}, text=True)
else:
    rep.say(f"在 {out_root} 中没有找到早前周报的 forecast.csv；之后每期报告都会对之前发布的预测打分。",
            f"No forecast.csv of an earlier week found in {out_root}; each later report scores the forecasts "
            f"published before it.")

# %%
rep.write_file("forecast.csv", fm.forecast_csv(fm.forecast_rows(runs), fm.csv_digits(infos)))
definitions = {"series": METRICS["forecast_series"].definition,
               "anomalies": METRICS["forecast_anomalies"].definition,
               "alerts": METRICS["forecast_alerts"].definition,
               "past_accuracy": "earlier reports' forecasts scored against the values now known: made_in, "
                                "metric, days, wape, bias, coverage80, coverage95",
               "skipped_series": "series of the parameters not forecast because the source lacks their table"}
definitions |= {k: infos[k].definition for k in series}
rep.publish({"series": [fm.series_item(r, p.horizon_days) for r in runs],
             "anomalies": [a for r in runs for a in fm.anomaly_items(r)],
             "alerts": alerts,
             "past_accuracy": past.to_dict("records"),
             "skipped_series": sorted(missing)}, definitions)
keys = [k for k in series if k in METRICS] + ["daily_unfollow_rate", "forecast_yhat", "prediction_interval",
                                               "anomaly_deviation", "weekly_forecast", "calendar_effect",
                                               "mase_backtest", "mase_seasonal_naive", "coverage80", "coverage95",
                                               "interval_factor"]
keys += ["target_attainment"] * bool(p.targets) + ["forecast_wape", "forecast_bias"] * bool(len(past))
rep.footer(keys)
