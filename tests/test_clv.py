"""BG/NBD and Gamma-Gamma: the published CDNOW fits and the reference implementation's predictions."""

from __future__ import annotations

import numpy as np
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.datasets import load_cdnow_summary, load_cdnow_summary_data_with_monetary_value

from helpers.stats import clv


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow_summary(index_col=[0])


def test_bg_nbd_reproduces_the_published_cdnow_fit(cdnow):
    p = clv.fit_bg_nbd(cdnow.frequency, cdnow.recency, cdnow["T"])
    # Fader, Hardie & Lee (2005): r 0.243, alpha 4.414, a 0.793, b 2.426
    assert (p.r, p.alpha, p.a, p.b) == pytest.approx((0.243, 4.414, 0.793, 2.426), abs=0.002)


def test_bg_nbd_predictions_match_the_reference_implementation(cdnow):
    p = clv.fit_bg_nbd(cdnow.frequency, cdnow.recency, cdnow["T"])
    ref = BetaGeoFitter().fit(cdnow.frequency, cdnow.recency, cdnow["T"])
    ours = clv.bg_nbd_expected_purchases(p, 39, cdnow.frequency, cdnow.recency, cdnow["T"])
    theirs = ref.conditional_expected_number_of_purchases_up_to_time(
        39, cdnow.frequency, cdnow.recency, cdnow["T"])
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    alive = clv.bg_nbd_p_alive(p, cdnow.frequency, cdnow.recency, cdnow["T"])
    np.testing.assert_allclose(alive, ref.conditional_probability_alive(
        cdnow.frequency, cdnow.recency, cdnow["T"]), atol=1e-5)
    assert alive[cdnow.frequency.to_numpy() == 0] == pytest.approx(1.0)


def test_gamma_gamma_reproduces_the_published_fit():
    data = load_cdnow_summary_data_with_monetary_value()
    data = data[data.frequency > 0]
    g = clv.fit_gamma_gamma(data.frequency, data.monetary_value)
    assert (g.p, g.q, g.v) == pytest.approx((6.25, 3.74, 15.44), abs=0.01)
    ref = GammaGammaFitter().fit(data.frequency, data.monetary_value)
    np.testing.assert_allclose(
        clv.gamma_gamma_expected_spend(g, data.frequency, data.monetary_value),
        ref.conditional_expected_average_profit(data.frequency, data.monetary_value), rtol=1e-4)


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
