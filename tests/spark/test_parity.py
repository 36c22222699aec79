"""Every notebook's JSON is the same on DuckDB and on Spark local[2]: the tiny sample as Parquet, the
whole suite run by `wxreport run` (as `make report` and `make report ENGINE=spark` do; on Spark the
notebooks' kernels share the one local Spark Connect server the runner starts), numbers equal to a
relative 1e-9 and lists in the same order. Also the query level: the warehouses describe the data
alike, and a few queries whose answers are counted by hand here give them on both engines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from helpers.core.spark_session import SparkSettings
from helpers.core.spark_warehouse import SparkWarehouse, prepare_spark
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.sample import SampleSpec, write_sample
from helpers.suite import SUITE
from spark.harness import json_difference

ROOT = Path(__file__).resolve().parents[2]
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
WEEK = "2026-W47"
TINY = SampleSpec(seed=11, users=1500, days=42)  # conftest's tiny sample: weeks W42..W47


def _run(data: Path, out: Path, engine: str) -> str:
    result = subprocess.run([WXREPORT, "run", "--data", str(data), "--period", WEEK, "--out", str(out),
                             "--engine", engine], capture_output=True, text=True, cwd=ROOT, timeout=1500)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="session")
def both_runs(made_once) -> Path:
    """The tiny sample's reports for 2026-W47 on each engine: <folder>/{duckdb,spark}/2026-W47."""
    def make(folder: Path) -> None:
        write_sample(folder / "shop", TINY)
        _run(folder / "shop", folder / "duckdb", "duckdb")
        said = _run(folder / "shop", folder / "spark", "spark")
        (folder / "spark-run.txt").write_text(said, encoding="utf-8")

    return made_once("spark-parity", make)


@pytest.mark.parametrize("notebook", [nb.name for nb in SUITE])
def test_every_notebooks_json_is_the_same_on_spark(both_runs, notebook):
    duck = json.loads((both_runs / "duckdb" / WEEK / f"{notebook}.json").read_text(encoding="utf-8"))
    spark = json.loads((both_runs / "spark" / WEEK / f"{notebook}.json").read_text(encoding="utf-8"))
    assert duck["metrics"], "the DuckDB report holds metrics"
    assert json_difference(duck, spark) is None


def test_the_kernels_share_one_local_spark_server(both_runs):
    said = (both_runs / "spark-run.txt").read_text(encoding="utf-8")
    assert said.count("starting a local Spark Connect server") == 1
    assert f"{len(SUITE)} ok" in said


def test_the_json_comparison_catches_a_difference():
    doc = {"metrics": {"dau": 120.0, "top": [{"channel": "search"}, {"channel": "share"}]}}
    assert json_difference(doc, doc | {"generated_at": "later"}) is None
    assert json_difference(doc, {"metrics": {"dau": 120.0 * (1 + 1e-12), "top": doc["metrics"]["top"]}}) is None
    assert "dau" in json_difference(doc, {"metrics": {"dau": 120.001, "top": doc["metrics"]["top"]}})
    swapped = {"metrics": {"dau": 120.0, "top": doc["metrics"]["top"][::-1]}}
    assert "top[0]" in json_difference(doc, swapped)


@pytest.fixture(scope="module")
def tiny_on_both(tiny_data, tmp_path_factory, spark):
    duck = Warehouse(build_warehouse(tiny_data, target=tmp_path_factory.mktemp("wh") / "tiny.duckdb"))
    on_spark = SparkWarehouse(prepare_spark(SparkSettings(), str(tiny_data), "Asia/Shanghai", spark=spark),
                              SparkSettings(), spark)
    yield duck, on_spark
    duck.close()
    on_spark.close()


def test_the_warehouses_describe_the_data_alike(tiny_on_both):
    duck, on_spark = tiny_on_both
    for key in ("source", "source_name", "tables", "columns", "first_day", "last_day"):
        assert on_spark.meta[key] == duck.meta[key], key
    assert (on_spark.first_date, on_spark.last_date) == (duck.first_date, duck.last_date)
    assert on_spark.quality().equals(duck.quality())


def test_queries_answer_alike_with_the_same_types(tiny_data, tiny_on_both):
    duck, on_spark = tiny_on_both
    events = pq.read_table(tiny_data / "events.parquet").to_pandas()
    launches = int((events["event"] == "launch").sum())  # counted here, without SQL
    sql = ("SELECT event, COUNT(*) AS n, SUM(duration_s) AS s, COUNT(DISTINCT user_id) AS users "
           "FROM events GROUP BY event ORDER BY n DESC, event")
    a, b = duck.query(sql), on_spark.query(sql)
    assert list(a.dtypes) == list(b.dtypes)
    assert a.drop(columns="s").equals(b.drop(columns="s"))
    assert b["s"].to_numpy() == pytest.approx(a["s"].to_numpy(), rel=1e-9, nan_ok=True)
    assert int(b.loc[b["event"] == "launch", "n"].iloc[0]) == launches
    day = "SELECT d.date, COUNT(e.user_id) AS n FROM days d LEFT JOIN events e ON e.event_day = d.day " \
          "WHERE d.day BETWEEN :lo AND :hi GROUP BY d.date ORDER BY d.date"
    params = {"lo": duck.meta["last_day"] - 2, "hi": duck.meta["last_day"] + 1}  # a day after the data
    a, b = duck.query(day, params), on_spark.query(day, params)
    assert a.equals(b) and b["n"].iloc[-1] == 0
