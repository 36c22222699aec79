"""Source values to contract types, as DuckDB expressions that give NULL for what cannot be read.

Numbers written as text are read with the file's own decimal separator, decided from its values
(`number_style`): in a comma-separated file a comma can only group thousands (`"1,234.5"`); in a
file separated otherwise (`;`, tab) a value such as `27,71` shows a decimal comma and `27.71` a
decimal point, a file showing both is rejected, and so is `1,234` when no value of the file tells
whether it means 1234 or 1.234. Whole-number columns accept only whole values within the exact
range of a double (no rounding of 3.5, no 1e20); `NaN` and `inf` are read, so that validation can
reject them by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from helpers.core.contract import Column, ColumnType, Table
from helpers.core.errors import DataError
from helpers.core.vocabulary import FALSE_WORDS, TRUE_WORDS

ENGINE_TYPE = {
    ColumnType.STRING: "varchar", ColumnType.INT: "bigint", ColumnType.FLOAT: "double",
    ColumnType.BOOL: "boolean", ColumnType.TIMESTAMP: "timestamp", ColumnType.DATE: "date",
}
EXPECTED = {
    ColumnType.STRING: "text",
    ColumnType.INT: "a whole number, e.g. 1001",
    ColumnType.FLOAT: "a number, e.g. 99.5",
    ColumnType.BOOL: "true/false (also 1/0, yes/no)",
    ColumnType.TIMESTAMP: "a timestamp such as 2026-11-16 08:30:00 (an offset such as +08:00 is honoured)",
    ColumnType.DATE: "a date such as 2026-11-16",
}
EXACT_INT = 2.0 ** 53  # whole numbers beyond this are not exact in a double
_OFFSET_RE = r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$"
_NUMBER = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
_NON_FINITE = r"[+-]?(nan|inf|infinity)"
_WHOLE = r"[+-]?\d+"
_AMBIGUOUS = r"[+-]?[1-9]\d{0,2}[.,]\d{3}"  # 1,234 / 1.234: thousands or decimals?
_SHOWS_POINT = r"[+-]?(\d*\.\d+|[1-9]\d{0,2}(,\d{3})+(\.\d+)?)([eE][+-]?\d+)?"
_SHOWS_COMMA = r"[+-]?(\d*,\d+|[1-9]\d{0,2}(\.\d{3})+(,\d+)?)"


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_list(words: tuple[str, ...]) -> str:
    return ",".join(sql_str(w) for w in words)


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class NumberStyle:
    decimal: str  # "." or ","

    @property
    def thousands(self) -> str:
        return "," if self.decimal == "." else "."


POINT, COMMA = NumberStyle("."), NumberStyle(",")


def _text(name: str) -> str:
    return f"trim({ident(name)})"


def holds_value(name: str, raw_type: str) -> str:
    """The raw cell holds something (empty text counts as nothing)."""
    return f"nullif({_text(name)}, '') is not null" if raw_type == "VARCHAR" else f"{ident(name)} is not null"


def _number(t: str, style: NumberStyle) -> str:
    """Text -> double with the file's separators; thousands groups must be well formed."""
    sep = sql_str(style.thousands)
    grouped = sql_str(rf"[+-]?[1-9]\d{{0,2}}(\{style.thousands}\d{{3}})+(\{style.decimal}\d*)?"
                      + (r"([eE][+-]?\d+)?" if style is POINT else ""))

    def with_point(e: str) -> str:
        return e if style is POINT else f"replace({e}, ',', '.')"

    ungrouped = with_point(f"replace({t}, {sep}, '')")
    normal = (f"(case when regexp_full_match({t}, {grouped}) then {ungrouped} "
              f"when contains({t}, {sep}) then null else {with_point(t)} end)")
    return (f"(case when regexp_full_match({normal}, {sql_str(_NUMBER)}) or regexp_full_match("
            f"lower({normal}), {sql_str(_NON_FINITE)}) then try_cast({normal} as double) end)")


def _whole(number: str) -> str:
    return (f"(case when isfinite({number}) and {number} = floor({number}) and abs({number}) < "
            f"{EXACT_INT:.0f} then cast({number} as bigint) end)")


