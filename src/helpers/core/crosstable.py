"""Checks across tables, run over the whole warehouse once its tables have landed (also after an
incremental build: an appended user makes earlier events known).

Events of unknown users are an error when they are most users (README, "Required tables"), else
counted like the other survivable problems (warned about, shown in the reports), located by row,
never by id. Without own tracking (WeChat's statistics only) there are no users to check against.

An incremental build whose users table only gained rows (and whose earlier rows all had known
users) or did not change passes what the earlier build found (`Checked`): only the rows landed
since are checked, and their counts added; the result is the same as checking every row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import duckdb

from helpers.core.errors import DataError
from helpers.core.places import Place

log = logging.getLogger("helpers.core.loader")

QUALITY_CHECKS = {  # survivable problems: warned about, counted, shown in every report's notes
    "events_before_first_seen": "events before the user's first_seen_at",
    "events_unknown_user": "events of users missing from the users table",
    "orders_unknown_user": "orders of users missing from the users table",
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
    if "users" not in tables:
        return []
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
    quality = []
    for table, check, n, record in found:
        earlier, example = checked.quality.get(check, (0, "")) if checked else (0, "")
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
