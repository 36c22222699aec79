"""On the sample's own tracking and the WeChat tables derived from it (`wxreport sample
--platform-only`, helpers.sample.platform), the reconciliation flags exactly the tracking gap the
derivation planted (truth["platform"]["tracking_gap"]["days"]), with the default parameters: over
the whole data, and week by week as the report judges it."""

from __future__ import annotations

import pytest

from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, day_number
from helpers.sample import SampleSpec
from helpers.sample.platform import write_platform_sample
from helpers.users import reconcile, reconcile_report
from helpers.users.params import UserAnalysisParams

SPEC = SampleSpec(seed=11, users=1500, days=42)  # ends Sunday 2026-11-22 (W47)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Warehouse, dict]:
    folder = tmp_path_factory.mktemp("sample_mixed")
    truth = write_platform_sample(folder, SPEC, mixed=True)
    return Warehouse.from_source(folder), truth


def test_the_planted_gap_days_and_only_those_are_flagged(sample):
    wh, truth = sample
    planted = truth["platform"]["tracking_gap"]["days"]
    assert planted  # the derivation planted a gap inside the data
    p = UserAnalysisParams()
    first, last = wh.meta["first_day"], day_number(SPEC.end)
    frame, typical = reconcile.daily(wh, first, last, p.reconcile_tolerance, p.reconcile_min_count)
    assert reconcile.flagged_days(frame, first, last) == planted
    assert typical["active"] == pytest.approx(0)  # on every other day the two agree exactly
    assert set(frame.loc[frame["flag"] != "", "flag"]) == {"loss"}  # own tracking saw less


def test_each_report_week_flags_its_planted_days(sample):
    wh, truth = sample
    planted = truth["platform"]["tracking_gap"]["days"]
    for label in ("2026-W45", "2026-W46", "2026-W47"):
        week = Period.parse(label)
        rec = reconcile_report.reconcile_week(wh, week, UserAnalysisParams())
        assert rec.flagged == [d for d in planted if week.start.isoformat() <= d <= week.end.isoformat()]
