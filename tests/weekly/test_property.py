"""The weekly summary on any valid dataset (issue 11): the KPIs, the headline metrics, the summary
sentence and the charts on generated contract datasets and on the issue's named shapes (one
complete week, no orders table, only refunded orders, no new users in the report week ...)."""

from __future__ import annotations

import json
import math
import re

import matplotlib.pyplot as plt
import pytest
from hypothesis import given, settings

from datasets import datasets, latest_week, named_shape, open_warehouse
from helpers.core import kpis
from helpers.render.text import Text
from helpers.weekly import charts, context, findings, judgement
from helpers.weekly.headline import headline, shown_kpis

BAD_WORDS = re.compile(r"\b(nan|NaN|None|NaT|inf|Infinity)\b|<NA>")


def summary_of(tables) -> tuple[dict, dict]:
    """What the notebook computes: the headline metrics and, per language, the sentence; the
    charts are drawn (and closed) as the notebook draws them."""
    with open_warehouse(tables) as wh:
        period = latest_week(wh)
        weekly = kpis.kpi_series(wh, period.shift(-7), period)
        daily = kpis.kpi_series(wh, period.previous, period, grain="day")
        has_orders = wh.has("orders")
        events = context.week_events(wh, period)
    metrics = headline(weekly)
    json.dumps(metrics, allow_nan=False)
    assert weekly["complete"].iloc[-1]  # the report week lies in the data: its KPIs are known
    shown = shown_kpis(metrics)
    assert shown == (list(kpis.KPIS) if has_orders else ["active_users", "new_users"])
    for k in kpis.KPIS:
        previous = weekly[k].iloc[-2]
        comparable = weekly["complete"].iloc[-2] and metrics[k] is not None and previous > 0
        assert (metrics[f"{k}_wow"] is None) == (not comparable), k
        if comparable:
            assert metrics[f"{k}_wow"] == pytest.approx(weekly[k].iloc[-1] / previous - 1)
    paid = weekly["orders"].iloc[-1]
    assert (metrics["aov"] is None) == (not has_orders or not paid)
    if metrics["aov"] is not None:
        assert metrics["aov"] == pytest.approx(weekly["gmv"].iloc[-1] / paid)
    sentences = {lang: findings.weekly_summary(metrics, Text(lang)) for lang in ("zh", "en")}
    for text in sentences.values():
        assert not BAD_WORDS.search(text) and "—" not in text, text
    items = judgement.statuses(metrics, shown, {"active_users": 1.0}, {})
    for lang in ("zh", "en"):
        verdict = judgement.verdict(items, events, Text(lang))
        assert not BAD_WORDS.search(verdict) and verdict.strip(), verdict
    payload = {"period": period.label, "metrics": judgement.published(items, events),
               "summary": {"top_finding": sentences["zh"], "findings": [sentences["zh"]]}}
    json.dumps(payload, allow_nan=False)
    tx = Text("en")
    previous = daily.iloc[:7] if weekly["complete"].iloc[-2] else None
    figures = [charts.kpi_trend(weekly, k, events, tx) for k in shown]
    figures += [charts.week_over_week(daily.iloc[7:], previous, k, events, tx)
                for k in ("active_users", "gmv") if k in shown]
    for figure, alt in figures:
        assert alt and not BAD_WORDS.search(alt)
        plt.close(figure)
    return metrics, sentences


@settings(derandomize=True, max_examples=30, deadline=None)
@given(tables=datasets())
def test_weekly_summary_on_any_valid_dataset(tables):
    summary_of(tables)


def test_exactly_one_complete_week_compares_nothing():
    metrics, sentences = summary_of(named_shape("exactly_one_week"))
    assert all(metrics[f"{k}_wow"] is None for k in kpis.KPIS)
    assert "week on week" not in sentences["en"] and "Largest week-on-week" not in sentences["en"]


def test_without_orders_the_sentence_leaves_orders_and_gmv_out():
    """Regression: 'paid orders —, GMV —' was a claim drawn from missing values."""
    metrics, sentences = summary_of(named_shape("no_orders"))
    assert metrics["orders"] is None and metrics["gmv"] is None
    assert Text("en").label("gmv") not in sentences["en"] and Text("zh").label("orders") not in sentences["zh"]


def test_only_refunded_orders_count_zero_paid_orders():
    metrics, _ = summary_of(named_shape("only_refunded_orders"))
    assert metrics["orders"] == 0 and metrics["gmv"] == 0 and metrics["gmv_wow"] is None


def test_no_new_users_in_the_report_week():
    metrics, _ = summary_of(named_shape("no_new_users_in_report_week"))
    assert metrics["new_users"] == 0 and metrics["new_users_wow"] in (None, -1.0)  # -100% when the week before had some


@pytest.mark.parametrize("shape", ["users_older_than_events", "empty_optional_tables", "one_day"])
def test_other_named_shapes(shape):
    metrics, _ = summary_of(named_shape(shape))
    assert not any(isinstance(v, float) and math.isnan(v) for v in metrics.values())
