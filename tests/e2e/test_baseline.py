"""The bundled sample's reports publish the numbers commit ea798a7 published (apart from the
deliberate, listed changes of `e2e.baseline`) and show the words of the `visible` fixture, in zh
and en. The notes' list of definitions is not compared (it holds exactly the metrics shown).

The runs are `bundled_run`'s (tests/e2e/conftest.py): the Chinese one is also the run that
test_end_to_end checks."""

from __future__ import annotations

import pytest

from e2e.baseline import compare


@pytest.mark.slow
@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_bundled_sample_reports_as_before(language, bundled_run):
    assert compare(bundled_run(language), language) == []
