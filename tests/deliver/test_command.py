"""`wxreport deliver` with stand-in channels (the real ones against loopback servers are in
test_end_to_end.py): what is sent, skipped, logged, retried on a rerun, printed by --dry-run, and
that no secret reaches stdout, stderr or the log."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest

from deliver.published import publish_week
from helpers import cli
from helpers.deliver import command
from helpers.deliver.log import DeliveryError, Sent

KEY, FEISHU, SIGN, PASSWORD = "wk-5f1d2c3b-key", "fs-hook-77aa", "fs-sign-99bb", "smtp-pw-3141"
ENV = {"T_WECOM": KEY, "T_FEISHU": FEISHU, "T_FEISHU_SECRET": SIGN, "T_SMTP": PASSWORD}
PARAMS = """
destinations:
  team:
    type: wecom
    key_env: T_WECOM
  lark:
    type: feishu
    webhook_env: T_FEISHU
    secret_env: T_FEISHU_SECRET
  mail:
    type: email
    host: 127.0.0.1
    port: 2525
    security: none
    user: reports@example.com
    password_env: T_SMTP
    from: reports@example.com
    to: [boss@example.com]
"""


class Channels:
    """Stand-ins for helpers.deliver.channels.<type>: record calls, fail on demand."""

    def __init__(self):
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.fail: dict[str, Exception] = {}

    def module(self, kind: str):
        def send(dest, week, digest, http, kinds):
            self.calls.append((dest.name, tuple(kinds)))
            if dest.name in self.fail:
                raise self.fail.pop(dest.name)
            return [Sent(k, 1000 + i, detail="ok") for i, k in enumerate(kinds)]
        return types.SimpleNamespace(send=send)


@pytest.fixture
def setup(tmp_path, monkeypatch):
    params = tmp_path / "params"
    params.mkdir()
    (params / "delivery.yaml").write_text(PARAMS)
    out = tmp_path / "reports"
    publish_week(out)
    channels = Channels()
    monkeypatch.setattr(command, "channel", channels.module)
    monkeypatch.setattr(command, "make_http", lambda environ: object())

    def deliver(*args: str, env=ENV) -> int:
        return command.main(["--params", str(params), "--out", str(out), *args], environ=env)
    return types.SimpleNamespace(params=params, out=out, channels=channels, deliver=deliver,
                                 log=out / "2026-W47" / "delivery.json")


def records(path: Path) -> list[tuple[str, str, str]]:
    return [(r["destination"], r["kind"], r["result"]) for r in json.loads(path.read_text())["records"]]


def no_secret(*texts: str, folder: Path | None = None) -> None:
    blobs = list(texts) + ([p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file()] if folder else [])
    for secret in ENV.values():
        assert not any(secret in b for b in blobs), secret


def test_sends_each_message_once_and_a_rerun_sends_nothing_new(setup, capsys):
    assert setup.deliver() == 0
    assert setup.channels.calls == [("team", ("poster", "digest", "file")), ("lark", ("digest",)),
                                    ("mail", ("email",))]
    assert records(setup.log) == [("team", "poster", "ok"), ("team", "digest", "ok"), ("team", "file", "ok"),
                                  ("lark", "digest", "ok"), ("mail", "email", "ok")]
    setup.channels.calls.clear()
    assert setup.deliver() == 0
    assert setup.channels.calls == []
    said = capsys.readouterr().out
    assert "team: already sent: poster at 20" in said and ", file at 20" in said and "--resend" in said
    assert setup.deliver("--resend", "--to", "lark") == 0
    assert setup.channels.calls == [("lark", ("digest",))]
    no_secret(said, folder=setup.out)


def test_a_changed_week_is_sent_again(setup, capsys):
    setup.deliver("--to", "team")
    setup.channels.calls.clear()
    publish_week(setup.out, finding="新的发现")  # the run published again with another finding
    assert setup.deliver("--to", "team") == 0
    assert setup.channels.calls == [("team", ("digest",))]  # the poster and the page are the same files
    assert "digest changed since it was sent at" in capsys.readouterr().out


def test_an_unset_variable_skips_the_destination_with_one_warning(setup, capsys):
    env = {k: v for k, v in ENV.items() if k != "T_FEISHU_SECRET"}
    assert setup.deliver(env=env) == 0
    assert [c[0] for c in setup.channels.calls] == ["team", "mail"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "lark (feishu) skipped: T_FEISHU_SECRET is not set in the environment" in err


def test_a_failed_destination_is_named_the_others_still_go_and_a_rerun_sends_the_rest(setup, capsys):
    setup.channels.fail["team"] = DeliveryError("team", f"WeCom frequency limit (errcode 45009) key={KEY}",
                                                sent=[Sent("poster", 5000)], code=45009, secrets=[KEY])
    setup.channels.fail["lark"] = OSError(f"connection reset while sending to /hook/{FEISHU}")
    assert setup.deliver() == 1
    assert [c[0] for c in setup.channels.calls] == ["team", "lark", "mail"]
    assert records(setup.log) == [("team", "poster", "ok"), ("team", "digest", "failed"),
                                  ("lark", "digest", "failed"), ("mail", "email", "ok")]
    captured = capsys.readouterr()
    assert "team: WeCom frequency limit (errcode 45009) key=*** (not sent: digest, file)" in captured.err
    assert "lark: OSError: connection reset while sending to /hook/***" in captured.err
    assert "2 of 3 destination(s) failed: team, lark" in captured.err
    no_secret(captured.out, captured.err, folder=setup.out)
    setup.channels.calls.clear()
    assert setup.deliver() == 0
    assert setup.channels.calls == [("team", ("digest", "file")), ("lark", ("digest",))]


def test_dry_run_prints_every_message_and_sends_nothing(setup, capsys):
    env = {k: v for k, v in ENV.items() if k != "T_SMTP"}
    assert setup.deliver("--dry-run", env=env) == 0
    out = capsys.readouterr().out
    assert setup.channels.calls == [] and not setup.log.exists()
    assert "--- team (wecom) · poster: image weekly_summary.png" in out
    assert "--- team (wecom) · digest: markdown" in out and "**核心指标**" in out
    assert "--- team (wecom) · file: file weekly_summary.html" in out
    assert '"tag": "lark_md"' in out  # the Feishu card
    assert "--- mail (email) · email: mail to boss@example.com, 4 attachment(s) [not sent: T_SMTP not set]" in out
    assert "Subject: 周报 · 2026-W47" in out and "[attached: index.html, weekly_summary.html" in out
    no_secret(out)


def test_an_incomplete_week_is_held_back_when_asked(setup, capsys):
    publish_week(setup.out, failed=("user_analysis",))
    (setup.params / "delivery.yaml").write_text("deliver_only_if_complete: true\n" + PARAMS)
    assert setup.deliver() == 0
    assert setup.channels.calls == [] and not setup.log.exists()
    assert "incomplete and deliver_only_if_complete is true: nothing sent. Why: 用户分析：本周生成失败" in \
        capsys.readouterr().err


def test_an_incomplete_week_is_sent_saying_so(setup, capsys):
    publish_week(setup.out, failed=("user_analysis",))
    assert setup.deliver("--to", "team", "--dry-run") == 0
    out = capsys.readouterr().out
    assert out.index("本周结果不完整") < out.index("**核心指标**")


def test_usage_problems_exit_2(setup, capsys):
    assert setup.deliver("--to", "nobody") == 2
    assert "--to nobody: no such enabled destination" in capsys.readouterr().err
    assert setup.deliver("--period", "2026-W40") == 2
    assert "2026-W40" in capsys.readouterr().err
    (setup.params / "delivery.yaml").write_text(f"destinations: {{a: {{type: wecom, key_env: {KEY}}}}}\n")
    assert setup.deliver() == 2
    no_secret(capsys.readouterr().err)


def test_nothing_configured_sends_nothing(tmp_path, capsys):
    params = tmp_path / "params"
    params.mkdir()
    assert command.main(["--params", str(params), "--out", str(tmp_path)], environ={}) == 0
    assert "no destination enabled" in capsys.readouterr().out
    assert command.weekly_check(params, {}) is False
    (params / "delivery.yaml").write_text("destinations: {a: {type: dingtalk, webhook_env: X}}\n")
    assert command.weekly_check(params, {}) is True
    (params / "delivery.yaml").write_text("destinations: {a: {type: pigeon}}\n")
    assert command.weekly_check(params, {}) is None
    assert "'type' must be one of" in capsys.readouterr().err


def test_the_cli_has_the_command(setup, capsys, monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["deliver", "--params", str(setup.params), "--out", str(setup.out), "--to", "lark",
                     "--dry-run"]) == 0
    assert "--- lark (feishu) · digest: interactive card" in capsys.readouterr().out


@pytest.fixture
def weekly(setup, monkeypatch):
    """`wxreport weekly` without WeChat credentials, its report run stood in for by `run`."""
    import os

    for name in [n for n in os.environ if n.startswith("WECHAT_")]:
        monkeypatch.delenv(name)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    runs: list[list[str]] = []

    def run(code: int, publish: bool = True):
        def fake(argv):
            runs.append(list(argv))
            if publish:
                publish_week(setup.out)  # the week this run writes
            return code
        monkeypatch.setattr(cli, "_run", fake)
    return types.SimpleNamespace(run=run, runs=runs,
                                 argv=["weekly", "--out", str(setup.out), "--params", str(setup.params)])


def test_weekly_reports_then_delivers_the_week_it_wrote(setup, weekly, capsys):
    import os
    import time

    from helpers.core.periods import Period

    publish_week(setup.out, period=Period.parse("2026-W48"))  # a newer week, written before this run
    old = time.time() - 3600
    os.utime(setup.out / "2026-W48" / "index.html", (old, old))
    weekly.run(0)
    assert cli.main(weekly.argv) == 0
    assert weekly.runs == [["--out", str(setup.out), "--params", str(setup.params)]]
    assert [c[0] for c in setup.channels.calls] == ["team", "lark", "mail"]
    assert setup.log.exists() and not (setup.out / "2026-W48" / "delivery.json").exists()
    no_secret(*capsys.readouterr(), folder=setup.out)


def test_weekly_delivers_a_week_with_a_failed_report_and_keeps_the_run_status(setup, weekly, capsys):
    weekly.run(1)
    assert cli.main(weekly.argv) == 1
    assert len(setup.channels.calls) == 3


def test_weekly_does_not_deliver_when_nothing_ran_or_nothing_is_configured(setup, weekly, capsys):
    weekly.run(2, publish=False)
    assert cli.main(weekly.argv) == 2
    assert setup.channels.calls == []
    (setup.params / "delivery.yaml").write_text("destinations: {}\n")
    weekly.run(0)
    assert cli.main(weekly.argv) == 0 and setup.channels.calls == [] and len(weekly.runs) == 2


def test_weekly_checks_delivery_yaml_before_anything_runs(setup, weekly, capsys):
    (setup.params / "delivery.yaml").write_text("destinations: {a: {type: wecom, key_env: K, tyop: 1}}\n")
    weekly.run(0)
    assert cli.main(weekly.argv) == 2
    assert weekly.runs == [] and "Did you mean 'type'" in capsys.readouterr().err
