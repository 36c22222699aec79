"""Feishu (Lark) custom robot: the digest as an interactive card, signed when a secret is set.

The platform, from the custom robot guide (open.feishu.cn, 自定义机器人使用指南):
- POST {base}/open-apis/bot/v2/hook/TOKEN with {"msg_type": "interactive", "card": {...}}; answer
  {"code": 0, "msg": "success", "data": {}} (older robots: {"StatusCode": 0, "StatusMessage": ...});
- 签名校验: `timestamp` (seconds, as a string) and `sign` in the body, where
  sign = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", message=b"")); the timestamp must be
  within an hour of Feishu's clock;
- a request body of at most 20 KB; at most 100 requests a minute and 5 a second per robot
  (frequency-control page: "自定义机器人 ... 单租户单机器人 100 次/分钟，5 次/秒", error 11232).
Codes mapped below: 19021 ("sign match fail or timestamp is not within one hour from current
time"), 19022 (IP not allowed), 19024 (key words not found), 19001 (invalid webhook token),
19002 (params error), 9499 (bad request), 11232 (frequency limited: retried).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Sequence
from urllib.parse import quote

from helpers.deliver.channels.common import Platform, post_checked, sent
from helpers.deliver.digest import Digest
from helpers.deliver.http import Http
from helpers.deliver.log import DeliveryError, Sent
from helpers.deliver.params import Destination
from helpers.deliver.week import Week

BODY_LIMIT = 20 * 1024
RATE_LIMITED = {11232}
MEANINGS = {
    19021: "bad signature: the signing secret of this destination is not the robot's (security "
           "settings, signature check), or this machine's clock is more than an hour off",
    19022: "this machine's IP address is not in the robot's allowed IP list",
    19024: "the robot's custom keywords are not in the message: add one of them to the robot's "
           "settings or remove the keyword check",
    19001: "invalid webhook: the robot was removed, or the webhook variable of this destination holds "
           "another robot's address",
    19002: "the message was refused as malformed",
    9499: "the request was refused as malformed",
    11232: "frequency limit: a Feishu robot takes at most 100 requests a minute and 5 a second",
}
PLATFORM = Platform("Feishu", MEANINGS, RATE_LIMITED, code_keys=("code", "StatusCode"),
                    message_keys=("msg", "StatusMessage"))
clock: Callable[[], float] = time.time  # the signature's time (tests move it)


def signature(timestamp: str, secret: str) -> str:
    """Feishu's sign: base64(HMAC-SHA256(key = "timestamp\\nsecret", message = empty))."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def body(card: dict, secret: str | None) -> dict:
    out: dict = {}
    if secret:
        timestamp = str(int(clock()))
        out = {"timestamp": timestamp, "sign": signature(timestamp, secret)}
    return {**out, "msg_type": "interactive", "card": card}


def send(dest: Destination, week: Week, digest: Digest, http: Http, kinds: Sequence[str]) -> list[Sent]:
    http.hide(*dest.secrets())
    done: list[Sent] = []
    for kind in kinds:
        if kind != "digest":
            raise DeliveryError(dest.name, f"Feishu has no message {kind!r}", sent=done)
        if digest.card is None:
            raise DeliveryError(dest.name, "the digest has no card for Feishu", sent=done)
        done.append(_card(dest, digest.card, http, done))
    return done


def _card(dest: Destination, card: dict, http: Http, done: list[Sent]) -> Sent:
    payload = body(card, dest.secret)
    size = len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    if size > BODY_LIMIT:
        raise DeliveryError(dest.name, f"the card is {size} bytes, over Feishu's 20 KB for a robot message",
                            sent=done)
    url = f"{dest.base_url}/open-apis/bot/v2/hook/{quote(dest.token or '', safe='')}"
    answer = post_checked(PLATFORM, dest, http, url, payload, "digest card", done)
    return sent("digest", answer, "signed" if dest.secret else "")
