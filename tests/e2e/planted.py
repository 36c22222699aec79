"""The planted dataset that test_hostile_text and test_privacy check, in one suite run (each run costs
about 40 s of the test budget): the tiny sample with hostile text in every text column
(`hostile_copy`), then a small cell of users of their own (`plant_small_cell`).

The two plants do not disturb each other's checks:
- the small cell's labels (LABELS, TITLE) and its referrer stay plain text, so the privacy checks
  find them whole (a long hostile label could be shortened on a page and hide them); every value
  the cell shares with the other users (its page, its referrer's channel, the fields copied from a
  template row) is taken from the planted data, so the cell adds no plain label but its own;
- the hostile checks look for the payload, which every other value of a text column still carries,
  and the small cell adds no campaign; its article id carries the payload, in case it is the best.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from helpers.core.contract import TABLES, ColumnType
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.users.referral import pseudonym
from render.test_escape import PAYLOAD

# --- hostile text --------------------------------------------------------------------------------

# Codes the reports act on, kept where `keep` says so (replacing them would only empty sections):
CODES: dict[tuple[str, str], Callable[[str], bool]] = {
    # funnel and activity steps (launch, page_view, pay, ...): kept; extra rows carry a hostile event
    ("events", "event"): lambda v: True,
    # paid and refunded are counted by name; any other status is "not paid", as cancelled is
    ("orders", "status"): lambda v: v in ("paid", "refunded"),
    # "control" is the reference variant; other variants are names and get the payload
    ("assignments", "variant"): lambda v: v == "control",
    # "all" means every channel; other values are channel names (planted like users.channel)
    ("campaigns", "channel"): lambda v: v == "all",
}
HOSTILE_EVENTS = 50  # events copied with event = PAYLOAD + event: a custom event a shop may track


def _plant(table: str, column: str, values: pd.Series) -> pd.Series:
    keep = CODES.get((table, column), lambda v: False)
    return values.map(lambda v: v if v is None or (isinstance(v, float) and math.isnan(v)) or keep(v)
                      else f"{PAYLOAD}{v}")


def hostile_copy(source: Path, target: Path) -> dict[str, list[str]]:
    """`source` (a folder of <table>.parquet) with every text column planted: every value v of a text
    column becomes PAYLOAD + v, the same way in every table, so keys stay unique and references
    (user_id / referrer_id, campaign_id, article_id, ...) still match; the codes of CODES stay.
    Returns the columns planted per table."""
    target.mkdir(parents=True)
    planted: dict[str, list[str]] = {}
    for name, table in TABLES.items():
        path = source / f"{name}.parquet"
        if not path.exists():
            continue
        frame = pd.read_parquet(path)
        texts = [c.name for c in table.columns if c.type == ColumnType.STRING and c.name in frame]
        for column in texts:
            frame[column] = _plant(name, column, frame[column].astype(object))
        if name == "events":
            extra = frame.head(HOSTILE_EVENTS).copy()
            extra["event"] = PAYLOAD + extra["event"].astype(str)
            frame = pd.concat([frame, extra], ignore_index=True)
        frame.to_parquet(target / path.name, index=False)
        planted[name] = texts
    return planted


# --- a small cell --------------------------------------------------------------------------------

K = 10  # min_cell_size in params/defaults.yaml
PROBES = 3
AMOUNT = 9876.54  # each planted user's one paid order; nobody else in the tiny sample pays this much
LABELS = ("probe_channel", "探针省", "探针市")
ARTICLE = f"{PAYLOAD}APROBE"
TITLE = "探针文章"  # its reads are WeChat's aggregate (600 readers) and may be shown; its buyers may not
REFERRER = "uprobe-ref"


def plant_small_cell(folder: Path) -> None:
    """Add to the data source `folder` (W42-W47) the planted cell: PROBES new users on Tue 2026-11-17
    from their own channel and city, invited by a referrer without consent, who read one article of
    their own column, open the mini-program from it, go through the funnel and pay AMOUNT each."""
    ids = [f"uprobe-{i}" for i in range(PROBES)]
    frames = {n: pd.read_parquet(folder / f"{n}.parquet") for n in ("users", "events", "orders", "articles",
                                                                       "article_stats")}
    users = frames["users"]
    template = users.iloc[0].to_dict()
    referrer = {**template, "user_id": REFERRER, "first_seen_at": pd.Timestamp("2026-10-20 09:00"),
                "consent": False, "referrer_id": None, "channel": users["channel"].mode().iloc[0]}
    probes = [{**template, "user_id": u, "first_seen_at": pd.Timestamp("2026-11-17 10:00"),
               "channel": "probe_channel", "province": "探针省", "city": "探针市", "referrer_id": REFERRER,
               "consent": True, "is_follower": True} for u in ids]
    frames["users"] = pd.concat([users, pd.DataFrame([referrer, *probes])], ignore_index=True)
    page = frames["events"]["page"].mode().iloc[0]  # the most visited page
    steps = ("launch", "read_article", "page_view", "add_to_cart", "checkout", "pay")
    events = [{"user_id": u, "event_time": pd.Timestamp("2026-11-17 10:00") + pd.Timedelta(minutes=2 * i),
               "event": e, "session_id": f"{u}-s", "page": page if e == "page_view" else None,
               "scene": 1035, "duration_s": None, "article_id": ARTICLE if e == "read_article" else None,
               "campaign_id": None} for u in ids for i, e in enumerate(steps)]
    frames["events"] = pd.concat([frames["events"], pd.DataFrame(events)], ignore_index=True)
    orders = [{"order_id": f"OPROBE{i}", "user_id": u, "paid_at": pd.Timestamp("2026-11-17 10:30"),
               "amount": AMOUNT, "status": "paid", "discount": 0.0, "coupon_id": None, "campaign_id": None,
               "channel": "probe_channel", "group_id": None, "merchant_id": None} for i, u in enumerate(ids)]
    frames["orders"] = pd.concat([frames["orders"], pd.DataFrame(orders)], ignore_index=True)
    article = {**frames["articles"].iloc[-1].to_dict(), "article_id": ARTICLE, "title": TITLE,
               "published_at": pd.Timestamp("2026-11-17 08:00"), "column": "探针栏目", "position": 1}
    frames["articles"] = pd.concat([frames["articles"], pd.DataFrame([article])], ignore_index=True)
    stats = frames["article_stats"]
    day = {**stats.iloc[0].to_dict(), "article_id": ARTICLE, "date": pd.Timestamp("2026-11-17").date(),
           "recipients": 18000, "readers": 600, "reads": 700}
    frames["article_stats"] = pd.concat([stats, pd.DataFrame([day])], ignore_index=True)
    for name, frame in frames.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)


# --- both ----------------------------------------------------------------------------------------

class Run(NamedTuple):
    week: Path  # the run's 2026-W47 folder
    alias: str  # the pseudonym the reports would give REFERRER (who must never be listed)


def dataset(tiny: Path, target: Path) -> Path:
    """The tiny sample with hostile text in every text column, then the small cell planted."""
    hostile_copy(tiny, target)
    plant_small_cell(target)
    return target


def alias(source: Path) -> str:
    """REFERRER's pseudonym in reports on `source` (salted with the data's fingerprint)."""
    wh = Warehouse(build_warehouse(source))
    try:
        return pseudonym(REFERRER, wh.meta["data_fingerprint"])
    finally:
        wh.close()

