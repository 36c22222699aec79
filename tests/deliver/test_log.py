"""delivery.json: what went out, matched by destination, kind and content; never a secret."""

from __future__ import annotations

import json

import pytest

from helpers.core.errors import WxReportError
from helpers.deliver.log import FAILED, OK, DeliveryError, DeliveryLog, Record, Sent


def record(dest="team", kind="digest", sha="a" * 64, result=OK, detail="", when="2026-12-02T10:00:00+00:00"):
    return Record(dest, "wecom", kind, sha, 100, when, result, detail)


def test_records_round_trip_and_match_by_content(tmp_path):
    log = DeliveryLog(tmp_path, "2026-W47")
    log.add(record())
    log.add(record(kind="poster", result=FAILED, detail="team: 45009"))
    log.write()
    doc = json.loads((tmp_path / "delivery.json").read_text())
    assert doc["period"] == "2026-W47" and [r["kind"] for r in doc["records"]] == ["digest", "poster"]
    assert set(doc["records"][0]) == {"destination", "type", "kind", "sha256", "bytes", "when", "result", "detail"}
    again = DeliveryLog(tmp_path, "2026-W47")
    assert again.sent("team", "digest", "a" * 64) is not None
    assert again.sent("team", "digest", "b" * 64) is None  # other content: not sent yet
    assert again.sent("team", "poster", "a" * 64) is None  # it failed
    assert again.sent("other", "digest", "a" * 64) is None
    assert again.last_ok("team", "digest").when == "2026-12-02T10:00:00+00:00"


def test_details_are_scrubbed_and_a_secret_is_never_written(tmp_path):
    log = DeliveryLog(tmp_path, "2026-W47", secrets=["key-123456", ""])
    log.add(record(detail="POST /send?key=key-123456 failed"))
    assert log.records[0].detail == "POST /send?key=*** failed"
    log.write()
    assert "key-123456" not in (tmp_path / "delivery.json").read_text()
    log.records.append(record(dest="key-123456"))  # a name that equals a secret: refused, not written
    with pytest.raises(WxReportError, match="refusing"):
        log.write()
    assert "key-123456" not in (tmp_path / "delivery.json").read_text()


@pytest.mark.parametrize("content", ["{not json", "[]", '{"records": [{"kind": "x"}]}', '{"records": 5}'])
def test_an_unreadable_log_counts_as_nothing_sent(tmp_path, content):
    (tmp_path / "delivery.json").write_text(content)
    assert DeliveryLog(tmp_path, "2026-W47").records == []


def test_delivery_error_is_scrubbed_and_keeps_what_went_out():
    err = DeliveryError("team", "invalid key sec-ret-99 (errcode 93000)", sent=[Sent("poster", 10)], code=93000,
                        secrets=["sec-ret-99"])
    assert str(err) == "team: invalid key *** (errcode 93000)"
    assert err.destination == "team" and err.code == 93000 and err.sent == (Sent("poster", 10),)
