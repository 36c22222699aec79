"""The random shops most user-analysis tests compare against the plain-Python reference."""

from __future__ import annotations

import pandas as pd
import pytest

from users import reference as ref
from users.shops import load


@pytest.fixture(scope="session", params=[1, 2, 3])
def shop(request, tmp_path_factory):
    data = ref.random_shop(request.param, n_users=40, days=63, start=pd.Timestamp("2026-09-21").date())
    return data, load(tmp_path_factory.mktemp(f"shop{request.param}"), data)
