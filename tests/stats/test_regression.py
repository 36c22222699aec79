"""Least squares (helpers.stats.regression) against statsmodels' formula API and numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from helpers.stats.regression import ols, treatment_design


def test_treatment_design_and_fit_match_a_formula_fit():
    rng = np.random.default_rng(5)
    n = 40
    frame = pd.DataFrame({"column": rng.choice(["b", "a", "c"], n), "position": rng.integers(1, 4, n)})
    frame["y"] = 0.5 * (frame["column"] == "b") - 0.3 * frame["position"] + rng.normal(0, 0.2, n)
    fit = ols(treatment_design(frame, ["column", "position"]), frame["y"])
    model = smf.ols("y ~ C(column) + C(position)", data=frame).fit()
    np.testing.assert_array_equal(treatment_design(frame, ["column", "position"]),
                                  model.model.exog)
    np.testing.assert_allclose(fit.coefficients, model.params.to_numpy())
    np.testing.assert_allclose(fit.fitted, model.fittedvalues.to_numpy())
    assert fit.df_resid == model.df_resid == n - 5
    assert fit.residual_sd == pytest.approx(np.sqrt(model.scale))
    np.testing.assert_allclose(fit.standardized_residuals(), model.resid / np.sqrt(model.scale))


def test_fit_by_hand_and_prediction_of_other_rows():
    x = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    fit = ols(x, [1.0, 3.0, 5.0, 7.5])  # slope 2.15, intercept 0.9 (least squares by hand)
    np.testing.assert_allclose(fit.coefficients, [0.9, 2.15])
    np.testing.assert_allclose(fit.predict([[1.0, 10.0]]), [22.4])
    np.testing.assert_allclose(fit.coefficients, np.linalg.lstsq(x, [1.0, 3.0, 5.0, 7.5], rcond=None)[0])


def test_an_exact_fit_has_zero_standardized_residuals_and_no_design_has_only_the_mean():
    fit = ols(np.column_stack([np.ones(3), [1.0, 0.0, 0.0]]), [0.0, 0.0, 0.0])
    assert fit.residual_sd == 0
    np.testing.assert_array_equal(fit.standardized_residuals(), 0.0)
    mean_only = ols(treatment_design(pd.DataFrame({"y": [1.0, 2.0, 6.0]}), []), [1.0, 2.0, 6.0])
    np.testing.assert_allclose(mean_only.fitted, 3.0)
    assert mean_only.residual_sd == pytest.approx(np.std([1.0, 2.0, 6.0], ddof=1))
    assert np.isnan(ols(np.ones((1, 1)), [1.0]).residual_sd)
