"""DingTalk custom robot: the digest as a Markdown message, signed (加签) when a secret is set.

The platform, from the custom robot guide (open.dingtalk.com, 自定义机器人接入 / 安全设置):
- POST {base}/robot/send?access_token=TOKEN[&timestamp=MS&sign=SIGN] with {"msgtype": "markdown",
  "markdown": {"title": ..., "text": ...}}; answer {"errcode": 0, "errmsg": "ok"};
- 加签: timestamp in milliseconds, sign = quote_plus(base64(HMAC-SHA256(key=secret,
  message=f"{timestamp}\\n{secret}"))), both in the URL; the timestamp within an hour of DingTalk's;
- each robot sends at most 20 messages a minute; beyond, it is throttled for 10 minutes
  (errcode 130101, "send too fast, exceed 20 times per minute").
Codes mapped below: 310000 (the security settings refused the message: "sign not match",
"keywords not in content", "ip ... not in whitelist", "invalid timestamp"), 300001 (the token does
not exist), 130101 (too fast: retried), -1 (busy: retried).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from urllib.parse import quote, quote_plus

from helpers.deliver.channels.common import Platform, post_checked, sent
from helpers.deliver.digest import Digest
from helpers.deliver.http import Http
from helpers.deliver.log import DeliveryError, Sent
from helpers.deliver.params import Destination
from helpers.deliver.week import Week

RATE_LIMITED = {130101, -1}
MEANINGS = {
    310000: "the robot's security settings refused the message: a wrong signing secret (or none where "
            "the robot signs), its custom keywords missing from the message, this machine's IP outside "
            "the allowed range, or the clock more than an hour off; DingTalk's words say which",
    300001: "invalid access_token: the robot was removed, or the webhook variable of this destination "
            "holds another robot's address",
    130101: "frequency limit: a DingTalk robot takes at most 20 messages a minute, then pauses 10 minutes",
    -1: "DingTalk is busy",
}
PLATFORM = Platform("DingTalk", MEANINGS, RATE_LIMITED)
clock: Callable[[], float] = time.time  # the signature's time (tests move it)


def signature(timestamp: str, secret: str) -> str:
    """DingTalk's sign, URL-encoded: quote_plus(base64(HMAC-SHA256(secret, "timestamp\\nsecret")))."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def url(dest: Destination) -> str:
    out = f"{dest.base_url}/robot/send?access_token={quote(dest.token or '', safe='')}"
    if dest.secret:
        timestamp = str(int(clock() * 1000))
        out += f"&timestamp={timestamp}&sign={signature(timestamp, dest.secret)}"
    return out


def send(dest: Destination, week: Week, digest: Digest, http: Http, kinds: Sequence[str]) -> list[Sent]:
    http.hide(*dest.secrets())
    done: list[Sent] = []
    for kind in kinds:
        if kind != "digest":
            raise DeliveryError(dest.name, f"DingTalk has no message {kind!r}", sent=done)
        done.append(_markdown(dest, digest, http, done))
    return done


def _markdown(dest: Destination, digest: Digest, http: Http, done: list[Sent]) -> Sent:
    payload = {"msgtype": "markdown", "markdown": {"title": digest.title, "text": digest.text}}
    answer = post_checked(PLATFORM, dest, http, url(dest), payload, "Markdown digest", done)
    return sent("digest", answer, "signed" if dest.secret else "")
