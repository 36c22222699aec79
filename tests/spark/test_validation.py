"""The contract's validation on Spark rejects the same bad Parquet inputs as on DuckDB, with the
same message: the file, the column, how many values, the first one's row and value."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest

from datasets import write_dataset
from helpers.core.errors import DataError
from helpers.core.spark_session import SparkSettings
from helpers.core.spark_warehouse import SparkWarehouse, prepare_spark
from helpers.core.warehouse import Warehouse, build_warehouse

TZ = "Asia/Shanghai"
BASE = {
    "users": [{"user_id": f"u{i}", "first_seen_at": "2026-11-02 09:00:00", "channel": "search"}
              for i in range(4)],
    "events": [{"user_id": f"u{i % 4}", "event_time": f"2026-11-{2 + i % 20:02d} 10:00:00",
                "event": "launch", "duration_s": float(i)} for i in range(30)],
    "orders": [{"order_id": f"o{i}", "user_id": f"u{i % 4}", "paid_at": f"2026-11-{3 + i:02d} 12:00:00",
                "amount": 10.0 + i, "status": "paid"} for i in range(6)],
}


MERCHANTS = [{"merchant_id": "m1", "kind": "distributor", "parent_id": None},
             {"merchant_id": "m2", "kind": "distributor", "parent_id": "m1"},
             {"merchant_id": "m3", "kind": "group_leader", "parent_id": "m2"}]


def _with_merchants(t, row: int, parent: str) -> None:
    t["merchants"] = copy.deepcopy(MERCHANTS)
    t["merchants"][row]["parent_id"] = parent


def _missing_column(t):
    for row in t["users"]:
        del row["first_seen_at"]


def _duplicate_key(t):
    t["orders"][4]["order_id"] = "o1"


def _negative_amount(t):
    t["orders"][2]["amount"] = -5.0


def _nan(t):
    t["events"][7]["duration_s"] = math.nan


def _infinite(t):
    t["orders"][3]["amount"] = math.inf


CASES = {  # what is wrong -> (how, table, column named in the message)
    "missing column": (_missing_column, "users", "first_seen_at"),
    "duplicate key": (_duplicate_key, "orders", "order_id"),
    "negative amount": (_negative_amount, "orders", "amount"),
    "NaN": (_nan, "events", "duration_s"),
    "infinity": (_infinite, "orders", "amount"),
    "unknown parent": (lambda t: _with_merchants(t, 2, "m9"), "merchants", "parent_id"),
    "own parent": (lambda t: _with_merchants(t, 1, "m2"), "merchants", "parent_id"),
    "cycle of parents": (lambda t: _with_merchants(t, 0, "m3"), "merchants", "parent_id"),
}


def _errors(folder: Path, spark) -> tuple[str, str]:
    with pytest.raises(DataError) as duck:
        build_warehouse(folder, TZ, target=folder.parent / "wh.duckdb")
    with pytest.raises(DataError) as on_spark:
        prepare_spark(SparkSettings(), str(folder), TZ, spark=spark)
    return str(duck.value), str(on_spark.value)


@pytest.mark.parametrize("case", list(CASES))
def test_spark_rejects_what_duckdb_rejects_with_the_same_message(case, tmp_path, spark):
    spoil, table, column = CASES[case]
    tables = copy.deepcopy(BASE)
    spoil(tables)
    folder = write_dataset(tmp_path / "shop", tables)
    duck, on_spark = _errors(folder, spark)
    assert duck.startswith(f"{folder / table}.parquet: ")
    assert f"column {column}:" in duck or f"column(s) {column} missing" in duck, duck
    assert on_spark == duck


def test_the_valid_base_passes_on_both_engines_with_the_same_description(tmp_path, spark):
    folder = write_dataset(tmp_path / "shop", BASE)
    duck = Warehouse(build_warehouse(folder, TZ, target=tmp_path / "wh.duckdb"))
    on_spark = SparkWarehouse(prepare_spark(SparkSettings(), str(folder), TZ, spark=spark),
                              SparkSettings(), spark)
    try:
        for key in ("source", "source_name", "tables", "columns", "first_day", "last_day"):
            assert on_spark.meta[key] == duck.meta[key], key
        assert on_spark.quality().equals(duck.quality())
        assert on_spark.has("orders", "amount") and not on_spark.has("orders", "discount")
        assert on_spark.scalar("SELECT SUM(amount) FROM orders WHERE paid_day <= :end",
                               {"end": duck.meta["last_day"]}) == 75.0
    finally:
        duck.close()
        on_spark.close()


def test_orders_of_unlisted_merchants_are_counted_alike(tmp_path, spark):
    tables = {**copy.deepcopy(BASE), "merchants": copy.deepcopy(MERCHANTS)}
    for i, order in enumerate(tables["orders"]):
        order["merchant_id"] = ("m1", "m7", None)[i % 3]
    folder = write_dataset(tmp_path / "shop", tables)
    duck = Warehouse(build_warehouse(folder, TZ, target=tmp_path / "wh.duckdb"))
    on_spark = SparkWarehouse(prepare_spark(SparkSettings(), str(folder), TZ, spark=spark),
                              SparkSettings(), spark)
    try:
        assert on_spark.quality().equals(duck.quality())
        assert duck.quality().set_index("check_name").loc["orders_unknown_merchant", "rows"] == 2
    finally:
        duck.close()
        on_spark.close()
