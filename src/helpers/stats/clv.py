"""Customer lifetime value: BG/NBD (how many more purchases) and Gamma-Gamma (how much each).

Fader, Hardie & Lee (2005), "Counting your customers the easy way" and "RFM and CLV". Each
customer is summarised by `frequency` (repeat purchases: purchase days after the first), `recency`
(time from first to last purchase) and `T` (time from first purchase to the end of the data), all
in the same unit (weeks here). Fitted by maximum likelihood with scipy; the unmaintained
`lifetimes` package serves only as a reference in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    v: float


def _arrays(*xs: object) -> list[np.ndarray]:
    return [np.asarray(x, dtype=float) for x in xs]


def bg_nbd_log_likelihood(params: BgNbd, frequency: object, recency: object, T: object) -> np.ndarray:
    """Per-customer log-likelihood of the BG/NBD model."""
    x, tx, t = _arrays(frequency, recency, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + t)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                      - (r + x) * np.log(alpha + tx), -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


def fit_bg_nbd(frequency: object, recency: object, T: object, weights: object | None = None) -> BgNbd:
    """Maximum-likelihood BG/NBD parameters (optimised on the log scale, so they stay positive).
    `weights`: how many customers each row stands for (customers with the same frequency, recency
    and T have the same likelihood, so a fit on the distinct rows with their counts is the same fit)."""
    x, tx, t = _arrays(frequency, recency, T)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    scale = max(float(np.max(t)), 1e-9)  # fit on T/scale for conditioning, then rescale alpha

    def loss(theta: np.ndarray) -> float:
        r, alpha, a, b = np.exp(theta)
        ll = bg_nbd_log_likelihood(BgNbd(r, alpha, a, b), x, tx / scale, t / scale)
        return -float(np.sum(w * ll)) / float(np.sum(w))

    best = _minimise(loss, np.zeros(4))
    r, alpha, a, b = np.exp(best)
    return BgNbd(float(r), float(alpha * scale), float(a), float(b))


def bg_nbd_expected_purchases(params: BgNbd, t: float, frequency: object, recency: object,
                              T: object) -> np.ndarray:
    """Expected repeat purchases in the next `t` time units, given each customer's history."""
    x, tx, big_t = _arrays(frequency, recency, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t))
    first = (a + b + x - 1) / (a - 1)
    second = 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp
    return first * second / (1 + _death_odds(params, x, tx, big_t))


def bg_nbd_p_alive(params: BgNbd, frequency: object, recency: object, T: object) -> np.ndarray:
    """Probability that each customer is still active (has not silently churned)."""
    x, tx, t = _arrays(frequency, recency, T)
    return 1 / (1 + _death_odds(params, x, tx, t))


def _death_odds(params: BgNbd, x: np.ndarray, tx: np.ndarray, t: np.ndarray) -> np.ndarray:
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = a / (b + x - 1) * ((alpha + t) / (alpha + tx)) ** (r + x)
    return np.where(x > 0, odds, 0.0)


def gamma_gamma_log_likelihood(params: GammaGamma, frequency: object, monetary: object
                               ) -> np.ndarray:
    """Per-customer log-likelihood of mean spend `monetary` over `frequency` (> 0) purchases."""
    x, m = _arrays(frequency, monetary)
    p, q, v = params.p, params.q, params.v
    return (special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q)
            + q * np.log(v) + (p * x - 1) * np.log(m) + p * x * np.log(x)
            - (p * x + q) * np.log(x * m + v))


def fit_gamma_gamma(frequency: object, monetary: object) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma parameters from customers with at least one repeat purchase."""
    x, m = _arrays(frequency, monetary)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    scale = float(np.mean(m)) if len(m) else 1.0

    def loss(theta: np.ndarray) -> float:
        p, q, v = np.exp(theta)
        return -float(np.sum(gamma_gamma_log_likelihood(GammaGamma(p, q, v), x, m / scale))) / len(x)

    best = _minimise(loss, np.zeros(3))
    p, q, v = np.exp(best)
    return GammaGamma(float(p), float(q), float(v * scale))


def gamma_gamma_expected_spend(params: GammaGamma, frequency: object, monetary: object) -> np.ndarray:
    """Expected mean spend per future purchase, shrunk from the customer's own mean to the
    population mean (customers without repeat purchases get the population mean)."""
    x, m = _arrays(frequency, monetary)
    p, q, v = params.p, params.q, params.v
    population = p * v / (q - 1)
    own = (q - 1) / (p * x + q - 1) * population + p * x / (p * x + q - 1) * m
    return np.where(x > 0, own, population)


def _minimise(loss: object, start: np.ndarray) -> np.ndarray:
    """Nelder-Mead from a neutral start, polished by L-BFGS-B; robust on flat likelihoods."""
    rough = optimize.minimize(loss, start, method="Nelder-Mead",
                              options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-10})
    fine = optimize.minimize(loss, rough.x, method="L-BFGS-B")
    best = fine.x if fine.fun <= rough.fun else rough.x
    if not np.all(np.isfinite(best)):
        raise ValueError("CLV model fit did not converge")
    return best
