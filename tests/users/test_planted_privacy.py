"""Issue 12, items 12, 14, 15: the small cells planted in `users.planted` are revealed by none of
the user-analysis tables and sentences, neither directly nor by subtraction from a shown total;
the referrer who refused consent is never listed. Function level here (fast); the whole notebook
on the same shop at the end (slow)."""

from __future__ import annotations

import re
from datetime import date
from unittest import mock

import pandas as pd
import pytest

from helpers.core.warehouse import Warehouse, build_warehouse, day_number
from helpers.render import tables as render_tables
from helpers.render.text import Text
from helpers.users import findings, funnel, portrait, referral, rfm, tables
from users import notebook, planted
from users.planted import K, matrix_totals, recoverable

from conftest import write_source

LO, HI = day_number(date(2026, 11, 16)), day_number(planted.END)
SALT = "salt"


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    source = write_source(tmp_path_factory.mktemp("planted") / "src", planted.planted_shop())
    wh = Warehouse(build_warehouse(source))
    yield source, wh
    wh.close()


def _html(table: tables.Table, tx: Text) -> str:
    frame, units, hidden = table
    return render_tables.styled(frame, units, tx, hidden, K).to_html()


def _scored(wh: Warehouse, asof: int) -> pd.DataFrame:
    return rfm.rfm_scores(rfm.rfm_frame(wh, asof, 365))


def test_the_planted_cells_are_small(shop):
    _, wh = shop
    scored = _scored(wh, HI).set_index("user_id")
    assert set(scored.index[scored["segment"] == "cannot_lose"]) == set(planted.CANNOT_LOSE)
    assert scored.loc[list(planted.CANNOT_LOSE), "monetary"].tolist() == pytest.approx(planted.CANNOT_LOSE_SPEND)
    channels = funnel.by_channel(funnel.funnel_paths(wh, LO, HI, planted.STEPS, 86_400), planted.STEPS)
    channels = channels.set_index("channel")
    assert channels.loc[planted.PROBE_CHANNEL, ["starters", "converters"]].tolist() == [3, 2]
    assert channels.loc[planted.FEW_CONVERTERS, ["starters", "converters"]].tolist() == [15, 3]


def test_rfm_table_hides_the_small_segment_and_its_complement(shop):
    _, wh = shop
    tx = Text("en")
    segments = rfm.segment_sizes(_scored(wh, HI), tx)
    table, units, small = tables.rfm_segments(segments, K, tx)
    planted_row = segments["segment"] == "cannot_lose"
    figures = small.columns.drop("segment_label")
    # the planted segment shows none of its figures, each marked "<k": count, share, means, spend
    assert small.loc[planted_row, figures].all(axis=1).all() and small[figures].sum().max() == 1
    hidden = table["customers"].isna()
    assert hidden.sum() == 2  # the lone small segment took the next-smallest with it (read "—")
    assert table.loc[hidden, figures].isna().all().all() and tables.complemented((table, units, small))
    # the shares give the total away; the hidden counts still cannot be worked out from it
    assert recoverable(segments["customers"], hidden, [range(len(segments))]) == []
    html = _html((table, units, small), tx)
    assert "Cannot lose them" in html and not re.search(r"115\.9|¥116|231\.8", html)


def test_value_finding_names_only_a_shown_segment_with_figures_that_fit_it(shop):
    _, wh = shop
    tx = Text("en")
    scored = _scored(wh, HI)
    segments, tiers = rfm.segment_sizes(scored, tx), rfm.tier_sizes(scored, tx)
    top = rfm.largest_segment(segments, K, 30)
    metrics = {"buyers": 0}
    text = findings.value(metrics, top, None, tx, rfm.high_value_tier(tiers, K))
    named = [s for s in segments["segment_label"] if s in text]
    assert named == [top["segment_label"]] and top["segment"] == segments.loc[segments["customers"].idxmax(), "segment"]
    # the figures stated are the segment's, and fit its definition (hibernating: one order, long ago)
    assert f"({top['share']:.1%}; {top['frequency']:.2f} orders per customer" in text
    assert top["segment"] != "cannot_lose" and "Cannot lose" not in text
    assert "High-value customers (the top fifth by spend): 61" in text
    assert rfm.largest_segment(segments, K, 10_000) is None  # too small to be called the largest
    assert rfm.high_value_tier(tiers.assign(customers=[3, 200, 200]), K) is None


