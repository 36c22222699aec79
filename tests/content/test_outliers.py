"""Outlying articles: a planted outlier is the one flagged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from content.account import W47
from helpers.content.history import History
from helpers.content.outliers import expected_readers


def test_expected_readers_flags_a_planted_outlier():
    rng = np.random.default_rng(8)
    n = 60
    position = rng.integers(1, 3, n)
    column = rng.choice(["X", "Y"], n)
    recipients = rng.integers(10_000, 30_000, n).astype(float)
    rate = np.where(position == 1, 0.05, 0.02) * np.where(column == "X", 1.2, 1.0)
    readers = np.round(recipients * rate * rng.lognormal(0, 0.1, n))
    readers[7] *= 3
    frame = pd.DataFrame({"column_name": column, "position_key": position, "recipients": recipients,
                          "readers_c": readers, "observed": True, "in_period": False})
    hist = History(frame, W47, 0, 1, 0)
    out = expected_readers(hist, 2.5)
    assert out["flagged"].tolist() == [i == 7 for i in range(n)]
    assert out["z"].iat[7] > 2.5 and out["vs_expected"].iat[7] == pytest.approx(3, rel=0.3)
    typical = np.median(out["vs_expected"])
    assert typical == pytest.approx(1, abs=0.05)
    assert expected_readers(History(frame.head(6), W47, 0, 1, 0), 2.5) is None
