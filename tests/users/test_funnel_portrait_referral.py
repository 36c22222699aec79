"""Funnels, portrait and referral against the reference and hand-made cases."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.core.warehouse import day_number
from helpers.users import funnel, portrait, referral
from users import reference as ref
from users.shops import STEPS, load, span


@pytest.mark.parametrize("window_hours", [1, 24])
def test_funnel_is_ordered_and_windowed(shop, window_hours):
    data, wh = shop
    first, last = span(wh)
    paths = funnel.funnel_paths(wh, first, last, STEPS, window_hours * 3600)
    expected = ref.funnel(data, first, last, STEPS, window_hours * 3600)
    assert len(paths) == len(expected)
    summary = funnel.summarise(paths, STEPS)
    for i in range(len(STEPS)):
        assert summary["users"].iloc[i] == sum(t[i] is not None for t in expected)
    got_times = sorted(tuple(None if pd.isna(x) else int(x) for x in row)
                       for row in paths[[f"t{i}" for i in range(1, len(STEPS) + 1)]].itertuples(index=False))
    assert got_times == sorted(tuple(t) for t in expected)


def test_funnel_out_of_order_steps_do_not_count(tmp_path):
    events = [("10:00", "launch"), ("10:01", "pay"), ("10:02", "page_view"), ("10:03", "add_to_cart")]
    data = {"users": [{"user_id": "a", "first_seen_at": "2026-11-16 10:00:00"}],
            "events": [{"user_id": "a", "event_time": f"2026-11-16 {t}:00", "event": e} for t, e in events]}
    wh = load(tmp_path, data)
    steps = funnel.summarise(funnel.funnel_paths(wh, *span(wh), STEPS, 3600), STEPS)
    assert steps["users"].tolist() == [1, 1, 1, 0]
    assert funnel.biggest_drop(steps) == 3


def test_portrait_respects_consent(shop):
    data, wh = shop
    first, last = span(wh)
    got = portrait.portrait(wh, first, last, "gender", "new").set_index("value")["users"].to_dict()
    expected: dict[str, int] = {}
    for u in data["users"]:
        if u["consent"]:
            key = u["gender"] or "unknown"
            expected[key] = expected.get(key, 0) + 1
    assert got == expected


def test_referral_share_invites_depth_and_k(shop):
    data, wh = shop
    first, last = span(wh)
    new = [u for u in data["users"] if first <= ref.day(u["first_seen_at"]) <= last]
    assert referral.referral_share(wh, first, last) == pytest.approx(
        sum(bool(u["referrer_id"]) for u in new) / len(new))
    counts = referral.invites(wh, first, last).set_index("referrer_id")["invites"].to_dict()
    expected: dict[str, int] = {}
    for u in new:
        if u["referrer_id"]:
            expected[u["referrer_id"]] = expected.get(u["referrer_id"], 0) + 1
    assert counts == expected
    links = wh.query("SELECT user_id, referrer_id FROM users WHERE referrer_id IS NOT NULL")
    assert referral.chain_depth(links).to_dict() == ref.chain_depth(data)
    k = referral.weekly_k(wh, first, last - 6)
    for row in k.itertuples():
        wk = day_number(row.week)
        referred = sum(bool(u["referrer_id"]) and ref.week_start(ref.day(u["first_seen_at"])) == wk
                       for u in data["users"])
        assert row.referred == referred and row.active == len(ref.active_between(data, wk, wk + 6))


def test_chain_depth_survives_cycles():
    links = pd.DataFrame({"user_id": ["a", "b", "c"], "referrer_id": ["b", "a", "x"]})
    depth = referral.chain_depth(links)
    assert depth["c"] == 1 and depth["a"] == referral.MAX_DEPTH + 1


def test_pseudonyms_hide_ids_and_are_stable():
    counts = pd.DataFrame({"referrer_id": ["user-123", "user-456"], "invites": [3, 5]})
    top = referral.top_referrers(counts, 5, "salt")
    assert top["invites"].tolist() == [5, 3]
    assert not top["referrer"].str.contains("user").any()
    assert top["referrer"].tolist() == referral.top_referrers(counts, 5, "salt")["referrer"].tolist()
    assert referral.pseudonym("user-123", "other") != referral.pseudonym("user-123", "salt")
