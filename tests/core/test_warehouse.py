"""Loading a source: the contract is enforced with specific errors; survivable problems are counted."""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from helpers.core import contract, warehouse
from helpers.core.errors import DataError
from helpers.core.warehouse import Warehouse, build_warehouse, day_number

from conftest import minimal_tables, write_source


def load(folder, tz="Asia/Shanghai") -> Warehouse:
    return Warehouse(build_warehouse(folder, tz))


def test_survivable_problems_are_counted_and_located_by_line_never_by_user_id(tmp_path, caplog):
    ids = {"a": "oQ4mZ8xT2wR6", "b": "oP1nY5vS9uK3"}  # openid-like
    stranger = "oL7jH3gF6dC0"
    tables = minimal_tables()
    for rows in tables.values():
        for row in rows:
            row["user_id"] = ids[row["user_id"]]
    tables["events"][0]["page"] = "two\nlines"  # a quoted line break: physical lines shift by one
    tables["events"].append({"user_id": ids["b"], "event_time": "2026-11-17 08:59:00", "event": "launch"})
    tables["events"].append({"user_id": stranger, "event_time": "2026-11-18 08:00:00", "event": "launch"})
    tables["orders"].append({"order_id": "o4", "user_id": stranger, "paid_at": "2026-11-18 09:00:00",
                             "amount": 5.0})
    wh = load(write_source(tmp_path / "src", tables))
    quality = wh.quality().set_index("check_name")
    assert quality.loc["events_before_first_seen", "example"] == "line 8"  # record 6
    assert quality.loc["events_unknown_user", "example"] == "line 9"
    assert quality.loc["orders_unknown_user", "example"] == "line 5"
    assert quality["rows"].tolist() == [1, 1, 1] and wh.tables["events"] == 7
    assert "events before the user's first_seen_at (first at " in caplog.text
    assert "events.csv line 8); kept and counted" in caplog.text
    shown = caplog.text + wh.quality().to_string()
    assert not [uid for uid in [*ids.values(), stranger] if uid in shown]


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


def test_a_copy_of_the_same_data_elsewhere_names_its_own_folder(tmp_path):
    """Reports name their data source from the warehouse: a cached warehouse of a copy must not
    name the first folder."""
    one = write_source(tmp_path / "one", minimal_tables())
    two = write_source(tmp_path / "two", minimal_tables())
    assert load(one).meta["source"] == str(one.resolve())
    assert load(two).meta["source"] == str(two.resolve())


def test_query_placeholders_are_portable_and_checked(tiny_wh):
    n = tiny_wh.scalar("SELECT COUNT(*) FROM events WHERE event_day >= :lo AND event_day <= :lo + 0",
                       {"lo": tiny_wh.meta["last_day"]})
    assert n > 0
    with pytest.raises(KeyError, match="hi"):
        tiny_wh.query("SELECT :hi AS x", {})


def test_every_contract_table_is_loaded_from_the_sample(tiny_wh):
    """The bundled sample is a shop's own tracking plus its official account; WeChat's
    mini-program statistics come from `wxreport sample --platform-only` (tests/sample)."""
    assert set(tiny_wh.tables) == set(contract.TABLES) - set(contract.WECHAT_TABLES)
    for name in tiny_wh.tables:
        assert tiny_wh.has(name, *[c.name for c in contract.TABLES[name].columns]), name


