"""Comparative sentences of the forecasting report claim only what their numbers support (issue 12
item 16): calendar effects are named only when their 95% interval excludes zero, and the backtest
accuracy is described (both averages), not ranked."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from helpers.forecasting import findings
from helpers.render.text import Text


def run(label: str, **forecast) -> SimpleNamespace:
    """A SeriesRun stand-in carrying only what the findings read."""
    return SimpleNamespace(info=SimpleNamespace(label=lambda tx: label), forecast=SimpleNamespace(**forecast))


def test_effects_name_only_effects_whose_interval_excludes_zero():
    """Planted: Double 11 +150% (log 0.916, se 0.1: interval 0.72 to 1.11, clear) and 618 +200%
    (log 1.099, se 0.7: interval -0.27 to 2.47, includes zero). The larger 618 effect must not
    be named; before the fix the sentence called the named ones the 'clearest' while ordering them
    by size."""
    effects = pd.DataFrame({"regressor": ["festival_double_11", "festival_618"],
                            "coef": [np.log(2.5), np.log(3.0)], "se": [0.1, 0.7]})
    text = findings.effects_finding([run("Daily GMV", effects=effects, log=True)], Text("en"))
    assert text == ("Calendar effects whose 95% interval excludes zero, against an ordinary day of the same weekday, "
                    "largest first: Daily GMV +150% on Double 11 (day).")
    effects["se"] = 0.7  # neither clear now
    text = findings.effects_finding([run("Daily GMV", effects=effects, log=True)], Text("en"))
    assert text.startswith("No calendar effect is clear")


def test_accuracy_is_described_not_ranked():
    """Two series: chosen MASE 0.6 and 1.1, seasonal naive 1.0 and 1.0: averages 0.85 and 1.00,
    stated as such; the old sentence said '22% lower than seasonal naive' from models chosen on the
    same origins (a selection effect, not a test)."""
    calibration = {lv: SimpleNamespace(expected=cov, factor=1.0) for lv, cov in ((0.8, 0.8), (0.95, 0.95))}
    backtest = SimpleNamespace(origins=(10, 24, 38, 52))
    runs = [run(name, mase=m, mase_naive=1.0, calibration=calibration, backtest=backtest)
            for name, m in (("Daily GMV", 0.6), ("Daily orders", 1.1))]
    text = findings.accuracy_finding(runs, Text("en"))
    assert text.startswith("Over 4 backtest origins the chosen models' error (MASE) averages 0.85, seasonal "
                           "naive's 1.00 (the models were chosen on these origins")
    assert "lower" not in text
    zh = findings.accuracy_finding(runs, Text("zh"))
    assert "平均为 0.85，季节性朴素为 1.00" in zh
