"""The DingTalk channel against the loopback robot: the Markdown digest, signed (加签) when a secret
is set (timestamp in ms and sign = quote_plus(base64(HMAC-SHA256(secret, "timestamp\\nsecret"))) in
the URL), and the robot's error codes said in words without the token or the secret."""

from __future__ import annotations

from dataclasses import replace

import pytest

from deliver.published import publish_week
from deliver.robot_server import destination
from helpers.deliver.channels import dingtalk
from helpers.deliver.digest import build_digest
from helpers.deliver.http import ATTEMPTS
from helpers.deliver.log import DeliveryError
from helpers.deliver.week import load_week
from helpers.render.text import Text


@pytest.fixture
def week(tmp_path):
    publish_week(tmp_path / "reports", finding="@all ![x](http://evil.example/x.png) [y](http://evil.example)")
    return load_week(tmp_path / "reports", "2026-W47")


def send(dest, week, http):
    return dingtalk.send(dest, week, build_digest(week, dest, Text(dest.language)), http, ("digest",))


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_the_markdown_goes_out(robots, http, week, signed):
    robot = robots.robot("dingtalk", signed=signed)
    dest = destination(robots, robot)
    digest = build_digest(week, dest, Text("zh"))
    sent = send(dest, week, http)
    assert [(s.kind, s.result) for s in sent] == [("digest", "ok")]
    (request,) = robots.received
    assert request.query["access_token"] == robot.token
    assert request.body == {"msgtype": "markdown", "markdown": {"title": digest.title, "text": digest.text}}
    assert ({"timestamp", "sign"} <= set(request.query)) == signed
    if signed:
        assert len(request.query["timestamp"]) == 13, "milliseconds"


def test_the_signature_is_dingtalks():
    # printf '1599360473000\nSECdemo' | openssl dgst -sha256 -hmac SECdemo -binary | base64, then URL-encoded
    assert dingtalk.signature("1599360473000", "SECdemo") == "tGWkA5eQOQNCNPDgphtxIoNLO%2B%2FgD8Lcb705KQoRzeY%3D"


def test_a_wrong_secret(robots, http, week):
    robot = robots.robot("dingtalk", signed=True)
    dest = replace(destination(robots, robot), secret="SECnot-the-robots-secret")
    with pytest.raises(DeliveryError) as caught:
        send(dest, week, http)
    err = caught.value
    assert err.code == 310000 and err.sent == ()
    assert str(err).startswith("dingtalk_robot: DingTalk refused the Markdown digest: error 310000: the robot's "
                               "security settings refused the message: a wrong signing secret")
    assert "'sign not match'" in str(err)
    for secret in (robot.token, robot.secret, "SECnot-the-robots-secret"):
        assert secret not in str(err)


def test_unsigned_where_the_robot_signs(robots, http, week):
    robot = robots.robot("dingtalk", signed=True)
    with pytest.raises(DeliveryError, match="invalid timestamp") as caught:
        send(replace(destination(robots, robot), secret=None), week, http)
    assert caught.value.code == 310000


def test_keywords(robots, http, week):
    robot = robots.robot("dingtalk", keywords=("a keyword the digest never has",))
    with pytest.raises(DeliveryError, match="keywords not in content"):
        send(destination(robots, robot), week, http)


def test_an_unknown_token(robots, http, week):
    robot = robots.robot("dingtalk")
    with pytest.raises(DeliveryError, match="invalid access_token") as caught:
        send(replace(destination(robots, robot), token="not-a-token-0123"), week, http)
    assert caught.value.code == 300001 and "not-a-token-0123" not in str(caught.value)


def test_too_fast_is_retried(robots, http, week):
    robot = robots.robot("dingtalk", signed=True)
    robots.inject("dingtalk", "code", times=1, code=130101)
    assert send(destination(robots, robot), week, http)[0].result == "ok after 1 retry"
    assert not any(robot.token in w or robot.secret in w for w in http.warned)
    robots.inject("dingtalk", "code", times=ATTEMPTS, code=130101)
    with pytest.raises(DeliveryError, match="20 messages a minute, then pauses 10 minutes"):
        send(destination(robots, robot), week, http)


def test_the_server_rate_limits(robots, http, week):
    """The 21st message of a minute is refused (130101) by the loopback robot, as by DingTalk."""
    robot = robots.robot("dingtalk")
    for _ in range(20):
        http.post_json(f"{robots.base}/robot/send?access_token={robot.token}",
                       {"msgtype": "text", "text": {"content": "x"}}, what="t")
    answer = http.post_json(f"{robots.base}/robot/send?access_token={robot.token}",
                            {"msgtype": "text", "text": {"content": "x"}}, what="t")
    assert answer.body["errcode"] == 130101
