"""Tables of the user-analysis report: frames with privacy applied and their column units, ready
for `rep.table(frame, units, hidden)`."""

from __future__ import annotations

import pandas as pd

from helpers.render import privacy
from helpers.render.text import Text

Table = tuple[pd.DataFrame, dict[str, str], pd.DataFrame | None]


def rfm_segments(segments: pd.DataFrame, k: int, tx: Text) -> Table:
    """Customers, share and mean recency, frequency and spend per RFM segment; segments under k
    customers lose their count and share."""
    tx.shows("rfm_customers")
    table, hidden = privacy.suppress(segments, "customers", k, also=["share"])
    columns = ["segment_label", "customers", "share", "recency_days", "frequency", "monetary"]
    units = {"customers": "users", "share": "fraction", "recency_days": "ratio", "frequency": "ratio",
             "monetary": "CNY"}
    return table[columns], units, hidden


def clv_by_channel(customers: pd.DataFrame, k: int, tx: Text) -> Table:
    """Customers, mean predicted value and mean probability still active per acquisition channel
    (customers: `ClvResult.customers`); channels under k customers are hidden."""
    by_channel = customers.groupby("channel").agg(customers=("clv", "size"), clv=("clv", "mean"),
                                                  p_alive=("p_alive", "mean")).reset_index()
    by_channel, hidden = privacy.suppress(by_channel, "customers", k, also=["clv", "p_alive"])
    by_channel["channel"] = [tx.data(c) for c in by_channel["channel"]]
    return by_channel, {"customers": "users", "clv": "CNY", "p_alive": "fraction"}, hidden


def funnel_by_channel(channels: pd.DataFrame, tx: Text) -> Table:
    """Starters, converters, conversion and median time to convert per channel (channels already
    limited to those with at least k starters)."""
    tx.shows("minutes_to_convert")
    table = channels.assign(channel=[tx.data(c) for c in channels["channel"]])
    units = {"starters": "users", "converters": "users", "conversion": "fraction", "median_minutes": "minutes"}
    return table, units, None
