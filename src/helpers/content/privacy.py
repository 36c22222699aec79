"""Small cells of the content tables and the sentences about them (`render.privacy`): a count of
fewer than k users hides itself and every cell derived from it; where the report shows the total
of a count (a card, a finding), one hidden row alone would be revealed by subtraction, so the row
with the next-smallest count is hidden with it. Tables and findings call the same functions, so a
sentence never says what its table hides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from helpers.render.privacy import suppress_counts

# The per-article reading-to-buying cells each count reveals. The finding shows the credited
# orders and GMV of all articles together, hence the complementary suppression of buyers.
BUYING_CELLS = {"readers": ("click_through",),
                "openers": ("click_through", "conversion", "gmv_per_opener"),
                "buyers": ("orders", "gmv", "conversion", "gmv_per_opener")}
BUYING_TOTALLED = ("buyers",)
# Each article's counts of people (readers, sharers, people who liked ...) and the rates built on
# them (WeChat's article statistics are aggregates, but a count of 3 likes is still 3 people).
ENGAGEMENT_CELLS = {"readers": ("read_rate", "share_rate", "interaction_rate", "original_rate", "finish_rate"),
                    "sharers": ("share_rate",), "favorites": ("interaction_rate",),
                    "likes": ("interaction_rate",), "zaikan": ("interaction_rate",),
                    "comments": ("interaction_rate",), "original_page_readers": ("original_rate",)}
# The same-age readers of the outlier table, and the ratio that gives them away.
OUTLIER_CELLS = {"readers_c": ("vs_expected",)}
# New followers and unfollows per source: their totals are the week's cards.
SOURCE_CELLS = {"new_followers": ("net_followers", "new_share"), "unfollows": ("net_followers",)}
SOURCE_TOTALLED = ("new_followers", "unfollows")
# Readers per read source (oa_reads) and what they reveal: the reads, shares and favourites of the
# same people. The total row (reads add up to it) is shown, hence the complementary suppression.
READ_CELLS = {"readers": ("readers_share", "reads", "reads_share", "shares", "favorites")}
READ_TOTALLED = ("readers",)


def hide(frame: pd.DataFrame, reveals: Mapping[str, Sequence[str]], k: int,
         totalled: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`frame` with every cell a small count reveals missing, and the mask of hidden cells
    (`render.privacy.suppress_counts`, on the columns `frame` has)."""
    present = {count: [c for c in cells if c in frame.columns] for count, cells in reveals.items()
               if count in frame.columns}
    return suppress_counts(frame, k, present, [c for c in totalled if c in present])


def buying(frame: pd.DataFrame, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reading-to-buying frame (`buying.reading_to_buying(...).articles`) as it may be shown."""
    return hide(frame, BUYING_CELLS, k, BUYING_TOTALLED)


def sources(frame: pd.DataFrame, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """New followers and unfollows per source (`followers.follower_sources`) as they may be shown."""
    return hide(frame, SOURCE_CELLS, k, SOURCE_TOTALLED)


def reads(frame: pd.DataFrame, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reads per source (`reads.source_reads(...).sources`) as they may be shown."""
    return hide(frame, READ_CELLS, k, READ_TOTALLED)


def engagement(frame: pd.DataFrame, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The week's articles (`History.current`) with their small counts of people hidden; the
    same-age read rate of each age in `ages` goes with its readers."""
    ages = [c.removeprefix("readers_d") for c in frame.columns if c.startswith("readers_d")]
    cells = {**ENGAGEMENT_CELLS, **{f"readers_d{a}": (f"read_rate_d{a}",) for a in ages}}
    return hide(frame, cells, k)


def outliers(frame: pd.DataFrame, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Articles with their same-age readers against the expected, small readers hidden."""
    return hide(frame, OUTLIER_CELLS, k)
