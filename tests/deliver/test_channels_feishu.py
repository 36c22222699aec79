"""The Feishu channel against the loopback robot: the digest card, signed when a secret is set
(base64(HMAC-SHA256(key="timestamp\\nsecret", msg="")), timestamp in seconds, in the body), and the
robot's error codes said in words without the token or the secret."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from deliver.published import publish_week
from deliver.robot_server import destination
from helpers.deliver.channels import feishu
from helpers.deliver.digest import Digest, build_digest
from helpers.deliver.http import ATTEMPTS
from helpers.deliver.log import DeliveryError
from helpers.deliver.week import load_week
from helpers.render.text import Text


@pytest.fixture
def week(tmp_path):
    publish_week(tmp_path / "reports", finding='<at user_id="all"></at> [x](http://evil.example)')
    return load_week(tmp_path / "reports", "2026-W47")


def send(dest, week, http):
    return feishu.send(dest, week, build_digest(week, dest, Text(dest.language)), http, ("digest",))


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_the_card_goes_out(robots, http, week, signed):
    robot = robots.robot("feishu", signed=signed)
    dest = destination(robots, robot)
    sent = send(dest, week, http)
    assert [(s.kind, s.result) for s in sent] == [("digest", "ok")]
    (request,) = robots.received
    assert request.path == f"/open-apis/bot/v2/hook/{robot.token}"
    assert request.body["msg_type"] == "interactive"
    assert request.body["card"] == build_digest(week, dest, Text("zh")).card
    assert ("sign" in request.body and "timestamp" in request.body) == signed
    assert sent[0].detail == ("signed" if signed else "")
    assert "<at" not in json.dumps(request.body["card"], ensure_ascii=False)


def test_the_signature_is_feishus():
    # base64(HMAC-SHA256(key=b"1599360473\ndemo", msg=b"")), computed independently with openssl:
    # printf '' | openssl dgst -sha256 -hmac "$(printf '1599360473\ndemo')" -binary | base64
    assert feishu.signature("1599360473", "demo") == "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8="


def test_a_wrong_secret(robots, http, week):
    robot = robots.robot("feishu", signed=True)
    dest = replace(destination(robots, robot), secret="SECnot-the-robots-secret")
    with pytest.raises(DeliveryError) as caught:
        send(dest, week, http)
    err = caught.value
    assert err.code == 19021 and err.sent == ()
    assert str(err).startswith("feishu_robot: Feishu refused the digest card: error 19021: bad signature: the "
                               "signing secret of this destination is not the robot's")
    assert "sign match fail" in str(err)
    for secret in (robot.token, robot.secret, "SECnot-the-robots-secret"):
        assert secret not in str(err)


def test_a_clock_two_hours_off(robots, http, week, monkeypatch):
    robot = robots.robot("feishu", signed=True)
    monkeypatch.setattr(feishu, "clock", lambda: robots.clock() - 7200)
    with pytest.raises(DeliveryError, match="more than an hour off") as caught:
        send(destination(robots, robot), week, http)
    assert caught.value.code == 19021


def test_keywords(robots, http, week):
    robot = robots.robot("feishu", keywords=("a keyword the digest never has",))
    with pytest.raises(DeliveryError, match="custom keywords are not in the message") as caught:
        send(destination(robots, robot), week, http)
    assert caught.value.code == 19024
    robot.keywords = ("2026-W47",)
    assert send(destination(robots, robot), week, http)[0].result == "ok"


def test_an_unknown_token(robots, http, week):
    robot = robots.robot("feishu")
    dest = replace(destination(robots, robot), token="not-a-token-0123")
    with pytest.raises(DeliveryError, match="invalid webhook") as caught:
        send(dest, week, http)
    assert caught.value.code == 19001 and "not-a-token-0123" not in str(caught.value)


def test_frequency_limit_is_retried(robots, http, week):
    robot = robots.robot("feishu", signed=True)
    robots.inject("feishu", "code", times=2, code=11232)
    assert send(destination(robots, robot), week, http)[0].result == "ok after 2 retries"
    robots.inject("feishu", "code", times=ATTEMPTS, code=11232)
    with pytest.raises(DeliveryError, match="100 requests a minute") as caught:
        send(destination(robots, robot), week, http)
    assert caught.value.code == 11232


def test_a_card_over_20_kb_is_not_sent(robots, http, week):
    robot = robots.robot("feishu")
    card = {"elements": [{"tag": "div", "text": {"tag": "lark_md", "content": "周" * 8000}}]}
    with pytest.raises(DeliveryError, match="over Feishu's 20 KB"):
        feishu.send(destination(robots, robot), week, Digest(title="t", text="", card=card), http, ("digest",))
    assert robots.received == []


def test_the_server_checks_the_size_too(robots, http):
    """The loopback robot refuses a body over 20 KB, as Feishu does (for a client that would not check)."""
    robot = robots.robot("feishu")
    answer = http.post_json(f"{robots.base}/open-apis/bot/v2/hook/{robot.token}",
                            {"msg_type": "text", "content": {"text": "x" * 21_000}}, what="t")
    assert answer.body["code"] == 9499
