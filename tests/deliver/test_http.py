"""The robots' HTTP client against the loopback robot server: JSON in and out, multipart, retries
with backoff on network errors, 5xx, 429 and rate limits (waits injected, never slept), and no key
or token in anything it says."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import pytest

from deliver.robot_server import FakeRobots
from helpers.deliver.http import (
    ATTEMPTS,
    LIMIT_DELAY_FACTOR,
    MAX_DELAY_FACTOR,
    Http,
    HttpError,
    multipart,
    retry_delay,
)


@pytest.fixture
def robots(robot_server):
    """Any request goes: the client's tests send what no channel would."""
    return robot_server


@pytest.fixture
def http():
    """A client that records its waits instead of sleeping, and what it warned."""
    client = Http(delay=1.0, timeout=5.0)
    client.waits, client.warned = [], []
    client.sleep = client.waits.append
    client.warn = client.warned.append
    return client


def send_url(robots: FakeRobots, key: str) -> str:
    return f"{robots.base}/cgi-bin/webhook/send?key={key}"


MARKDOWN = {"msgtype": "markdown", "markdown": {"content": "**周报** 2026-W47"}}


def test_retry_delay_from_the_environment():
    assert retry_delay({}) == 2.0
    assert retry_delay({"WXREPORT_DELIVER_RETRY_DELAY": "0.05"}) == 0.05
    assert retry_delay({"WXREPORT_DELIVER_RETRY_DELAY": "-3"}) == 0.0
    for bad in ("soon", "nan"):
        with pytest.raises(HttpError, match="expected seconds"):
            retry_delay({"WXREPORT_DELIVER_RETRY_DELAY": bad})


def test_json_in_and_out(robots, http):
    robot = robots.robot("wecom")
    answer = http.post_json(send_url(robots, robot.token), MARKDOWN, what="t")
    assert answer.body == {"errcode": 0, "errmsg": "ok"} and answer.attempts == 1 and answer.note == "ok"
    assert answer.size == len(json.dumps(MARKDOWN, ensure_ascii=False).encode())
    assert robots.received[0].body == MARKDOWN  # UTF-8 JSON as sent
    assert http.waits == [] and http.requests == 1


@pytest.mark.parametrize("fault", ["http500", "http429", "drop", "malformed"])
def test_transient_failures_are_retried_with_growing_waits(robots, http, fault):
    robot = robots.robot("wecom")
    robots.inject("wecom", fault, times=3)
    answer = http.post_json(send_url(robots, robot.token), MARKDOWN, what="ops (digest)")
    assert answer.body["errcode"] == 0 and answer.attempts == 4 and answer.note == "ok after 3 retries"
    assert http.waits == [1.0, 2.0, 4.0]
    assert len(http.warned) == 3 and http.warned[0].startswith("ops (digest): ")
    assert "attempt 2 of 5" in http.warned[0]
    assert not any(robot.token in w for w in http.warned)


def test_giving_up_names_no_key(robots, http):
    robot = robots.robot("wecom")
    robots.inject("wecom", "http500", times=ATTEMPTS)
    with pytest.raises(HttpError) as caught:
        http.post_json(send_url(robots, robot.token), MARKDOWN, what="ops (digest)")
    assert str(caught.value) == f"ops (digest): gave up after {ATTEMPTS} attempts: HTTP 500"
    assert len(http.waits) == ATTEMPTS - 1 and max(http.waits) <= MAX_DELAY_FACTOR * http.delay


def test_a_rate_limit_waits_long_enough_for_the_window(robots, http):
    robot = robots.robot("wecom")
    robots.inject("wecom", "code", times=2, code=45009)
    answer = http.post_json(send_url(robots, robot.token), MARKDOWN, what="t",
                            limited=lambda a: a.get("errcode") == 45009)
    assert answer.body["errcode"] == 0 and answer.attempts == 3 and not answer.limited
    assert http.waits == [LIMIT_DELAY_FACTOR * http.delay] * 2  # capped at MAX_DELAY_FACTOR * delay
    assert "rate limited (errcode 45009)" in http.warned[0]


