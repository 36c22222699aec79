"""Committed notebooks: no outputs, kernelspec for papermill, a parameters cell, and in sync with
their jupytext pair (the .py file reviewers read in diffs)."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert any(p.stem == "weekly_summary" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_kernelspec_and_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "wxreport"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].source.strip().endswith("params = {}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_pair_in_sync(path):
    paired = path.with_suffix(".py")
    assert paired.exists(), f"{paired.name} missing: run `make sync`"
    ipynb = nbformat.read(path, as_version=4)
    py = jupytext.read(paired)
    strip = [(c.cell_type, c.source.strip(), c.metadata.get("tags", [])) for c in ipynb.cells]
    assert strip == [(c.cell_type, c.source.strip(), c.metadata.get("tags", [])) for c in py.cells], \
        f"{path.name} and {paired.name} differ: run `make sync`"
