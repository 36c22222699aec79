"""The placebo sentence says what the check can show: the observed false-alarm rate with its upper
bound, and "cannot show the method is sound" when there are too few windows (issue 13, item 3)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.campaigns import method_findings
from helpers.render.text import Text


def evaluation(alarms: int, windows: int) -> SimpleNamespace:
    frame = pd.DataFrame({"abs": [float(k - windows // 2) for k in range(windows)],
                          "excludes_zero": [k < alarms for k in range(windows)]})
    return SimpleNamespace(counterfactual=SimpleNamespace(placebos=frame, metric="orders", scale=1.0))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_eight_quiet_windows_are_inconclusive_not_sound(language):
    # 0 alarms in 8 windows: rate 0%, one-sided 95% bound 1 - 0.05^(1/8) = 31.2% > 15%
    tx = Text(language)
    text = method_findings.placebo_finding(evaluation(0, 8), tx)
    assert tx("ce_placebo_inconclusive", bad=0.15) in text
    assert "31.2%" in text or "31%" in text


def test_forty_windows_with_two_alarms_rule_out_a_bad_method():
    # 2/40 = 5.0%, bound u with P(X <= 2 | 40, u) = 5%: u = 14.9% < 15%
    tx = Text("en")
    text = method_findings.placebo_finding(evaluation(2, 40), tx)
    assert tx("ce_placebo_sound", bad=0.15) in text and "40 earlier" in text
    assert "14.9%" in text or "15%" in text
    unsound = method_findings.placebo_finding(evaluation(6, 40), tx)  # P(X >= 6 | 40, 5%) = 0.014
    assert tx("ce_placebo_unsound") in unsound


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_sentence_says_how_much_the_placebos_widened_the_intervals(language):
    tx = Text(language)
    plain = evaluation(0, 8)
    widened = evaluation(0, 8)
    widened.counterfactual.scale = 1.4
    assert tx("ce_placebo_widened", factor=1.4) not in method_findings.placebo_finding(plain, tx)
    text = method_findings.placebo_finding(widened, tx)
    assert text.endswith(tx("ce_placebo_widened", factor=1.4)) and "1.40" in text
