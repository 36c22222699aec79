"""params/delivery.yaml: typed, secrets only from the environment, and errors that never quote a
secret pasted in the wrong place."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.core.errors import ParamError
from helpers.deliver.params import DEFAULT_BASE, load_delivery

ROOT = Path(__file__).resolve().parents[2]
SECRET = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
FULL = """
report_url_base: https://reports.example.com/wx/
deliver_only_if_complete: true
language: en
destinations:
  team:
    type: wecom
    key_env: T_WECOM
    messages: [digest, poster]
  lark:
    type: feishu
    webhook_env: T_FEISHU
    secret_env: T_FEISHU_SECRET
  ding:
    type: dingtalk
    webhook_env: T_DING
    base_url: http://127.0.0.1:8999
  mail:
    type: email
    host: smtp.example.com
    security: ssl
    user: reports@example.com
    password_env: T_SMTP
    from: reports@example.com
    to: [boss@example.com]
  paused:
    type: email
    host: localhost
    from: a@example.com
    to: [b@example.com]
    enabled: false
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "delivery.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_bundled_example_sends_nothing():
    delivery = load_delivery(ROOT / "params", {"WXREPORT_WECOM_KEY": "x", "WXREPORT_SMTP_PASSWORD": "y"})
    assert delivery.destinations == ()
    assert not delivery.deliver_only_if_complete and delivery.report_url_base is None


def test_the_bundled_example_uncommented_is_valid(tmp_path):
    text = (ROOT / "params" / "delivery.yaml").read_text(encoding="utf-8")
    text = text.replace("destinations: {}\n# destinations:", "destinations:").replace("\n#   ", "\n  ")
    delivery = load_delivery(write(tmp_path, text), {})
    assert [(d.name, d.type, d.missing) for d in delivery.destinations] == [
        ("ops_wecom", "wecom", ("WXREPORT_WECOM_KEY",)),
        ("ops_feishu", "feishu", ("WXREPORT_FEISHU_WEBHOOK", "WXREPORT_FEISHU_SECRET")),
        ("ops_dingtalk", "dingtalk", ("WXREPORT_DINGTALK_WEBHOOK", "WXREPORT_DINGTALK_SECRET"))]  # mail: disabled


def test_no_file_no_destination(tmp_path):
    assert load_delivery(tmp_path, {}).destinations == ()


def test_destinations_resolved_from_the_environment(tmp_path):
    env = {"T_WECOM": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={SECRET}",
           "T_FEISHU": "https://open.larksuite.com/open-apis/bot/v2/hook/hook-token-1",
           "T_FEISHU_SECRET": "sign-secret", "T_DING": "ding-token", "T_SMTP": "pw-123456"}
    delivery = load_delivery(write(tmp_path, FULL), env)
    team, lark, ding, mail = delivery.destinations
    assert delivery.language == "en" and delivery.deliver_only_if_complete
    assert delivery.report_url_base == "https://reports.example.com/wx"
    assert (team.type, team.token, team.base_url, team.kinds) == ("wecom", SECRET, DEFAULT_BASE["wecom"],
                                                                 ("digest", "poster"))
    assert (lark.token, lark.secret, lark.base_url) == ("hook-token-1", "sign-secret", "https://open.larksuite.com")
    assert (ding.token, ding.secret, ding.base_url, ding.kinds) == ("ding-token", None, "http://127.0.0.1:8999",
                                                                   ("digest",))
    assert (mail.host, mail.port, mail.security, mail.user, mail.password, mail.sender, mail.to) == (
        "smtp.example.com", 465, "ssl", "reports@example.com", "pw-123456", "reports@example.com",
        ("boss@example.com",))
    assert all(d.missing == () and d.language == "en" for d in delivery.destinations)
    assert "paused" not in [d.name for d in delivery.destinations]
    for d in delivery.destinations:
        assert not any(s in repr(d) for s in d.secrets())
        assert d.scrub(f"x {' '.join(d.secrets())} y").count("***") == len(d.secrets())


def test_unset_variables_are_named_not_fatal(tmp_path):
    delivery = load_delivery(write(tmp_path, FULL), {"T_FEISHU": "tok"})
    missing = {d.name: d.missing for d in delivery.destinations}
    assert missing == {"team": ("T_WECOM",), "lark": ("T_FEISHU_SECRET",), "ding": ("T_DING",), "mail": ("T_SMTP",)}


def test_the_language_follows_the_reports_by_default(tmp_path):
    (tmp_path / "defaults.yaml").write_text("language: en\n")
    write(tmp_path, "destinations: {a: {type: dingtalk, webhook_env: X}}\n")
    assert load_delivery(tmp_path, {}).destinations[0].language == "en"
    shutil.copy(ROOT / "params" / "defaults.yaml", tmp_path / "defaults.yaml")
    assert load_delivery(tmp_path, {}).destinations[0].language == "zh"


@pytest.mark.parametrize("text, expected", [
    (f"destinations: {{a: {{type: wecom, key_env: {SECRET}}}}}", r"destinations\.a\.key_env.*NAME of an environment"),
    (f"destinations: {{a: {{type: wecom, key_env: K, key: {SECRET}}}}}",
     r"'destinations\.a\.key' is not a known parameter\. Did you mean 'key_env'"),
    (f"destinations: {{a: {{type: feishu, webhook_env: W, secret: {SECRET}}}}}", r"Did you mean 'secret_env'"),
    (f"destinations: {{a: {{type: email, host: h, from: a@b, to: [c@d], password: {SECRET}}}}}",
     r"Did you mean 'password_env'"),
    (f"report_url_base: {SECRET}", r"report_url_base"),
])
def test_a_secret_in_the_file_is_refused_without_being_quoted(tmp_path, text, expected):
    with pytest.raises(ParamError, match=expected) as err:
        load_delivery(write(tmp_path, text), {})
    assert SECRET not in str(err.value)


@pytest.mark.parametrize("text, expected", [
    ("destinations: {a: {type: slack, key_env: K}}", "'type' must be one of wecom, feishu, dingtalk, email"),
    ("destinations: {a: {key_env: K}}", "'type' must be one of"),
    ("destinations: {a: {type: email, host: h, from: a@b, to: [c@d], security: tls}}",
     r"security.*'starttls', 'ssl' or 'none' \(got 'tls'\)"),
    ("destinations: {a: {type: email, host: h, from: a@b, to: []}}", r"destinations\.a\.to"),
    ("destinations: {a: {type: wecom, key_env: K, messages: [digest, digest]}}", "listed once"),
    ("destinations: {a: {type: wecom, key_env: K, messages: [video]}}", r"messages"),
    ("destinations: {a: {type: wecom, key_env: K, base_url: 'ftp://x'}}", r"base_url"),
    ("deliver_only_if_complete: yes please", r"deliver_only_if_complete"),
    ("destinatons: {}", r"Did you mean 'destinations'"),
    ("destinations: {off: {type: wecom, key_env: K}}", "quote such a name"),
    ("destinations: {'a b': {type: wecom, key_env: K}}", "name must be letters"),
    ("destinations: {a: {type: wecom, key_env: K}, a: {type: wecom, key_env: L}}", "given twice"),
])
def test_errors_name_the_file_and_the_key(tmp_path, text, expected):
    with pytest.raises(ParamError, match=expected) as err:
        load_delivery(write(tmp_path, text), {})
    assert "delivery.yaml" in str(err.value)
