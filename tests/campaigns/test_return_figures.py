"""Issue 13 items 9, 10 and 13: ROI with its interval, a failed sample-ratio check silencing the
verdict, one return figure per campaign in the overview. Hand-made evaluations, numbers by hand."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from helpers.campaigns import findings, tables, wording
from helpers.campaigns.evaluation import Evaluation
from helpers.campaigns.queries import Campaign
from helpers.core.warehouse import day_number
from helpers.render.text import Text
from helpers.stats.causal import Effect

MARGIN = 0.4
START = day_number(__import__("datetime").date(2026, 11, 9))


def _counterfactual(gmv: tuple[float, float, float], cost: float = 10_000.0) -> Evaluation:
    """A counterfactual evaluation of orders whose incremental GMV is `gmv` (estimate, low, high)."""
    c = Campaign("CAB", "Coupon", "coupon", None, START, START + 20, cost, None, None, None, None)
    orders = Effect(21, 1100.0, 1000.0, 100.0, 20.0, 180.0, 0.1, 0.02, 0.18, 0.02)
    money = Effect(21, 0.0, 0.0, *gmv, 0.0, 0.0, 0.0, 0.5)
    analysis = SimpleNamespace(fit=SimpleNamespace(during=orders), gmv=money)
    return Evaluation(c, START + 13, "counterfactual", "orders", {"cost": cost}, None, counterfactual=analysis)


def test_roi_interval_comes_from_the_incremental_gmv_interval_and_straddling_is_not_determined():
    # CAB in the issue: incremental GMV +13,400 (-9,600 to +36,500), cost 10,000, margin 40%:
    # ROI = (13,400 x 0.4 - 10,000) / 10,000 = -46.4%; low = (-9,600 x 0.4 - 10,000) / 10,000 = -138.4%;
    # high = (36,500 x 0.4 - 10,000) / 10,000 = +46.0%: the interval holds 0, so "not determined".
    e = _counterfactual((13_400.0, -9_600.0, 36_500.0))
    item = e.item(MARGIN)
    assert item["roi"] == pytest.approx(-0.464)
    assert item["roi_low"] == pytest.approx(-1.384) and item["roi_high"] == pytest.approx(0.46)
    en = Text("en")
    assert wording.roi(e, MARGIN, en).startswith("not determined (95% interval -138.4% to +46.0%")
    sentence = findings.overview_finding([e], MARGIN, en)
    assert "incremental ROI not determined" in sentence and "-46.4%" not in sentence
    table = tables.overview([e], MARGIN, en)
    assert table["campaign_roi"].iat[0].startswith("not determined")
    assert "未定" in wording.roi(e, MARGIN, Text("zh"))
    # A clear return: GMV +60,000 (+40,000 to +80,000): ROI +140% (+60% to +220%).
    clear = _counterfactual((60_000.0, 40_000.0, 80_000.0))
    assert clear.item(MARGIN)["roi_low"] == pytest.approx(0.6)
    assert wording.roi(clear, MARGIN, en) == "+140.0% (95% interval +60.0% to +220.0%)"
    # Without cost: no ROI, no interval.
    free = _counterfactual((60_000.0, 40_000.0, 80_000.0), cost=0.0)
    assert free.item(MARGIN)["roi_low"] is None and free.item(MARGIN)["roi_high"] is None


def test_the_overview_gives_one_return_figure_incremental_roi_first():
    # Item 13: no incremental ROAS and no attributed ROAS next to ROI in the overview table or sentence.
    e = _counterfactual((60_000.0, 40_000.0, 80_000.0))
    en = Text("en")
    table = tables.overview([e], MARGIN, en)
    assert "campaign_roas" not in table.columns and "campaign_roas_attributed" not in table.columns
    cols = list(table.columns)
    assert cols.index("campaign_roi") < cols.index("campaign_incremental_gmv")
    sentence = findings.overview_finding([e], MARGIN, en)
    assert "ROAS" not in sentence
    assert sentence.index("incremental ROI") < sentence.index("incremental GMV")


def _lift(control: float, treatment: float, low: float, high: float, p: float) -> SimpleNamespace:
    d = treatment - control
    return SimpleNamespace(control=control, treatment=treatment, abs=d, rel=d / control, abs_low=low,
                           abs_high=high, rel_low=low / control, rel_high=high / control, p_value=p)


def _randomized(srm_p: float) -> Evaluation:
    """A finished coupon test, conversion 10.0% -> 12.0% (+2 pts, 95% +0.5 to +3.5, p 0.01),
    revenue per user 20 -> 25 (+5, 1 to 9) over 1,000 treated users, cost 10,000."""
    import pandas as pd

    from helpers.campaigns.experiment import LiftRow

    conv = _lift(0.10, 0.12, 0.005, 0.035, 0.01)
    rpu = _lift(20.0, 25.0, 1.0, 9.0, 0.02)
    rows = [LiftRow("conversion", "primary", "treatment", conv, conv, None, 0.02),
            LiftRow("revenue_per_user", "secondary", "treatment", rpu, rpu, None, 0.02)]
    x = SimpleNamespace(
        primary="conversion", running=False, days=14, treated_users=1000.0, rows=rows,
        row=lambda m: next(r for r in rows if r.metric == m),
        srm=SimpleNamespace(flagged=np.asarray(srm_p < 0.001), p_value=srm_p),
        variants=pd.DataFrame({"variant": ["control", "treatment"], "users": [1300, 1000],
                               "share": [0.565, 0.435], "intended": [0.5, 0.5]}))
    c = Campaign("CAB", "Coupon", "coupon", None, START, START + 13, 10_000.0, None, None, None, None)
    return Evaluation(c, START + 20, "randomized", "conversion", {"cost": 10_000.0}, None, experiment=x)


def test_a_failed_sample_ratio_check_stops_the_verdict_everywhere():
    # SRM p = 1e-9 (< 0.001): the overview sentence gives the lift marked "not trustworthy until the
    # split is explained", no interval read as evidence, no ROI; the overview and test tables mark
    # the lift the same way; the JSON keeps its values (keys never change meaning).
    en = Text("en")
    broken = _randomized(1e-9)
    sentence = findings.overview_finding([broken], MARGIN, en)
    assert "not trustworthy until the split is explained" in sentence
    assert "ROI" not in sentence and "interval" not in sentence
    table = tables.overview([broken], MARGIN, en)
    assert "not trustworthy" in table["campaign_lift_abs"].iat[0]
    assert "not trustworthy" in table["campaign_roi"].iat[0]
    assert all("not trustworthy" in cell for cell in tables.test_table(broken.experiment, en)["campaign_lift_abs"])
    # ROI = (5 x 1,000 x 0.4 - 10,000) / 10,000 = -80% in the JSON all the same.
    assert broken.item(MARGIN)["roi"] == pytest.approx(-0.8)
    # The test section's verdict: none, the same mark instead of "significant" / "not significant".
    from helpers.campaigns.method_findings import experiment_finding
    verdict = experiment_finding(broken, 0.05, en)
    assert "not trustworthy" in verdict and "significant" not in verdict.replace("not trustworthy", "")
    # A sound split: nothing is marked.
    sound = _randomized(0.4)
    assert "not trustworthy" not in experiment_finding(sound, 0.05, en)
    assert "not trustworthy" not in findings.overview_finding([sound], MARGIN, en)
    assert "not trustworthy" not in tables.overview([sound], MARGIN, en)["campaign_lift_abs"].iat[0]


def test_the_lift_chart_of_a_broken_split_is_grey_and_says_why():
    import matplotlib.pyplot as plt

    from helpers.campaigns import charts

    fig = charts.lifts(_randomized(1e-9).experiment, Text("en"))
    ax = fig.axes[0]
    assert "not trustworthy" in " ".join(ax.get_title(loc) for loc in ("left", "center", "right"))
    assert {line.get_color() for line in ax.lines[:-1]} == {charts.NEUTRAL}
    plt.close(fig)
