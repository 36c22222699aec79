"""The campaign_evaluation notebook through the runner on the tiny sample: the JSON contract of
report-outputs.md, the same numbers as the helpers, and a report a manager can read (zh; en with a
broken split whose SRM warning must stand out)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers.campaigns import evaluation as ca
from helpers.campaigns.params import CampaignEvaluationParams
from helpers.core.periods import Period
from helpers.render.html import external_references
from helpers.render.outputs import CONTRACTS, PAYLOAD_KEYS

ROOT = Path(__file__).resolve().parents[2]
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
ITEM_KEYS = CONTRACTS["campaign_evaluation"].item_keys["campaigns"]
pytestmark = pytest.mark.slow


def run(*args: str) -> None:
    result = subprocess.run([WXREPORT, "run", "--only", "campaign_evaluation", *args], capture_output=True,
                            text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def zh_run(tiny_data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ce-e2e") / "reports"
    run("--data", str(tiny_data), "--out", str(out))
    return out / "2026-W47"


@pytest.fixture(scope="module")
def broken_split_run(tiny_data, tmp_path_factory) -> Path:
    """English, with 30% of the treatment arm's assignments lost."""
    base = tmp_path_factory.mktemp("ce-srm")
    data = base / "shop"
    shutil.copytree(tiny_data, data)
    assignments = pd.read_parquet(data / "assignments.parquet")
    treated = assignments.index[assignments["variant"] == "treatment"]
    assignments.drop(treated[: int(0.3 * len(treated))]).to_parquet(data / "assignments.parquet", index=False)
    params = base / "params"
    params.mkdir()
    (params / "defaults.yaml").write_text("language: en\n")
    run("--data", str(data), "--out", str(base / "reports"), "--params", str(params))
    return base / "reports" / "2026-W47"


def test_json_follows_the_contract_and_the_chinese_report_reads_well(zh_run, tiny_wh):
    doc = json.loads((zh_run / "campaign_evaluation.json").read_text())
    assert tuple(doc) == (*PAYLOAD_KEYS, "summary") and doc["period"] == "2026-W47"
    assert doc["summary"]["alerts"] == []  # the split is sound
    items = doc["metrics"]["campaigns"]
    assert [tuple(i) for i in items] == [ITEM_KEYS] * len(items)  # exactly the documented keys
    assert {i["campaign_id"]: i["method"] for i in items} == {"CAB": "randomized", "CLIVE": "counterfactual"}
    assert "campaigns" in doc["definitions"] and "roi" in doc["definitions"]["campaigns"]
    expected = {e.campaign.campaign_id: e.item(0.4)
                for e in ca.evaluate_all(tiny_wh, Period.parse("2026-W47"), CampaignEvaluationParams())}
    for item in items:
        ref = expected[item["campaign_id"]]
        for key in ITEM_KEYS:
            if isinstance(ref[key], float):
                assert item[key] == pytest.approx(ref[key], rel=1e-9), key
            else:
                assert item[key] == ref[key], key
        assert item["ci_low"] <= item["lift_abs"] <= item["ci_high"]
    cab = next(i for i in items if i["campaign_id"] == "CAB")
    assert 0 <= cab["srm_p_value"] <= 1 and cab["roi"] == pytest.approx(cab["roas"] * 0.4 - 1)

    # ... and the report reads well in Chinese
    page = (zh_run / "campaign_evaluation.html").read_text()
    assert external_references(page) == []
    assert "open_report" not in page and "import " not in page
    for heading in ("本周活动一览", "活动计分卡", "随机对照实验", "无对照组的活动", "活动类型细节", "渠道", "附注"):
        assert f">{heading}<" in page, heading
    assert "ROI = (增量成交额 × 毛利率 40% − 成本) / 成本" in page
    assert "个百分点" in page and "相对" in page  # points for rates, relative lifts labelled
    assert "序贯区间" in page and "安慰剂检验" in page and "样本比例检查通过" in page
    assert page.count('<figure class="wx-chart') >= 3  # lifts, counterfactual, channels (inline SVG)
    assert "campaign_lift_abs" in page  # the definitions appendix


def test_a_broken_split_is_shouted_and_published(broken_split_run):
    doc = json.loads((broken_split_run / "campaign_evaluation.json").read_text())
    cab = next(i for i in doc["metrics"]["campaigns"] if i["campaign_id"] == "CAB")
    assert cab["srm_p_value"] < 0.001
    page = (broken_split_run / "campaign_evaluation.html").read_text()
    banner = page.index("Sample ratio mismatch (SRM)")
    assert 'class="wx-alarm"' in page[banner - 100:banner]  # a red banner, not a quiet note
    assert banner < page.index("Primary metric, conversion")  # before the effects it invalidates
    (alert,) = doc["summary"]["alerts"]
    assert alert["kind"] == "srm" and alert["campaign_id"] == "CAB" and alert["p_value"] < 0.001
    assert doc["summary"]["verdict"] == "attention"
    assert "Campaign evaluation · Week 2026-W47" in page
