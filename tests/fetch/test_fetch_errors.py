"""When `wxreport fetch` stops, and what it says: credentials, WeChat's errcodes, the daily quota,
retries that run out, a retired legacy API."""

from __future__ import annotations

import socket
from datetime import date

import pytest

from fetch.checks import assert_complete_oa, raw_answers
from fetch.conftest import read_table
from fetch.wechat_server import MP, OA
from helpers.fetch.client import MAX_ATTEMPTS


def assert_clean(wechat, *texts: str) -> None:
    for text in texts:
        for secret in wechat.secrets():
            assert secret not in text


@pytest.mark.parametrize("source", [MP, OA])
def test_missing_credentials_name_the_variables(wechat, fetch, tmp_path, monkeypatch, source):
    for name in ("WECHAT_MP_APPID", "WECHAT_MP_APPSECRET", "WECHAT_OA_APPID", "WECHAT_OA_APPSECRET"):
        monkeypatch.delenv(name)
    result = fetch(source, "2026-11-16", None, tmp_path)
    assert result.code == 2
    own = "WECHAT_MP_APPID and WECHAT_MP_APPSECRET" if source == MP else "WECHAT_OA_APPID and WECHAT_OA_APPSECRET"
    assert own in result.err and "WECHAT_APPID and WECHAT_APPSECRET" in result.err
    assert not wechat.calls and not wechat.token_requests


def test_half_a_pair_is_an_error_not_a_fallback(wechat, fetch, tmp_path, monkeypatch):
    monkeypatch.delenv("WECHAT_OA_APPSECRET")
    monkeypatch.setenv("WECHAT_APPID", "wxfallback")
    monkeypatch.setenv("WECHAT_APPSECRET", "fallback-secret")
    result = fetch(OA, "2026-11-16", None, tmp_path)
    assert result.code == 2 and "WECHAT_OA_APPID is set but WECHAT_OA_APPSECRET is not" in result.err


def test_the_shared_pair_serves_when_the_own_one_is_unset(wechat, fetch, tmp_path, monkeypatch):
    app = wechat.apps[MP]
    monkeypatch.delenv("WECHAT_MP_APPID")
    monkeypatch.delenv("WECHAT_MP_APPSECRET")
    monkeypatch.setenv("WECHAT_APPID", app.appid)
    monkeypatch.setenv("WECHAT_APPSECRET", app.secret)
    assert fetch(MP, "2026-11-20", None, tmp_path).code == 0
    assert wechat.token_requests[0]["appid"] == app.appid


def test_each_source_uses_its_own_app(wechat, fetch, tmp_path, monkeypatch):
    monkeypatch.setenv("WECHAT_APPID", "wxshared")  # set but not used: each source has its own pair
    monkeypatch.setenv("WECHAT_APPSECRET", "shared-secret")
    assert fetch(MP, "2026-11-22", None, tmp_path).code == 0
    assert fetch(OA, "2026-11-22", None, tmp_path).code == 0
    assert [r["appid"] for r in wechat.token_requests] == [wechat.apps[MP].appid, wechat.apps[OA].appid]
    assert not wechat.violations


@pytest.mark.parametrize(("variable", "value", "code", "words"), [
    ("WECHAT_OA_APPID", "wxnotmine", 40013, "invalid AppID"),
    ("WECHAT_OA_APPSECRET", "wrong-secret-value", 40125, "invalid AppSecret"),
])
def test_wrong_credentials_stop_with_the_code_and_the_variables(wechat, fetch, tmp_path, monkeypatch,
                                                                variable, value, code, words):
    monkeypatch.setenv(variable, value)
    result = fetch(OA, "2026-11-16", None, tmp_path)
    assert result.code == 2
    assert f"WeChat error {code}: {words}" in result.err
    assert "WECHAT_OA_APPID / WECHAT_OA_APPSECRET" in result.err
    assert value not in result.err or variable.endswith("APPID")  # the secret is never repeated
    assert_clean(wechat, result.out, result.err)


@pytest.mark.parametrize(("code", "words"), [
    (48001, "not authorised for this account"), (61501, "date range error"), (40097, "invalid arguments"),
    (40164, "IP whitelist"), (61004, "IP whitelist"), (12345, "global return codes"),
])
def test_other_errcodes_stop_with_the_code_its_meaning_and_the_api(wechat, fetch, tmp_path, code, words):
    wechat.inject("errcode", api="getusercumulate", code=code)
    result = fetch(OA, "2025-10-27", "2025-11-09", tmp_path)
    assert result.code == 2
    assert f"getusercumulate: WeChat error {code}: " in result.err and words in result.err
    assert [c.api for c in wechat.calls].count("getusercumulate") == 1, "no retry"
    assert ("getusersummary", "2025-10-27") in raw_answers(tmp_path), "what came before is kept"
    assert_clean(wechat, result.out, result.err)


