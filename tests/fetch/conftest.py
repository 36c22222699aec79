"""The loopback WeChat server and a way to run `wxreport fetch` against it (tests/fetch)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from fetch.wechat_server import CHINA, FakeWeChat
from helpers import cli

# A Tuesday morning after 08:00 in Shanghai: yesterday (Mon 2026-11-23) is ready for both sources.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=CHINA)
CREDENTIAL_VARIABLES = ("WECHAT_MP_APPID", "WECHAT_MP_APPSECRET", "WECHAT_OA_APPID", "WECHAT_OA_APPSECRET",
                        "WECHAT_APPID", "WECHAT_APPSECRET", "WXREPORT_FETCH_NOW", "WXREPORT_WECHAT_API_BASE",
                        "WXREPORT_FETCH_RETRY_DELAY")


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def wechat(monkeypatch) -> Iterator[FakeWeChat]:
    """A fresh server at NOW; the environment points the client at it with both apps' credentials."""
    server = FakeWeChat(NOW).start()
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    yield server
    server.stop()


@pytest.fixture
def at(wechat, monkeypatch) -> Callable[[datetime], None]:
    """Move the clock of both the server and the client."""
    def move(now: datetime) -> None:
        wechat.now = now
        monkeypatch.setenv("WXREPORT_FETCH_NOW", now.isoformat())
    return move


@pytest.fixture
def fetch(capsys) -> Callable[..., Result]:
    """`wxreport fetch SOURCE --since S [--until U] --data DIR` in this process, with its output."""
    def run(source: str, since: str, until: str | None, data: Path, *extra: str) -> Result:
        argv = ["fetch", source, "--since", since, "--data", str(data), *extra]
        if until:
            argv += ["--until", until]
        code = cli.main(argv)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)
    return run


def read_table(data: Path, name: str) -> list[dict[str, str]]:
    with open(data / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def tables(data: Path) -> dict[str, list[dict[str, str]]]:
    return {path.stem: read_table(data, path.stem) for path in sorted(data.glob("*.csv"))}
