"""Checks across tables, run over the whole warehouse once its tables have landed (also after an
incremental build: an appended user makes earlier events known), and the parent chains of a table
(`contract.Parent`: merchants recruited by merchants).

Events of unknown users are an error when they are most users (README, "Required tables"), else
counted like the other survivable problems (warned about, shown in the reports), located by row,
never by id. Without own tracking (WeChat's statistics only) there are no users to check against.

Orders of merchants missing from the merchants table are counted the same way (the merchants
table is optional: without it nothing is checked; with it an unknown id is still a merchant's
sale, only without a kind, name or chain). They are always checked over every row: both tables
are small next to the events.

An incremental build whose users table only gained rows (and whose earlier rows all had known
users) or did not change passes what the earlier build found (`Checked`): only the rows landed
since are checked, and their counts added; the result is the same as checking every row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import duckdb

from helpers.core.contract import Parent
from helpers.core.errors import DataError
from helpers.core.places import Place

log = logging.getLogger("helpers.core.loader")

QUALITY_CHECKS = {  # survivable problems: warned about, counted, shown in every report's notes
    "events_before_first_seen": "events before the user's first_seen_at",
    "events_unknown_user": "events of users missing from the users table",
    "orders_unknown_user": "orders of users missing from the users table",
    "orders_unknown_merchant": "orders of merchants missing from the merchants table",
}


@dataclass(frozen=True)
class Checked:
    """What an earlier build found for the rows it landed: rows of a table before `first[table]`
    (a record number) keep their result, `quality[check] = (rows, example)`."""

    first: dict[str, int]
    quality: dict[str, tuple[int, str]]


def _first_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    return con.execute(sql).fetchall()[0]


def cross_table_quality(con: duckdb.DuckDBPyConnection, places: dict[str, Place],
                        tables: set[str], checked: Checked | None = None) -> list[dict[str, Any]]:
    """The survivable problems across tables (table_name, check_name, rows, example); DataError
    when most users of the events are unknown. One pass over the events (joined to the users)
    counts both event checks."""
    found = []
    if {"orders", "merchants"} <= tables:
        found.append(("orders", "orders_unknown_merchant", *_first_row(
            con, "select count(*), min(o.rowid) + 1 from orders o where o.merchant_id is not null "
            "and not exists (select 1 from merchants m where m.merchant_id = o.merchant_id)")))
    if "users" in tables:
        found = _user_checks(con, tables, checked) + found
    quality = []
    for table, check, n, record in found:
        earlier, example = checked.quality.get(check, (0, "")) if checked and check in USER_CHECKS \
            else (0, "")
        if n + earlier:
            example = example if earlier else places[table].at([record])
            quality.append({"table_name": table, "check_name": check, "rows": n + earlier,
                            "example": example})
    if any(q["check_name"] == "events_unknown_user" for q in quality):
        _fail_on_unknown_users(con, places)
    for q in quality:
        table = q["table_name"]
        log.warning("data quality: %s: %s rows: %s (first at %s %s); kept and counted", table,
                    q["rows"], QUALITY_CHECKS[q["check_name"]], places[table].source.where, q["example"])
    return quality


USER_CHECKS = ("events_before_first_seen", "events_unknown_user", "orders_unknown_user")


def _user_checks(con: duckdb.DuckDBPyConnection, tables: set[str], checked: Checked | None
                 ) -> list[tuple[str, str, int, int | None]]:
    """The events and orders against the users (only rows landed since `checked`, if given)."""
    first = checked.first if checked else {}
    since = {t: f" where {a}.rowid >= {first[t] - 1}" if first.get(t, 1) > 1 else ""
             for t, a in (("events", "e"), ("orders", "o"))}
    before, first_before, unknown, first_unknown = _first_row(
        con, "select count(*) filter (where e.event_time < u.first_seen_at), "
        "min(e.rowid) filter (where e.event_time < u.first_seen_at) + 1, "
        "count(*) filter (where u.user_id is null), min(e.rowid) filter (where u.user_id is null) + 1 "
        f"from events e left join users u on e.user_id = u.user_id{since['events']}")
    found = [("events", "events_before_first_seen", before, first_before),
             ("events", "events_unknown_user", unknown, first_unknown)]
    if "orders" in tables:
        where = since["orders"] or " where true"
        found.append(("orders", "orders_unknown_user", *_first_row(
            con, f"select count(*), min(o.rowid) + 1 from orders o{where} "
            "and not exists (select 1 from users u where u.user_id = o.user_id)")))
    return found


def _fail_on_unknown_users(con: duckdb.DuckDBPyConnection, places: dict[str, Place]) -> None:
    unknown, total = _first_row(
        con, "select count(*) filter (where u.user_id is null), count(*) from "
        "(select distinct user_id from events) e left join users u on u.user_id = e.user_id")
    if unknown * 2 <= total:
        return
    records = [r for (r,) in con.execute(
        "select e.rowid + 1 from events e where not exists (select 1 from users u "
        "where u.user_id = e.user_id) order by e.rowid limit 3").fetchall()]
    events, users = places["events"], places["users"]
    raise DataError(f"{events.source.where}: {unknown:,} of the {total:,} users in the events "
                    f"({unknown / total:.0%}) are missing from {users.source.where}, e.g. the "
                    f"events at {events.at(records)}; expected the users table to list the "
                    f"users of the events (most unknown: are both tables from the same export?)")


# --- parent chains (contract.Parent) -------------------------------------------------------------

def own_parent_problem(parent: Parent) -> str:
    """The row check's words for a row naming itself as its parent (core.loader adds the check)."""
    return (f"equals the {parent.key} of the same row; expected the {parent.key} of another row "
            f"(its parent), or empty")


def unknown_parent_message(where: str, parent: Parent, n: int, at: str, shown: str) -> str:
    return (f"{where}: column {parent.column}: {n:,} value(s) name no {parent.key} of the table; "
            f"first at {at}: {shown}; expected the {parent.key} of another row (its parent), "
            f"or empty")


def find_cycle(rows: list[tuple[str, str, Any]]) -> list[tuple[str, Any]]:
    """The first cycle of parents among `rows` (key, parent key, location), as (key, location)
    from its member with the lowest location; [] when every chain of parents ends. Keys are
    unique (the key check runs first); a parent that is no key ends its chain."""
    parent = {k: p for k, p, _ in rows}
    where = {k: at for k, _, at in rows}
    done: set[str] = set()
    for start, _, _ in rows:
        path: list[str] = []
        node = start
        while node in parent and node not in done and node not in path:
            path.append(node)
            node = parent[node]
        if node in path:
            loop = path[path.index(node):]
            first = min(range(len(loop)), key=lambda i: where[loop[i]])
            return [(k, where[k]) for k in loop[first:] + loop[:first]]
        done.update(path)
    return []


def cycle_message(where: str, parent: Parent, cycle: list[tuple[str, Any]], at: str) -> str:
    shown = [k for k, _ in cycle[:CYCLE_SHOWN]]
    chain = " -> ".join([*shown, "..." if len(cycle) > CYCLE_SHOWN else shown[0]])
    return (f"{where}: column {parent.column}: {len(cycle):,} row(s) are their own ancestor "
            f"({chain}); first at {at}; expected every chain of {parent.column} to end at a row "
            f"without one")


CYCLE_SHOWN = 5  # keys of a cycle named in its message; its first rows located
