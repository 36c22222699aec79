"""What works and when to publish: breakdowns with intervals, timing, and the planted effects of a
generated sample."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from scipy import stats

from content.account import W47
from helpers.content.history import history
from helpers.content.works import breakdown, gap_effect, headline_vs_secondary, push_frequency, timing_heatmap


def test_breakdown_matches_pandas_and_the_ratio_interval(account):
    _, wh = account
    hist = history(wh, W47, 8, 1)
    obs = hist.observed
    got = breakdown(obs, "column_name").set_index("column_name")
    sums = obs.groupby("column_name")[["readers_c", "recipients", "sharers_c"]].sum()
    np.testing.assert_allclose(got["read_rate"], sums.readers_c / sums.recipients)
    np.testing.assert_allclose(got["share_rate"], sums.sharers_c / sums.readers_c)
    x = obs[obs.column_name == "X"]
    r = x.readers_c.sum() / x.recipients.sum()
    k = len(x)
    se = np.sqrt(k / (k - 1) * ((x.readers_c - r * x.recipients) ** 2).sum()) / x.recipients.sum()
    half = stats.t.ppf(0.975, k - 1) * se
    assert got.at["X", "read_lo"] == pytest.approx(max(r - half, 0))
    assert got.at["X", "read_hi"] == pytest.approx(r + half)
    # Position-adjusted: column Y holds only the secondary A2, read like an average secondary.
    assert got.at["Y", "read_adjusted"] == pytest.approx(obs.readers_c.sum() / obs.recipients.sum())
    slots = headline_vs_secondary(obs).set_index("slot")
    heads = obs[obs.position_key == 1]
    assert slots.at["headline", "read_rate"] == pytest.approx(heads.readers_c.sum() / heads.recipients.sum())


def test_timing_heatmap_frequency_and_gaps(account):
    _, wh = account
    hist = history(wh, W47, 8, 1)
    rate, count = timing_heatmap(hist)
    assert rate.at[8, 0] == pytest.approx(300 / 2000) and count.at[8, 0] == 1  # A1, Monday 08:00
    assert rate.at[20, 4] == pytest.approx(250 / 2100)  # A3, Friday 20:30
    assert rate.at[20, 3] == pytest.approx(100 / 1000)  # A0, Thursday 20:00
    assert count.to_numpy().sum() == 3  # A4 has no stats yet
    freq = push_frequency(wh, hist, [2, 3])
    assert freq["pushes"].tolist() == [1, 3] and freq["articles"].tolist() == [1, 4]
    assert freq["in_band"].tolist() == [False, True]
    assert freq["week_start"].tolist() == [date(2026, 11, 9), date(2026, 11, 16)]
    gaps = gap_effect(hist).set_index("gap")
    assert gaps.at["4–6", "pushes"] == 2  # A1 and A3, four days after the previous push


def test_planted_share_rate_column_is_recovered(year):
    truth, wh = year
    parts = breakdown(history(wh, W47, 52, 1).observed, "column_name")
    parts = parts.set_index("column_name")
    assert parts["share_rate"].idxmax() == truth["high_share_column"] == "会员福利"
    others = parts.drop(index="会员福利")
    ratio = parts.at["会员福利", "share_rate"] / (others["sharers"].sum() / others["readers"].sum())
    mean_other = np.mean([v for c, v in truth["share_rate_multipliers"].items() if c != "会员福利"])
    assert ratio == pytest.approx(truth["share_rate_multipliers"]["会员福利"] / mean_other, rel=0.12)
    # ... and its interval clears every other column's.
    assert parts.at["会员福利", "share_lo"] > others["share_hi"].max()


def test_planted_publish_hour_is_recovered_after_adjusting_for_position(year):
    truth, wh = year
    by_hour = breakdown(history(wh, W47, 52, 1).observed, "hour").set_index("hour")
    assert by_hour["read_adjusted"].idxmax() == truth["best_publish_hour"] == 20
    others = by_hour.drop(index=20)
    lift = by_hour.at[20, "read_adjusted"] / np.average(others["read_adjusted"],
                                                        weights=others["articles"])
    assert lift == pytest.approx(truth["best_publish_hour_read_multiplier"], rel=0.12)


def test_planted_headline_read_rate_is_recovered(year):
    """Over the 30 days of stats, headlines are read at 6% x the mean column and hour
    multipliers (1.0 and 1.075) x the mean of the lognormal noise (e^0.02)."""
    truth, wh = year
    hist = history(wh, W47, 52, 30)
    slots = breakdown(hist.observed, "position_key").set_index("position_key")
    expected = truth["headline_read_rate"] * np.mean(list(truth["read_rate_multipliers"].values())) \
        * (0.75 + 0.25 * truth["best_publish_hour_read_multiplier"]) * np.exp(0.02)
    assert slots.at[1, "read_rate"] == pytest.approx(expected, rel=0.08)
    assert slots.at[1, "read_rate"] / slots.at[2, "read_rate"] == pytest.approx(0.060 / 0.025, rel=0.15)