def test_the_warehouse_fingerprint_covers_every_module_the_loader_runs():
    """A change to any core module the loader imports (directly or not) rebuilds the warehouse."""
    core = Path(warehouse.__file__).parent
    seen, todo = set(), ["warehouse"]
    while todo:
        name = todo.pop()
        seen.add(name)
        tree = ast.parse((core / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers.core"):
                names = ([node.module.rsplit(".", 1)[1]] if node.module != "helpers.core"
                         else [a.name for a in node.names])
                todo += [n for n in names if n not in seen and (core / f"{n}.py").exists()]
    # errors and paths decide no content: messages and the cache folder
    assert seen - {"errors", "paths"} == {f.removesuffix(".py") for f in warehouse.LOADER_FILES}


def test_readme_states_every_bound_of_the_contract():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### What the validator rejects", 1)[1].split("\n## ", 1)[0]
    bounded = [f"{t.name}.{c.name}" for t in contract.TABLES.values() for c in t.columns
               if c.max is not None or c.below is not None]
    assert bounded and not [name for name in bounded if f"`{name}`" not in section]
    assert f"{contract.MONEY_LIMIT:,.0f}" in section and str(contract.EARLIEST) in section
    for table in contract.TABLES.values():
        for rule in table.rules:
            assert f"`{table.name}.{rule.column}`" in section and f"`{rule.other}`" in section


# --- WeChat's statistics without own tracking (issue 15) ----------------------------------------

VISITS = [  # two days and their ISO week, as `wxreport fetch` writes them
    {"date": "2026-11-16", "period": "day", "visitors": 100, "new_visitors": 10},
    {"date": "2026-11-17", "period": "day", "visitors": 120, "new_visitors": 12},
    {"date": "2026-11-16", "period": "week", "visitors": 180, "new_visitors": 22},
]


def test_wechat_statistics_alone_are_a_source_spanning_their_days(tmp_path):
    wh = load(write_source(tmp_path / "src", {
        "mp_visits": VISITS,
        "followers": [{"date": "2026-11-18", "source": "30", "new_followers": 3, "unfollows": 1}]}))
    assert not wh.has("events") and wh.has("mp_visits", "new_visitors")
    # the data spans the days of every WeChat table: 11-16 (visits) to 11-18 (followers)
    assert (str(wh.first_date), str(wh.last_date)) == ("2026-11-16", "2026-11-18")
    assert wh.scalar("select sum(visitors) from mp_visits where period = 'day'") == 220
    assert wh.quality().empty  # no users to check events or orders against


def test_users_without_events_are_still_an_error_next_to_wechat_statistics(tmp_path):
    tables = minimal_tables()
    del tables["events"]
    with pytest.raises(DataError, match=r"required table\(s\) events not found") as err:
        load(write_source(tmp_path / "src", tables | {"mp_visits": VISITS}))
    assert "WeChat" not in str(err.value)  # own tracking was meant: no hint at the alternative


def test_neither_own_tracking_nor_wechat_statistics_names_both_ways(tmp_path):
    tables = {"articles": [{"article_id": "a1", "published_at": "2026-11-16 08:00:00"}]}
    with pytest.raises(DataError, match=r"users, events not found.*or WeChat's statistics instead "
                       r"\(mp_visits, followers, article_stats, oa_reads"):
        load(write_source(tmp_path / "src", tables))


def test_wechat_statistics_without_rows_are_no_data(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "mp_visits.csv").write_text("date,period,visitors\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"mp_visits\) hold no rows; expected at least one day"):
        load(folder)


def test_a_column_with_fixed_values_rejects_any_other(tmp_path):
    rows = [*VISITS, {"date": "2026-11-23", "period": "Week", "visitors": 1, "new_visitors": 0}]
    with pytest.raises(DataError, match=r"mp_visits.csv: column period: 1 value\(s\) is not one of "
                       r"day, week, month; first at line 5: 'Week'"):
        load(write_source(tmp_path / "src", {"mp_visits": rows}))


def test_mixed_sources_keep_the_days_of_own_tracking(tmp_path):
    """WeChat's tables beside own tracking change nothing the reports read from the events."""
    early = [{"date": "2026-10-01", "period": "day", "visitors": 5, "new_visitors": 1}]
    wh = load(write_source(tmp_path / "src", minimal_tables() | {"mp_visits": early}))
    assert (str(wh.first_date), str(wh.last_date)) == ("2026-11-09", "2026-11-22")
