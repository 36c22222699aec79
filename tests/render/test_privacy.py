"""Small-cell suppression (helpers.render.privacy): primary suppression hides cells of 1 to k-1
users with everything computed from them; complementary suppression leaves no hidden cell that a
reader can recover by subtracting the shown cells from a total. Recovery is checked independently
by linear algebra (`users.planted.recoverable`), not by the rule the code applies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.render import privacy
from users.planted import matrix_totals, recoverable

K = 10


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it():
    counts = pd.Series([120, 3, 40, 25, 0])
    primary = privacy.small(counts, K)
    assert primary.tolist() == [False, True, False, False, False]
    # before: 3 = 188 (total) - 120 - 40 - 25 - 0
    assert recoverable(counts, primary, [range(5)]) == [1]
    hidden = privacy.complementary(primary, counts)
    # the smallest shown non-zero cell is 25 (the zero describes nobody and protects nothing)
    assert hidden.tolist() == [False, True, False, True, False]
    assert recoverable(counts, hidden, [range(5)]) == []


def test_complementary_leaves_two_hidden_cells_alone_and_uses_a_zero_only_as_last_resort():
    counts = pd.Series([120, 3, 4, 25])
    two = privacy.small(counts, K)
    assert privacy.complementary(two, counts).tolist() == two.tolist() == [False, True, True, False]
    # with only zeros beside it, a zero is hidden too ("<k" then stands for 0): the total no
    # longer tells which cell holds the users
    only = pd.Series([3, 0, 0])
    assert privacy.complementary(privacy.small(only, K), only).tolist() == [True, True, False]
    alone = pd.Series([3])  # the total is the hidden cell itself: the caller must not show it
    assert privacy.complementary(privacy.small(alone, K), alone).tolist() == [True]


def test_rfm_repro_a_small_segment_shows_none_of_its_figures():
    # issue 12: a segment of 2 customers spending 81.07 and 150.77 showed their mean, ¥115.92
    segments = pd.DataFrame({"segment": ["loyal", "cannot_lose", "hibernating", "at_risk"],
                             "customers": [40, 2, 300, 25], "monetary": [300.0, 115.92, 80.0, 150.0]})
    segments["share"] = segments["customers"] / segments["customers"].sum()
    also = ["share", "monetary"]
    old, _ = privacy.suppress(segments, "customers", K, also=["share"])
    assert old.loc[1, "monetary"] == pytest.approx(115.92)  # what the old table did
    out, mask = privacy.suppress(segments, "customers", K, also=also, total=True)
    # cannot_lose (2) and the next-smallest, at_risk (25), lose every figure; the others keep theirs
    assert mask.loc[:, ["customers", *also]].all(axis=1).tolist() == [False, True, False, True]
    assert not mask.loc[:, ["customers", *also]].any(axis=1)[[0, 2]].any()
    assert out.loc[[1, 3], ["customers", *also]].isna().all().all()
    assert out.loc[0, "monetary"] == 300.0
    # the shares give the total away (40 / share); it no longer gives a hidden count back
    assert recoverable(segments["customers"], mask["customers"], [range(4)]) == []


def test_suppress_counts_follows_what_each_count_reveals():
    frame = pd.DataFrame({"starters": [100, 50, 4, 40], "converters": [30, 3, 1, 40]})
    frame["rest"] = frame["starters"] - frame["converters"]
    frame["rate"] = frame["converters"] / frame["starters"]
    reveals = {"starters": ["converters", "rest", "rate"], "rest": ["converters", "rate"],
               "converters": ["rest", "rate"]}
    out, mask = privacy.suppress_counts(frame, K, reveals, totals=("starters", "converters"))
    # row 2: 4 starters hide the row; a lone hidden starters cell takes row 3 (40, the smallest) too
    assert mask["starters"].tolist() == [False, False, True, True]
    # row 1: 3 converters hide converters and rate but not the 50 starters; row 3's 0 non-converters
    # are not small, its converters go with its starters
    assert mask["converters"].tolist() == [False, True, True, True]
    assert mask["rate"].tolist() == [False, True, True, True]
    assert out.loc[1, "starters"] == 50 and pd.isna(out.loc[1, "rate"])
    for column in ("starters", "converters"):
        assert recoverable(frame[column], mask[column], [range(4)]) == []


def test_matrix_margins_leave_no_row_or_column_with_a_lone_hidden_cell():
    counts = pd.DataFrame([[50, 4, 30], [20, 25, 12], [0, 0, 15]])
    _, primary = privacy.suppress_matrix(counts, K)
    assert primary.to_numpy().sum() == 1
    flat = counts.to_numpy().ravel()
    assert recoverable(flat, primary.to_numpy().ravel(), matrix_totals(counts.shape)) == [1]
    matrix, hidden = privacy.suppress_matrix(counts, K, margins=True)
    # row 0: 4 hidden -> 30 too; column 1: 4 -> 25 too; row 1: 25 -> 12 too; then every line has 0 or 2
    assert hidden.to_numpy().tolist() == [[False, True, True], [False, True, True], [False, False, False]]
    assert recoverable(flat, hidden.to_numpy().ravel(), matrix_totals(counts.shape)) == []
    assert matrix.isna().to_numpy().tolist() == hidden.to_numpy().tolist()


def test_a_matrix_never_gives_back_a_total_another_table_hides():
    # the RFM table hides the sizes of segments b and c (their sum is known: the total less a); a
    # matrix showing every cell of column b would add up to b's size
    counts = pd.DataFrame({"a": [30, 20, 5], "b": [40, 50, 60], "c": [12, 30, 40]}, index=["x", "y", "z"])
    _, hidden = privacy.suppress_matrix(counts, K, margins=True, hidden_columns={"b", "c"})
    assert hidden.loc["z", "a"] and hidden["b"].any() and hidden["c"].any()
    # cells, then the two hidden column sums as unknowns: none of them can be worked out
    cells = [*counts.to_numpy().ravel().tolist(), 150, 82]
    flags = [*hidden.to_numpy().ravel().tolist(), True, True]
    assert recoverable(cells, flags, matrix_totals(counts.shape, hidden_columns=[1, 2])) == []
    _, naive = privacy.suppress_matrix(counts, K, margins=True)  # when the sums were all shown
    assert not naive["b"].any()


def test_protect_is_the_one_rule_behind_both():
    counts = np.array([50.0, 4, 30, 20, 25, 12])
    totals = np.array([[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1], [1, 0, 0, 1, 0, 0], [0, 1, 0, 0, 1, 0],
                       [0, 0, 1, 0, 0, 1]], dtype=float)
    hidden = privacy.protect(counts, counts < K, totals)
    assert hidden.tolist() == [False, True, True, False, True, True]
    assert not privacy.recoverable(totals, hidden).any()
    assert privacy.recoverable(totals, counts < K).tolist() == [False, True, False, False, False, False]


def test_charts_keep_large_rows_only_with_the_complement_when_shares_show():
    frame = pd.DataFrame({"value": ["a", "b", "c", "d"], "users": [120, 3, 40, 25]})
    assert privacy.large_only(frame, "users", K)[0]["value"].tolist() == ["a", "c", "d"]
    shown, left_out = privacy.large_only(frame, "users", K, total=True)
    assert shown["value"].tolist() == ["a", "c"] and left_out == 2


@pytest.mark.parametrize(("users", "expected", "folded"), [
    ([500, 40, 12, 3, 1], [500, 40, 16], True),  # depths 3, 4, 5 (16 users) read "3+"
    ([500, 40, 12], [500, 40, 12], False),
    ([5, 2, 1], [5, 2, 1], False),  # nothing reaches k: left to large_only, which shows none
    ([30, 4, 3, 2], [39], True),
])
def test_top_coding_folds_a_thin_tail(users, expected, folded):
    frame = pd.DataFrame({"depth": range(1, len(users) + 1), "users": users})
    coded, was_folded = privacy.top_code(frame, "users", K)
    assert coded["users"].tolist() == expected and was_folded is folded
