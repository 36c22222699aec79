"""Scaled samples (helpers.sample.stream): deterministic, written batch by batch in bounded memory,
valid for the contract, with sensible events per user; the extra days split off cleanly."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from helpers.core import contract
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.sample import SampleSpec, write_sample
from helpers.sample.stream import ScaledSpec, batch_tables, is_current, shared_world, write_scaled

EVENTS, BATCH = 30_000, 200  # about 600 users in 3 batches: a few seconds
# The sample shop's own tables as the streamed sample writes them: all but `merchants` (its orders keep
# the merchant ids of orders.py's draw, without a merchants table: ids only, as a shop may give them)
OWN = [name for name in contract.TABLES if name not in (*contract.WECHAT_TABLES, "merchants")]
CUTOFF = datetime(2026, 11, 23)  # the day after SampleSpec.end


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    root = tmp_path_factory.mktemp("scaled")
    manifest = write_scaled(root / "base", EVENTS, batch_users=BATCH, extra_days=7, extra_out=root / "week")
    return root, manifest


def _table(folder, name) -> pa.Table:
    """A table given as `<name>.parquet` or, events, as one file per ISO week (in week order)."""
    single = folder / f"{name}.parquet"
    if single.exists():
        return pq.read_table(single)
    return pa.concat_tables(pq.read_table(path) for path in sorted((folder / name).glob("*.parquet")))


def _files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def test_same_arguments_same_bytes_with_any_number_of_workers(scaled, tmp_path):
    root, _ = scaled
    write_scaled(tmp_path / "again", EVENTS, batch_users=BATCH, extra_days=7, extra_out=tmp_path / "week",
                 workers=2)
    assert _files(tmp_path / "again") == _files(root / "base")
    for path in _files(root / "base"):
        assert (tmp_path / "again" / path).read_bytes() == (root / "base" / path).read_bytes(), path
    write_scaled(tmp_path / "seed", EVENTS, seed=8, batch_users=BATCH)
    assert not _table(tmp_path / "seed", "events").equals(_table(root / "base", "events"))


def test_each_batch_is_a_row_group_drawn_from_its_own_stream(scaled):
    """Bounded memory: the files are appended batch by batch, and a batch depends on (seed, batch)
    alone, so no batch needs another in memory."""
    root, manifest = scaled
    spec = ScaledSpec(events=EVENTS, batch_users=BATCH, extra_days=7)
    assert spec.batches == manifest["batches"] == 3
    users = pq.ParquetFile(root / "base" / "users.parquet")
    assert users.num_row_groups == spec.batches
    alone = batch_tables(spec, shared_world(spec), 1)["users"]
    before = pc.less(alone["first_seen_at"], pa.scalar(CUTOFF, pa.timestamp("s")))
    assert users.read_row_group(1).equals(alone.filter(before).cast(users.schema_arrow))
    for path in (root / "base" / "events").glob("*.parquet"):
        events = pq.ParquetFile(path)
        assert events.num_row_groups <= spec.batches  # a row group per batch (with events that week)
        assert max(events.metadata.row_group(i).num_rows for i in range(events.num_row_groups)) < EVENTS / 10


def test_events_come_one_file_per_iso_week(scaled):
    root, _ = scaled
    weeks = sorted(p.stem for p in (root / "base" / "events").glob("*.parquet"))
    assert weeks[0] == "part-2026-W22" and weeks[-1] == "part-2026-W47"  # 2026-05-27 .. 2026-11-22
    assert len(weeks) == 26
    for path in (root / "base" / "events").glob("*.parquet"):
        iso = {t.isocalendar()[:2] for t in pq.read_table(path, columns=["event_time"])["event_time"].to_pylist()}
        year, week = path.stem.removeprefix("part-").split("-W")
        assert iso == {(int(year), int(week))}, path.name
    assert [p.name for p in (root / "week" / "events").iterdir()] == ["part-2026-W48.parquet"]


def test_tables_follow_the_contract_and_load(scaled, tmp_path):
    """Same columns and types as the default sample, ids unique across batches: the warehouse's
    validation (types, bounds, keys, cross-table checks) accepts the data."""
    root, _ = scaled
    write_sample(tmp_path / "default", SampleSpec(users=300, days=28))
    for name in OWN:
        path = root / "base" / f"{name}.parquet"
        schema = pq.read_schema(path if path.exists() else next((root / "base" / name).glob("*.parquet")))
        assert schema.names == [c.name for c in contract.TABLES[name].columns], name
        assert schema.equals(pq.read_schema(tmp_path / "default" / f"{name}.parquet")), name
    wh = Warehouse(build_warehouse(root / "base"))
    try:
        assert wh.tables["events"] == _table(root / "base", "events").num_rows
        assert wh.tables["users"] == _table(root / "base", "users").num_rows
        assert wh.scalar("SELECT COUNT(*) FROM users WHERE referrer_id IS NOT NULL "
                         "AND referrer_id NOT IN (SELECT user_id FROM users)") == 0
        assert wh.scalar("SELECT COUNT(DISTINCT LEFT(user_id, 4)) FROM users") == 3  # the batch prefixes
    finally:
        wh.close()


def test_events_per_user_are_those_of_the_default_sample(scaled):
    root, manifest = scaled
    rows = manifest["rows"]["base"]
    assert 0.9 * EVENTS <= rows["events"] <= 1.1 * EVENTS
    assert 40 <= rows["events"] / rows["users"] <= 60  # the default sample: 50.5
    events = _table(root / "base", "events")
    per_user = events.group_by("user_id").aggregate([("event", "count")])["event_count"].to_pylist()
    assert min(per_user) >= 1
    assert sorted(per_user)[len(per_user) // 2] < 60  # skewed: a median below the mean's tail
    orders = _table(root / "base", "orders")
    assert len(set(orders["order_id"].to_pylist())) == orders.num_rows
    assert 0.005 <= orders.num_rows / rows["events"] <= 0.03  # the default sample: 0.013


def test_the_extra_days_go_to_their_own_folder(scaled):
    root, manifest = scaled
    stamp = pa.scalar(CUTOFF, pa.timestamp("s"))
    for name, column in (("events", "event_time"), ("orders", "paid_at"), ("users", "first_seen_at"),
                         ("assignments", "assigned_at")):
        assert pc.all(pc.less(_table(root / "base", name)[column], stamp)).as_py(), name
        assert pc.all(pc.greater_equal(_table(root / "week", name)[column], stamp)).as_py(), name
    last = pc.max(_table(root / "week", "events")["event_time"]).as_py()
    assert CUTOFF + timedelta(days=6) <= last < CUTOFF + timedelta(days=7)
    assert manifest["rows"]["extra"]["events"] > 0
    assert set(_table(root / "week", "users")["user_id"].to_pylist()).isdisjoint(
        _table(root / "base", "users")["user_id"].to_pylist())
    assert is_current(root / "base", EVENTS, extra_days=7) and not is_current(root / "base", EVENTS + 1, extra_days=7)
    with pytest.raises(ValueError, match="extra_out"):
        write_scaled(root / "never", EVENTS, extra_days=7)
