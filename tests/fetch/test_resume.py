"""A fetch stopped by the daily quota or interrupted at any point resumes, on a rerun, into the same
tables as a fetch that was never stopped: nothing lost, nothing twice."""

from __future__ import annotations

import os
import random
import urllib.request
from collections import Counter
from datetime import date

import pytest

from fetch.checks import assert_complete_mp, assert_complete_oa, raw_answers
from fetch.conftest import tables
from fetch.wechat_server import MP, OA
from helpers.fetch import store as store_module
from helpers.fetch.apis import APIS

RANGES = {MP: ("2026-11-16", "2026-11-22"), OA: ("2025-10-29", "2025-11-04")}


def complete(data, source):
    first, last = (date.fromisoformat(d) for d in RANGES[source])
    (assert_complete_mp if source == MP else assert_complete_oa)(data, first, last)


def final_calls_once(wechat, lost: int = 0) -> None:
    """Every answered request of an API whose answers are final at once was asked only once, but
    for `lost` answers that never reached the disk."""
    answered = Counter((c.api, c.begin) for c in wechat.calls if c.answered == "data"
                       and not APIS[c.api].final_periods)
    assert len([k for k, n in answered.items() if n > 1]) <= lost


@pytest.mark.parametrize("source", [MP, OA])
@pytest.mark.parametrize("seed", range(4))
def test_resume_after_the_quota(wechat, fetch, tmp_path, source, seed):
    since, until = RANGES[source]
    assert fetch(source, since, until, tmp_path / "clean").code == 0
    calls = len(wechat.calls)
    wechat.calls.clear()
    quota = random.Random(seed).randrange(calls) if seed else 0
    wechat.answered, wechat.quota_after = 0, quota
    stopped = fetch(source, since, until, tmp_path / "resumed")
    assert stopped.code == 3, stopped.err
    assert len(raw_answers(tmp_path / "resumed")) == quota
    wechat.quota_after = None  # the next day
    resumed = fetch(source, since, until, tmp_path / "resumed")
    assert resumed.code == 0, resumed.err
    assert tables(tmp_path / "resumed") == tables(tmp_path / "clean")
    assert raw_answers(tmp_path / "resumed") == raw_answers(tmp_path / "clean")
    complete(tmp_path / "resumed", source)
    final_calls_once(wechat)


class _Interrupting:
    """os for the raw store, with a Ctrl-C at the n-th os.replace (a file written, not yet in place)."""

    def __init__(self, at: int):
        self.left = at

    def __getattr__(self, name):
        return getattr(os, name)

    def replace(self, source, target):
        self.left -= 1
        if self.left < 0:
            raise KeyboardInterrupt
        return os.replace(source, target)


@pytest.mark.parametrize("source", [MP, OA])
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("where", ["request", "write"])
def test_resume_after_an_interruption_at_a_random_point(wechat, fetch, tmp_path, monkeypatch, source, seed, where):
    since, until = RANGES[source]
    assert fetch(source, since, until, tmp_path / "clean").code == 0
    requests = len(wechat.calls) + len(wechat.token_requests)
    wechat.calls.clear()
    at = random.Random(seed).randrange(requests)
    if where == "request":
        real, count = urllib.request.urlopen, [0]

        def urlopen(*args, **kwargs):
            count[0] += 1
            if count[0] > at:
                raise KeyboardInterrupt
            return real(*args, **kwargs)

        monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    else:
        monkeypatch.setattr(store_module, "os", _Interrupting(at))
    stopped = fetch(source, since, until, tmp_path / "resumed")
    assert stopped.code == 130 and "rerun the same command" in stopped.err
    monkeypatch.undo()
    for name, value in wechat.env().items():
        monkeypatch.setenv(name, value)
    leftovers = [p for p in (tmp_path / "resumed").rglob("*") if p.is_file() and p.name.startswith(".")]
    assert not leftovers, "an interrupted write leaves no temporary file"
    resumed = fetch(source, since, until, tmp_path / "resumed")
    assert resumed.code == 0, resumed.err
    assert tables(tmp_path / "resumed") == tables(tmp_path / "clean")
    assert raw_answers(tmp_path / "resumed") == raw_answers(tmp_path / "clean")
    final_calls_once(wechat, lost=1 if where == "write" else 0)  # the answer being written when stopped


def test_a_damaged_raw_file_is_fetched_again_and_a_stale_temporary_file_ignored(wechat, fetch, tmp_path):
    since, until = RANGES[MP]
    assert fetch(MP, since, until, tmp_path).code == 0
    folder = tmp_path / "raw" / "getweanalysisappiddailyvisittrend"
    (folder / "2026-11-18.json").write_text('{"api": "getweanalys', encoding="utf-8")  # a disk that lied
    stale = folder / ".partial-killed.tmp"
    stale.write_text("{", encoding="utf-8")
    os.utime(stale, (0, 0))
    before = len(wechat.calls)
    again = fetch(MP, since, until, tmp_path)
    assert again.code == 0, again.err
    assert "1 raw file(s) could not be read" in again.err
    asked = [(c.api, c.begin) for c in wechat.calls[before:] if c.api == "getweanalysisappiddailyvisittrend"]
    assert asked == [("getweanalysisappiddailyvisittrend", date(2026, 11, 18))]
    assert not stale.exists()
    complete(tmp_path, MP)