def test_a_rate_limit_that_does_not_lift_returns_the_answer(robots, http):
    robot = robots.robot("wecom")
    robots.inject("wecom", "code", times=ATTEMPTS, code=45009)
    answer = http.post_json(send_url(robots, robot.token), MARKDOWN, what="t",
                            limited=lambda a: a.get("errcode") == 45009)
    assert answer.limited and answer.attempts == ATTEMPTS and answer.body["errcode"] == 45009


def test_the_server_asks_for_a_wait(robots, http):
    robot = robots.robot("wecom")
    robots.inject("wecom", "http429", code=7)
    http.post_json(send_url(robots, robot.token), MARKDOWN, what="t")
    assert http.waits == [7.0]
    http.delay, http.waits[:] = 0.0, []
    robots.inject("wecom", "http429", code=7)
    http.post_json(send_url(robots, robot.token), MARKDOWN, what="t")
    assert http.waits == [0.0], "an injected delay of 0 caps every wait, the server's too"


def test_other_http_errors_are_not_retried(robots, http):
    with pytest.raises(HttpError, match=r"HTTP 404 from /nowhere: is base_url right\?") as caught:
        http.post_json(f"{robots.base}/nowhere?key=K123456", MARKDOWN, what="t")
    assert caught.value.status == 404 and http.waits == [] and "K123456" not in str(caught.value)


def test_a_feishu_error_answered_with_http_400_is_an_answer(monkeypatch, http):
    def urlopen(request, *args, **kwargs):
        raise urllib.error.HTTPError(request.full_url, 400, "Bad Request", {},
                                     _Body(b'{"code": 19021, "msg": "sign match fail"}'))

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    answer = http.post_json("http://127.0.0.1:9/open-apis/bot/v2/hook/TOKEN", {}, what="t")
    assert answer.body["code"] == 19021


def test_nothing_listening(http):
    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(HttpError, match="gave up after 5 attempts: ConnectionRefusedError") as caught:
        http.post_json(f"http://127.0.0.1:{port}/robot/send?access_token=TOKEN1234", MARKDOWN, what="t")
    assert "TOKEN1234" not in str(caught.value) and not any("TOKEN1234" in w for w in http.warned)


@pytest.mark.parametrize("error", [urllib.error.URLError, ValueError, OSError])
def test_errors_quoting_the_url_are_scrubbed(monkeypatch, http, error):
    """urllib's errors may quote the URL, which carries the key, the token or the signature."""
    def urlopen(request, *args, **kwargs):
        raise error(f"cannot open {request.full_url}")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    url = "http://127.0.0.1:9/robot/send?access_token=TOKEN1234&timestamp=1700000000000&sign=abc%2Bdef%3D"
    with pytest.raises(HttpError) as caught:
        http.post_json(url, MARKDOWN, what="t", secrets=["SECRET5678"])
    said = str(caught.value) + "".join(http.warned)
    assert "cannot open" in said
    for secret in ("TOKEN1234", "abc%2Bdef%3D", "abc+def="):
        assert secret not in said


def test_feishu_hook_token_in_the_path_is_not_said(robots, http):
    with pytest.raises(HttpError) as caught:
        http.post_json(f"{robots.base}/open-apis/bot/v2/hook", MARKDOWN, what="t")  # 404: no such path
    assert "hook" in str(caught.value)
    with pytest.raises(HttpError) as caught:
        http.post_json(f"{robots.base}/open-apis/bot/v2/hookx/TOKEN-ABCDEF", MARKDOWN, what="t")
    assert "TOKEN-ABCDEF" not in str(caught.value)


def test_multipart_upload(robots, http):
    robot = robots.robot("wecom")
    content = "<html><body>周报 \r\n--boundary-like</body></html>".encode()
    answer = http.post_file(f"{robots.base}/cgi-bin/webhook/upload_media?key={robot.token}&type=file",
                            "media", 'weekly "summary".html', content, what="upload")
    assert answer.body["errcode"] == 0
    (filename, stored), = robot.media.values()
    assert stored == content and filename == "weekly _summary_.html"


def test_multipart_body_shape():
    body, kind = multipart("media", "a.html", b"12345678")
    boundary = kind.split("boundary=")[1]
    assert body.startswith(f"--{boundary}\r\n".encode()) and body.endswith(f"\r\n--{boundary}--\r\n".encode())
    assert b'name="media"; filename="a.html"; filelength=8' in body and b"Content-Type: text/html" in body


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *args):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass
