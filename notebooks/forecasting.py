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
# calendar effects (Chinese holidays, make-up workdays, 618 / Double 11 / Double 12, user events),
# and the report week monitored against a forecast made before it. The models, their backtests and
# the interval calibration live in `helpers.stats` (forecast_models, backtest, calibration,
# forecast, anomaly); the series, findings, tables and charts in `helpers.forecasting`. On WeChat's
# statistics alone (no own events) the users series are WeChat's daily visitors and new visitors.
# (Markdown cells are for analysts and are not shown in the report.)

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
from datetime import timedelta
from pathlib import Path

from helpers.core import calendar
from helpers.core.metrics import METRICS
from helpers.core.paths import project_root
from helpers.forecasting import charts, findings, published, runs, series, tables
from helpers.forecasting.words import why_not
from helpers.forecasting.params import CsvSeriesParams
from helpers.render.escape import Code, Strong
from helpers.stats.forecast_models import Settings
from helpers.suite import open_report

rep = open_report("forecasting", params)
rep.header()
p = rep.params

# %%
# The series: warehouse KPIs whose tables exist, then the CSV series of the parameters.
infos = {k: runs.warehouse_info(k, series.registry_key(rep.wh, k)) for k in p.metrics}
missing = {k: series.missing_table(rep.wh, k) for k in p.metrics if series.missing_table(rep.wh, k)}
values = series.daily_series(rep.wh, rep.period, list(p.metrics))
for s in p.csv_series:
    path = CsvSeriesParams.resolve(s.path)
    infos[s.name] = runs.csv_info(s.name, path, s.label_zh, s.label_en, s.unit)
    values[s.name] = series.read_csv_series(path)

# %%
settings = Settings(horizon=p.horizon_days, origins=p.backtest_origins, step=p.backtest_step_days,
                    models=("seasonal_naive", *p.models), window=p.history_days,
                    yearly={"auto": None, "on": True, "off": False}[p.yearly], tolerance=p.coverage_tolerance)
first_day = min([rep.wh.first_date, *(v.index.min().date() for v in values.values())])
events = {e.name: e.days() for e in p.events}
regressors = runs.calendar_regressors(first_day, rep.period, p.horizon_days, events)
ran = [runs.run_series(infos[k], v, regressors, settings, rep.period, p.mask_anomalies) for k, v in values.items()]
forecast_runs = [r for r in ran if r.forecast]

# %%
rules = [(a.metric, a.above, a.below) for a in p.alerts]
checked = {**values, "daily_unfollow_rate": series.unfollow_rate(rep.wh, rep.period)}
alerts, unchecked = runs.alert_items(checked, rules, rep.period)
week_days = [rep.period.start + timedelta(days=i) for i in range(7)]
campaigns = series.campaign_context(series.campaigns_between(rep.wh, rep.period.start, rep.period.end), week_days)
horizon = (rep.period.end + timedelta(days=1), rep.period.end + timedelta(days=p.horizon_days))

# %%
rep.section("fc_glance")
glance = [findings.monitoring_finding(ran, alerts, infos, rep.tx), findings.forecast_finding(ran, p.targets, rep.tx)]
for text in filter(None, glance):
    rep.finding(text)
for a in findings.anomaly_alerts(ran, rep.tx):
    rep.alert("anomaly", **a)
for a in findings.threshold_alerts(alerts, infos, rep.tx):
    rep.alert("threshold", **a)
for key, table in missing.items():
    rep.skipped("fc_missing_table", table=table, label=infos[key].label(rep.tx))
for r in (r for r in ran if r.unforecast):
    rep.unavailable("fc_series_not_forecast", label=r.info.label(rep.tx), reason=why_not(r.unforecast, rep.tx))

# %%
rep.section("fc_monitoring_section")
for r in (r for r in ran if r.unmonitored):
    rep.unavailable("fc_series_not_monitored", label=r.info.label(rep.tx), reason=why_not(r.unmonitored, rep.tx))
if any(r.monitoring for r in ran):
    rep.say("fc_monitoring_intro")
    rep.charts(charts.monitoring(ran, 4, rep.tx))
elif not ran:
    rep.unavailable("fc_no_series_monitored")

# %%
anomalies = tables.anomaly_table(ran, regressors, campaigns, rep.tx)
if len(anomalies):
    rep.table(anomalies, {}, text=True)
if alerts:
    rep.say("fc_threshold_alerts", title=Strong(rep.tx("fc_threshold_alerts_title")))
    rep.table(tables.alert_table(alerts, infos, rep.tx), {}, text=True)
for metric in unchecked:
    rep.skipped("fc_missing_alert_data", metric=metric)

# %%
rep.section("fc_forecast_section", days=p.horizon_days)
if forecast_runs:
    rep.charts(charts.forecast(ran, regressors, p.chart_days, rep.tx))
else:
    rep.unavailable("fc_no_series_forecast")

# %%
ahead = tables.calendar_ahead(regressors, ran, series.campaigns_between(rep.wh, *horizon), rep.tx)
if forecast_runs:
    rep.say("fc_calendar_intro")
for year in calendar.unofficial_years(*horizon) if forecast_runs else []:
    rep.say("fc_calendar_unofficial", year=year, last=calendar.LAST_OFFICIAL_YEAR)
if len(ahead):
    rep.table(ahead, {}, text=True)

# %%
rep.section("fc_weekly_section")
if forecast_runs:
    rep.table(tables.weekly_table(ran, p.targets, rep.tx), {}, text=True)
else:
    rep.unavailable("fc_no_series_forecast")
if not p.targets:
    rep.say("fc_no_targets", example=Code("{daily_gmv: 150000}"))

# %%
rep.section("fc_effects_section")
if forecast_runs:
    rep.finding(findings.effects_finding(ran, rep.tx))
    effects = tables.effects_table(ran, rep.tx)
    if len(effects):
        rep.table(effects, {}, text=True)
    rep.say("fc_effects_note")
else:
    rep.unavailable("fc_no_series_forecast")

# %%
rep.section("fc_models_section")
if forecast_runs:
    rep.finding(findings.accuracy_finding(ran, rep.tx))
rep.table(tables.model_table(ran, rep.tx), {}, text=True)
rep.say("fc_model_legend")
rep.say("fc_backtest_method", origins=p.backtest_origins, step=p.backtest_step_days, horizon=p.horizon_days,
        tolerance=p.coverage_tolerance)

# %%
rep.section("fc_past_section")
out_root = Path(p.out) if Path(p.out).is_absolute() else project_root() / p.out
past = published.score_earlier(published.earlier_forecasts(out_root, rep.period), values)
if len(past):
    rep.finding(findings.past_finding(past, rep.tx))
    rep.table(tables.past_table(past, infos, rep.tx), {}, text=True)
else:
    rep.say("fc_no_earlier", folder=str(out_root))

# %%
rep.write_file("forecast.csv", published.forecast_csv(published.forecast_rows(ran), published.csv_digits(infos)))
definitions = {"series": METRICS["forecast_series"].definition,
               "anomalies": METRICS["forecast_anomalies"].definition,
               "alerts": METRICS["forecast_alerts"].definition,
               "past_accuracy": "earlier reports' forecasts scored against the values now known: made_in, "
                                "metric, days, wape, bias, coverage80, coverage95",
               "skipped_series": "series of the parameters not forecast because the source lacks their table",
               "unforecast_series": "series of the parameters whose data has nothing to model: metric and reason "
                                    "(no_data, too_short, all_zero, constant, no_model); model null in series, "
                                    "absent from forecast.csv"}
definitions |= {k: infos[k].definition for k in values}
rep.publish({"series": [published.series_item(r, p.horizon_days) for r in ran],
             "anomalies": [a for r in ran for a in published.anomaly_items(r)],
             "alerts": alerts,
             "past_accuracy": past.to_dict("records"),
             "skipped_series": sorted(missing),
             "unforecast_series": [{"metric": r.info.key, "reason": r.unforecast} for r in ran if r.unforecast]},
            definitions)

# %%
rep.footer()
