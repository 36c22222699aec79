"""`wxreport weekly` on the tiny sample with the loopback robots and SMTP server configured in
delivery.yaml, as separate processes like a scheduled job: every destination receives the week, a
rate-limited robot is retried and succeeds; a rerun sends nothing new; a wrong signing secret fails
that destination clearly while the others still receive; and no secret is in anything written
(the out folder, delivery.json, the params, stdout and stderr)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deliver.robot_server import FakeRobots
from deliver.smtp_server import SmtpServer, certificate

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
WEEK = "2026-W47"
PASSWORD = "smtp-pw-5f0c1d2e3a4b"
WRONG_SECRET = "SEC0000wrong0000signing0000secret"
FOREIGN = ("WECHAT_", "WXREPORT_WECHAT", "WXREPORT_FETCH", "WXREPORT_DELIVER")

DELIVERY = """\
report_url_base: null
deliver_only_if_complete: false
destinations:
  team_wecom:
    type: wecom
    key_env: E2E_WECOM_KEY
    base_url: {base}
  team_feishu:
    type: feishu
    webhook_env: E2E_FEISHU_WEBHOOK
    secret_env: E2E_FEISHU_SECRET
    base_url: {base}
  team_dingtalk:
    type: dingtalk
    webhook_env: E2E_DINGTALK_WEBHOOK
    secret_env: E2E_DINGTALK_SECRET
  managers_mail:
    type: email
    host: 127.0.0.1
    port: {smtp_port}
    security: starttls
    user: reports@example.com
    password_env: E2E_SMTP_PASSWORD
    from: reports@example.com
    to: [boss@example.com]
"""


@pytest.fixture
def world(tmp_path):
    cert = certificate(tmp_path)
    if cert is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    robots = FakeRobots().start()
    smtp = SmtpServer("starttls", cert=cert, user="reports@example.com", password=PASSWORD).start()
    wecom, feishu = robots.robot("wecom"), robots.robot("feishu", signed=True)
    dingtalk = robots.robot("dingtalk", signed=True)
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params)
    (params / "delivery.yaml").write_text(DELIVERY.format(base=robots.base, smtp_port=smtp.port), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN)}
    env.update({
        "E2E_WECOM_KEY": wecom.token,
        "E2E_FEISHU_WEBHOOK": f"{robots.base}/open-apis/bot/v2/hook/{feishu.token}",  # a whole webhook URL
        "E2E_FEISHU_SECRET": feishu.secret,
        "E2E_DINGTALK_WEBHOOK": f"{robots.base}/robot/send?access_token={dingtalk.token}",
        "E2E_DINGTALK_SECRET": dingtalk.secret,
        "E2E_SMTP_PASSWORD": PASSWORD,
        "SSL_CERT_FILE": str(cert[0]),  # the mail client trusts the test server's certificate
        "WXREPORT_DELIVER_RETRY_DELAY": "0.02",
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
    })
    yield {"robots": robots, "smtp": smtp, "params": params, "env": env, "out": tmp_path / "reports",
           "wecom": wecom, "feishu": feishu, "dingtalk": dingtalk, "said": []}
    smtp.stop()
    robots.stop()


def wxreport(world, *args: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    done = subprocess.run([WXREPORT, *args, "--params", str(world["params"])], env=world["env"], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    world["said"] += [done.stdout, done.stderr]
    return done


def received(world) -> dict[str, int]:
    robots = world["robots"]
    return {"wecom": len(robots.accepted("wecom")), "feishu": len(robots.accepted("feishu")),
            "dingtalk": len(robots.accepted("dingtalk")), "email": len(world["smtp"].mails)}


def test_the_week_is_delivered_once_everywhere_and_nothing_secret_is_written(world, tiny_data):
    robots, out = world["robots"], world["out"]
    robots.inject("wecom", "code", times=1, code=45009)  # the first WeCom message meets the rate limit

    weekly = wxreport(world, "weekly", "--data", str(tiny_data), "--out", str(out), "--period", WEEK)
    assert weekly.returncode == 0, weekly.stdout[-3000:] + weekly.stderr[-3000:]
    assert received(world) == {"wecom": 3, "feishu": 1, "dingtalk": 1, "email": 1}
    kinds = [r.body["msgtype"] for r in robots.accepted("wecom")]
    assert kinds == ["image", "markdown", "file"]
    assert [r.answer.get("errcode") for r in robots.received if r.platform == "wecom"][:2] == [45009, 0]
    assert "rate limited (errcode 45009)" in weekly.stderr
    log = json.loads((out / WEEK / "delivery.json").read_text(encoding="utf-8"))
    assert sorted((r["destination"], r["kind"], r["result"]) for r in log["records"]) == [
        ("managers_mail", "email", "ok"), ("team_dingtalk", "digest", "ok"), ("team_feishu", "digest", "ok"),
        ("team_wecom", "digest", "ok"), ("team_wecom", "file", "ok"), ("team_wecom", "poster", "ok")]
    mail = world["smtp"].mails[0]
    assert mail.tls and mail.login == "reports@example.com"
    attached = [p.get_filename() for p in mail.message.iter_attachments()]
    assert f"{WEEK}_index.html" in attached and f"{WEEK}_weekly_summary.html" in attached
    assert not robots.violations

    again = wxreport(world, "deliver", "--out", str(out), "--period", WEEK)
    assert again.returncode == 0, again.stderr[-3000:]
    assert received(world) == {"wecom": 3, "feishu": 1, "dingtalk": 1, "email": 1}, "a rerun sends nothing new"
    assert "already sent" in again.stdout

    world["env"]["E2E_DINGTALK_SECRET"] = WRONG_SECRET
    resend = wxreport(world, "deliver", "--out", str(out), "--period", WEEK, "--resend")
    assert resend.returncode == 1
    assert "team_dingtalk: DingTalk refused the Markdown digest: error 310000" in resend.stderr
    assert "wrong signing secret" in resend.stderr and "failed: team_dingtalk" in resend.stderr
    assert received(world) == {"wecom": 6, "feishu": 2, "dingtalk": 1, "email": 2}, "the others still receive"

    secrets = robots.secrets() | {PASSWORD, WRONG_SECRET}
    written = [p for folder in (out, world["params"]) for p in folder.rglob("*") if p.is_file()]
    assert any(p.name == "delivery.json" for p in written) and any(p.suffix == ".html" for p in written)
    leaks = [str(p) for p in written for s in secrets if s.encode() in p.read_bytes()]
    leaks += [f"output {i}" for i, text in enumerate(world["said"]) for s in secrets if s in text]
    assert not leaks
