"""Reads by source: WeChat's account-level reads of all articles per day and source (`oa_reads`),
summed over the report week.

WeChat counts readers per source and per day, deduplicated within each: a person who reads from
a chat and from Moments counts in both sources, and one who reads on two days counts on both. So
readers of different sources are never added up into people; the row named `core.wechat.ALL_SOURCES`
("全部") is WeChat's own deduplicated count of the day over every source, and only it gives the
week's readers (its days summed: readers per day, added over the days, as `readers` of the
article statistics are). Reads, shares and favourites are counts of actions and do add up: their
total is the ALL_SOURCES row when it is there on every day, else the sum over the sources.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.content import privacy
from helpers.content.history import divide
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, day_number
from helpers.core.wechat import ALL_SOURCES

COUNTS = ("readers", "reads", "shares", "favorites")


@dataclass(frozen=True)
class SourceReads:
    """The week's reads by source. `sources`: one row per source (not the total), most readers
    first: source, readers, reads, shares, favorites (sums over the week's days; NaN where the
    source gives none), readers_share (of the deduplicated readers; NaN without them) and
    reads_share. `total`: the same counts for every source together (readers NaN without WeChat's
    deduplicated row on every day with data). `days`: the days of the week with rows."""

    sources: pd.DataFrame
    total: dict[str, float]
    days: int

    @property
    def deduplicated(self) -> bool:
        """WeChat's deduplicated readers of every source are known for the week."""
        return not np.isnan(self.total["readers"])

    def shown(self, k: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
        """The sources, their mask of hidden cells and the total as people may see them: sources
        of fewer than k readers hidden with what they reveal (`privacy.reads`, one more with them);
        the total's counts too when one hidden source is all the others leave out (a single
        source, or one beside sources without readers: the total would give it away), and when
        the week's deduplicated readers are fewer than k."""
        sources, mask = privacy.reads(self.sources, k)
        lone = int((mask["readers"] & self.sources["readers"].gt(0)).sum()) == 1
        few = 0 < self.total["readers"] < k
        return sources, mask, dict.fromkeys(self.total, np.nan) if lone or few else dict(self.total)


def _sums(frame: pd.DataFrame) -> dict[str, float]:
    """Column sums, NaN for a column without any value (not 0: the source did not give it)."""
    return {c: float(frame[c].sum(min_count=1)) for c in COUNTS}


def source_reads(wh: Warehouse, period: Period) -> SourceReads | None:
    """The week's reads by source; None when `oa_reads` has no row in the week."""
    rows = wh.query(f"""SELECT "day", source, {", ".join(COUNTS)} FROM oa_reads
                        WHERE "day" BETWEEN :lo AND :hi""",
                    {"lo": day_number(period.start), "hi": day_number(period.end)})
    return None if rows.empty else summarise(rows)


def summarise(rows: pd.DataFrame) -> SourceReads:
    """`oa_reads` rows (day, source and the COUNTS; at least one) summed per source and in all."""
    rows = rows.copy()
    rows[list(COUNTS)] = rows[list(COUNTS)].astype("float64")
    everything = rows["source"] == ALL_SOURCES
    per_source = rows[~everything]
    # The sources' readers are never added up into people: without the deduplicated row on every
    # day, the week's readers are unknown.
    # A count of the deduplicated row counts when that row gives it on every day with data.
    total = _sums(per_source) | {"readers": np.nan}
    alls = rows[everything]
    if set(alls["day"]) == set(rows["day"]):
        total |= {c: float(alls[c].sum()) for c in COUNTS if alls[c].notna().all()}
    sources = per_source.groupby("source", as_index=False)[list(COUNTS)].sum(min_count=1)
    sources["readers_share"] = divide(sources["readers"], total["readers"])
    sources["reads_share"] = divide(sources["reads"], total["reads"])
    sources = sources.sort_values(["readers", "reads", "source"], ascending=[False, False, True],
                                  na_position="last", ignore_index=True)
    return SourceReads(sources, total, int(rows["day"].nunique()))


def week_metrics(reads: SourceReads | None, k: int = 0) -> dict[str, int | None]:
    """The JSON additions oa_readers, oa_reads, oa_shares (metrics.yaml); null when unknown, or
    hidden for privacy with k = min_cell_size (`SourceReads.shown`)."""
    total = reads.shown(k)[2] if reads is not None else {}
    return {f"oa_{c}": None if np.isnan(total.get(c, np.nan)) else int(total[c])
            for c in ("readers", "reads", "shares")}