def test_the_ip_whitelist_error_on_the_token_says_where_to_add_the_address(wechat, fetch, tmp_path, monkeypatch):
    monkeypatch.setattr(wechat, "token", lambda body: {"errcode": 40164, "errmsg": "invalid ip 203.0.113.7, "
                                                                                     "not in whitelist"})
    result = fetch(MP, "2026-11-20", None, tmp_path)
    assert result.code == 2
    assert "40164" in result.err and "203.0.113.7" in result.err and "IP whitelist" in result.err
    assert "Development Settings" in result.err


def test_an_expired_token_twice_in_a_row_stops(wechat, fetch, tmp_path):
    wechat.inject("expire", api="getweanalysisappiddailyvisittrend", times=2)
    result = fetch(MP, "2026-11-20", None, tmp_path)
    assert result.code == 2
    assert "getweanalysisappiddailyvisittrend: WeChat error 42001: the access token has expired" in result.err
    assert [r["force_refresh"] for r in wechat.token_requests] == [False, True]
    assert_clean(wechat, result.out, result.err)


def test_retries_run_out(wechat, fetch, tmp_path):
    wechat.inject("http500", api="getusersummary", times=MAX_ATTEMPTS)
    result = fetch(OA, "2026-11-16", None, tmp_path)
    assert result.code == 2
    said = f"getusersummary: gave up after {MAX_ATTEMPTS} attempts: HTTP 500 from /datacube/getusersummary"
    assert said in result.err
    assert result.err.count("trying again") == MAX_ATTEMPTS - 1


def test_retries_of_a_busy_system_that_recovers(wechat, fetch, tmp_path):
    wechat.inject("errcode", api="getusersummary", code=-1, times=MAX_ATTEMPTS - 1)
    result = fetch(OA, "2026-11-16", None, tmp_path)
    assert result.code == 0, result.err
    assert_complete_oa(tmp_path, date(2026, 11, 16), date(2026, 11, 23))


def test_a_server_that_does_not_answer(wechat, fetch, tmp_path, monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("WXREPORT_WECHAT_API_BASE", f"http://127.0.0.1:{port}")
    result = fetch(MP, "2026-11-20", None, tmp_path)
    assert result.code == 2
    assert "access token: gave up after" in result.err and "ConnectionRefusedError" in result.err


def test_a_retired_legacy_api_is_skipped_with_a_warning(wechat, fetch, tmp_path):
    wechat.inject("errcode", api="getarticletotal", code=47009, day=date(2025, 10, 29))
    result = fetch(OA, "2025-10-27", "2025-11-09", tmp_path)
    assert result.code == 0, result.err
    assert "getarticletotal: retired by WeChat (47009)" in result.err
    assert [c.begin for c in wechat.data_calls("getarticletotal")] == [date(2025, 10, 27), date(2025, 10, 28),
                                                                        date(2025, 10, 29)]
    assert wechat.data_calls("getuserread") and wechat.data_calls("getarticletotaldetail")  # the rest goes on
    assert read_table(tmp_path, "followers")


def test_a_retired_api_that_is_not_legacy_stops(wechat, fetch, tmp_path):
    wechat.inject("errcode", api="getbizsummary", code=47009)
    result = fetch(OA, "2025-10-27", "2025-11-09", tmp_path)
    assert result.code == 2 and "getbizsummary: WeChat error 47009: this API has been retired" in result.err


def test_the_daily_quota_stops_keeps_and_says_when_to_resume(wechat, fetch, tmp_path):
    wechat.quota_after = 10
    result = fetch(MP, "2026-11-09", "2026-11-22", tmp_path)
    assert result.code == 3
    assert "45009" in result.err
    assert "resets at 00:00 Asia/Shanghai (2026-11-25 00:00 +08:00, in 14 h 0 min)" in result.err
    assert "rerun the same command" in result.err
    assert len(raw_answers(tmp_path)) == 10
    assert "tables written" in result.out  # what was fetched is converted too
    assert len([c for c in wechat.calls if c.answered == "errcode 45009"]) == 1


def test_since_after_until(fetch, tmp_path):
    result = fetch(MP, "2026-11-20", "2026-11-10", tmp_path)
    assert result.code == 2 and "after --until" in result.err
