"""The 企业微信 (WeCom) channel against the loopback robot: poster image (re-encoded when over 2 MB),
Markdown digest, the weekly summary page as a file (upload_media, then file), and each error code
said in words, with what went out before it, and no key anywhere."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import time
from dataclasses import replace

import pytest
from PIL import Image

from deliver.published import publish_week
from deliver.robot_server import FakeRobots, destination
from helpers.deliver.channels import image, wecom
from helpers.deliver.digest import Digest, build_digest
from helpers.deliver.http import ATTEMPTS
from helpers.deliver.log import DeliveryError
from helpers.deliver.week import load_week
from helpers.render.text import Text


@pytest.fixture
def week(tmp_path):
    publish_week(tmp_path / "reports", finding="<@all> [奖品](http://evil.example) @all")
    return load_week(tmp_path / "reports", "2026-W47")


def digest_for(week, dest) -> Digest:
    return build_digest(week, dest, Text(dest.language))


def test_poster_digest_and_file(robots, http, week):
    robot = robots.robot("wecom")
    dest = destination(robots, robot)
    digest = digest_for(week, dest)
    sent = wecom.send(dest, week, digest, http, ("poster", "digest", "file"))
    assert [s.kind for s in sent] == ["poster", "digest", "file"]
    assert all(s.result == "ok" and s.when for s in sent)
    image_msg, markdown, upload, file_msg = robots.received
    png = week.poster.read_bytes()
    assert image_msg.body == {"msgtype": "image", "image": {"base64": base64.b64encode(png).decode(),
                                                            "md5": hashlib.md5(png).hexdigest()}}
    assert markdown.body == {"msgtype": "markdown", "markdown": {"content": digest.text}}
    assert len(digest.text.encode()) <= 4096 and "<@all>" not in digest.text
    assert upload.path == "/cgi-bin/webhook/upload_media" and upload.query["type"] == "file"
    (filename, content), = robot.media.values()
    assert content == week.summary_html.read_bytes() and filename == "2026-W47_weekly_summary.html"
    assert file_msg.body == {"msgtype": "file", "file": {"media_id": next(iter(robot.media))}}
    assert sent[0].size == image_msg.size and sent[1].size == markdown.size
    assert "uploaded" in sent[2].detail


def test_only_the_kinds_asked(robots, http, week):
    robot = robots.robot("wecom")
    dest = destination(robots, robot)
    sent = wecom.send(dest, week, digest_for(week, dest), http, ("file",))
    assert [s.kind for s in sent] == ["file"] and len(robots.accepted("wecom")) == 1


def noisy_png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_poster_over_2_mb_is_re_encoded(robots, http, week):
    big = noisy_png(1080, 1920)
    assert len(big) > wecom.IMAGE_LIMIT
    week.poster.write_bytes(big)
    robot = robots.robot("wecom")
    sent = wecom.send(destination(robots, robot), week, digest_for(week, destination(robots, robot)), http,
                      ("poster",))
    data = base64.b64decode(robots.received[0].body["image"]["base64"])
    assert data.startswith(b"\xff\xd8\xff") and len(data) <= wecom.IMAGE_LIMIT
    assert sent[0].result == "ok" and "PNG -> " in sent[0].detail and "JPEG" in sent[0].detail


def test_fit_keeps_a_small_png_and_gives_up_on_the_impossible():
    png = noisy_png(40, 40)
    assert image.fit(png, len(png)).data == png
    with pytest.raises(image.TooLarge):
        image.fit(noisy_png(400, 400), 1000)


def test_an_invalid_key(robots, http, week):
    robot = robots.robot("wecom")
    dest = destination(robots, robot)
    wrong = replace(dest, token="0f1e2d3c-4b5a-6978-8a9b-acbdcedfe0f1")
    with pytest.raises(DeliveryError) as caught:
        wecom.send(wrong, week, digest_for(week, wrong), http, ("poster", "digest"))
    err = caught.value
    assert err.code == 93000 and err.sent == () and err.destination == "wecom_robot"
    assert str(err).startswith("wecom_robot: WeCom refused the poster image: error 93000: invalid webhook key")
    assert "0f1e2d3c" not in str(err) and robot.token not in str(err)


def test_markdown_over_the_limit_fails_after_the_poster(robots, http, week):
    robot = robots.robot("wecom")
    dest = destination(robots, robot)
    long = Digest(title="t", text="周" * 1400)  # 4,200 bytes
    with pytest.raises(DeliveryError) as caught:
        wecom.send(dest, week, long, http, ("poster", "digest", "file"))
    err = caught.value
    assert err.code == 40058 and "4,096 bytes" in str(err) and "exceed max length 4096" in str(err)
    assert [s.kind for s in err.sent] == ["poster"], "the poster went out: the log keeps it"


def test_the_rate_limit_is_waited_out(monkeypatch, http, week):
    """20 messages a minute per robot: here 2 per 0.3 s, so the third message is refused with 45009,
    and sent once the window has passed (retry delay 0.02 s: the rate-limit wait is 0.6 s)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    robots = FakeRobots(window_s=0.3).start()
    try:
        robot = robots.robot("wecom", per_window=2)
        http.delay = 0.02
        http.sleep = time.sleep
        sent = wecom.send(destination(robots, robot), week, digest_for(week, destination(robots, robot)), http,
                          ("poster", "digest", "file"))
        codes = [r.answer.get("errcode") for r in robots.received]
        assert codes == [0, 0, 0, 45009, 0]  # poster, digest, upload (not counted), file refused, file
        assert sent[2].result == "ok after 1 retry" and sent[2].detail.endswith("; after 1 retry")
        assert "rate limited (errcode 45009)" in http.warned[0]
    finally:
        robots.stop()


def test_a_rate_limit_that_lasts_is_a_clear_error(robots, http, week):
    robot = robots.robot("wecom")
    robots.inject("wecom", "code", times=ATTEMPTS, code=45009)
    dest = destination(robots, robot)
    with pytest.raises(DeliveryError) as caught:
        wecom.send(dest, week, digest_for(week, dest), http, ("digest",))
    assert caught.value.code == 45009
    assert f"at most 20 messages a minute (still after {ATTEMPTS} attempts)" in str(caught.value)


def test_an_upload_without_media_id(robots, http, week):
    robot = robots.robot("wecom")
    robots.inject("wecom", "code", code=40006)
    dest = destination(robots, robot)
    with pytest.raises(DeliveryError) as caught:
        wecom.send(dest, week, digest_for(week, dest), http, ("file",))
    assert caught.value.code == 40006 and "more than 5 bytes, at most 20 MB" in str(caught.value)


def test_a_server_that_is_gone(http, week, robots):
    robot = robots.robot("wecom")
    dest = destination(robots, robot)
    robots.stop()
    http.attempts = 2
    with pytest.raises(DeliveryError) as caught:
        wecom.send(dest, week, digest_for(week, dest), http, ("digest",))
    assert "the Markdown digest could not be sent: wecom_robot (Markdown digest): gave up after 2 attempts" \
        in str(caught.value)
    assert robot.token not in str(caught.value) + "".join(http.warned)
