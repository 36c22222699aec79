"""Tables of the user-analysis report: frames with privacy applied and their column units, ready
for `rep.table(frame, units, hidden)`.

Every table here is a breakdown whose cells add up to a total the reader sees (shares, a total in
a chart or a sentence), so each goes through `privacy.suppress_counts` with complementary
suppression. A cell revealing fewer than k users is missing and marked in the mask, so it reads
"<k"; a cell hidden only so that those cannot be worked out from a total holds k or more users:
it is missing but not marked, so it reads "—" and the report says why (`complemented`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pandas as pd

from helpers.render import privacy
from helpers.render.text import Text

Table = tuple[pd.DataFrame, dict[str, str], pd.DataFrame | None]
GROUP_UNITS = {"customers": "users", "share": "fraction", "recency_days": "ratio", "frequency": "ratio",
               "monetary": "CNY", "rfm_spend_share": "fraction"}
COUNTS = ("customers", "starters", "converters")  # count columns: never missing unless hidden


def _suppressed(frame: pd.DataFrame, k: int, reveals: Mapping[str, Sequence[str]], totals: Collection[str]
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frame with every hidden cell missing, and the mask of the cells revealing fewer than k
    users (read "<k"); complementary cells are missing without the mark."""
    table, _ = privacy.suppress_counts(frame, k, reveals, totals)
    _, small = privacy.suppress_counts(frame, k, reveals)
    return table, small


def complemented(*shown: Table | tuple[pd.DataFrame, pd.DataFrame]) -> bool:
    """Whether any of these tables, or matrices (`rfm_migration`'s pair), hides cells of k or more
    users (complementary suppression): the report then says what "—" means there."""
    for item in shown:
        frame, small = item[0], item[-1]
        columns = [c for c in frame.columns if c in COUNTS] if len(item) == 3 else list(frame.columns)
        if small is not None and bool((frame[columns].isna() & ~small[columns]).to_numpy().any()):
            return True
    return False


def _groups(frame: pd.DataFrame, label: str, k: int) -> Table:
    """Customers and their figures per RFM segment or value tier, privacy applied."""
    columns = [label, "customers", "share", "recency_days", "frequency", "monetary", "rfm_spend_share"]
    table, small = _suppressed(frame[columns], k, {"customers": columns[2:]}, ["customers"])
    return table, GROUP_UNITS, small


def rfm_segments(segments: pd.DataFrame, k: int, tx: Text) -> Table:
    """Customers, share, mean recency, frequency and spend and share of spend per RFM segment
    (`rfm.segment_sizes`); a segment under k customers shows none of its figures."""
    tx.shows("rfm_customers")
    return _groups(segments, "segment_label", k)


def value_tiers(tiers: pd.DataFrame, k: int, tx: Text) -> Table:
    """The same figures per value tier (`rfm.tier_sizes`)."""
    tx.shows("rfm_customers")
    table, units, small = _groups(tiers, "tier_label", k)
    header = {"tier_label": tx("ua_col_value_tier")}  # a header already in the report language
    return table.rename(columns=header), units, small.rename(columns=header)


def hidden_segments(segments: pd.DataFrame, k: int) -> set[str]:
    """The segments whose figures the RFM table hides (`rfm_segments`)."""
    shown, _ = privacy.suppress(segments, "customers", k, total=True)
    return set(segments.loc[shown["customers"].isna(), "segment"])


def rfm_migration(matrix: pd.DataFrame, before: pd.DataFrame, now: pd.DataFrame, k: int
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The segment migration matrix (`rfm.segment_migration`) with every hidden cell missing, and
    the mask of its cells under k (the others missing are complementary). Each column adds up to
    a segment's size in this week's RFM table, each row to one in last week's (before, now:
    `rfm.segment_sizes`), so no hidden cell may follow from those sums, nor a size a table hides."""
    shown, _ = privacy.suppress_matrix(matrix, k, margins=True, hidden_rows=hidden_segments(before, k),
                                       hidden_columns=hidden_segments(now, k))
    return shown, privacy.small(matrix, k)


def clv_by_channel(customers: pd.DataFrame, k: int, tx: Text) -> Table:
    """Customers, mean predicted value and mean probability still active per acquisition channel
    (customers: `ClvResult.customers`); channels under k customers are hidden, and the next-smallest
    with a lone hidden one (the channels add up to all customers, whose mean value the finding
    states)."""
    by_channel = customers.groupby("channel").agg(customers=("clv", "size"), clv=("clv", "mean"),
                                                  p_alive=("p_alive", "mean")).reset_index()
    by_channel, small = _suppressed(by_channel, k, {"customers": ["clv", "p_alive"]}, ["customers"])
    by_channel["channel"] = [tx.data(c) for c in by_channel["channel"]]
    return by_channel, {"customers": "users", "clv": "CNY", "p_alive": "fraction"}, small


# What each count of the funnel table reveals: a row's starters carry everything; its converters
# (and the starters who did not convert, their complement) carry the conversion and the median time.
FUNNEL_REVEALS = {
    "starters": ["converters", "non_converters", "conversion", "median_minutes"],
    "non_converters": ["converters", "conversion", "median_minutes"],
    "converters": ["non_converters", "conversion", "median_minutes"],
}


def funnel_by_channel(channels: pd.DataFrame, k: int, tx: Text) -> Table:
    """Starters, converters, conversion and median time to convert per channel (`funnel.by_channel`,
    every channel): each cell is suppressed by the smallest count it reveals. A channel under k
    starters shows nothing; under k converters (or under k who did not convert), its converters,
    conversion and median time are hidden; starters and converters add up to the funnel chart's
    first and last step, so a lone hidden cell takes the next-smallest with it."""
    tx.shows("minutes_to_convert")
    frame = channels.assign(non_converters=channels["starters"] - channels["converters"])
    table, small = _suppressed(frame, k, FUNNEL_REVEALS, ("starters", "converters"))
    columns = ["channel", "starters", "converters", "conversion", "median_minutes"]
    table = table.assign(channel=[tx.data(c) for c in table["channel"]])[columns]
    units = {"starters": "users", "converters": "users", "conversion": "fraction", "median_minutes": "minutes"}
    return table, units, small[columns]