def test_migration_matrix_leaves_nothing_to_subtract(shop):
    _, wh = shop
    tx = Text("en")
    before, now = _scored(wh, LO - 1), _scored(wh, HI)
    matrix = rfm.segment_migration(before, now)
    shown, small = tables.rfm_migration(matrix, rfm.segment_sizes(before, tx), rfm.segment_sizes(now, tx), K)
    hidden = shown.isna()
    assert (small <= hidden).all().all() and (hidden & ~small).any().any()  # some cells are complementary
    assert (matrix.where(hidden).stack().dropna() > 0).any()
    assert not matrix.where(~hidden).stack().dropna().between(1, K - 1).any()
    # rows and columns add up to segment sizes in last week's and this week's RFM tables, except
    # those the tables hide, which must not be given back either
    sizes_before, sizes_now = rfm.segment_sizes(before, tx), rfm.segment_sizes(now, tx)
    rows = [i for i, s in enumerate(matrix.index) if s in tables.hidden_segments(sizes_before, K)]
    columns = [i for i, s in enumerate(matrix.columns) if s in tables.hidden_segments(sizes_now, K)]
    assert "cannot_lose" in matrix.columns[columns]
    flags = hidden.to_numpy().ravel().tolist() + [True] * (len(rows) + len(columns))
    totals = matrix_totals(matrix.shape, rows, columns)
    assert recoverable([0] * len(flags), flags, totals) == []
    assert tables.complemented((shown, small))


def test_funnel_channel_table_suppresses_by_the_smallest_count_a_cell_reveals(shop):
    _, wh = shop
    tx = Text("en")
    channels = funnel.by_channel(funnel.funnel_paths(wh, LO, HI, planted.STEPS, 86_400), planted.STEPS)
    table, units, small = tables.funnel_by_channel(channels, K, tx)
    rows = table.assign(key=channels["channel"]).set_index("key")
    mask = small.set_index(channels["channel"])
    # the probe channel (3 starters) shows nothing, every figure marked "<k"; kol (15 starters, 3
    # converters) shows "<k" for its converters, conversion and median, and, as the next-smallest
    # channel, "—" for its starters; the other channels show everything
    assert mask.loc[planted.PROBE_CHANNEL].drop("channel").all()
    assert mask.loc[planted.FEW_CONVERTERS].drop("channel").tolist() == [False, True, True, True]
    for channel in (planted.PROBE_CHANNEL, planted.FEW_CONVERTERS):
        assert rows.loc[channel].drop("channel").isna().all()
    assert rows.drop(index=[planted.PROBE_CHANNEL, planted.FEW_CONVERTERS]).notna().all().all()
    for column in ("starters", "converters"):  # both add up to the funnel chart's first and last step
        assert recoverable(channels[column], rows[column].isna().to_numpy(), [range(len(channels))]) == []
    html = _html((table, units, small), tx)
    assert "184" not in html and "&lt;10" in html and "—" in html  # 184: the kol converters' median minutes


