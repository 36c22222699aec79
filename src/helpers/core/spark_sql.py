"""DuckDB SQL to Spark SQL, by sqlglot: each metric query is written once (for DuckDB, with `:name`
placeholders) and translated here when it runs on Spark.

sqlglot does the dialect work (types, NULL ordering made explicit, function names); the rewrites
below cover what it leaves as DuckDB or where Spark's defaults mean something else:

- `regexp_full_match(s, p)` -> `s RLIKE '^(?:p)$'` (the loader's readers of text values);
- `isfinite(x)` -> `NOT isnan(x) AND abs(x) < double('Infinity')`, NULL for NULL as in DuckDB;
- `timezone(zone, ts)` on an instant -> the local wall time in `zone` (the session runs in UTC);
- `epoch(ts)` -> seconds with fractions, as DuckDB's (its cast to BIGINT then rounds the same way);
- a fraction cast to a whole number is rounded (DuckDB rounds, Spark truncates);
- decimal literals (`7.0`) -> DOUBLE: DuckDB divides decimals in floating point, Spark in
  decimals of limited scale (relative errors of 1e-7);
- names are quoted (Spark reserves words DuckDB does not, e.g. `stream`);
- placeholders -> `:wxp_<name>`, so that a parameter named like a keyword (`:end`) stays a
  parameter in Spark's grammar.

Translations are cached per query text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp

PREFIX = "wxp_"  # Spark's name of a placeholder `:x` is `:wxp_x`
_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def spark_args(params: dict[str, Any]) -> dict[str, Any]:
    """The values of a query's placeholders under the names `to_spark` gave them."""
    return {PREFIX + name: value for name, value in params.items()}


@lru_cache(maxsize=2048)
def to_spark(sql: str) -> str:
    """The Spark SQL of a DuckDB query written with `:name` placeholders."""
    duck = _PLACEHOLDER.sub(lambda m: "$" + m.group(1), sql)
    tree = sqlglot.parse_one(duck, read="duckdb")
    tree = tree.transform(_rewrite)
    # Every name quoted: a CTE may be named by a word Spark reserves (`stream`).
    return tree.sql(dialect="spark", identify=True)


@lru_cache(maxsize=4096)
def expression_to_spark(expression: str) -> str:
    """The Spark SQL of one DuckDB expression (a column's typed value, a check's condition)."""
    return sqlglot.parse_one(expression, read="duckdb").transform(_rewrite).sql(dialect="spark")


def placeholders(sql: str) -> set[str]:
    return set(_PLACEHOLDER.findall(sql))


def _function(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    return type(node).__name__.lower() if isinstance(node, exp.Func) else ""


def _args(node: exp.Expression) -> list[exp.Expression]:
    """A function's arguments, rewritten (a node that `_rewrite` replaces is not descended into
    by sqlglot's transform, so its children are rewritten here)."""
    if isinstance(node, exp.Anonymous):
        found = list(node.expressions)
    else:
        found = [a for a in (node.this, node.expression) if isinstance(a, exp.Expression)]
    return [a.transform(_rewrite) for a in found]


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Placeholder) and node.this:
        return exp.Placeholder(this=PREFIX + str(node.this))
    if isinstance(node, exp.Literal) and not node.is_string and "." in node.this \
            and "e" not in node.this.lower():
        return exp.cast(node.copy(), exp.DataType.build("double"))
    if isinstance(node, exp.Cast) and node.to.is_type(*exp.DataType.INTEGER_TYPES) \
            and isinstance(node.this, (exp.Div, exp.TimeToUnix)):
        # DuckDB rounds a fraction cast to a whole number; Spark truncates it.
        return exp.Cast(this=exp.Round(this=node.this.transform(_rewrite)), to=node.to)
    name = _function(node)
    if name in {"regexpfullmatch", "regexp_full_match"}:
        text, pattern = _args(node)
        if isinstance(pattern, exp.Literal):
            pattern = exp.Literal.string(f"^(?:{pattern.this})$")
        return exp.RegexpLike(this=text, expression=pattern)
    if name == "isfinite":
        (x,) = _args(node)
        return sqlglot.parse_one(
            f"(NOT isnan({x.sql('spark')}) AND abs({x.sql('spark')}) < double('Infinity'))",
            read="spark")
    if name == "timezone" and isinstance(node, exp.Anonymous):
        zone, ts = _args(node)
        return sqlglot.parse_one(
            f"CAST(from_utc_timestamp({ts.sql('spark')}, {zone.sql('spark')}) AS TIMESTAMP_NTZ)",
            read="spark")
    if isinstance(node, exp.TimeToUnix):
        ts = node.this.transform(_rewrite).sql("spark")
        return sqlglot.parse_one(f"(unix_micros(CAST({ts} AS TIMESTAMP)) / 1000000.0D)", read="spark")
    return node
