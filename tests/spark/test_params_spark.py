"""`engine` and `spark.*` in params: defaults, and a wrong value named by its dotted key."""

from __future__ import annotations

import pytest

from helpers.core.errors import ParamError
from helpers.core.params import SharedParams, load_params


def _defaults(tmp_path, text: str):
    (tmp_path / "defaults.yaml").write_text(text, encoding="utf-8")
    return load_params("user_analysis", SharedParams, tmp_path)


def test_duckdb_is_the_default_and_spark_runs_locally_on_two_cores(tmp_path):
    values = _defaults(tmp_path, "data: sample\n").values
    assert values.engine == "duckdb"
    assert (values.spark.master, values.spark.remote, values.spark.database) == ("local[2]", None, None)


def test_a_cluster_and_a_catalog_database(tmp_path):
    values = _defaults(tmp_path, "engine: spark\nspark:\n  remote: sc://spark-host:15002\n"
                                 "  database: shop\n  conf: {spark.executor.memory: 4g}\n").values
    assert values.spark.remote == "sc://spark-host:15002" and values.spark.database == "shop"
    assert values.spark.conf == {"spark.executor.memory": "4g"}


@pytest.mark.parametrize(("yaml", "key"), [
    ("engine: postgres\n", "engine"),
    ("spark:\n  remote: http://spark-host:15002\n", "spark.remote"),
    ("spark:\n  master: local[two]\n", "spark.master"),
    ("spark:\n  executors: 4\n", "spark.executors"),
])
def test_a_wrong_value_names_its_key(tmp_path, yaml, key):
    with pytest.raises(ParamError, match=f"key '{key}'"):
        _defaults(tmp_path, yaml)
