"""`wxreport weekly` / `make weekly`: fetch what is missing for each configured source, then report."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from fetch.checks import assert_complete_mp, assert_complete_oa
from fetch.conftest import CREDENTIAL_VARIABLES
from fetch.wechat_server import MP, RULES
from helpers import cli
from helpers.fetch import command

ROOT = Path(__file__).resolve().parents[2]
SINCE = date(2026, 9, 1)  # NOW's ready day 2026-11-23: 8 weeks back from 09-28, two months from 09-01


@pytest.fixture
def reports(monkeypatch) -> list[list[str]]:
    """The `wxreport run` calls weekly makes (recorded, not run)."""
    calls: list[list[str]] = []
    monkeypatch.setattr(cli, "_run", lambda argv: calls.append(list(argv)) or 0)
    return calls


def test_without_credentials_it_says_so_and_only_reports(wechat, reports, capsys, monkeypatch):
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["weekly", "--period", "2026-W47", "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "no WeChat credentials in the environment" in out
    assert reports == [["--jobs", "2", "--period", "2026-W47"]]
    assert not wechat.calls and not wechat.token_requests


def test_with_one_source_configured_it_fetches_that_source_then_reports(wechat, reports, capsys, monkeypatch,
                                                                          tmp_path):
    for name in ("WECHAT_OA_APPID", "WECHAT_OA_APPSECRET"):
        monkeypatch.delenv(name)
    data = tmp_path / "wechat"
    assert cli.main(["weekly", "--data", str(data), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert f"mini-program: fetching the missing days since {SINCE}" in out and "tables written" in out
    assert {c.api for c in wechat.calls} <= {api for api, rule in RULES.items() if rule[0] == MP}
    assert min(c.begin for c in wechat.calls) == SINCE
    assert not wechat.violations
    assert_complete_mp(data, SINCE, date(2026, 11, 23))
    assert reports == [["--data", str(data), "--out", str(tmp_path / "out")]]


def test_both_sources_and_the_quota(wechat, reports, capsys, tmp_path):
    data = tmp_path / "wechat"
    wechat.quota_after = 100
    assert cli.main(["weekly", "--data", str(data), "--weeks", "2"]) == command.EXIT_QUOTA
    err = capsys.readouterr().err
    assert err.count("45009") == 2, "each source stopped by the quota, the report made anyway"
    assert reports == [["--data", str(data)]]
    wechat.quota_after = None
    assert cli.main(["weekly", "--data", str(data), "--weeks", "2"]) == 0
    assert_complete_mp(data, SINCE, date(2026, 11, 23))
    assert_complete_oa(data, SINCE, date(2026, 11, 23))
    assert len(reports) == 2


def test_an_error_stops_before_the_report(wechat, reports, capsys, tmp_path):
    wechat.inject("errcode", api="getusersummary", code=48001)
    assert cli.main(["weekly", "--data", str(tmp_path)]) == command.EXIT_ERROR
    assert "getusersummary: WeChat error 48001" in capsys.readouterr().err
    assert reports == []


def test_the_default_folder_of_wechat_numbers():
    assert command.weekly_data_dir(None) == ROOT / "data" / "wechat"  # data/ is not committed
    assert command.weekly_data_dir("x") == Path("x")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_weekly_passes_its_variables():
    done = subprocess.run(["make", "-n", "-W", ".venv/.installed", "weekly", "DATA=/tmp/wx data", "PERIOD=2026-W47",
                           "OUT=/tmp/out", "WEEKS=3"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert ('.venv/bin/wxreport weekly --data "/tmp/wx data" --period "2026-W47" --out "/tmp/out" --weeks "3"'
            in " ".join(done.stdout.split()))
