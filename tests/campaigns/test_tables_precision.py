"""Issue 14 item 6: one precision along a scorecard row and down the overview's cost column, so a
row never reads "¥97.24 | ¥102"."""

from __future__ import annotations

from types import SimpleNamespace

from helpers.campaigns import tables
from helpers.render.text import Text


def test_a_scorecard_row_has_one_precision():
    cards = [{"cost": 97.24, "gmv": 15000.0, "cac": 9.5}, {"cost": 102.0, "gmv": 480.0, "cac": 12.0}]
    evals = [SimpleNamespace(card=card, campaign=SimpleNamespace(name=name))
             for card, name in zip(cards, "AB", strict=True)]
    frame = tables.scorecards(evals, Text("en")).set_index("Metric")
    # a value of 100 or more in the row: all whole yuan; all under 100 with a fraction: all cents
    assert (frame.loc["Cost", "A"], frame.loc["Cost", "B"]) == ("¥97", "¥102")
    assert (frame.loc["CAC", "A"], frame.loc["CAC", "B"]) == ("¥9.50", "¥12.00")
