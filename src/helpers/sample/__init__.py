"""Deterministic sample data: a mini-program shop with an official account, and its planted truths.

The generator draws a realistic world from a few latent quantities (per-user engagement and spend,
per-channel retention curves, a business calendar with holidays and shopping festivals) and writes
the contract tables as Parquet, plus `truth.json` with the quantities that analyses should recover:
the retention curve, the referral share, the A/B test's true lift, the no-control campaign's
incremental orders, planted content effects, the unfollow spike, the tracking outage and the
merchants' churn, growth and concentration (helpers.sample.merchants, drawn from a stream of their
own that only reassigns `orders.merchant_id`).

Everything is vectorised with numpy; the same seed gives byte-identical tables. The steps live in
the package's modules (world, acquisition, content, sessions, orders, behaviour) and all draw from
one random stream in a fixed order (the merchants, last, from their own); this module holds the
entry points.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from helpers.core import contract
from helpers.core.paths import PACKAGE_DIR, sample_data_dir
from helpers.sample.acquisition import Users, active_days, spend, users
from helpers.sample.behaviour import behaviour
from helpers.sample.content import content
from helpers.sample.merchants import merchant_sales
from helpers.sample.orders import campaigns_table
from helpers.sample.world import World, timestamps

SKEWED_SECONDS = 90  # how far a few users' registration lags their first tracked event


@dataclass(frozen=True)
class SampleSpec:
    """What to generate: the seed, the number of users and the days up to `end`."""

    seed: int = 7
    users: int = 50_000
    days: int = 180
    end: date = date(2026, 11, 22)  # a Sunday: the latest complete ISO week is 2026-W47

    @property
    def start(self) -> date:
        """First day of the data."""
        return self.end - timedelta(days=self.days - 1)


def generate(spec: SampleSpec) -> dict[str, pa.Table | dict[str, Any]]:
    """All contract tables plus the truth document, in memory."""
    return generate_with_happened(spec)[0]


def generate_with_happened(spec: SampleSpec) -> tuple[dict[str, pa.Table | dict[str, Any]], pa.Table]:
    """`generate`, and every event that happened inside the data: the events table before the
    tracking outage lost some (what WeChat's own statistics count; helpers.sample.platform)."""
    w = World(spec)
    spend_table, ads_curve = spend(w)
    found, users_table, referral_p = users(w, ads_curve)
    posts = content(w)
    visit_user, visit_day, retention_truth = active_days(w, found)
    uid = np.asarray(users_table["user_id"].to_numpy(zero_copy_only=False), dtype=object)
    events, orders, assignments, behaviour_truth, happened = behaviour(
        w, found, uid, visit_user, visit_day, posts.readable, posts.articles["article_id"].to_pylist())
    # A few users register a little after their first tracked event (client clock skew): the
    # loader must warn about such events, not fail.
    skew = w.rng.choice(np.flatnonzero(found.is_new), size=max(1, found.n // 2000), replace=False)
    first_seen = found.first_sec.copy()
    first_seen[skew] += SKEWED_SECONDS
    users_table = users_table.set_column(1, "first_seen_at", timestamps(first_seen))
    orders, merchants_table, merchants_truth = merchant_sales(spec.seed, spec.start, spec.end, orders)
    truth = {
        "generator": generator_version(),
        "spec": {**asdict(spec), "start": spec.start.isoformat(), "end": spec.end.isoformat()},
        "timezone": "Asia/Shanghai",
        "retention": retention_truth,
        "referral_share": _referral_truth(found, referral_p),
        "events_before_first_seen": {"users": len(skew), "seconds": SKEWED_SECONDS},
        "content": posts.truth,
        **behaviour_truth,
        "calendar": {
            "festivals": sorted({r.festival for r in w.cal.itertuples() if r.festival}),
            "holidays_in_range": sorted({r.holiday for r in w.cal.itertuples() if r.holiday}),
        },
        "campaigns": {c[0]: {"type": c[2], "start": c[4].isoformat(), "end": c[5].isoformat()}
                      for c in w.campaigns},
        "merchants": merchants_truth,
    }
    tables: dict[str, Any] = {
        "users": users_table, "events": events, "orders": orders, "merchants": merchants_table,
        "articles": posts.articles,
        "article_stats": posts.article_stats, "followers": posts.followers,
        "campaigns": campaigns_table(w), "assignments": assignments, "spend": spend_table,
    }
    if set(tables) != set(contract.TABLES) - set(contract.WECHAT_TABLES):
        raise RuntimeError(f"the generator's tables {sorted(tables)} differ from the contract's "
                           f"{sorted(contract.TABLES)}")
    return {**tables, "truth": truth}, happened


def _referral_truth(found: Users, referral_p: float) -> dict[str, Any]:
    """Planted and realised share of new users who came with a referrer."""
    return {
        "expected": round(referral_p, 4),
        "realised": round(float((found.referrer[found.is_new] >= 0).mean()), 4),
        "note": "share of new users (first seen inside the data) with a referrer_id",
    }


def write_sample(out: Path, spec: SampleSpec = SampleSpec()) -> dict[str, Any]:
    """Write the tables as Parquet and truth.json into `out`, atomically (a folder swap)."""
    generated = generate(spec)
    truth = generated.pop("truth")
    write_tables(Path(out), generated, truth)
    return truth


def write_tables(out: Path, tables: dict[str, pa.Table], truth: dict[str, Any]) -> None:
    """Tables as Parquet and truth.json into `out`, atomically (a folder swap)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for name, table in tables.items():
            pq.write_table(table, tmp / f"{name}.parquet", compression="zstd")
        (tmp / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n",
                                        encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def generator_version() -> str:
    """Hash of the generator's code (this package, the calendar and the contract): a sample made
    by older code is regenerated."""
    h = hashlib.sha256()
    sources = sorted(Path(__file__).parent.glob("*.py"))
    sources += [PACKAGE_DIR / "core" / "calendar.py", PACKAGE_DIR / "core" / "contract.py"]
    for path in sources:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def ensure_sample(path: Path | None = None) -> Path:
    """The default sample source, generated on first use (and again when the generator changed)."""
    path = Path(path or sample_data_dir())
    truth = path / "truth.json"
    if not truth.exists() or json.loads(truth.read_text(encoding="utf-8")).get(
            "generator") != generator_version():
        print(f"wxreport: generating the sample data in {path} (first use; a few seconds)",
              flush=True)
        write_sample(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """`wxreport sample`: write a sample data source (another seed, size or end date on request)."""
    parser = argparse.ArgumentParser(prog="wxreport sample", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SampleSpec.seed)
    parser.add_argument("--users", type=int, default=SampleSpec.users)
    parser.add_argument("--days", type=int, default=SampleSpec.days)
    parser.add_argument("--end", type=date.fromisoformat, default=SampleSpec.end,
                        help="last day of the data (default %(default)s)")
    parser.add_argument("--out", type=Path,
                        help="output folder (default data/sample, or data/sample-platform)")
    parser.add_argument("--platform-only", action="store_true",
                        help="WeChat's own statistics of the sample shop instead of its own "
                             "tracking (no users or events), with a planted tracking gap")
    args = parser.parse_args(argv)
    if args.users < 100 or args.days < 14:
        parser.error("--users must be >= 100 and --days >= 14")
    spec = SampleSpec(seed=args.seed, users=args.users, days=args.days, end=args.end)
    if args.platform_only:
        from helpers.sample import platform

        out = args.out or platform.default_out()
        platform.write_platform_sample(out, spec)
        print(platform.summary_line(out, spec))
        return 0
    args.out = args.out or sample_data_dir()
    write_sample(args.out, spec)
    counts = {p.stem: pq.read_metadata(p).num_rows for p in sorted(args.out.glob("*.parquet"))}
    print(f"wxreport: wrote {args.out} ({spec.start} .. {spec.end}): "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0
