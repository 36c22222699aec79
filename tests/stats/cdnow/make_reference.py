"""Make the CDNOW data and the `lifetimes` reference outputs that tests/stats/test_clv.py compares with.

`lifetimes` (last release 0.11.3, 2020) is no longer installed with the project; to redo these files:

    .venv/bin/pip install lifetimes==0.11.3
    .venv/bin/python tests/stats/cdnow/make_reference.py
    .venv/bin/pip uninstall -y lifetimes

Writes, next to this script:
- cdnow_customers_summary.csv, cdnow_customers_summary_with_transactions.csv: the CDNOW summaries
  as distributed in lifetimes' `datasets` (copied byte for byte);
- lifetimes_bg_nbd.csv: per customer, `BetaGeoFitter().fit(frequency, recency, T)`'s expected
  purchases in the next 39 weeks and probability of being alive;
- lifetimes_gamma_gamma.csv: per repeat customer, `GammaGammaFitter().fit(frequency,
  monetary_value)`'s expected average spend.
Floats are written with 17 significant digits (they read back exactly).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.datasets import load_cdnow_summary, load_cdnow_summary_data_with_monetary_value

HERE = Path(__file__).resolve().parent
HORIZON_WEEKS = 39
DATASETS = ("cdnow_customers_summary.csv", "cdnow_customers_summary_with_transactions.csv")


def main() -> None:
    """Copy the data, fit lifetimes' models and write their predictions."""
    for name in DATASETS:
        (HERE / name).write_bytes((files("lifetimes") / "datasets" / name).read_bytes())
    cdnow = load_cdnow_summary(index_col=[0])
    bg = BetaGeoFitter().fit(cdnow.frequency, cdnow.recency, cdnow["T"])
    pd.DataFrame({
        f"expected_purchases_{HORIZON_WEEKS}w": bg.conditional_expected_number_of_purchases_up_to_time(
            HORIZON_WEEKS, cdnow.frequency, cdnow.recency, cdnow["T"]),
        "p_alive": bg.conditional_probability_alive(cdnow.frequency, cdnow.recency, cdnow["T"]),
    }, index=cdnow.index).to_csv(HERE / "lifetimes_bg_nbd.csv", float_format="%.17g")
    data = load_cdnow_summary_data_with_monetary_value()
    data = data[data.frequency > 0]
    gg = GammaGammaFitter().fit(data.frequency, data.monetary_value)
    pd.DataFrame({
        "expected_average_spend": gg.conditional_expected_average_profit(data.frequency, data.monetary_value),
    }, index=data.index).to_csv(HERE / "lifetimes_gamma_gamma.csv", float_format="%.17g")
    print("BG/NBD", dict(bg.params_), "\nGamma-Gamma", dict(gg.params_))


if __name__ == "__main__":
    main()
