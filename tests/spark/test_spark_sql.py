"""DuckDB SQL to Spark SQL: what sqlglot leaves as DuckDB, or where Spark's defaults mean something
else, is rewritten (core.spark_sql); each rewrite checked on a local Spark session against the
value DuckDB gives, worked out by hand."""

from __future__ import annotations

import duckdb
import pytest

from helpers.core.spark_sql import expression_to_spark, placeholders, spark_args, to_spark


def test_placeholders_keep_their_values_even_when_named_like_a_keyword():
    sql = "SELECT COUNT(*) AS n FROM t WHERE d BETWEEN :lo AND :end"
    spark_sql = to_spark(sql)
    assert ":wxp_lo" in spark_sql and ":wxp_end" in spark_sql
    assert placeholders(sql) == {"lo", "end"}
    assert spark_args({"lo": 1, "end": 2}) == {"wxp_lo": 1, "wxp_end": 2}


def test_names_spark_reserves_are_quoted():
    assert "`stream`" in to_spark("WITH stream AS (SELECT 1 AS x) SELECT s.x FROM stream s")


CASES = [  # DuckDB expression -> the value both engines give (by hand)
    ("regexp_full_match('12a', '[0-9]+')", False),   # a full match, not a search
    ("regexp_full_match('123', '[0-9]+')", True),
    ("isfinite(cast('NaN' as double))", False),
    ("isfinite(cast('inf' as double))", False),
    ("isfinite(2.5)", True),
    ("7 / 2", 3.5),                                    # whole numbers divide to a fraction
    ("1.0 / 3", 1 / 3),                                # a decimal literal divides as DOUBLE
    ("cast(7 / 2 as integer)", 4),                     # DuckDB rounds a fraction cast to INTEGER
    ("epoch(timestamp '2026-11-16 08:30:00.6')::bigint", 1_794_817_801),  # 20773 days * 86400 + 30600.6, rounded
    ("datediff('day', DATE '1970-01-01', cast(timestamp '2026-11-16 23:59:59' as date))", 20_773),
]


@pytest.mark.parametrize(("expression", "value"), CASES, ids=[c[0] for c in CASES])
def test_rewritten_expressions_give_duckdbs_value_on_spark(expression, value, spark):
    assert duckdb.sql(f"SELECT {expression}").fetchall()[0][0] == pytest.approx(value)
    got = spark.sql(f"SELECT {expression_to_spark(expression)}").collect()[0][0]
    assert got == pytest.approx(value)


def test_nulls_sort_last_as_in_duckdb(spark):
    sql = "SELECT x FROM (VALUES (2), (NULL), (1)) AS t(x) ORDER BY x"
    assert [r[0] for r in duckdb.sql(sql).fetchall()] == [1, 2, None]
    assert [r[0] for r in spark.sql(to_spark(sql)).collect()] == [1, 2, None]
