"""The JSON for programs: `schema_version` and `units` in every notebook's JSON, committed JSON Schemas
equal to the ones generated from the output contracts and the metric registry, and a run's outputs
valid against them."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.core.metrics import METRICS
from helpers.core.periods import Period
from helpers.render import schema
from helpers.render.outputs import CONTRACTS, PAYLOAD_KEYS, SCHEMA_VERSION, build_payload, units

ROOT = Path(__file__).resolve().parents[2]
WEEK = Period.parse("2026-W47")
SUMMARY = {"verdict": "ok", "top_finding": None, "alerts": [], "sections_skipped": []}


@functools.cache
def validator(notebook: str) -> jsonschema.Draft202012Validator:
    doc = json.loads((ROOT / "schemas" / f"{notebook}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(doc)


def errors(notebook: str, doc: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(notebook).iter_errors(doc)]


# Example values by unit, as the notebooks publish them.
EXAMPLE = {"users": 1234, "orders": 56, "count": 7, "CNY": 177166.96, "fraction": 0.183,
           "relative_change": -0.098, "points": 1.5, "ratio": 1.2, "seconds": 30.0, "minutes": 2.0,
           "id": "2026-W45"}
ITEMS = {
    "campaigns": {"campaign_id": "CAB", "type": "coupon", "method": "randomized", "metric": "conversion",
                  "lift_abs": 0.02, "lift_rel": 0.13, "ci_low": 0.005, "ci_high": 0.037, "p_value": 0.002,
                  "srm_p_value": None, "cost": 10000.0, "roas": 1.34, "roi": -0.46, "roi_low": -1.38,
                  "roi_high": 0.46},
    "series": {"metric": "daily_gmv", "model": "structural", "horizon_days": 28, "mase_backtest": 1.2,
               "mase_seasonal_naive": 1.7, "coverage80": 0.89, "coverage95": 0.99, "transform": "log"},
    "anomalies": {"metric": "daily_gmv", "date": "2026-11-20", "actual": 34100.0, "expected": 21000.0,
                  "lo95": 16100.0, "hi95": 27500.0, "direction": "up", "severity": 2.5},
    "merchants": {"id": "M007", "gmv": 12800.5, "orders": 73, "buyers": None, "status": "active"},
}


def example(notebook: str) -> dict:
    """A document as `Report.publish` + `footer` write it, with a value for every contract key."""
    metrics = {k: [ITEMS[k]] if k in ITEMS else EXAMPLE[METRICS[k].unit] for k in CONTRACTS[notebook].metrics}
    definitions = {k: f"one object per {k[:-1]}" for k in metrics if k in ITEMS}  # given by the notebook
    return build_payload(notebook, WEEK, "sample", "Asia/Shanghai", metrics, definitions) | {"summary": SUMMARY}


@pytest.mark.parametrize("notebook", sorted(CONTRACTS))
def test_the_committed_schema_is_the_generated_one(notebook):
    committed = (ROOT / "schemas" / f"{notebook}.schema.json").read_text(encoding="utf-8")
    assert committed == schema.text(notebook), "run `.venv/bin/python -m helpers.render.schema` and commit"
    jsonschema.Draft202012Validator.check_schema(json.loads(committed))


def test_there_is_one_schema_per_notebook_and_no_other():
    assert sorted(p.name for p in (ROOT / "schemas").glob("*.json")) == sorted(
        f"{nb}.schema.json" for nb in CONTRACTS)


def test_every_json_says_its_schema_version_and_the_unit_of_each_registered_metric():
    doc = build_payload("weekly_summary", WEEK, "sample", "Asia/Shanghai",
                        {"gmv": 1.0, "gmv_wow": None, "orders": 3, "campaigns": [], "not_registered": 1})
    assert tuple(doc) == PAYLOAD_KEYS and doc["schema_version"] == SCHEMA_VERSION
    assert doc["units"] == {"gmv": "CNY", "gmv_wow": "relative_change", "orders": "orders"}
    assert units({"retention_d7": None}) == {"retention_d7": "fraction"}  # null metrics keep their unit


@pytest.mark.parametrize("notebook", sorted(CONTRACTS))
def test_a_document_as_notebooks_write_it_is_valid(notebook):
    assert errors(notebook, example(notebook)) == []
    nulls = example(notebook)  # a metric that cannot be computed is null
    nulls["metrics"] = {k: [] if isinstance(v, list) else None for k, v in nulls["metrics"].items()}
    assert errors(notebook, nulls) == []
    extra = example(notebook) | {"later_key": {"x": 1}}  # additions are allowed
    extra["metrics"]["later_metric"] = "anything"
    extra["summary"] = SUMMARY | {"findings": ["a"]}
    assert errors(notebook, extra) == []


@pytest.mark.parametrize("notebook", sorted(CONTRACTS))
def test_the_schema_rejects_what_breaks_the_contract(notebook):
    key = CONTRACTS[notebook].metrics[0]
    broken = {
        "no schema_version": lambda d: d.pop("schema_version"),
        "other version": lambda d: d.update(schema_version="0.9"),
        "no units": lambda d: d.pop("units"),
        "no summary": lambda d: d.pop("summary"),
        "summary without verdict": lambda d: d["summary"].pop("verdict"),
        "wrong notebook": lambda d: d.update(notebook="other"),
        "period not a week": lambda d: d.update(period="2026-11-16"),
        "a contract metric missing": lambda d: d["metrics"].pop(key),
        "its definition missing": lambda d: d["definitions"].pop(key),
        "a number as text": lambda d: d["metrics"].update({key: "12"}),
    }
    for what, change in broken.items():
        doc = json.loads(json.dumps(example(notebook)))
        change(doc)
        assert errors(notebook, doc), what


def test_types_follow_the_registry_units():
    doc = example("user_analysis")
    doc["metrics"]["retention_d7"] = -0.1  # a fraction is not negative
    doc["units"]["retention_d7"] = "CNY"  # the unit is the registry's
    doc["metrics"]["retention_d7_latest_cohort"] = 2.5  # an id is text or a whole number
    assert len(errors("user_analysis", doc)) == 3
    campaign = example("campaign_evaluation")
    campaign["metrics"]["campaigns"][0]["method"] = "guess"
    campaign["metrics"]["campaigns"][0].pop("roi_low")
    assert len(errors("campaign_evaluation", campaign)) == 2
    forecast = example("forecasting")
    forecast["metrics"]["anomalies"][0]["direction"] = "sideways"
    assert len(errors("forecasting", forecast)) == 1
    merchants = example("merchant_performance")
    merchants["metrics"]["merchants"][0]["status"] = "quiet"  # not a status the list carries
    merchants["metrics"]["merchants"][0]["id"] = 7  # a merchant's code is text
    merchants["metrics"]["merchants"][0].pop("buyers")
    assert len(errors("merchant_performance", merchants)) == 3


def value(unit: str) -> st.SearchStrategy:
    """Any value a metric of `unit` may take: null, or a finite number inside the unit's range."""
    low = {"fraction": 0, "ratio": 0, "relative_change": -1}.get(unit, -10**9)
    return st.one_of(st.none(), st.integers(low, 10**9),
                     st.floats(low, 1e12, allow_nan=False, allow_infinity=False))