def typed_expr(c: Column, raw_type: str, style: NumberStyle, tz: str) -> str:
    """The contract-typed value of column `c` stored with engine type `raw_type`; NULL when empty
    or unreadable."""
    x, is_text = ident(c.name), raw_type == "VARCHAR"
    t = _text(c.name)
    if c.type is ColumnType.STRING:
        return f"nullif(trim(cast({x} as varchar)), '')"
    if c.type is ColumnType.INT:
        if is_text:
            return (f"(case when regexp_full_match({t}, {sql_str(_WHOLE)}) then try_cast({t} as bigint) "
                    f"else {_whole(_number(t, style))} end)")
        if raw_type.startswith(("DOUBLE", "FLOAT", "DECIMAL")):
            return _whole(f"cast({x} as double)")
        return f"try_cast({x} as bigint)"
    if c.type is ColumnType.FLOAT:
        return _number(t, style) if is_text else f"try_cast({x} as double)"
    if c.type is ColumnType.BOOL:
        if is_text:
            v = f"lower({t})"
            return (f"case when {v} in ({sql_list(TRUE_WORDS)}) then true "
                    f"when {v} in ({sql_list(FALSE_WORDS)}) then false end")
        return f"try_cast({x} as boolean)"
    zone = sql_str(tz)
    if is_text:
        ts = (f"case when regexp_matches({t}, {sql_str(_OFFSET_RE)}) "
              f"then timezone({zone}, try_cast({t} as timestamptz)) "
              f"else try_cast({t} as timestamp) end")
    elif raw_type.startswith("TIMESTAMP WITH TIME ZONE"):
        ts = f"timezone({zone}, {x})"
    else:
        ts = f"try_cast({x} as timestamp)"
    return ts if c.type is ColumnType.TIMESTAMP else f"cast({ts} as date)"


def number_style(con: duckdb.DuckDBPyConnection, raw: str, table: Table, raw_types: dict[str, str],
                 comma_delimited: bool, where: str, locate: Callable[[int], str]) -> NumberStyle:
    """The decimal separator of the numbers a table writes as text, decided from its values."""
    columns = [c for c in table.columns
               if c.type in (ColumnType.INT, ColumnType.FLOAT) and raw_types.get(c.name) == "VARCHAR"]
    if comma_delimited or not columns:
        return POINT
    parts = []
    for c in columns:
        t, clear = _text(c.name), f"not regexp_full_match({_text(c.name)}, {sql_str(_AMBIGUOUS)})"
        parts += [f"min(_row) filter (where regexp_full_match({t}, {sql_str(_SHOWS_POINT)}) and {clear})",
                  f"min(_row) filter (where regexp_full_match({t}, {sql_str(_SHOWS_COMMA)}) and {clear})",
                  f"min(_row) filter (where regexp_full_match({t}, {sql_str(_AMBIGUOUS)}))"
                  if c.type is ColumnType.FLOAT else "null"]
    found = con.execute(f"select {', '.join(parts)} from {raw}").fetchall()[0]

    def first(kind: int) -> tuple[str, int, str] | None:
        hits = [(row, c.name) for c, row in zip(columns, found[kind::3], strict=True) if row]
        if not hits:
            return None
        row, name = min(hits)
        value = con.execute(f"select {ident(name)} from {raw} where _row = ?", [row]).fetchall()[0][0]
        return name, row, f"column {name}, {locate(row)}: {value.strip()!r}"

    point, comma, ambiguous = first(0), first(1), first(2)
    if point and comma:
        raise DataError(f"{where}: numbers are written with a decimal point ({point[2]}) and with "
                        f"a decimal comma ({comma[2]}); expected one decimal separator in the file")
    if comma:
        return COMMA
    if ambiguous and not point:
        raise DataError(f"{where}: {ambiguous[2]} can be read as a thousands group or as decimals, "
                        f"and no other number in the file shows which separator is the decimal one; "
                        f"expected numbers without thousands separators (1234 or 1.234, or 1234,5 "
                        f"in a file with decimal commas)")
    return POINT