def test_funnel_repro_rows_with_enough_starters_but_few_converters():
    # issue 12, item 14: channels with >= k starters showed converter counts of 2-5 and their median
    channels = pd.DataFrame({"channel": ["search", "share", "kol", "ads"], "starters": [200, 120, 40, 12],
                             "converters": [30, 20, 2, 5], "conversion": [0.15, 1 / 6, 0.05, 5 / 12],
                             "median_minutes": [12.0, 15.0, 33.0, 48.0]})
    table, _, small = tables.funnel_by_channel(channels, K, Text("en"))
    # kol (2) and ads (5) lose converters, conversion and median; everyone keeps the starters (all >= k)
    assert small["converters"].tolist() == [False, False, True, True]
    assert small["median_minutes"].tolist() == small["conversion"].tolist() == [False, False, True, True]
    assert table["starters"].tolist() == [200, 120, 40, 12]
    assert table.loc[0, "converters"] == 30 and pd.isna(table.loc[2, "median_minutes"])


def test_referrer_without_consent_is_never_listed(shop):
    _, wh = shop
    counts = referral.invites(wh, LO, HI)
    assert counts.set_index("referrer_id").loc[planted.REFUSED_REFERRER, "invites"] == 3  # counted ...
    top = referral.top_referrers(counts, 10, SALT)
    assert referral.pseudonym(planted.REFUSED_REFERRER, SALT) not in set(top["referrer"])  # ... never listed
    assert 3 not in set(top["invites"])
    assert len(top) == len(counts) - 1


def test_referral_depth_chart_folds_deep_chains(shop):
    _, wh = shop
    depth = referral.depth_distribution(wh, LO, HI)
    assert depth.set_index("depth")["users"].to_dict() == {1: 4, 2: 1, 3: 1}
    shown, deepest = referral.depth_shown(depth, K)
    assert shown.empty and deepest is None  # 6 referred new users in all: nothing to draw or name
    bigger = pd.DataFrame({"depth": [1, 2, 3, 4], "users": [40, 12, 2, 1]})
    shown, deepest = referral.depth_shown(bigger, K)
    assert shown["depth"].tolist() == ["1", "2+"] and shown["users"].tolist() == [40, 15] and deepest is None


def test_portrait_hides_the_small_city_and_its_complement(shop):
    _, wh = shop
    frames = portrait.portrait_frames(wh, LO, HI, K)
    cities = frames["city"]
    assert planted.PROBE_CITY not in set(cities["value"])
    full = portrait.portrait(wh, LO, HI, "city", "new").set_index("value")["users"]
    shown = cities[cities["population"] == "new"].set_index("value")["users"]
    hidden = ~full.index.isin(shown.index)
    assert hidden.sum() != 1 and recoverable(full, hidden, [range(len(full))]) == []
    text = findings.portrait(frames, Text("zh"))
    assert planted.PROBE_CITY not in text


def _shown_tables(source, out) -> tuple[str, list[pd.DataFrame]]:
    """Run the notebook as `users.notebook.run_notebook` does, keeping also every table as shown
    (the frame of formatted cells of each Styler the report builds)."""
    frames: list[pd.DataFrame] = []
    original = render_tables.styled

    def styled(*args, **kwargs):
        shown = original(*args, **kwargs)
        frames.append(shown.data.copy())
        return shown

    with mock.patch.object(render_tables, "styled", styled):
        run = notebook.run_notebook(source, out, period="2026-W47", language="en")
    assert not run.unreadable()
    return run.text, frames


@pytest.mark.slow
def test_the_report_reveals_no_planted_cell(shop, tmp_path):
    source, wh = shop
    text, frames = _shown_tables(source, tmp_path / "out")
    assert referral.pseudonym(planted.REFUSED_REFERRER, wh.meta["data_fingerprint"]) not in text
    assert planted.PROBE_CITY not in text
    assert not re.search(r"115\.9|231\.8|3,141\.59|6,283\.18", text)  # planted spend, means, sums
    planted_labels = ("Cannot lose them", "probe_channel")
    rows = [row for frame in frames for row in frame.astype(str).itertuples(index=False)]
    planted_rows = [row for row in rows if any(label in row for label in planted_labels)]
    assert len(planted_rows) == 2  # the RFM table's and the funnel table's
    for row in planted_rows:
        assert all(cell in planted_labels or cell == f"<{K}" for cell in row), row
