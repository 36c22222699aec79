"""Neither the AppSecret nor an access token appears in any file under the data or output folder, on
stdout / stderr, or in the logs — after fetches through every fault, and after the reports ran."""

from __future__ import annotations

import http.client
import logging
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fetch.wechat_server import MP, OA
from helpers.fetch.client import MAX_ATTEMPTS


def leaks(wechat, folder: Path, *texts: str, appid_too: bool = False) -> list[str]:
    """Where a secret or a token (or, in raw files, an AppID) is found."""
    secrets = wechat.secrets()
    assert len(wechat.tokens()) >= 1
    found = [f"text {i}" for i, text in enumerate(texts) for s in secrets if s in text]
    for path in folder.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            hidden = secrets | ({a.appid for a in wechat.apps.values()} if appid_too or "raw" in path.parts else set())
            found += [str(path) for s in hidden if s.encode() in content]
    return found


def fetch_through_every_fault(wechat, fetch, data: Path) -> list[str]:
    said = []
    wechat.inject("expire", api="getweanalysisappidvisitpage")
    wechat.inject("invalid", api="getusersummary")
    for kind in ("http500", "drop", "malformed", "empty", "no_optional", "unknown_codes"):
        wechat.inject(kind, api="getweanalysisappiddailyvisittrend")
        wechat.inject(kind, api="getbizsummary")
    wechat.inject("errcode", api="getweanalysisappidvisitdistribution", code=-1)
    wechat.inject("errcode", api="getusercumulate", code=45011)
    for source, since, until in ((MP, "2026-11-09", "2026-11-22"), (OA, "2025-10-27", "2025-11-09")):
        result = fetch(source, since, until, data)
        assert result.code == 0, result.err
        said += [result.out, result.err]
    # stops: two expiries in a row, retries running out, the quota
    wechat.inject("expire", times=2)
    wechat.inject("http500", times=MAX_ATTEMPTS)
    for source, since in ((MP, "2026-11-01"), (OA, "2026-11-01")):
        result = fetch(source, since, None, data)
        assert result.code == 2
        said += [result.out, result.err]
    wechat.quota_after = wechat.answered + 3
    result = fetch(MP, "2026-10-20", None, data)
    assert result.code == 3
    said += [result.out, result.err]
    wechat.quota_after = None
    return said


def test_no_secret_or_token_after_fetches_through_every_fault(wechat, fetch, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    said = fetch_through_every_fault(wechat, fetch, tmp_path / "data")
    assert len(wechat.tokens()) >= 4, "tokens were refreshed, so several were in play"
    assert not leaks(wechat, tmp_path / "data", *said, caplog.text)
    assert (tmp_path / "data" / "mp_visits.csv").exists() and (tmp_path / "data" / "followers.csv").exists()


def test_a_base_url_that_is_not_one(wechat, fetch, tmp_path, monkeypatch):
    monkeypatch.setenv("WXREPORT_WECHAT_API_BASE", "htp://127.0.0.1:1")
    result = fetch(MP, "2026-11-01", None, tmp_path)
    assert result.code == 2 and "WXREPORT_WECHAT_API_BASE='htp://127.0.0.1:1' is not a usable URL" in result.err
    assert not wechat.token_requests


@pytest.mark.parametrize("error", [urllib.error.URLError, http.client.InvalidURL, ValueError])
def test_errors_quoting_the_url_are_scrubbed(wechat, fetch, tmp_path, monkeypatch, error):
    """urllib's errors may quote the URL, which carries the token: what is said is scrubbed."""
    real = urllib.request.urlopen

    def urlopen(request, *args, **kwargs):
        if "access_token=" in request.full_url:
            raise error(f"cannot open {request.full_url}")
        return real(request, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    result = fetch(MP, "2026-11-22", None, tmp_path)
    assert result.code == 2 and "access_token=***" in result.err
    assert wechat.tokens()
    assert not leaks(wechat, tmp_path, result.out, result.err)


def test_a_separate_process_says_nothing_secret(wechat, tmp_path):
    env = {**os.environ, **wechat.env(), "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    wechat.inject("expire", api="getweanalysisappiddailysummarytrend")
    wechat.inject("drop", api="getweanalysisappiddailyvisittrend")
    done = subprocess.run([sys.executable, "-c", "import sys; from helpers.cli import main; sys.exit(main())",
                           "fetch", MP, "--since", "2026-11-16", "--data", str(tmp_path)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "getweanalysisappiddailyvisittrend: 8/8 days (done)" in done.stdout
    assert len(wechat.tokens()) == 2
    assert not leaks(wechat, tmp_path, done.stdout, done.stderr)


@pytest.mark.slow
def test_no_secret_after_the_reports_ran(wechat, fetch, tmp_path):
    data, out = tmp_path / "data", tmp_path / "out"
    wechat.inject("expire", api="getweanalysisappidvisitpage")
    for source, since in ((MP, "2026-09-28"), (OA, "2026-09-28")):
        result = fetch(source, since, None, data)
        assert result.code == 0, result.err
    run = subprocess.run([sys.executable, "-c", "import sys; from helpers.cli import main; sys.exit(main())",
                          "run", "--data", str(data), "--out", str(out), "--period", "2026-W47", "--jobs", "2"],
                         capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    assert any(out.rglob("*.html"))
    assert not leaks(wechat, data, run.stdout, run.stderr)
    assert not leaks(wechat, out, appid_too=True)
