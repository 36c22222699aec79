# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: wxreport
#     language: python
#     name: wxreport
# ---

# %% [markdown]
# # Merchant performance
# For the operators and managers of an S2B2C mall: which small-B sellers (stores, KOLs, group
# leaders, distributors) carry the week's sales and how concentrated they are (top 10, Gini, head /
# waist / tail tiers), which merchants are new, active, dormant, churned or back, whether merchants
# keep selling month after month, what customers they bring compared with the platform's own sales,
# and how distributor chains sell and recruit. Orders without a merchant are the platform's own
# sales; without `orders.merchant_id` the report says so and stops there, without the `merchants`
# table it works on the ids alone. Merchants are named by their own code (`merchant_id`); names
# only with `show_merchant_names`, and a merchant's figures drawn from fewer than `min_cell_size`
# buyers are suppressed. All numbers come from `helpers.merchants` (tested there); prose from its
# findings.
# (Markdown cells are analysts' notes and are not shown in the report.)

# %% tags=["parameters"]
# Run by `make report`, the runner replaces this with the resolved params/*.yaml values.
# Interactively, leave it empty or override keys, e.g. {"period": "2026-W45", "language": "en"}.
params = {}

# %%
from helpers.merchants import show
from helpers.merchants.data import load
from helpers.merchants.headline import DEFINITIONS, headline
from helpers.suite import open_report

rep = open_report("merchant_performance", params)
rep.header()
data = load(rep.wh, rep.period, rep.params)  # says what is missing when there are no merchant sales

# %%
metrics = rep.publish(headline(data), DEFINITIONS)["metrics"]
# Without merchant sales to report (no orders, no orders.merchant_id, or none sold yet) the first
# section says why in one line and no empty section follows.
show.glance(rep, data, metrics)

# %%
if data.ok:
    show.sales(rep, data)

# %%
if data.ok:
    show.concentration(rep, data, metrics)

# %%
if data.ok:
    show.lifecycle(rep, data, metrics)

# %%
if data.ok:
    show.retention(rep, data)

# %%
if data.ok:
    show.customers(rep, data)

# %%
if data.ok:
    show.chains(rep, data)

# %%
rep.footer()
