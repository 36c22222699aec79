"""Campaign SQL (helpers.campaigns queries, series, type_queries, channel_queries) against
independent pandas computations on the tiny sample, edge cases on hand-made tables, and the
report's number wording."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from helpers.campaigns import evaluation as ca
from helpers.campaigns import queries as cm
from helpers.campaigns import wording
from helpers.campaigns.channel_queries import channels
from helpers.campaigns.experiment import intended_shares
from helpers.campaigns.params import CampaignEvaluationParams
from helpers.campaigns.series import UserGroup, daily
from helpers.campaigns.type_queries import coupon_stats, group_buy_stats, referral_stats, repeat_purchase, tagged_events
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, build_warehouse, day_number
from helpers.render.text import Text

from conftest import write_source

AS_OF = date(2026, 11, 22)


@pytest.fixture(scope="module")
def raw(tiny_data) -> dict[str, pd.DataFrame]:
    frames = {t: pd.read_parquet(tiny_data / f"{t}.parquet")
              for t in ("users", "events", "orders", "campaigns", "assignments", "spend")}
    for frame, column in ((frames["events"], "event_time"), (frames["orders"], "paid_at"),
                          (frames["users"], "first_seen_at"), (frames["assignments"], "assigned_at")):
        frame["day"] = frame[column].dt.date
    return frames


@pytest.fixture(scope="module")
def campaigns(tiny_wh) -> dict[str, cm.Campaign]:
    return {c.campaign_id: c for c in cm.load_campaigns(tiny_wh)}


def window(c: cm.Campaign) -> tuple[date, date]:
    return c.start, min(c.end, AS_OF)


def participants(raw: dict[str, pd.DataFrame], c: cm.Campaign, randomized: bool) -> set[str]:
    lo, hi = window(c)
    ev, od, us = raw["events"], raw["orders"], raw["users"]
    users = set(ev[(ev.campaign_id == c.campaign_id) & ev.day.between(lo, hi)].user_id)
    users |= set(od[(od.campaign_id == c.campaign_id) & od.day.between(lo, hi) & (od.status == "paid")].user_id)
    if c.targets_channel:
        users |= set(us[(us.channel == c.channel) & us.day.between(lo, hi)].user_id)
    if randomized:
        a = raw["assignments"]
        users &= set(a[(a.campaign_id == c.campaign_id) & (a.variant != "control")].user_id)
    return users


@pytest.mark.parametrize("cid", ["C1111", "CAB", "CLIVE"])
def test_scorecard_matches_pandas(tiny_wh, raw, campaigns, cid):
    c = campaigns[cid]
    randomized = cm.is_randomized(tiny_wh, c)
    assert randomized == (cid == "CAB")
    card = cm.scorecard(tiny_wh, c, day_number(AS_OF), randomized)
    lo, hi = window(c)
    people = participants(raw, c, randomized)
    od, us = raw["orders"], raw["users"]
    theirs = od[od.user_id.isin(people) & od.day.between(lo, hi) & (od.status == "paid")]
    new = us[us.user_id.isin(people) & us.day.between(lo, hi)]
    if randomized:
        a = raw["assignments"]
        reach = ((a.campaign_id == cid) & (a.variant != "control") & (a.day <= hi)).sum()
    else:
        reach = raw["events"][raw["events"].day.between(lo, hi)].user_id.nunique()
    assert card["participants"] == len(people) and card["reach"] == reach
    assert card["orders"] == len(theirs) and card["gmv"] == pytest.approx(theirs.amount.sum())
    assert card["conversions"] == theirs.user_id.nunique() and card["new_users"] == len(new)
    assert card["conversion_rate"] == pytest.approx(card["conversions"] / reach)
    assert card["cac"] == pytest.approx(card["cost"] / len(new))
    assert card["roas_attributed"] == pytest.approx(card["gmv"] / card["cost"])


def test_experiment_users_match_a_pandas_computation(tiny_wh, raw, campaigns):
    c = campaigns["CAB"]
    got = cm.experiment_users(tiny_wh, c, day_number(AS_OF), covariate_days=28)
    a = raw["assignments"][raw["assignments"].campaign_id == "CAB"]
    od = raw["orders"]
    rows = []
    for user in a.itertuples():
        mine = od[od.user_id == user.user_id]
        post = mine[(mine.paid_at >= user.assigned_at) & (mine.day <= AS_OF)]
        paid = post[post.status == "paid"]
        before = mine[(mine.paid_at < user.assigned_at) & (mine.status == "paid")
                      & ((user.day - mine.day).map(lambda d: d.days) <= 28)]
        rows.append((user.variant, len(paid), paid.amount.sum(), len(post), (post.status == "refunded").sum(),
                     len(before), before.amount.sum()))
    expected = pd.DataFrame(rows, columns=["variant", "orders", "revenue", "placed", "refunded", "pre_orders",
                                           "pre_revenue"])
    columns = list(expected.columns[1:])
    mine = got.groupby("variant")[columns].sum()
    ref = expected.groupby("variant")[columns].sum()
    pd.testing.assert_frame_equal(mine, ref.astype(float), check_exact=False)
    assert (got["converted"] == (got["orders"] > 0)).all() and got["unfollowed"].isna().all()
    assert got.groupby("variant").size().to_dict() == a.variant.value_counts().to_dict()
    assert "user_id" not in got.columns


def test_daily_series_and_groups_match_pandas(tiny_wh, raw):
    lo, hi = date(2026, 11, 1), date(2026, 11, 22)
    od, us = raw["orders"], raw["users"]
    paid = od[(od.status == "paid") & od.day.between(lo, hi)].drop(columns="channel").merge(
        us[["user_id", "channel"]], on="user_id")
    for group, keep in ((None, paid), (UserGroup("channel", ("search", "share")),
                                       paid[paid.channel.isin(["search", "share"])]),
                        (UserGroup("channel", ("search",), exclude=True), paid[paid.channel != "search"])):
        orders = daily(tiny_wh, "orders", day_number(lo), day_number(hi), group)
        gmv = daily(tiny_wh, "gmv", day_number(lo), day_number(hi), group)
        assert len(orders) == 22 and orders.index[0] == lo
        ref = keep.groupby("day").size().reindex(orders.index, fill_value=0)
        assert orders.tolist() == ref.astype(float).tolist()
        assert gmv.to_numpy() == pytest.approx(keep.groupby("day").amount.sum().reindex(gmv.index, fill_value=0))
    new = daily(tiny_wh, "new_users", day_number(lo), day_number(hi), UserGroup("is_follower", ("true",)))
    ref = us[us.is_follower & us.day.between(lo, hi)].groupby("day").size().reindex(new.index, fill_value=0)
    assert new.tolist() == ref.astype(float).tolist()
    with pytest.raises(ValueError, match="cannot define a group"):
        UserGroup("user_id", ("x",)).sql()


def test_channels_first_and_last_touch_match_pandas(tiny_wh, raw):
    lo, hi = date(2026, 11, 16), date(2026, 11, 22)
    frame = channels(tiny_wh, day_number(lo), day_number(hi)).set_index("channel")
    od, us, sp = raw["orders"], raw["users"], raw["spend"]
    paid = od[(od.status == "paid") & od.day.between(lo, hi)].merge(us[["user_id", "channel"]], on="user_id",
                                                                      suffixes=("_order", "_user"))
    ft = paid.groupby("channel_user").amount.sum()
    lt = paid.groupby("channel_order").amount.sum()
    spend = sp[sp.date.between(lo, hi)].groupby("channel")[["cost", "clicks"]].sum()
    new = us[us.day.between(lo, hi)]
    converted = new.user_id.isin(paid.user_id)
    for channel in frame.index:
        row = frame.loc[channel]
        assert row.ft_revenue == pytest.approx(ft.get(channel, 0.0))
        assert row.lt_revenue == pytest.approx(lt.get(channel, 0.0))
        assert row.new_users == (new.channel == channel).sum()
        assert row.new_converted == (converted & (new.channel == channel)).sum()
        if channel in spend.index:
            assert row.spend == pytest.approx(spend.loc[channel, "cost"])
        else:
            assert np.isnan(row.spend)
    assert frame.ft_revenue.sum() == pytest.approx(frame.lt_revenue.sum())  # same orders, two credits


def test_type_specifics_match_pandas(tiny_wh, raw, campaigns):
    as_of = day_number(AS_OF)
    ev, od, us = raw["events"], raw["orders"], raw["users"]
    c = campaigns["CAB"]
    lo, hi = window(c)
    treated = set(raw["assignments"].query("campaign_id == 'CAB' and variant != 'control'").user_id)
    claimers = set(ev[(ev.campaign_id == "CAB") & (ev.event == "coupon_claim") & ev.day.between(lo, hi)].user_id)
    claimers &= treated
    coupon_orders = od[(od.campaign_id == "CAB") & od.coupon_id.notna() & od.day.between(lo, hi)
                       & (od.status == "paid")]
    stats = coupon_stats(tiny_wh, c, as_of, randomized=True)
    assert stats["claimers"] == len(claimers) and stats["coupon_orders"] == len(coupon_orders)
    assert stats["redeemers"] == len(claimers & set(coupon_orders.user_id))
    assert stats["discount"] == pytest.approx(coupon_orders.discount.sum())

    live = tagged_events(tiny_wh, campaigns["CLIVE"], as_of).set_index("event").loc["live_view"]
    lo, hi = window(campaigns["CLIVE"])
    views = ev[(ev.campaign_id == "CLIVE") & ev.day.between(lo, hi)].groupby("user_id").event_time.min()
    paid = od[(od.status == "paid") & (od.day <= hi)]
    bought = sum((paid[paid.user_id == u].paid_at >= t).any() for u, t in views.items())
    assert (live.users, live.buyers) == (len(views), bought)

    c = campaigns["C1111"]
    lo, hi = window(c)
    groups = od[(od.campaign_id == "C1111") & od.group_id.notna() & od.day.between(lo, hi)]
    members = groups[groups.status == "paid"].groupby("group_id").size().reindex(groups.group_id.unique(),
                                                                                 fill_value=0)
    stats = group_buy_stats(tiny_wh, c, as_of, min_size=2)
    assert stats["groups"] == len(members) and stats["completed_groups"] == (members >= 2).sum()
    assert stats["group_size"] == pytest.approx(members[members >= 2].mean())

    c = campaigns["CLIVE"]
    lo, hi = window(c)
    shares = ev[(ev.event == "share") & ev.day.between(lo, hi)]
    joins = us[us.referrer_id.notna() & us.day.between(lo, hi)]
    stats = referral_stats(tiny_wh, c, as_of, cost=8000.0)
    assert (stats["invites"], stats["inviters"], stats["joins"]) == (len(shares), shares.user_id.nunique(),
                                                                      len(joins))
    assert stats["k_factor"] == pytest.approx(len(joins) / shares.user_id.nunique())
    assert stats["cost_per_join"] == pytest.approx(8000.0 / len(joins))


def test_repeat_purchase_matches_pandas(tiny_wh, raw, campaigns):
    c = campaigns["C1111"]
    lo, hi = window(c)
    got = repeat_purchase(tiny_wh, c, day_number(AS_OF), 7, randomized=False).set_index("group")
    people = participants(raw, c, False)
    us, od = raw["users"], raw["orders"]
    new = us[us.day.between(lo, hi)]
    paid = od[od.status == "paid"].sort_values("paid_at")
    rows = {"campaign": [0, 0], "organic": [0, 0]}
    for user in new.itertuples():
        mine = paid[paid.user_id == user.user_id]
        during = mine[mine.day.between(lo, hi)]
        if during.empty or (AS_OF - during.day.iloc[0]).days < 7:
            continue
        first = during.iloc[0]
        again = mine[(mine.paid_at > first.paid_at) & ((mine.day - first.day).map(lambda d: d.days) <= 7)]
        group = "campaign" if user.user_id in people else "organic"
        rows[group][0] += 1
        rows[group][1] += int(not again.empty)
    for group, (buyers, repeaters) in rows.items():
        if buyers:
            assert (got.loc[group, "buyers"], got.loc[group, "repeaters"]) == (buyers, repeaters)


# ---------------------------------------------------------------------------------------------
# Hand-made edge cases
# ---------------------------------------------------------------------------------------------

def _shop(tmp_path, **overrides) -> Warehouse:
    days = pd.date_range("2026-10-01", "2026-11-22", freq="D")
    tables = {
        "users": [{"user_id": f"u{i}", "first_seen_at": "2026-10-01 08:00:00", "channel": "search"}
                  for i in range(6)],
        "events": [{"user_id": "u0", "event_time": f"{d:%Y-%m-%d} 09:00:00", "event": "launch"} for d in days],
        "orders": [{"order_id": "o1", "user_id": "u1", "paid_at": "2026-11-18 10:00:00", "amount": 50.0}],
        "campaigns": [
            {"campaign_id": "A", "type": "coupon", "start_at": "2026-11-10 00:00:00",
             "end_at": "2026-11-29 23:59:59", "cost": 2000.0, "holdout": 0.2},
            {"campaign_id": "B", "type": "coupon", "start_at": "2026-10-01 00:00:00",
             "end_at": "2026-10-10 23:59:59", "cost": 500.0},
            {"campaign_id": "C", "type": "kol", "start_at": "2026-11-01 00:00:00",
             "end_at": "2026-11-05 23:59:59", "cost": 900.0},
        ],
        "assignments": [{"campaign_id": "A", "user_id": f"u{i}", "variant": v, "assigned_at": ""}
                        for i, v in enumerate(["control", "treatment", "treatment", "treatment", "treatment"])],
        "spend": [{"date": "2026-11-02", "channel": "kol", "campaign_id": "C", "cost": 300.0},
                  {"date": "2026-11-03", "channel": "kol", "campaign_id": "C", "cost": 250.0}],
    }
    tables.update(overrides)
    tables = {name: rows for name, rows in tables.items() if rows is not None}
    return Warehouse(build_warehouse(write_source(tmp_path / "shop", tables)))


def test_costs_windows_splits_and_missing_assignment_times(tmp_path):
    wh = _shop(tmp_path)
    every = {c.campaign_id: c for c in cm.load_campaigns(wh)}
    as_of = day_number(date(2026, 11, 22))
    a = every["A"]
    assert a.running(as_of) and a.days(as_of) == 13
    assert cm.cost_to_date(wh, a, as_of) == pytest.approx(2000.0 * 13 / 20)  # pro rata while running
    assert cm.cost_to_date(wh, every["C"], as_of) == pytest.approx(550.0)  # tagged spend wins
    assert cm.cost_to_date(wh, every["B"], as_of) == 500.0
    assert cm.previous_of_type(list(every.values()), a).campaign_id == "B"
    assert cm.previous_of_type(list(every.values()), every["C"]) is None
    period = Period.parse("2026-W47")
    assert [c.campaign_id for c in ca.select(wh, period, CampaignEvaluationParams())] == ["A"]
    with pytest.raises(ValueError, match="campaigns Z are not in the campaigns table"):
        ca.select(wh, period, CampaignEvaluationParams(campaigns=["Z"]))
    users = cm.experiment_users(wh, a, as_of, 28)
    assert users["assigned_day"].eq(a.start_day).all()  # no assigned_at: the campaign's start
    assert users[users.variant == "treatment"]["revenue"].sum() == 50.0
    assert intended_shares(["control", "treatment"], 0.2, {}) == {"control": 0.2, "treatment": 0.8}
    assert intended_shares(["control", "b", "c"], None, {}) == pytest.approx(
        {"control": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    assert intended_shares(["control", "t"], 0.2, {"control": 0.5, "t": 0.5}) == {"control": 0.5, "t": 0.5}


def test_each_campaign_gets_the_method_its_data_allows(tmp_path):
    wh = _shop(tmp_path)
    (b,) = ca.evaluate_all(wh, Period.parse("2026-W41"), CampaignEvaluationParams(campaigns=["B"]))
    assert b.method == "none" and "only 0 days" in wording.reason(b, Text("en"))
    item = b.item(0.4)
    assert list(item) == ["campaign_id", "type", "method", "metric", "lift_abs", "lift_rel", "ci_low",
                          "ci_high", "p_value", "srm_p_value", "cost", "roas", "roi", "roi_low", "roi_high"]
    assert item["lift_abs"] is None and item["srm_p_value"] is None and item["cost"] == 500.0
    (a,) = ca.evaluate_all(wh, Period.parse("2026-W47"), CampaignEvaluationParams())
    assert a.method == "randomized" and a.item(0.4)["srm_p_value"] is not None
    flat = _shop(tmp_path / "flat", assignments=None)  # not one order before the campaign
    (a,) = ca.evaluate_all(flat, Period.parse("2026-W47"), CampaignEvaluationParams())
    assert a.method == "none" and "same on every day" in wording.reason(a, Text("en"))
    earlier = [{"order_id": f"p{d}", "user_id": "u2", "paid_at": f"2026-10-{d:02d} 10:00:00", "amount": 9.0}
               for d in (3, 5, 12, 13, 20, 26, 27)]
    no_split = _shop(tmp_path / "b", assignments=None,
                     orders=[{"order_id": "o1", "user_id": "u1", "paid_at": "2026-11-18 10:00:00",
                              "amount": 50.0}, *earlier])
    (a,) = ca.evaluate_all(no_split, Period.parse("2026-W47"), CampaignEvaluationParams())
    assert a.method == "counterfactual" and a.metric == "orders" and a.counterfactual.fit.pre_days == 40
    named = CampaignEvaluationParams(comparison_groups={"A": {"column": "channel", "treated": ["search"],
                                                              "comparison": ["share"]}})
    (a,) = ca.evaluate_all(no_split, Period.parse("2026-W47"), named)
    assert a.did is None and a.method == "counterfactual"
    assert "difference-in-differences" in wording.reason(a, Text("en"))


# ---------------------------------------------------------------------------------------------
# Words and numbers
# ---------------------------------------------------------------------------------------------

def test_rates_change_in_points_and_relative_lifts_say_so():
    zh, en = Text("zh"), Text("en")
    assert wording.change(0.0289, "conversion", zh) == "+2.9个百分点"
    assert wording.change(0.0289, "conversion", en) == "+2.9 pts"
    assert wording.interval(0.005, 0.0368, "conversion", en) == "+0.5 to +3.7 pts"
    assert wording.change(-1234.0, "gmv", en) == "-¥1,234" and wording.change(12000.0, "gmv", zh) == "+¥1.2万"
    assert wording.change(423.4, "orders", zh) == "+423"
    assert zh("ce_overview_estimate", name="x", method="m", metric="", lift="", rel=0.0, kind="", ci="",
              p=0.0004, money="").endswith("p<0.001）")
    assert wording.p_value(0.0213, en) == "0.021" and wording.p_value(0.0004, en) == "<0.001"
    assert wording.dates(date(2026, 11, 17), date(2026, 11, 20), zh) == "11月17日–20日"
    assert wording.dates(date(2026, 10, 31), date(2026, 11, 11), en) == "31 Oct–11 Nov"
    assert wording.dates(date(2026, 11, 17), None, en) == "from 17 Nov"
    assert wording.word("coupon", zh) == "优惠券" and wording.word("search", en) == "Search"
