"""Valid contract datasets for tests: the issue's named degenerate shapes, its recreated datasets,
and a hypothesis strategy drawing random valid ones.

A dataset is a dict of row lists per table (columns of `core.contract`; timestamps as
'YYYY-MM-DD HH:MM:SS' strings, dates as 'YYYY-MM-DD', all on or before 2026-12-02, the run date
+ 1 day the validator allows). Every dataset here passes the validator and holds at least one
complete ISO week with events (the runner reports on the latest one). `write_dataset` writes typed
Parquet (or CSV); `open_warehouse` builds a warehouse from a dataset for metric functions.

    tables = named_shape("no_orders")            # one of SHAPES
    write_dataset(tmp_path / "src", tables)      # a data-source folder for the runner
    @given(tables=datasets())                    # random small valid datasets (<= 60 users, <= 120 days)
    def test_x(tables):
        with open_warehouse(tables) as wh: ...   # latest_week(wh) is the report week
"""

from __future__ import annotations

import contextlib
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st

from helpers.core import contract
from helpers.core.contract import ColumnType
from helpers.core.periods import Period, complete_weeks, resolve_period
from helpers.core.warehouse import Warehouse, build_warehouse

END = date(2026, 11, 22)  # a Sunday, as the bundled sample's: the latest complete week is 2026-W47
FUNNEL = ("launch", "page_view", "add_to_cart", "checkout", "pay", "share")
CHANNELS = ("search", "share", "qr_code", "official_account", "moments_ads")
OPTIONAL = tuple(name for name in contract.TABLES if name not in contract.REQUIRED_TABLES)
_ARROW = {ColumnType.STRING: pa.string(), ColumnType.INT: pa.int64(), ColumnType.FLOAT: pa.float64(),
          ColumnType.BOOL: pa.bool_(), ColumnType.TIMESTAMP: pa.timestamp("s"),
          ColumnType.DATE: pa.date32()}

Rows = list[dict]


class Tables(dict):
    """Table name -> rows; its repr names the spec that built it, so a failing hypothesis example
    is printed as something to rebuild rather than thousands of rows."""

    origin: str = ""

    def __repr__(self) -> str:
        return self.origin or super().__repr__()


@dataclass(frozen=True)
class Spec:
    """A small shop's users, events and orders, with the degenerate features as switches."""

    users: int = 40
    days: int = 42  # the events' span, ending on `end` (42: weeks W42..W47 as the tiny sample)
    end: date = END
    first_seen: str = "spread"  # spread | one_day | older | none_in_report_week
    only_day: bool = False  # every user but the first active on a single day (Thursday of the report week)
    activity: str = "daily"  # daily | monthly (one event per user every 30 days)
    visits: float = 0.25  # chance of a visit on each day after the first (daily)
    events: tuple[str, ...] = FUNNEL  # the first event of a visit is the first type
    sessions: str = "all"  # all | none (no column) | some (null on about half the visits)
    channels: tuple[str, ...] | None = CHANNELS[:3]  # None: no channel column
    orders: str | None = "mixed"  # None (no table) | empty | paid | refunded | mixed
    skew: bool = False  # the first user has as many events as all others together
    empty_optional: bool = False  # every optional table present without rows
    seed: int = 0

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days - 1)

    @property
    def report_week(self) -> Period:
        weeks = complete_weeks(self.start, self.end)
        if weeks is None:
            raise ValueError(f"{self}: no complete ISO week")
        return weeks[1]


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _at(day: date, seconds: int) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(seconds=seconds)


def _first_days(spec: Spec, rng: random.Random) -> list[date]:
    """Each user's first day; the first user's is on or before the first day of the events."""
    start, span = spec.start, spec.days
    if spec.first_seen == "one_day":
        return [start] * spec.users
    if spec.first_seen == "older":  # registered long before the tracking began
        return [start - timedelta(days=rng.randint(30, 400)) for _ in range(spec.users)]
    if spec.first_seen == "none_in_report_week":
        span = max(1, (spec.report_week.start - start).days)
    days = [start + timedelta(days=rng.randrange(span)) for _ in range(spec.users)]
    if spec.only_day:  # first seen at their one visit
        days = [_only_day(spec)] * spec.users
    return [start, *days[1:]]


