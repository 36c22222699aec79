"""The published headline of the user analysis: its keys and definitions, random shops against the
reference, and no user id in any output."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.render.outputs import CONTRACTS
from helpers.users import activity, funnel, headline, retention
from users import reference as ref
from users.shops import STEPS, WEEK, load, span


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), n_users=st.integers(1, 25))
def test_property_core_metrics_match_the_reference(tmp_path_factory, seed, n_users):
    data = ref.random_shop(seed, n_users=n_users, days=35)
    wh = load(tmp_path_factory.mktemp("prop"), data)
    first, last = span(wh)
    for row, (dau, wau, _) in zip(activity.daily_active(wh, first, last).itertuples(),
                                  ref.daily_active(data, first, last), strict=True):
        assert row.dau == dau and ((math.isnan(row.wau) and math.isnan(wau)) or row.wau == wau)
    for k in (1, 7):
        for mode in ("exact", "on_or_after"):
            got = retention.pooled(wh, first, last, (k,), mode).iloc[0]
            size, kept = ref.retention(data, first, last, k, mode == "exact")
            assert got.users == size and (size == 0 or got.retention == pytest.approx(kept / size))
    assert activity.session_stats(wh, first, last).iloc[0]["sessions"] == ref.sessions(
        data, first, last, False)["sessions"]
    paths = funnel.funnel_paths(wh, first, last, STEPS, 7200)
    expected = ref.funnel(data, first, last, STEPS, 7200)
    assert funnel.summarise(paths, STEPS)["users"].tolist() == [
        sum(t[i] is not None for t in expected) for i in range(len(STEPS))]
    wh.close()


def test_headline_keys_match_their_definitions(tiny_data, tiny_wh):
    """The JSON figures of the week, recomputed with pandas from the raw files."""
    m = headline.headline(tiny_wh, WEEK, funnel.DEFAULT_STEPS, 86_400)
    assert tuple(m) == CONTRACTS["user_analysis"].metrics
    events = pd.read_parquet(tiny_data / "events.parquet")
    people = pd.read_parquet(tiny_data / "users.parquet")
    day = events.event_time.dt.normalize()
    week = events[(day >= "2026-11-16") & (day <= "2026-11-22")]
    assert m["wau"] == week.user_id.nunique()
    assert m["dau_mean"] == pytest.approx(week.groupby(week.event_time.dt.date).user_id.nunique().mean())
    month = events[(day >= "2026-10-24") & (day <= "2026-11-22")]
    assert m["mau"] == month.user_id.nunique()
    assert m["stickiness"] == pytest.approx(m["dau_mean"] / m["mau"])
    seen = people.first_seen_at.dt.normalize()
    new = people[(seen >= "2026-11-16") & (seen <= "2026-11-22")]
    assert m["new_users"] == len(new)
    assert m["referral_share"] == pytest.approx(new.referrer_id.notna().mean())
    active = set(zip(events.user_id, day, strict=True))
    observable = new[new.first_seen_at.dt.normalize() + pd.Timedelta(days=1) <= pd.Timestamp("2026-11-22")]
    back = [(u, s + pd.Timedelta(days=1)) in active
            for u, s in zip(observable.user_id, observable.first_seen_at.dt.normalize(), strict=True)]
    assert m["retention_d1"] == pytest.approx(sum(back) / len(back))
    assert m["retention_d7"] is None and m["retention_d30"] is None  # nobody observable yet


def test_no_user_id_in_any_output(tiny_data, tmp_path):
    """Reports and JSON name no user: scan them for every id of the tiny sample."""
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path / "out"
    wxreport = str(Path(sys.executable).with_name("wxreport"))
    result = subprocess.run([wxreport, "run", "--data", str(tiny_data), "--out", str(out), "--only",
                             "user_analysis"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    ids = set(pd.read_parquet(tiny_data / "users.parquet", columns=["user_id"])["user_id"])
    for path in (out / "2026-W47").iterdir():
        text = path.read_text()
        leaked = [i for i in ids if i in text]
        assert not leaked, f"{path.name} shows user ids {leaked[:3]}"
