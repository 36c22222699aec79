"""Issue 11: the user-analysis report completes on every dataset the validator accepts. Each crash
the issue reported has a regression case here on a small hand-made dataset (function level, and
the notebook itself in-process, marked slow); then the report on every named degenerate shape says
in one line what it cannot show, never a missing value in words, and its JSON keys are null."""

from __future__ import annotations

import math
import re
import shutil

import pandas as pd
import pytest

import datasets as ds
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, build_warehouse, day_number, day_to_date
from helpers.render import tables as render_tables
from helpers.render.text import Text
from helpers.sample import SampleSpec, write_sample
from helpers.users import findings, funnel, growth, headline, lifecycle, referral, retention, value
from helpers.users import tables as ua_tables
from users import shapes
from users.notebook import run_notebook
from users.shops import STEPS, WEEK

from conftest import write_source

BUYER_KEYS = headline.BUYER_KEYS
LO, HI = day_number(WEEK.start), day_number(WEEK.end)


def _wh(tmp_path, tables) -> Warehouse:
    return Warehouse(build_warehouse(write_source(tmp_path / "src", tables)))


# -- 1. own tracking: every user first seen on the first day, only `launch` ----------------------

def test_own_tracking_weeks_without_new_users_give_a_growth_line_not_an_index_error(tmp_path):
    wh = _wh(tmp_path, shapes.own_tracking())
    weekly = growth.weekly_new_users(wh, LO - 49, LO)
    assert list(weekly.index) == [day_to_date(w) for w in range(LO - 49, LO + 1, 7)]
    assert weekly.to_numpy().sum() == 0  # the notebook says so through rep.unavailable
    assert findings.growth(weekly, Text("en")) == "No new users this week."
    assert funnel.missing_steps(wh, STEPS) == ["page_view", "add_to_cart", "pay"]
    metrics = headline.headline(wh, WEEK, STEPS, 86_400)
    assert metrics["funnel_conversion"] is None and all(metrics[k] is None for k in BUYER_KEYS)


@pytest.mark.slow
def test_own_tracking_report_completes(tmp_path):
    run = run_notebook(write_source(tmp_path / "src", shapes.own_tracking()), tmp_path / "out", language="en")
    reasons = " ".join(s["reason"] for s in run.skipped)
    for what in ("no new users in the last 8 complete weeks", "no orders table", "events of the funnel steps",
                 "referrer_id", "user attributes"):
        assert what in reasons
    assert not run.unreadable()
    assert run.payload["metrics"]["buyers"] is None and run.payload["metrics"]["funnel_conversion"] is None


# -- 2. a retail log: most weeks bring no new users ------------------------------------------

@pytest.fixture(scope="module")
def sparse(tmp_path_factory) -> Warehouse:
    wh = _wh(tmp_path_factory.mktemp("sparse"), shapes.sparse_new_users())
    yield wh
    wh.close()


def test_retention_of_an_empty_cohort_week_is_unavailable_not_an_argmax_error(sparse):
    earlier, later = retention.compared_cohort_weeks(sparse, HI, 7)
    change = retention.cohort_change(sparse, earlier, later)
    assert change[["size_earlier", "size_later"]].to_numpy().sum() == 0
    assert findings.retention(change, day_to_date(later), 7, "channel", Text("en")) is None


def test_retention_against_an_empty_cohort_week_shows_the_rate_without_a_comparison(sparse):
    first = sparse.meta["first_day"]  # new users arrive in weeks 0, 1 and 5 of the data
    week5 = first + 35
    change = retention.cohort_change(sparse, week5 - 7, week5)
    overall = change[change["channel"] == "*"].iloc[0]
    assert overall["size_earlier"] == 0 and overall["size_later"] == 15
    assert change["rate_effect"].isna().all()  # nothing to weigh against: never inf
    text = findings.retention(change, day_to_date(week5), 7, "channel", Text("en"))
    assert text.startswith("D7 retention of the") and "from the cohort before" not in text


