"""The sample generator is deterministic and its planted truths are recoverable."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from helpers.core import contract
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.sample import SampleSpec, generate, write_sample

SMALL = SampleSpec(seed=3, users=800, days=28)
# The sample shop's own tables; WeChat's statistics of it come from `--platform-only`
# (tests/sample/test_platform.py).
OWN = [name for name in contract.TABLES if name not in contract.WECHAT_TABLES]


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a, b = write_sample(tmp_path / "a", SMALL), write_sample(tmp_path / "b", SMALL)
    assert a == b
    for name in [*OWN, "truth"]:
        suffix = "json" if name == "truth" else "parquet"
        assert (tmp_path / "a" / f"{name}.{suffix}").read_bytes() == \
            (tmp_path / "b" / f"{name}.{suffix}").read_bytes(), name
    other = generate(SampleSpec(seed=4, users=800, days=28))
    assert not other["events"].equals(pq.read_table(tmp_path / "a" / "events.parquet"))


def test_tables_follow_the_contract(tiny_data):
    for name in OWN:
        table = contract.TABLES[name]
        columns = pq.read_schema(tiny_data / f"{name}.parquet").names
        assert columns == [c.name for c in table.columns], name


def test_truth_file_lists_the_planted_facts(tiny_data):
    truth = json.loads((tiny_data / "truth.json").read_text(encoding="utf-8"))
    assert {"retention", "referral_share", "outage", "ab_test", "no_control_campaign", "content",
            "calendar", "campaigns"} <= set(truth)
    assert truth["outage"]["date"] == "2026-11-21"
    assert truth["ab_test"]["true_lift_abs"] > 0


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    """Big enough that sampling noise is small against the tolerances below."""
    path = tmp_path_factory.mktemp("medium") / "shop"
    truth = write_sample(path, SampleSpec(seed=5, users=20_000, days=120))
    return truth, Warehouse(build_warehouse(path))


@pytest.mark.parametrize("k", [1, 7, 30])
def test_planted_retention_is_recovered_within_two_points(medium, k):
    """Share of new users active on exactly day k (all observable cohorts) vs the planted curve."""
    truth, wh = medium
    got = wh.scalar("""
        SELECT AVG(CASE WHEN r.user_id IS NULL THEN 0.0 ELSE 1.0 END) FROM users u
        LEFT JOIN (SELECT DISTINCT user_id, event_day FROM events) r
          ON r.user_id = u.user_id AND r.event_day = u.first_seen_day + :k
        WHERE u.first_seen_day >= :first AND u.first_seen_day + :k <= :last""",
                    {"k": k, "first": wh.meta["first_day"], "last": wh.meta["last_day"]})
    assert got == pytest.approx(truth["retention"]["expected_exact_day"][f"d{k}"], abs=0.02)


def test_planted_referral_share_is_recovered(medium):
    truth, wh = medium
    got = wh.scalar("SELECT AVG(CASE WHEN referrer_id IS NULL THEN 0.0 ELSE 1.0 END) FROM users "
                    "WHERE first_seen_day >= :first", {"first": wh.meta["first_day"]})
    assert got == pytest.approx(truth["referral_share"]["expected"], abs=0.01)


def test_planted_outage_is_visible(medium):
    truth, wh = medium
    daily = wh.query("SELECT event_day, COUNT(*) AS n FROM events GROUP BY event_day ORDER BY 1")
    outage = wh.meta["last_day"] - 1  # 2026-11-21
    others = daily[(daily.event_day >= outage - 14) & (daily.event_day != outage)].n.median()
    assert daily.set_index("event_day").n[outage] < 0.75 * others
    assert truth["outage"]["events_lost"] > 0
