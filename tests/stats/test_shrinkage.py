"""Beta-binomial shrinkage and rate intervals (helpers.stats.shrinkage)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from helpers.stats.shrinkage import (
    MAX_STRENGTH,
    BetaPrior,
    fit_beta_moments,
    fit_beta_prior,
    priors_by_group,
    ratio_interval,
    wilson_interval,
)


def simulate(rng: np.random.Generator, k: int, alpha: float, beta: float
             ) -> tuple[np.ndarray, np.ndarray]:
    n = rng.integers(20, 3000, size=k)
    return rng.binomial(n, rng.beta(alpha, beta, size=k)), n


@given(x=st.integers(0, 500), extra=st.integers(0, 5000), mean=st.floats(0.01, 0.99),
       strength=st.floats(0.5, 1e4))
@settings(max_examples=200)
def test_shrunk_estimate_lies_between_raw_rate_and_prior_mean(x, extra, mean, strength):
    prior = BetaPrior.from_mean(mean, strength)
    n = x + extra
    shrunk = float(prior.shrink(x, n))
    if n == 0:
        assert shrunk == pytest.approx(prior.mean)
        return
    raw = x / n
    assert min(raw, prior.mean) - 1e-12 <= shrunk <= max(raw, prior.mean) + 1e-12
    w = float(prior.weight(n))
    assert shrunk == pytest.approx(w * raw + (1 - w) * prior.mean)


def test_limits_no_data_gives_the_prior_huge_data_gives_the_raw_rate():
    prior = BetaPrior.from_mean(0.04, 200)
    assert prior.shrink(0, 0) == pytest.approx(0.04)
    assert prior.shrink(30_000_000, 100_000_000) == pytest.approx(0.3, abs=1e-5)
    # 30 readers and 6 sharers (20%) against a 4% column: pulled most of the way back.
    assert (0.2 - prior.shrink(6, 30)) / (0.2 - 0.04) == pytest.approx(200 / 230)
    lo, hi = prior.interval(6, 30)
    assert lo < prior.shrink(6, 30) < hi


@pytest.mark.parametrize("fit", [fit_beta_moments, fit_beta_prior])
def test_fit_recovers_a_known_prior(fit):
    rng = np.random.default_rng(1)
    x, n = simulate(rng, 600, 6.0, 194.0)  # mean 3%, strength 200
    prior = fit(x, n)
    assert prior.mean == pytest.approx(0.03, rel=0.06)
    assert prior.strength == pytest.approx(200, rel=0.3)


def test_no_spread_beyond_binomial_noise_pools_completely():
    rng = np.random.default_rng(2)
    n = rng.integers(500, 2000, size=200)
    x = rng.binomial(n, 0.1)
    for fit in (fit_beta_moments, fit_beta_prior):  # items of ~1,000 trials keep < 10% weight
        assert fit(x, n).strength > 10_000
    same = np.full(50, 1000)
    assert fit_beta_moments(same // 10, same).strength == MAX_STRENGTH


def test_too_little_data_gives_a_prior_without_weight():
    for fit in (fit_beta_moments, fit_beta_prior):
        prior = fit([5], [50])
        assert prior.mean == pytest.approx(0.1) and prior.strength < 1e-3
        assert prior.shrink(5, 50) == pytest.approx(0.1)
        assert fit([], []).strength < 1e-3


def test_bad_counts_are_rejected():
    with pytest.raises(ValueError):
        BetaPrior(1, 1).shrink([5], [4])


def test_priors_by_group_fall_back_to_the_pooled_prior_for_small_groups():
    rng = np.random.default_rng(3)
    xa, na = simulate(rng, 300, 2.0, 98.0)    # 2%
    xb, nb = simulate(rng, 300, 10.0, 90.0)   # 10%
    x = np.r_[xa, xb, [3, 4]]
    n = np.r_[na, nb, [100, 100]]
    groups = ["a"] * 300 + ["b"] * 300 + ["c", "c"]
    priors, pooled = priors_by_group(x, n, groups, min_items=5)
    assert priors["a"].mean == pytest.approx(0.02, rel=0.1)
    assert priors["b"].mean == pytest.approx(0.10, rel=0.1)
    assert priors["c"] is pooled and 0.02 < pooled.mean < 0.10


def test_wilson_interval_matches_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    x, n = np.array([0, 3, 50, 200]), np.array([10, 30, 100, 200])
    lo, hi = wilson_interval(x, n)
    ref_lo, ref_hi = proportion_confint(x, n, method="wilson")
    np.testing.assert_allclose(lo, ref_lo, atol=1e-10)
    np.testing.assert_allclose(hi, ref_hi, atol=1e-10)
    assert np.isnan(wilson_interval([0], [0])[0]).all()


def test_ratio_interval_covers_the_true_ratio_about_95_percent_of_the_time():
    rng = np.random.default_rng(4)
    covered = 0
    for _ in range(400):
        recipients = rng.integers(5_000, 30_000, size=40)
        readers = rng.binomial(recipients, 0.05 * rng.lognormal(-0.02, 0.2, size=40))
        ratio, lo, hi = ratio_interval(readers, recipients)
        assert lo <= ratio <= hi
        covered += lo <= 0.05 <= hi
    assert 0.9 <= covered / 400 <= 0.99
    # A binomial interval on the pooled counts would be far narrower (and wrong): check we are not.
    blo, bhi = wilson_interval(readers.sum(), recipients.sum())
    assert hi - lo > 3 * (bhi - blo)


def test_ratio_interval_edge_cases():
    assert np.isnan(ratio_interval([], [])[0])
    ratio, lo, hi = ratio_interval([5], [100])
    assert ratio == 0.05 and np.isnan(lo) and np.isnan(hi)
    ratio, lo, hi = ratio_interval([1, 2, 3], [10, 20, 30])  # identical rates: no spread
    assert ratio == pytest.approx(0.1) and lo == pytest.approx(0.1) and hi == pytest.approx(0.1)


def test_posterior_interval_is_the_beta_quantiles():
    prior = BetaPrior(2.0, 48.0)
    lo, hi = prior.interval(10, 100, level=0.9)
    assert lo == pytest.approx(stats.beta.ppf(0.05, 12, 138))
    assert hi == pytest.approx(stats.beta.ppf(0.95, 12, 138))