@pytest.mark.slow
def test_sparse_retail_log_report_completes(tmp_path):
    run = run_notebook(write_source(tmp_path / "src", shapes.sparse_new_users()), tmp_path / "out")
    assert any("W46" in s["reason"] for s in run.skipped if s["section"] == "留存")
    assert not run.unreadable()


# -- 3. a funnel channel without converters --------------------------------------------------

def test_a_channel_without_converters_has_a_float_median_the_table_formats(tmp_path):
    shop = {"users": [{"user_id": "a", "first_seen_at": "2026-11-16 09:00:00", "channel": "search"},
                      {"user_id": "b", "first_seen_at": "2026-11-16 09:00:00", "channel": "ads"}],
            "events": [{"user_id": u, "event_time": f"2026-11-1{6 + i} 10:00:0{j}", "event": e}
                       for i, u in enumerate("ab") for j, e in enumerate(STEPS[: 4 if u == "a" else 2])]}
    wh = _wh(tmp_path, shop)
    channels = funnel.by_channel(funnel.funnel_paths(wh, LO, HI, STEPS, 86_400), STEPS)
    ads = channels.set_index("channel").loc["ads"]
    assert ads["converters"] == 0 and isinstance(ads["median_minutes"], float) and math.isnan(ads["median_minutes"])
    table, units, _ = ua_tables.funnel_by_channel(channels, 1, Text("en"))
    html = render_tables.styled(table, units, Text("en")).to_html()
    assert "—" in html and "nan" not in html.lower()


@pytest.mark.slow
def test_generated_sample_of_120_days_report_completes(tmp_path):
    source = tmp_path / "sample"
    write_sample(source, SampleSpec(users=1000, days=120))
    run = run_notebook(source, tmp_path / "out")
    assert not run.unreadable()


# -- 4. no orders table ----------------------------------------------------------------------

def test_no_orders_table_gives_null_buyer_metrics(tmp_path):
    tables = shapes.own_tracking()
    wh = _wh(tmp_path, tables)
    assert not wh.has("orders") and not value.has_paid_orders(wh)


@pytest.mark.slow
def test_sample_without_orders_report_completes(tiny_data, tmp_path):
    source = tmp_path / "shop"
    shutil.copytree(tiny_data, source)
    (source / "orders.parquet").unlink()
    run = run_notebook(source, tmp_path / "out", language="en")
    assert [s["section"] for s in run.skipped if "orders table" in s["reason"]] == ["Lifecycle", "Value"]
    assert all(run.payload["metrics"][k] is None for k in BUYER_KEYS)
    assert not run.unreadable()


# -- findings never word a missing value -----------------------------------------------------

def test_lifecycle_without_a_complete_week_before_makes_no_claim():
    week = pd.Series({"new": 4.0, "returning": math.nan, "resurrecting": math.nan, "dormant": math.nan,
                      "quick_ratio": math.nan})
    text = findings.lifecycle(week, 0, 0, (0, 0), 3, Text("zh"))
    assert text.startswith("本周新增 4（上一周不完全在数据范围内") and "Quick" not in text and "—" not in text


def test_a_week_without_dormant_users_has_no_quick_ratio(tmp_path):
    events = [{"user_id": "a", "event_time": f"2026-11-{d:02d} 10:00:00", "event": "launch"} for d in range(2, 23)]
    wh = _wh(tmp_path, {"users": [{"user_id": "a", "first_seen_at": "2026-11-02 10:00:00"}], "events": events})
    week = lifecycle.weekly_lifecycle(wh, LO, LO).iloc[-1]
    assert week["dormant"] == 0 and math.isnan(week["quick_ratio"])  # never inf
    assert "quick ratio" not in findings.lifecycle(week, 0, 1, (0, 0), 3, Text("en"))


def test_referral_without_referrers_says_no_invites_each():
    summary = referral.invite_summary(pd.DataFrame({"referrer_id": [], "invites": []}))
    assert summary["invites_per_referrer"] is None
    text = findings.referral(0.0, summary, None, None, Text("en"))
    assert text == "0.0% of this week's new users came by referral."


# -- comparisons and findings tied to the report week ----------------------------------------

