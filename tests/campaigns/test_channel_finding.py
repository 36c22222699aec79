"""The channel attribution finding names a channel as gaining or losing revenue share only when
the shift is significant (buyers as units) and the channel is large enough (issue 12 item 16)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.campaigns.findings import channel_finding
from helpers.render.text import Text


def orders(*groups: tuple[int, float, str, str]) -> pd.DataFrame:
    """Paid orders, one per buyer: (buyers, amount, first touch, last touch) per group."""
    rows, n = [], 0
    for buyers, amount, first, last in groups:
        for _ in range(buyers):
            rows.append({"user_id": f"u{n}", "amount": amount, "first_touch": first, "last_touch": last})
            n += 1
    return pd.DataFrame(rows)


def channel_table(o: pd.DataFrame) -> pd.DataFrame:
    """The columns of channel_queries.channels the finding reads, from the orders (no spend)."""
    ft = o.groupby("first_touch").agg(ft_buyers=("user_id", "nunique"), ft_revenue=("amount", "sum"))
    lt = o.groupby("last_touch").agg(lt_buyers=("user_id", "nunique"), lt_revenue=("amount", "sum"))
    frame = ft.join(lt, how="outer").fillna(0.0).rename_axis("channel").reset_index()
    return frame.assign(spend=float("nan"))


def test_a_significant_shift_names_the_channels_with_intervals():
    """200 buyers of ¥100: 100 first touched by Search, 100 by Moments ads; 40 of the Search
    buyers buy last through Moments ads. Moments ads: 50% -> 70% of revenue, +20 pts; by hand
    (buyers as units) D = +100 for 40 buyers, 0 for 160; residuals 80 and -20; se = sqrt(200/199 x
    (40 x 6,400 + 160 x 400)) / 20,000 = 0.02836; t(0.975, 199) = 1.972: +14.4 to +25.6 pts."""
    o = orders((60, 100.0, "search", "search"), (40, 100.0, "search", "moments_ads"),
               (100, 100.0, "moments_ads", "moments_ads"))
    text = channel_finding(channel_table(o), o, 10, Text("en"))
    assert "Moments ads gains the most revenue share (+20.0 pts; 95% interval +14.4 to +25.6 pts)" in text
    assert "Search loses the most (-20.0 pts; 95% interval -25.6 to -14.4 pts)" in text
    zh = channel_finding(channel_table(o), o, 10, Text("zh"))
    assert "朋友圈广告的收入占比上升最多" in zh and "搜索下降最多" in zh


def test_a_shift_resting_on_one_big_order_is_not_claimed():
    """199 buyers of ¥100 keep their channel; one ¥5,000 Search buyer buys last through Moments
    ads. Moments ads gains 5,000 / 24,900 = +20.1 pts of revenue share, as much as above, but one
    buyer carries it: se = sqrt(200/199 x (4,000^2 + 199 x 20^2)) / 24,900 = 0.161, t = 1.25,
    p = 0.21. The old sentence said 'Moments ads gains the most revenue share (+20.1 pts)'."""
    o = orders((99, 100.0, "search", "search"), (1, 5000.0, "search", "moments_ads"),
               (100, 100.0, "moments_ads", "moments_ads"))
    text = channel_finding(channel_table(o), o, 10, Text("en"))
    assert text == ("Credited by last touch instead of first touch, no channel with at least 30 buyers both ways "
                    "changes its revenue share significantly (buyers as units; every 95% interval includes 0).")


def test_small_channels_are_not_ranked():
    """20 KOL buyers all buy last through Moments ads: KOL loses 2,000 / 22,000 = -9.1 pts, a
    significant shift, but KOL has no last-touch buyers (< 30 both ways), so only Moments ads
    (+9.1 pts, 120 last-touch buyers) is named; with min_group = 10 and k = 10 nothing changes
    (KOL still has 0 last-touch buyers)."""
    o = orders((100, 100.0, "search", "search"), (100, 100.0, "moments_ads", "moments_ads"),
               (20, 100.0, "kol", "moments_ads"))
    for min_group in (30, 10):
        text = channel_finding(channel_table(o), o, 10, Text("en"), min_group=min_group)
        assert "Moments ads gains the most revenue share (+9.1 pts" in text
        assert "KOL" not in text and "none of them loses share significantly" in text


@pytest.mark.parametrize("min_group", [30, 101])
def test_no_channel_large_enough_gives_no_sentence(min_group):
    o = orders((60, 100.0, "search", "search"), (40, 100.0, "search", "moments_ads"),
               (100, 100.0, "moments_ads", "moments_ads"))
    text = channel_finding(channel_table(o), o, 10, Text("en"), min_group=min_group)
    assert (text == "") == (min_group > 100)


def test_roas_is_given_only_for_channels_with_k_buyers_both_ways():
    """Spend on Search (100 buyers both ways) and on KOL (4 buyers of ¥250): KOL's ROAS would be
    its four buyers' revenue over its spend, a small cell; only Search's is given."""
    o = orders((100, 100.0, "search", "search"), (100, 100.0, "moments_ads", "moments_ads"),
               (4, 250.0, "kol", "kol"))
    frame = channel_table(o).set_index("channel")
    frame.loc[["search", "kol"], "spend"] = [1000.0, 100.0]
    text = channel_finding(frame.reset_index(), o, 10, Text("en"))
    assert "Search" in text and "KOL" not in text
