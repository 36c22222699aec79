"""The platform-only sample (`wxreport sample --platform-only`): the sample shop as an operator who
has only WeChat's own statistics sees it, for the demo and the tests.

WeChat-style aggregates (mp_visits, mp_retention, mp_portrait, mp_sources, mp_distribution,
mp_pages, oa_reads) are derived from the sample generator's users and every event that happened
(platform_view, platform_stats), plus the sample's followers, articles, article_stats, orders,
campaigns and spend as they are; no users, events or assignments. Deterministic: the derivation
draws from its own seeded stream, so the same spec gives byte-identical files.

The planted tracking gap (truth.json "platform" -> "tracking_gap"): WeChat counts every visit, own
tracking misses some on a few days: the sample's tracking outage (its events lose a day's office
hours) and the planted days own tracking's SDK failed to start for some visitors. On those days and
only those, the sample's own events and users differ from WeChat's day rows (active users vs
visitors, users first seen vs new visitors, page_view events vs visits); a mixed folder
(`tables(mixed=True)`: own tracking and WeChat's numbers) lets the reconciliation find them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from helpers.core.paths import project_root
from helpers.sample import SampleSpec, generate_with_happened, write_tables
from helpers.sample import platform_stats as stats
from helpers.sample.platform_view import View, build_view, platform_rng
from helpers.sample.world import OUTAGE_DATE, SECONDS_PER_DAY, epoch_seconds

WECHAT_TABLES = ("mp_visits", "mp_retention", "mp_portrait", "mp_sources", "mp_distribution",
                 "mp_pages", "oa_reads")
COPIED = ("followers", "articles", "article_stats", "orders", "campaigns", "spend")
COMPARED = ("active_users", "new_users", "page_views")
DEFAULT = SampleSpec()


def default_out() -> Path:
    """Where `wxreport sample --platform-only` writes by default (gitignored, like data/sample)."""
    return project_root() / "data" / "sample-platform"


@dataclass
class PlatformSample:
    """The sample's own tables, WeChat's statistics of the same shop, and the truth."""

    own: dict[str, pa.Table]
    wechat: dict[str, pa.Table]
    truth: dict[str, Any]

    def tables(self, mixed: bool = False) -> dict[str, pa.Table]:
        """The platform-only folder's tables, or (mixed) every own table and WeChat's."""
        own = self.own if mixed else {k: self.own[k] for k in COPIED}
        return {**own, **self.wechat}


def platform_tables(spec: SampleSpec = DEFAULT) -> PlatformSample:
    """The sample of `spec` (exactly what `helpers.sample.generate(spec)` gives) and WeChat's
    statistics derived from it, with the truth (the sample's, plus "platform")."""
    generated, happened = generate_with_happened(spec)
    truth = generated.pop("truth")
    own: dict[str, pa.Table] = dict(generated)
    rng = platform_rng(spec.seed)
    view = build_view(spec.start, spec.days, own["users"], happened, rng)
    wechat = {
        "mp_visits": stats.mp_visits(view), "mp_retention": stats.mp_retention(view),
        "mp_portrait": stats.mp_portrait(view), "mp_sources": stats.mp_sources(view),
        "mp_distribution": stats.mp_distribution(view), "mp_pages": stats.mp_pages(view),
        "oa_reads": stats.oa_reads(own["article_stats"], rng),
    }
    truth = {**truth, "platform": _truth(spec, view, own, wechat["mp_visits"])}
    return PlatformSample(own, wechat, truth)


def own_daily(spec: SampleSpec, users: pa.Table, events: pa.Table) -> pd.DataFrame:
    """Own tracking per day index: active users (distinct users with an event), new users (first
    seen that day) and page_view events."""
    day0 = epoch_seconds(spec.start)
    day = (events["event_time"].cast(pa.int64()).to_numpy() - day0) // SECONDS_PER_DAY
    frame = pd.DataFrame({"day": day, "user": events["user_id"].to_pandas(),
                          "view": (events["event"].to_pandas() == "page_view").to_numpy()})
    first = (users["first_seen_at"].cast(pa.int64()).to_numpy() - day0) // SECONDS_PER_DAY
    days = pd.RangeIndex(spec.days)
    return pd.DataFrame({
        "active_users": frame.groupby("day")["user"].nunique().reindex(days, fill_value=0),
        "new_users": pd.Series(first).value_counts().reindex(days, fill_value=0),
        "page_views": frame.groupby("day")["view"].sum().reindex(days, fill_value=0),
    }).astype("int64")


def wechat_daily(mp_visits: pa.Table) -> pd.DataFrame:
    """WeChat's day rows as the same three measures, by date."""
    rows = mp_visits.to_pandas()
    rows = rows[rows["period"] == "day"].set_index("date")
    return pd.DataFrame({"active_users": rows["visitors"], "new_users": rows["new_visitors"],
                         "page_views": rows["visits"]}).astype("int64")


def _truth(spec: SampleSpec, view: View, own: dict[str, pa.Table], mp_visits: pa.Table
           ) -> dict[str, Any]:
    """The planted gap as found: the days own tracking and WeChat differ, and by how much."""
    mine, theirs = own_daily(spec, own["users"], own["events"]), wechat_daily(mp_visits)
    mine.index = [spec.start + timedelta(days=int(d)) for d in mine.index]
    differ = (mine != theirs.reindex(mine.index)).any(axis=1)
    days = [d.isoformat() for d in mine.index[differ.to_numpy()]]
    planted = sorted({*view.untracked, *([OUTAGE_DATE.isoformat()] if 0 <= (OUTAGE_DATE - spec.start).days
                                          < spec.days else [])})
    if not set(days) <= set(planted):
        raise RuntimeError(f"own tracking and WeChat's numbers differ on unplanted days: "
                           f"{sorted(set(days) - set(planted))}")
    by_day = {d: {m: {"own": int(mine.loc[day, m]), "wechat": int(theirs.loc[day, m]),
                      "gap": _gap(mine.loc[day, m], theirs.loc[day, m])} for m in COMPARED}
              for d, day in ((d.isoformat(), d) for d in mine.index[differ.to_numpy()])}
    return {
        "tracking_gap": {
            "days": days, "by_day": by_day,
            "gap": "own / wechat - 1 (negative: own tracking saw less than WeChat counted)",
            "measures": {"active_users": "distinct users with an event that day vs mp_visits day "
                                         "visitors", "new_users": "users first seen that day vs "
                                         "mp_visits day new_visitors", "page_views": "page_view "
                                         "events that day vs mp_visits day visits"},
            "causes": {**{d: "untracked_visits" for d in view.untracked},
                       **({OUTAGE_DATE.isoformat(): "tracking_outage"} if OUTAGE_DATE.isoformat()
                          in planted else {})},
            "untracked_visits": view.untracked,
            "elsewhere": "on every other day the three measures agree exactly",
        },
        "consent": "users who refused analytics consent are counted by WeChat like every visitor; "
                   "their profile values are never used: mp_portrait shows them as unknown",
        "tables": list(WECHAT_TABLES),
    }


def _gap(own: float, wechat: float) -> float | None:
    return round(float(own) / float(wechat) - 1, 4) if wechat else None


def write_platform_sample(out: Path, spec: SampleSpec = DEFAULT, mixed: bool = False
                          ) -> dict[str, Any]:
    """Write the platform-only folder (or, mixed, own tracking and WeChat's numbers) as Parquet
    plus truth.json into `out`, atomically; returns the truth."""
    sample = platform_tables(spec)
    write_tables(Path(out), sample.tables(mixed), sample.truth)
    return sample.truth


def summary_line(out: Path, spec: SampleSpec) -> str:
    """What `wxreport sample --platform-only` prints after writing."""
    counts = {p.stem: pq.read_metadata(p).num_rows for p in sorted(Path(out).glob("*.parquet"))}
    truth = json.loads((Path(out) / "truth.json").read_text(encoding="utf-8"))
    gap = truth["platform"]["tracking_gap"]["days"]
    return (f"wxreport: wrote {out} ({spec.start} .. {spec.end}, WeChat's statistics only): "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            + f"; planted tracking gap on {', '.join(gap) or 'no day'} (truth.json)")


__all__ = ["COPIED", "WECHAT_TABLES", "PlatformSample", "default_out", "own_daily",
           "platform_tables", "summary_line", "wechat_daily", "write_platform_sample"]