@pytest.mark.slow
def test_week_on_week_tables_need_the_previous_week_entirely_in_the_data(tmp_path):
    """Data from Wednesday of W46: the sessions and buyers tables would compare with 5 days."""
    tables = ds.named_shape("one_week")
    run = run_notebook(ds.write_dataset(tmp_path / "src", tables), tmp_path / "out", language="en")
    note = "No week-on-week comparison: the previous week (2026-W46) is not entirely in the data."
    assert run.text.count(note) == 2 and "Previous period" not in run.text


def test_retention_finding_describes_the_report_weeks_cohort(tiny_data, tiny_wh, tmp_path):
    """A rerun of W46 on data that goes on to W47 says what the W46 run said on data ending with W46."""
    w46 = Period.parse("2026-W46")
    cut = day_number(w46.end)
    shorter = Warehouse(build_warehouse(_truncated(tiny_data, tmp_path, w46.end)))
    try:
        texts = []
        for wh in (tiny_wh, shorter):
            earlier, later = retention.compared_cohort_weeks(wh, cut, 7)
            texts.append(findings.retention(retention.cohort_change(wh, earlier, later), day_to_date(later), 7,
                                            "channel", Text("en")))
        assert texts[0] == texts[1] and "2026-W45 cohort" in texts[0]
    finally:
        shorter.close()


def _truncated(source, tmp_path, last):
    """The source's users, events and orders up to the day `last`."""
    end = pd.Timestamp(last) + pd.Timedelta(days=1)
    folder = tmp_path / "until"
    folder.mkdir()
    for table, column in (("users", "first_seen_at"), ("events", "event_time"), ("orders", "paid_at")):
        frame = pd.read_parquet(source / f"{table}.parquet")
        frame[frame[column] < end].to_parquet(folder / f"{table}.parquet", index=False)
    return folder


def test_pooled_retention_by_channel_without_cohorts_is_an_empty_table(tmp_path):
    """Found by test_property: a range without new users gave a frame without columns."""
    wh = _wh(tmp_path, shapes.own_tracking())
    curves = retention.pooled(wh, HI - 63, HI, (1, 7), "exact", "channel")
    assert curves.empty and list(curves.columns) == ["channel", "k", "users", "retention"]


@pytest.mark.slow
def test_a_past_week_rerun_describes_its_own_cohort(tiny_data, tmp_path):
    run = run_notebook(tiny_data, tmp_path / "out", language="en", period="2026-W46")
    assert "D7 retention of the 2026-W45 cohort" in run.text and "2026-W46 cohort" not in run.text


# -- every named degenerate shape ------------------------------------------------------------

NAMED = [n for n in ds.SHAPES if n not in ds.RECREATED]  # the recreated ones are above, smaller
# What the report must say it cannot show, per shape (the section's words in the reason).
EXPECTED = {
    "no_orders": ["no orders table"],
    "only_refunded_orders": ["no paid order"],
    "empty_optional_tables": ["no paid order"],
    "single_event_type": ["events of the funnel steps"],
    "users_older_than_events": ["no new users in the last"],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMED)
def test_report_on_a_degenerate_shape_says_what_it_cannot_show(name, tmp_path):
    run = run_notebook(ds.write_dataset(tmp_path / "src", ds.named_shape(name)), tmp_path / "out", language="en")
    assert not run.unreadable()
    metrics = run.payload["metrics"]
    cohorts = {k for k in metrics if k.endswith("_latest_cohort")}  # ISO weeks such as 2026-W46
    assert all(metrics[k] is None or re.fullmatch(r"\d{4}-W\d{2}", metrics[k]) for k in cohorts)
    assert all(v is None or math.isfinite(v) for k, v in metrics.items() if k not in cohorts)
    reasons = " ".join(s["reason"] for s in run.skipped)
    assert all(what in reasons for what in EXPECTED.get(name, [])), reasons
    if "no paid order" in reasons or "no orders table" in reasons:
        assert all(metrics[k] is None for k in BUYER_KEYS)
    if "events of the funnel steps" in reasons:
        assert metrics["funnel_conversion"] is None
