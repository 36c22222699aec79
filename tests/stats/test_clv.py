"""BG/NBD and Gamma-Gamma: the published CDNOW fits and the reference implementation's predictions.

The CDNOW summaries and the predictions of the reference implementation (`lifetimes` 0.11.3) are
files in cdnow/, made by cdnow/make_reference.py (see cdnow/README.md).
"""

from __future__ import annotations

from dataclasses import astuple
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.stats import clv

DATA = Path(__file__).resolve().parent / "cdnow"


@pytest.fixture(scope="module")
def cdnow():
    return pd.read_csv(DATA / "cdnow_customers_summary.csv", index_col=[0])


def cdnow_with_monetary_value() -> pd.DataFrame:
    data = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    data.columns = ["customer_id", "frequency", "recency", "T", "monetary_value"]
    return data.set_index("customer_id")


def reference(name: str, index: pd.Index) -> pd.DataFrame:
    """lifetimes' outputs, in the order of `index`."""
    return pd.read_csv(DATA / f"lifetimes_{name}.csv", index_col=0).loc[index]


def test_bg_nbd_reproduces_the_published_cdnow_fit(cdnow):
    p = clv.fit_bg_nbd(cdnow.frequency, cdnow.recency, cdnow["T"])
    # Fader, Hardie & Lee (2005): r 0.243, alpha 4.414, a 0.793, b 2.426
    assert (p.r, p.alpha, p.a, p.b) == pytest.approx((0.243, 4.414, 0.793, 2.426), abs=0.002)


def test_bg_nbd_predictions_match_the_reference_implementation(cdnow):
    p = clv.fit_bg_nbd(cdnow.frequency, cdnow.recency, cdnow["T"])
    ref = reference("bg_nbd", cdnow.index)
    ours = clv.bg_nbd_expected_purchases(p, 39, cdnow.frequency, cdnow.recency, cdnow["T"])
    theirs = ref["expected_purchases_39w"]
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    alive = clv.bg_nbd_p_alive(p, cdnow.frequency, cdnow.recency, cdnow["T"])
    np.testing.assert_allclose(alive, ref["p_alive"], atol=1e-5)
    assert alive[cdnow.frequency.to_numpy() == 0] == pytest.approx(1.0)


def test_gamma_gamma_reproduces_the_published_fit():
    data = cdnow_with_monetary_value()
    data = data[data.frequency > 0]
    g = clv.fit_gamma_gamma(data.frequency, data.monetary_value)
    assert (g.p, g.q, g.v) == pytest.approx((6.25, 3.74, 15.44), abs=0.01)
    np.testing.assert_allclose(
        clv.gamma_gamma_expected_spend(g, data.frequency, data.monetary_value),
        reference("gamma_gamma", data.index)["expected_average_spend"], rtol=1e-4)


def test_recovers_parameters_of_simulated_customers():
    """Simulate the BG/NBD story directly and fit it back."""
    rng = np.random.default_rng(1)
    n, horizon = 20_000, 52.0
    true = clv.BgNbd(r=0.8, alpha=6.0, a=0.6, b=3.0)
    lam = rng.gamma(true.r, 1 / true.alpha, n)
    p_drop = rng.beta(true.a, true.b, n)
    freq, rec = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > horizon:
                break
            freq[i] += 1
            rec[i] = t
            if rng.random() < p_drop[i]:
                break
    fit = clv.fit_bg_nbd(freq, rec, np.full(n, horizon))
    assert fit.r == pytest.approx(true.r, rel=0.15)
    assert fit.alpha == pytest.approx(true.alpha, rel=0.2)
    assert fit.a == pytest.approx(true.a, rel=0.25)
    assert fit.b == pytest.approx(true.b, rel=0.3)


def test_a_weighted_fit_on_distinct_histories_is_the_fit_on_every_customer(cdnow):
    """Customers sharing (frequency, recency, T) share their likelihood: one row each with its count
    as weight gives the same parameters (the reports fit that way: far fewer rows)."""
    distinct = cdnow.groupby(["frequency", "recency", "T"], as_index=False).size()
    assert len(distinct) < len(cdnow) / 2  # the test means something only if rows do repeat
    weighted = clv.fit_bg_nbd(distinct.frequency, distinct.recency, distinct["T"], weights=distinct["size"])
    unweighted_on_distinct = clv.fit_bg_nbd(distinct.frequency, distinct.recency, distinct["T"])
    full = clv.fit_bg_nbd(cdnow.frequency, cdnow.recency, cdnow["T"])
    assert astuple(weighted) == pytest.approx(astuple(full), rel=1e-4)
    assert astuple(unweighted_on_distinct) != pytest.approx(astuple(full), rel=1e-2)
