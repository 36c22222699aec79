"""Fixtures the delivery tests share: the loopback robot server and a client that does not wait."""

from __future__ import annotations

import pytest

from deliver.robot_server import FakeRobots
from helpers.deliver.http import Http


@pytest.fixture
def robot_server(monkeypatch):
    """The loopback server playing the three robot APIs (no proxy between us and it)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    server = FakeRobots().start()
    yield server
    server.stop()


@pytest.fixture
def robots(robot_server):
    """The robot server of a channel test: no message may mention people or show an image."""
    yield robot_server
    assert not robot_server.violations


@pytest.fixture
def http():
    """A client that retries at once and keeps what it warned."""
    client = Http(delay=0.0, timeout=5.0)
    client.warned = []
    client.warn = client.warned.append
    return client