def _visit(spec: Spec, rng: random.Random, user: str, t: datetime, n: int) -> Rows:
    """One visit of `n` events from `t`, a few minutes apart, in one session."""
    session = {"all": f"{user}-{_ts(t)}", "none": None,
               "some": f"{user}-{_ts(t)}" if rng.random() < 0.5 else None}[spec.sessions]
    rows = []
    for i in range(n):
        event = spec.events[0] if i == 0 else rng.choice(spec.events)
        row = {"user_id": user, "event_time": _ts(t), "event": event}
        if spec.sessions != "none":
            row["session_id"] = session
        rows.append(row)
        t += timedelta(seconds=rng.randint(5, 300))
    return rows


def _only_day(spec: Spec) -> date:
    return spec.report_week.start + timedelta(days=3)


def _visit_days(spec: Spec, rng: random.Random, first: date, index: int) -> list[date]:
    """The days a user visits (days before the events' span are dropped by the caller)."""
    if spec.only_day and index:
        return [_only_day(spec)]
    if spec.activity == "monthly":
        return [first + timedelta(days=d) for d in range(0, (spec.end - first).days + 1, 30)]
    return [first + timedelta(days=d) for d in range((spec.end - first).days + 1)
            if d == 0 or rng.random() < spec.visits]


def _events(spec: Spec, rng: random.Random, ids: list[str], first: list[datetime]) -> Rows:
    rows: Rows = []
    for i, user in enumerate(ids):
        for day in _visit_days(spec, rng, first[i].date(), i):
            if day < spec.start:
                continue
            t = first[i] if day == first[i].date() else _at(day, rng.randint(8 * 3600, 22 * 3600))
            rows += _visit(spec, rng, user, t, 1 if spec.activity == "monthly" else rng.randint(1, 4))
    if spec.skew:  # the first user's extra visits double the events: half of them are theirs
        extra = len(rows)
        while extra > 0:
            day = spec.start + timedelta(days=rng.randrange(1, spec.days))  # after their first visit
            visit = _visit(spec, rng, ids[0], _at(day, rng.randint(8 * 3600, 22 * 3600)), min(extra, 4))
            rows += visit
            extra -= len(visit)
    for day in (spec.start, spec.end):  # the span is exactly start .. end (after any first visit)
        rows += _visit(spec, rng, ids[0], _at(day, 23 * 3600), 1)
    return sorted(rows, key=lambda r: r["event_time"])


def _orders(spec: Spec, rng: random.Random, events: Rows) -> Rows:
    """An order at each `pay` event (or at one in five visits' first events when nothing is `pay`)."""
    if spec.orders == "empty":
        return []
    paying = [e for e in events if e["event"] == "pay"]
    if not paying:
        paying = [e for e in events if e["event"] == spec.events[0] and rng.random() < 0.2] or events[-1:]
    status = {"paid": ["paid"], "refunded": ["refunded"],
              "mixed": ["paid"] * 17 + ["refunded"] * 2 + ["cancelled"]}[spec.orders]
    return [{"order_id": f"o{i:05d}", "user_id": e["user_id"], "paid_at": e["event_time"],
             "amount": round(rng.uniform(5, 400), 2), "status": rng.choice(status)}
            for i, e in enumerate(paying)]


def build(spec: Spec) -> Tables:
    """The dataset a spec describes (deterministic for its seed)."""
    rng = random.Random(spec.seed)
    ids = [f"u{i:04d}" for i in range(spec.users)]
    first = [_at(d, rng.randint(8 * 3600, 22 * 3600)) for d in _first_days(spec, rng)]
    users = [{"user_id": u, "first_seen_at": _ts(t)} for u, t in zip(ids, first, strict=True)]
    if spec.channels:
        for row in users:
            row["channel"] = rng.choice(spec.channels)
    tables = Tables(users=users, events=_events(spec, rng, ids, first))
    if spec.orders is not None:
        tables["orders"] = _orders(spec, rng, tables["events"])
    if spec.empty_optional:
        for name in OPTIONAL:
            tables.setdefault(name, [])
    tables.origin = f"build({spec!r})"
    return tables


# --------------------------------------------------------------------------------------------
# The recreated datasets
# --------------------------------------------------------------------------------------------

def minimal_tracking(users: int = 3000, per_day: int = 400, days: int = 730, seed: int = 1) -> Tables:
    """Own tracking at its barest: every user first seen on the first day, then `per_day` `launch`
    events a day for two years; columns user_id / event_time / event only."""
    rng = random.Random(seed)
    start = END - timedelta(days=days - 1)
    ids = [f"u{i:05d}" for i in range(users)]
    first = _at(start, 9 * 3600)
    events = [{"user_id": ids[0], "event_time": _ts(first), "event": "launch"}]
    for d in range(days):
        day = start + timedelta(days=d)
        for seconds in sorted(rng.randrange(9 * 3600, 86400) for _ in range(per_day)):
            events.append({"user_id": rng.choice(ids), "event_time": _ts(_at(day, seconds)),
                           "event": "launch"})
    tables = Tables(users=[{"user_id": u, "first_seen_at": _ts(first)} for u in ids], events=events)
    tables.origin = f"minimal_tracking(users={users}, per_day={per_day}, days={days}, seed={seed})"
    return tables


