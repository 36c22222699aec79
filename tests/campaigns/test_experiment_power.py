"""The power reported for a randomized campaign is the power of the interval the report reads
(issue 13 #12): sequential while the test runs, fixed-horizon once it has ended."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.campaigns.experiment import analyse_experiment
from helpers.campaigns.params import CampaignEvaluationParams
from helpers.campaigns.queries import Campaign
from helpers.stats import experiments as ex


def _users(per_arm: int, control_buyers: int, treated_buyers: int) -> pd.DataFrame:
    """Hand-made assignment: converted 0/1 per user, one order of 100 per buyer, no pre-period."""
    rows = []
    for variant, buyers in (("control", control_buyers), ("treatment", treated_buyers)):
        converted = np.r_[np.ones(buyers), np.zeros(per_arm - buyers)]
        rows.append(pd.DataFrame({"variant": variant, "assigned_day": 0, "converted": converted,
                                  "orders": converted, "revenue": 100 * converted, "placed": converted,
                                  "refunded": 0.0, "pre_converted": 0.0, "pre_orders": 0.0,
                                  "pre_revenue": 0.0, "unfollowed": 0.0}))
    return pd.concat(rows, ignore_index=True)


def _campaign(end_day: int | None) -> Campaign:
    return Campaign("T1", "test", "coupon", None, 20_000, end_day, None, None, "conversion", None, 0.5)


def test_running_test_reports_sequential_power_and_ended_test_fixed():
    """4,000 users per arm after 14 days (20,000 .. 20,013), conversion 10% vs 11%. By hand, se of the
    difference = sqrt(0.105·0.895·2/4,000) ≈ 0.00686; fixed MDE ≈ (1.96 + 0.84)·se / 0.10 ≈ 19%; the
    sequential one at 8,000 users (tuning 10,000: nρ² = 6.35, m = sqrt(2·7.35/6.35·ln(sqrt(7.35)/0.05))
    = 3.04) ≈ (3.04 + 0.84)·se / 0.10 ≈ 26.6%. Before the fix the running test showed the fixed 19%."""
    users = _users(4_000, 400, 440)
    params = CampaignEvaluationParams()
    running = analyse_experiment(users, _campaign(None), 20_013, params)
    ended = analyse_experiment(users, _campaign(20_013), 20_013, params)
    assert running.running and not ended.running
    assert running.power.sequential and not ended.power.sequential
    control, treatment = ex.Moments.of(users.converted[:4000]), ex.Moments.of(users.converted[4000:])
    se = float(np.sqrt((control + treatment).var_y * 2 / 4_000))
    m = float(ex.sequential_multiplier(8_000, params.alpha, params.sequential_tuning_users))
    assert m == pytest.approx(3.04, abs=0.005)
    assert running.power.mde_rel == pytest.approx((m + 0.8416) * se / 0.10, rel=1e-3)
    assert ended.power.mde_rel == pytest.approx(0.19, abs=0.005)
    assert running.power.mde_rel > ended.power.mde_rel
    assert running.power.days_needed > ended.power.days_needed > 0