def drawn_metrics(notebook: str) -> st.SearchStrategy:
    return st.fixed_dictionaries({k: value(METRICS[k].unit) for k in CONTRACTS[notebook].metrics
                                  if k not in ITEMS and METRICS[k].unit != "id"})


@given(st.sampled_from(sorted(CONTRACTS)).flatmap(lambda nb: st.tuples(st.just(nb), drawn_metrics(nb))))
def test_any_finite_or_null_value_of_the_right_kind_is_valid(drawn):
    notebook, metrics = drawn
    doc = example(notebook)
    doc["metrics"].update(metrics)
    assert errors(notebook, doc) == []


@pytest.mark.slow
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_json_of_a_run_is_valid_against_its_schema(made_once, language):
    """The bundled sample's 2026-W47 run, shared with the end-to-end tests (the same `made_once`
    run), validated file by file."""
    from e2e.conftest import WEEK as RUN_WEEK
    from e2e.conftest import run_suite

    week = made_once(f"bundled-{language}", lambda folder: run_suite(folder, language)) / "reports" / RUN_WEEK
    checked = []
    for notebook in sorted(CONTRACTS):
        doc = json.loads((week / f"{notebook}.json").read_text(encoding="utf-8"))
        assert errors(notebook, doc) == [], notebook
        assert doc["units"] == units(doc["metrics"])
        checked.append(notebook)
    assert checked == sorted(CONTRACTS)
