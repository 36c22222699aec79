"""The Spark engine's tests (marker `spark`): they need requirements-spark.txt and Java 17+, which
`make test` installs (the Makefile) and CI brings (.ci/run installs a JRE when `java` is missing).
One local Spark session per test process (`spark`), started on first use."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.spark)


@pytest.fixture(scope="session")
def spark():
    from helpers.core.spark_session import SparkSettings, open_session

    return open_session(SparkSettings(master="local[2]"))
