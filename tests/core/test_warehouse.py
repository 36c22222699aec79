"""Loading a source: the contract is enforced with specific errors; survivable problems are counted."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from helpers.core import contract
from helpers.core.errors import DataError
from helpers.core.warehouse import Warehouse, build_warehouse, day_number

from conftest import minimal_tables, write_source


def load(folder, tz="Asia/Shanghai") -> Warehouse:
    return Warehouse(build_warehouse(folder, tz))


def test_missing_folder_names_the_path(tmp_path):
    with pytest.raises(DataError, match=r"nowhere: data source not found"):
        load(tmp_path / "nowhere")


def test_missing_required_table(tmp_path):
    tables = minimal_tables()
    del tables["events"]
    with pytest.raises(DataError, match=r"required table\(s\) events not found"):
        load(write_source(tmp_path / "src", tables))


def test_missing_required_column_lists_what_was_found(tmp_path):
    tables = minimal_tables()
    for row in tables["events"]:
        del row["event"]
    with pytest.raises(DataError) as err:
        load(write_source(tmp_path / "src", tables))
    assert "events.csv" in str(err.value)
    assert "required column(s) event missing (found: user_id, event_time)" in str(err.value)


def test_unparseable_timestamp_names_file_column_line_and_value(tmp_path):
    tables = minimal_tables()
    tables["events"][2]["event_time"] = "yesterday"
    with pytest.raises(DataError) as err:
        load(write_source(tmp_path / "src", tables))
    message = str(err.value)
    assert "events.csv: column event_time: 1 value(s) cannot be read as timestamp" in message
    assert "first at line 4: 'yesterday'" in message  # header is line 1


def test_wrong_column_type_in_parquet(tmp_path):
    tables = minimal_tables()
    for row in tables["orders"]:
        row["amount"] = str(row["amount"])  # a text column in Parquet, as some exports write
    tables["orders"][1]["amount"] = "thirty"
    with pytest.raises(DataError, match=r"orders.parquet: column amount: 1 value\(s\) cannot be read "
                                        r"as float.*row 2: 'thirty'"):
        load(write_source(tmp_path / "src", tables, fmt="parquet"))


@pytest.mark.parametrize(("table", "column", "value"), [("users", "user_id", "a"),
                                                         ("orders", "order_id", "o1")])
def test_duplicate_keys(tmp_path, table, column, value):
    tables = minimal_tables()
    tables[table].append(dict(tables[table][0]))
    with pytest.raises(DataError) as err:
        load(write_source(tmp_path / "src", tables))
    assert f"{table}.csv: column {column}: 1 duplicated key(s), expected unique" in str(err.value)
    assert f"first '{value}' at lines 2, " in str(err.value)


def test_negative_amount(tmp_path):
    tables = minimal_tables()
    tables["orders"][2]["amount"] = -5
    with pytest.raises(DataError, match=r"orders.csv: column amount: 1 value\(s\) is negative; "
                                        r"expected a value >= 0; first at line 4: '-5.0'"):
        load(write_source(tmp_path / "src", tables))


def test_empty_required_value(tmp_path):
    tables = minimal_tables()
    tables["events"][0]["user_id"] = ""
    with pytest.raises(DataError, match=r"column user_id: 1 value\(s\) is empty, but the column is "
                                        r"required; first at line 2"):
        load(write_source(tmp_path / "src", tables))


def test_events_before_first_seen_are_warned_and_counted_not_fatal(tmp_path, caplog):
    tables = minimal_tables()
    tables["events"].append({"user_id": "b", "event_time": "2026-11-17 08:59:00", "event": "launch"})
    wh = load(write_source(tmp_path / "src", tables))
    quality = wh.quality()
    row = quality[quality.check_name == "events_before_first_seen"].iloc[0]
    assert row.rows == 1 and row.table_name == "events"
    assert wh.tables["events"] == 6
    assert "events before the user's first_seen_at" in caplog.text


def test_gbk_csv_from_chinese_excel_loads(tmp_path):
    tables = minimal_tables()
    tables["users"][0]["city"] = "广州"
    folder = write_source(tmp_path / "src", tables, encoding="gb18030")
    assert load(folder).query("SELECT city FROM users WHERE user_id = 'a'").iat[0, 0] == "广州"


def test_utf8_bom_csv_loads(tmp_path):
    folder = write_source(tmp_path / "src", minimal_tables(), encoding="utf-8-sig")
    assert load(folder).tables["users"] == 2


def test_timestamps_with_offsets_are_converted_to_the_source_timezone(tmp_path):
    tables = minimal_tables()
    tables["events"][2]["event_time"] = "2026-11-15T16:30:00Z"  # = 2026-11-16 00:30 in Shanghai
    wh = load(write_source(tmp_path / "src", tables))
    got = wh.query("SELECT event_time, event_day FROM events WHERE event = 'page_view'")
    assert str(got.event_time.iat[0]) == "2026-11-16 00:30:00"
    assert got.event_day.iat[0] == day_number(pd.Timestamp("2026-11-16").date())


def test_timezone_changes_day_boundaries_only_for_zoned_values(tmp_path):
    tables = minimal_tables()
    tables["events"][2]["event_time"] = "2026-11-15T16:30:00+00:00"
    wh = load(write_source(tmp_path / "src", tables), tz="UTC")
    assert wh.scalar("SELECT event_day FROM events WHERE event = 'page_view'") == day_number(
        pd.Timestamp("2026-11-15").date())


def test_unknown_timezone(tmp_path):
    with pytest.raises(DataError, match="not a known IANA zone"):
        load(write_source(tmp_path / "src", minimal_tables()), tz="Mars/Olympus")


def test_optional_columns_absent_are_null_and_reported_missing(tmp_path):
    wh = load(write_source(tmp_path / "src", minimal_tables()))
    assert wh.has("users", "channel") and not wh.has("users", "gender")
    assert not wh.has("articles")
    assert wh.query("SELECT COUNT(*) AS n FROM users WHERE gender IS NULL").n.iat[0] == 2
    assert wh.has("orders", "status") and not wh.has("orders", "discount")


def test_extra_columns_are_kept(tmp_path):
    tables = minimal_tables()
    for row in tables["users"]:
        row["vip_level"] = 3
    wh = load(write_source(tmp_path / "src", tables))
    assert "vip_level" in wh.query("SELECT * FROM users LIMIT 1").columns


def test_duckdb_file_source(tmp_path):
    db = tmp_path / "shop.duckdb"
    with duckdb.connect(str(db)) as con:
        for name, rows in minimal_tables().items():
            frame = pd.DataFrame(rows)  # noqa: F841 (read by the SQL below)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
    wh = load(db)
    assert wh.tables == {"users": 2, "events": 5, "orders": 3}
    assert wh.source_name == "shop"


def test_same_content_reuses_the_warehouse_and_changes_rebuild_it(tmp_path):
    folder = write_source(tmp_path / "src", minimal_tables())
    first = build_warehouse(folder)
    assert build_warehouse(folder) == first
    tables = minimal_tables()
    tables["users"][0]["channel"] = "kol"
    write_source(folder, tables)
    assert build_warehouse(folder) != first


def test_query_placeholders_are_portable_and_checked(tiny_wh):
    n = tiny_wh.scalar("SELECT COUNT(*) FROM events WHERE event_day >= :lo AND event_day <= :lo + 0",
                       {"lo": tiny_wh.meta["last_day"]})
    assert n > 0
    with pytest.raises(KeyError, match="hi"):
        tiny_wh.query("SELECT :hi AS x", {})


def test_every_contract_table_is_loaded_from_the_sample(tiny_wh):
    assert set(tiny_wh.tables) == set(contract.TABLES)
    for name, table in contract.TABLES.items():
        assert tiny_wh.has(name, *[c.name for c in table.columns]), name
