"""The hand-made account's warehouse and a generated year of pushes with planted content effects."""

from __future__ import annotations

import pytest

from content.account import account_tables
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.sample import SampleSpec, write_sample

from conftest import write_source


@pytest.fixture(scope="session")
def account(tmp_path_factory) -> tuple[dict[str, list[dict]], Warehouse]:
    tables = account_tables()
    wh = Warehouse(build_warehouse(write_source(tmp_path_factory.mktemp("account"), tables)))
    yield tables, wh
    wh.close()


@pytest.fixture(scope="session")
def year(tmp_path_factory) -> tuple[dict, Warehouse]:
    """A year of pushes (~420 articles); few users, because only the content tables matter."""
    path = tmp_path_factory.mktemp("year") / "shop"
    truth = write_sample(path, SampleSpec(seed=13, users=2_000, days=365))
    wh = Warehouse(build_warehouse(path))
    yield truth["content"], wh
    wh.close()
