"""The optional merchants table: validated like the others; parent_id names a merchant of the table
and chains of parents end (no merchant is their own parent or ancestor); orders of merchants the
table does not list are counted as a data-quality note, never an error."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.core import contract
from helpers.core.crosstable import find_cycle
from helpers.core.errors import DataError
from helpers.core.vocabulary import label
from helpers.core.warehouse import Warehouse, build_warehouse, day_number, plan_warehouse

from conftest import minimal_tables, write_source

MERCHANTS = [  # a chain of three levels (d1 <- d2 <- d3), a store, a KOL without a joined_at
    {"merchant_id": "d1", "name": "Wang", "kind": "distributor", "joined_at": "2026-01-05 10:00:00",
     "tier": "A", "region": "north", "parent_id": None},
    {"merchant_id": "d2", "name": "Li", "kind": "distributor", "joined_at": "2026-03-01 10:00:00",
     "tier": None, "region": "north", "parent_id": "d1"},
    {"merchant_id": "d3", "name": "Zhao", "kind": "distributor", "joined_at": "2026-06-01 10:00:00",
     "tier": None, "region": "south", "parent_id": "d2"},
    {"merchant_id": "s1", "name": "Corner <shop> & co", "kind": "store",
     "joined_at": "2025-12-01 09:00:00", "tier": "B", "region": "south", "parent_id": None},
    {"merchant_id": "k1", "name": "Mia", "kind": "supplier", "joined_at": None, "tier": None,
     "region": None, "parent_id": None},
]


def shop(merchants: list[dict] | None = None, sellers: tuple = ("d3", "s1", None)) -> dict[str, list[dict]]:
    """conftest's minimal shop; its three orders sold by `sellers` (None: the platform's own)."""
    tables = minimal_tables()
    for order, seller in zip(tables["orders"], sellers, strict=True):
        order["merchant_id"] = seller
    if merchants is not None:
        tables["merchants"] = merchants
    return tables


def build(tmp_path, tables, fmt: str = "csv") -> Warehouse:
    return Warehouse(build_warehouse(write_source(tmp_path / "src", tables, fmt=fmt), "Asia/Shanghai"))


def error(tmp_path, tables, fmt: str = "csv") -> str:
    with pytest.raises(DataError) as caught:
        build_warehouse(write_source(tmp_path / "src", tables, fmt=fmt), "Asia/Shanghai")
    return str(caught.value)


def test_the_contract_has_an_optional_merchants_table_keyed_by_merchant_id():
    table = contract.TABLES["merchants"]
    assert [c.name for c in table.columns] == ["merchant_id", "name", "kind", "joined_at", "tier",
                                               "region", "parent_id"]
    assert table.key == ("merchant_id",) and table.required_columns == ["merchant_id"]
    assert not table.required and "merchants" not in contract.REQUIRED_TABLES
    assert table.column("name").personal and not table.column("merchant_id").personal
    assert table.column("kind").values == ()  # free-form like users.channel: unknown kinds are shown as they are
    assert (table.parent.column, table.parent.key) == ("parent_id", "merchant_id")
    assert contract.day_column_name("joined_at") == "joined_day"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_valid_merchants_table_lands_typed_with_its_day_column(tmp_path, fmt):
    wh = build(tmp_path, shop(MERCHANTS), fmt)
    try:
        rows = wh.query("SELECT merchant_id, kind, parent_id, joined_day FROM merchants ORDER BY merchant_id")
        assert rows["merchant_id"].tolist() == ["d1", "d2", "d3", "k1", "s1"]
        assert rows.set_index("merchant_id")["parent_id"].to_dict()["d3"] == "d2"
        assert rows.set_index("merchant_id")["joined_day"].to_dict()["d1"] == day_number(date(2026, 1, 5))
        assert wh.has("merchants", "parent_id") and wh.quality().empty
        assert wh.scalar("SELECT COUNT(*) FROM orders o JOIN merchants m USING (merchant_id)") == 2
    finally:
        wh.close()


def test_only_some_columns_is_enough(tmp_path):
    wh = build(tmp_path, shop([{"merchant_id": m} for m in ("d3", "s1")]))
    try:
        assert wh.tables["merchants"] == 2
        assert not wh.has("merchants", "parent_id") and not wh.has("merchants", "kind")
        assert wh.scalar("SELECT COUNT(*) FROM merchants WHERE parent_id IS NULL") == 2
    finally:
        wh.close()


def test_orders_of_unlisted_merchants_are_a_counted_note_not_an_error(tmp_path, caplog):
    listed = [m for m in MERCHANTS if m["merchant_id"] != "s1"]
    wh = build(tmp_path, shop(listed, sellers=("d3", "s1", "s1")))
    try:
        quality = wh.quality().set_index("check_name")
        assert quality.loc["orders_unknown_merchant", "rows"] == 2
        assert quality.loc["orders_unknown_merchant", "example"] == "line 3"  # the second order
        assert quality.loc["orders_unknown_merchant", "table_name"] == "orders"
        assert "orders of merchants missing from the merchants table" in caplog.text
    finally:
        wh.close()


def test_without_a_merchants_table_merchant_ids_are_not_checked(tmp_path):
    wh = build(tmp_path, shop(None, sellers=("x1", "x2", None)))
    try:
        assert wh.quality().empty and "merchants" not in wh.tables
        assert wh.scalar("SELECT COUNT(DISTINCT merchant_id) FROM orders") == 2
    finally:
        wh.close()


def test_an_unknown_parent_stops_the_load_naming_the_row_and_value(tmp_path):
    merchants = [*MERCHANTS[:4], {**MERCHANTS[4], "parent_id": "d9"}]
    message = error(tmp_path, shop(merchants))
    assert message == (f"{tmp_path / 'src' / 'merchants.csv'}: column parent_id: 1 value(s) name no "
                       "merchant_id of the table; first at line 6: 'd9'; expected the merchant_id of "
                       "another row (its parent), or empty")


def test_a_merchant_cannot_be_their_own_parent(tmp_path):
    merchants = [*MERCHANTS[:3], {**MERCHANTS[3], "parent_id": "s1"}, MERCHANTS[4]]
    message = error(tmp_path, shop(merchants), fmt="parquet")
    assert message == (f"{tmp_path / 'src' / 'merchants.parquet'}: column parent_id: 1 value(s) equals the "
                       "merchant_id of the same row; expected the merchant_id of another row (its "
                       "parent), or empty; first at row 4: 's1'")


def test_a_cycle_of_parents_stops_the_load_naming_the_chain(tmp_path):
    merchants = [{**MERCHANTS[0], "parent_id": "d3"}, *MERCHANTS[1:]]  # d1 <- d2 <- d3 <- d1
    message = error(tmp_path, shop(merchants))
    assert message == (f"{tmp_path / 'src' / 'merchants.csv'}: column parent_id: 3 row(s) are their own "
                       "ancestor (d1 -> d3 -> d2 -> d1); first at lines 2, 3, 4; expected every chain "
                       "of parent_id to end at a row without one")


def test_a_repeated_merchant_id_is_a_duplicated_key(tmp_path):
    message = error(tmp_path, shop([*MERCHANTS, {"merchant_id": "s1", "name": "again"}]))
    assert "column merchant_id: 1 duplicated key(s), expected unique; first 's1' at lines 5, 7" in message


def test_names_are_never_quoted_in_messages(tmp_path):
    """A merchant's name may be a private person's: like a user id it is located, not quoted."""
    merchants = [{**MERCHANTS[0], "joined_at": "not a time", "name": "Zhang Wei"}, *MERCHANTS[1:]]
    message = error(tmp_path, shop(merchants))
    assert "column joined_at: 1 value(s) cannot be read as timestamp" in message
    assert contract.TABLES["merchants"].column("name").personal and "Zhang" not in message


def test_a_grown_merchants_folder_lands_new_parts_and_checks_orders_against_every_merchant(tmp_path):
    """Merchants as a folder of parts: a new part is appended (its parents checked against every
    merchant landed), and orders are checked against the merchants again on every build, so a
    merchant listed a week later is no longer unknown."""
    src = write_source(tmp_path / "src", shop(None, sellers=("m1", "m3", None)))
    (src / "merchants").mkdir()

    def part(name: str, rows: list[dict]) -> None:
        pd.DataFrame(rows, columns=["merchant_id", "parent_id"]).to_csv(src / "merchants" / name, index=False)

    part("part-1.csv", [{"merchant_id": "m1"}, {"merchant_id": "m2", "parent_id": "m1"}])
    wh = Warehouse(build_warehouse(src, "Asia/Shanghai"))
    assert wh.quality().set_index("check_name").loc["orders_unknown_merchant", "rows"] == 1
    wh.close()
    part("part-2.csv", [{"merchant_id": "m3", "parent_id": "m2"}])
    assert plan_warehouse(src, "Asia/Shanghai").tables["merchants"].action == "append"
    wh = Warehouse(build_warehouse(src, "Asia/Shanghai"))
    assert wh.tables["merchants"] == 3 and wh.quality().empty
    wh.close()
    part("part-3.csv", [{"merchant_id": "m4", "parent_id": "m9"}])
    with pytest.raises(DataError, match=r"merchants: column parent_id: 1 value\(s\) name no merchant_id "
                                        r"of the table; first at part-3.csv line 2: 'm9'"):
        build_warehouse(src, "Asia/Shanghai")


@pytest.mark.parametrize(("rows", "cycle"), [
    ([], []),
    ([("b", "a", 2), ("c", "b", 3), ("d", "b", 4)], []),  # a tree under a (a has no parent)
    ([("b", "zz", 2)], []),  # a parent that is no key ends the chain
    ([("a", "a", 5)], [("a", 5)]),
    ([("x", "c", 1), ("c", "d", 7), ("d", "c", 3)], [("d", 3), ("c", 7)]),  # x leads into the loop
    ([("p", "q", 9), ("q", "r", 4), ("r", "p", 6), ("s", "s", 1)], [("q", 4), ("r", 6), ("p", 9)]),
])
def test_find_cycle_finds_the_first_loop_from_its_lowest_location(rows, cycle):
    assert find_cycle(rows) == cycle


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.lists(st.integers(-1, 7), min_size=1, max_size=8))
def test_find_cycle_agrees_with_walking_every_chain(parents):
    """Row i (key "k<i>", at location 10 - i) names row parents[i] as its parent, or none (-1), or a
    key that is no row (>= the number of rows)."""
    keys = [f"k{i}" for i in range(len(parents))]
    rows = [(keys[i], f"k{p}", 10 - i) for i, p in enumerate(parents) if p >= 0]
    parent = {k: p for k, p, _ in rows}

    def own_ancestor(k: str) -> bool:
        node = k
        for _ in keys:
            node = parent.get(node)
            if node == k:
                return True
        return False

    cycle = find_cycle(rows)
    assert bool(cycle) == any(own_ancestor(k) for k in keys)
    members = [k for k, _ in cycle]
    assert all(parent[a] == b for a, b in zip(members, [*members[1:], *members[:1]], strict=True))
    assert not cycle or cycle[0][1] == min(at for _, at in cycle)
    assert all(at == 10 - int(k[1:]) for k, at in cycle)


def test_kinds_have_labels_in_both_languages():
    assert [label(k, "zh") for k in ("store", "kol", "group_leader", "distributor", "other")] == \
        ["门店", "KOL", "团长", "分销商", "其他"]
    assert label("group_leader", "en") == "Group leader" and label("supplier", "en") == "supplier"