def retail_log(users: int = 2500, days: int = 548, seed: int = 2) -> Tables:
    """A shop's transaction log as the contract: users arrive in a few campaign weeks only (none in
    the last eight), buy a few times each; a visit (launch, page_view, pay) at each order."""
    rng = random.Random(seed)
    start = END - timedelta(days=days - 1)
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    weeks = [monday + timedelta(weeks=w) for w in sorted(rng.sample(range(days // 7 - 9), 10))]  # ISO weeks
    ids = [f"c{i:05d}" for i in range(users)]
    first = [_at(start, 10 * 3600)] + [
        _at(rng.choice(weeks) + timedelta(days=rng.randrange(7)), rng.randint(8, 21) * 3600) for _ in ids[1:]]
    events: Rows = []
    orders: Rows = []
    for user, t0 in zip(ids, first, strict=True):
        later = (END - t0.date()).days
        repeats = int(rng.expovariate(1 / 2.5)) if later else 0
        for t in [t0, *sorted(_at(t0.date() + timedelta(days=rng.randint(1, later)), rng.randint(8, 21) * 3600)
                              for _ in range(repeats))]:
            events += [{"user_id": user, "event_time": _ts(t + timedelta(seconds=60 * k)), "event": e}
                       for k, e in enumerate(("launch", "page_view", "pay"))]
            orders.append({"order_id": f"T{len(orders) + 1:06d}", "user_id": user,
                           "paid_at": _ts(t + timedelta(seconds=120)),
                           "amount": round(rng.lognormvariate(4, 0.8), 2),
                           "status": rng.choices(("paid", "refunded", "cancelled"), (92, 6, 2))[0]})
    last = {"user_id": ids[0], "event_time": _ts(_at(END, 20 * 3600)), "event": "launch"}
    tables = Tables(users=[{"user_id": u, "first_seen_at": _ts(t)} for u, t in zip(ids, first, strict=True)],
                    events=sorted([*events, last], key=lambda r: r["event_time"]), orders=orders)
    tables.origin = f"retail_log(users={users}, days={days}, seed={seed})"
    return tables


def sample_without_orders(users: int = 1500, days: int = 42, seed: int = 11) -> Tables:
    """The tiny generated sample (as conftest's `tiny_data`) with its orders table removed."""
    from helpers.sample import SampleSpec, generate

    generated = generate(SampleSpec(seed=seed, users=users, days=days))
    tables = Tables({name: _rows(table) for name, table in generated.items()
                     if name not in ("truth", "orders")})
    tables.origin = f"sample_without_orders(users={users}, days={days}, seed={seed})"
    return tables


def _rows(table: pa.Table) -> Rows:
    """Arrow rows with times as the strings the datasets here use."""
    def text(v):
        return _ts(v) if isinstance(v, datetime) else v.isoformat() if isinstance(v, date) else v
    return [{k: text(v) for k, v in row.items()} for row in table.to_pylist()]


_SHAPES = {
    "one_user": Spec(users=1, days=21),
    "one_day": Spec(users=30, days=7, only_day=True),
    "one_week": Spec(days=10),  # one complete week after a partial one
    "exactly_one_week": Spec(days=7),
    "no_new_users_in_report_week": Spec(first_seen="none_in_report_week"),
    "same_first_seen_day": Spec(first_seen="one_day"),
    "users_older_than_events": Spec(first_seen="older"),
    "single_event_type": Spec(events=("launch",)),
    "no_session_id": Spec(sessions="none"),
    "some_session_id": Spec(sessions="some"),
    "monthly_events": Spec(users=60, days=120, activity="monthly"),
    "single_channel": Spec(channels=("search",)),
    "no_orders": Spec(orders=None),
    "only_refunded_orders": Spec(orders="refunded"),
    "heavy_skew": Spec(skew=True),
    "empty_optional_tables": Spec(orders="empty", empty_optional=True),
}
RECREATED = {"minimal_tracking": minimal_tracking, "retail_log": retail_log,
             "sample_without_orders": sample_without_orders}
SHAPES = (*_SHAPES, *RECREATED)


def named_shape(name: str) -> Tables:
    """One of SHAPES: the degenerate shapes of issue 11 and its recreated datasets."""
    if name in RECREATED:
        return RECREATED[name]()
    return build(replace(_SHAPES[name], seed=sum(map(ord, name))))


def merged_shape(*names: str) -> Tables:
    """Several degenerate shapes at once (their features must not contradict each other), for
    runs that cover many shapes in few datasets."""
    fields: dict[str, object] = {}
    for name in names:
        for field, value in vars(_SHAPES[name]).items():
            if value != getattr(Spec(), field):
                if fields.get(field, value) != value:
                    raise ValueError(f"{name} contradicts an earlier shape of {names} on {field}")
                fields[field] = value
    return build(Spec(**fields, seed=sum(map(ord, "+".join(names)))))


# --------------------------------------------------------------------------------------------
# Hypothesis
# --------------------------------------------------------------------------------------------

@st.composite
def specs(draw) -> Spec:
    """Small specs (<= 60 users, <= 120 days, at least one complete week) mixing every feature."""
    weeks, lead, tail = draw(st.integers(1, 15)), draw(st.integers(0, 6)), draw(st.integers(0, 6))
    return Spec(
        users=draw(st.integers(1, 60)),
        days=7 * weeks + lead + tail,
        end=END + timedelta(days=tail),
        first_seen=draw(st.sampled_from(("spread", "one_day", "older", "none_in_report_week"))),
        only_day=draw(st.booleans()),
        activity=draw(st.sampled_from(("daily", "monthly"))),
        visits=draw(st.sampled_from((0.02, 0.25, 0.8))),
        events=draw(st.sampled_from((FUNNEL, ("launch",), ("page_view", "pay")))),
        sessions=draw(st.sampled_from(("all", "none", "some"))),
        channels=draw(st.sampled_from((CHANNELS[:3], ("search",), None))),
        orders=draw(st.sampled_from(("mixed", None, "empty", "paid", "refunded"))),
        skew=draw(st.booleans()),
        empty_optional=draw(st.booleans()),
        seed=draw(st.integers(0, 2**16)),
    )


def datasets() -> st.SearchStrategy[Tables]:
    """Random small valid datasets including every degenerate feature of the named shapes."""
    return specs().map(build)


# --------------------------------------------------------------------------------------------
# Writing and opening
# --------------------------------------------------------------------------------------------

def _columns(name: str, rows: Rows) -> list[str]:
    """The contract's columns the rows use, in contract order, then extras; all for no rows."""
    table = contract.TABLES[name]
    if not rows:
        return [c.name for c in table.columns]
    used = dict.fromkeys(k for row in rows for k in row)
    return [c.name for c in table.columns if c.name in used] + [k for k in used
                                                                 if k not in {c.name for c in table.columns}]


def _arrow_value(kind: ColumnType | None, value):
    if value is None or not isinstance(value, str):
        return value
    if kind is ColumnType.TIMESTAMP:
        return datetime.fromisoformat(value)
    return date.fromisoformat(value) if kind is ColumnType.DATE else value


def _arrow(name: str, rows: Rows) -> pa.Table:
    """The rows as an Arrow table with the contract's types (extra columns inferred)."""
    table = contract.TABLES[name]
    known = {c.name: c.type for c in table.columns}
    arrays = {}
    for column in _columns(name, rows):
        kind = known.get(column)
        values = [_arrow_value(kind, row.get(column)) for row in rows]
        arrays[column] = pa.array(values, type=_ARROW[kind] if kind else None)
    return pa.table(arrays)


def write_dataset(folder: Path, tables: dict[str, Rows], fmt: str = "parquet") -> Path:
    """A data-source folder with one typed Parquet file per table (or CSV with fmt="csv")."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        if fmt == "parquet":
            pq.write_table(_arrow(name, rows), folder / f"{name}.parquet")
        else:
            pd.DataFrame(rows, columns=_columns(name, rows)).to_csv(folder / f"{name}.csv", index=False)
    return folder


@contextlib.contextmanager
def open_warehouse(tables: dict[str, Rows], fmt: str = "parquet") -> Iterator[Warehouse]:
    """A warehouse built (and validated) from the dataset, in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="wx-dataset-") as tmp:
        source = write_dataset(Path(tmp) / "source", tables, fmt)
        wh = Warehouse(build_warehouse(source, target=Path(tmp) / "warehouse.duckdb"))
        try:
            yield wh
        finally:
            wh.close()


def latest_week(wh: Warehouse) -> Period:
    """The week a run reports on by default: the latest complete ISO week of the events."""
    return resolve_period("latest", wh.first_date, wh.last_date)
