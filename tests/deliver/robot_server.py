"""One HTTP server on 127.0.0.1 playing the three group-robot APIs `wxreport deliver` talks to:
企业微信 (WeCom), Feishu and DingTalk custom robots. It records every request, checks each the way
the platform does, answers the platform's error codes, and rate-limits.

Its rules are written here from the platforms' documentation (not imported from helpers.deliver),
so a client that breaks them is caught:

WeCom group robot (developer.work.weixin.qq.com/document/path/91770, "群机器人配置说明"):
- POST /cgi-bin/webhook/send?key=KEY; an unknown key answers 93000 "invalid webhook url";
- markdown.content "最长不超过4096个字节" (UTF-8): more answers 40058 "markdown.content exceed max
  length 4096" (the answer WeCom gives, as quoted in public bug reports);
- image: base64 + md5 of the image "图片（base64编码前）最大不能超过2M，支持JPG,PNG格式": a
  larger or other image answers 40009 (invalid image size), a wrong md5 40058;
- upload_media?key=KEY&type=file, multipart field `media`, "5B < 文件大小 <= 20M": else 40006;
  answers a media_id (valid 3 days), which a `file` message must name (else 40007);
- "每个机器人发送的消息不能超过20条/分钟": the 21st message within a minute answers 45009
  "api freq out of limit".
Feishu custom robot (open.feishu.cn, 自定义机器人使用指南; 频控策略):
- POST /open-apis/bot/v2/hook/TOKEN; an unknown token answers 19001;
- with 签名校验 on: body `timestamp` (seconds) and `sign` = base64(HMAC-SHA256(key =
  f"{timestamp}\\n{secret}", msg = b"")), the timestamp within an hour: else 19021 "sign match fail
  or timestamp is not within one hour from current time";
- custom keywords (自定义关键词): none in the message answers 19024 "Key Words Not Found";
- the request body at most 20 KB: more answers 9499 (a bad request; the exact code is not
  documented for this case);
- "自定义机器人 ... 单租户单机器人 100 次/分钟，5 次/秒": beyond, 11232 "frequency limited".
DingTalk custom robot (open.dingtalk.com, 自定义机器人接入 / 安全设置):
- POST /robot/send?access_token=TOKEN; unknown answers 300001 "token is not exist";
- 加签: URL `timestamp` (ms) and `sign` = quote_plus(base64(HMAC-SHA256(key = secret, msg =
  f"{timestamp}\\n{secret}"))), within an hour: else 310000 "sign not match" / "invalid timestamp";
  custom keywords missing: 310000 "keywords not in content";
- "每个机器人每分钟最多发送20条消息到群里，如果超过20条，会限流10分钟": 130101 "send too fast,
  exceed 20 times per minute". (DingTalk documents no Markdown size limit for custom robots: none
  is checked here.)

A message that would mention people (WeCom `<@userid>` / `@all` / mentioned_list, Feishu
`<at ...>`, DingTalk `at.isAtAll` / `@all`) or carries a Markdown image is recorded in `violations`:
a digest mentions nobody. Faults on demand (`inject`): an answer code, HTTP 500 / 429, a dropped
connection, a non-JSON answer. The rate window is a parameter (`window_s`) so the tests hit the
limit and see it lift within a second.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import re
import secrets as _random
import socket
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

WECOM_MARKDOWN_LIMIT = 4096
WECOM_IMAGE_LIMIT = 2 * 1024 * 1024
WECOM_FILE_MIN, WECOM_FILE_MAX = 6, 20 * 1024 * 1024
FEISHU_BODY_LIMIT = 20 * 1024
SIGN_WINDOW_S = 3600
PNG, JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
MENTIONS = re.compile(r"<@|@all|<at\b|!\[", re.IGNORECASE)


@dataclass
class Robot:
    platform: str  # wecom | feishu | dingtalk
    token: str  # WeCom key / Feishu hook token / DingTalk access_token
    secret: str | None = None
    keywords: tuple[str, ...] = ()
    per_window: int = 20  # messages per rate window (WeCom, DingTalk 20/min; Feishu 100/min)
    sent_at: list[float] = field(default_factory=list)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # media_id -> (filename, content)


@dataclass
class Received:
    platform: str
    token: str | None
    path: str
    query: dict[str, str]
    body: Any  # the JSON, or {"filename", "size"} of an upload
    size: int
    answer: dict | str  # the JSON answered, or "http500" / "drop" / ...

    @property
    def ok(self) -> bool:
        return isinstance(self.answer, dict) and not (self.answer.get("errcode") or self.answer.get("code"))


@dataclass
class Fault:
    platform: str
    kind: str  # code | http500 | http429 | drop | malformed
    times: int = 1
    code: int = 0  # the answer code (kind "code"), or the Retry-After seconds (kind "http429")


LIMIT_CODE = {"wecom": (45009, "api freq out of limit"), "feishu": (11232, "frequency limited"),
              "dingtalk": (130101, "send too fast, exceed 20 times per minute")}


class FakeRobots:
    def __init__(self, window_s: float = 60.0):
        self.window_s = window_s
        self.robots: dict[tuple[str, str], Robot] = {}
        self.received: list[Received] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.clock = time.time  # the platforms' clock (signatures)
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None

    # ---- test-facing ----------------------------------------------------------------------
    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def robot(self, platform: str, *, signed: bool = False, keywords: tuple[str, ...] = (),
              per_window: int | None = None) -> Robot:
        token = _random.token_hex(16) if platform != "wecom" else str(_uuid())
        secret = f"SEC{_random.token_hex(24)}" if signed else None
        limit = per_window if per_window is not None else (100 if platform == "feishu" else 20)
        robot = Robot(platform, token, secret, keywords, limit)
        self.robots[(platform, token)] = robot
        return robot

    def inject(self, platform: str, kind: str, times: int = 1, code: int = 0) -> None:
        with self.lock:
            self.faults.append(Fault(platform, kind, times, code))

    def accepted(self, platform: str | None = None, token: str | None = None) -> list[Received]:
        """The messages the platforms took (uploads excluded)."""
        return [r for r in self.received if r.ok and (platform is None or r.platform == platform)
                and (token is None or r.token == token) and "upload_media" not in r.path]

    def secrets(self) -> set[str]:
        return {s for r in self.robots.values() for s in (r.token, r.secret) if s}

    # ---- serving ------------------------------------------------------------------------
    def start(self) -> FakeRobots:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                server.handle(self)

            def log_message(self, *args):  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        if url.path in ("/cgi-bin/webhook/send", "/cgi-bin/webhook/upload_media"):
            platform, token = "wecom", query.get("key")
        elif url.path.startswith("/open-apis/bot/v2/hook/"):
            platform, token = "feishu", url.path.rsplit("/", 1)[1]
        elif url.path == "/robot/send":
            platform, token = "dingtalk", query.get("access_token")
        else:
            self.violations.append(f"unknown path {url.path}")
            return _reply(h, 404, {"error": "not found"})
        with self.lock:
            fault = self._fault(platform)
            if fault is not None and fault.kind != "code":
                self.received.append(Received(platform, token, url.path, query, None, len(raw), fault.kind))
                return _fail(h, fault.kind, fault.code)
            if upload := url.path.endswith("upload_media"):
                body, answer = self._upload(h, token, query, raw)
            else:
                body, answer = self._message(platform, token, query, raw)
            if fault is not None and fault.kind == "code":
                answer = _coded(platform, fault.code, "injected")
            if not upload and not _coded_error(answer) and self._over_rate(platform, token):
                answer = _coded(platform, *LIMIT_CODE[platform])
            self.received.append(Received(platform, token, url.path, query, body, len(raw), answer))
        _reply(h, 200, answer)

    def _fault(self, platform: str) -> Fault | None:
        for fault in self.faults:
            if fault.platform == platform and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def _over_rate(self, platform: str, token: str | None) -> bool:
        robot = self.robots.get((platform, token or ""))
        if robot is None:
            return False
        now = time.monotonic()
        robot.sent_at = [t for t in robot.sent_at if now - t < self.window_s]
        if len(robot.sent_at) >= robot.per_window:
            return True
        robot.sent_at.append(now)
        return False

    def _message(self, platform: str, token: str | None, query: dict, raw: bytes) -> tuple[Any, dict]:
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            return None, _coded(platform, 9499 if platform == "feishu" else 40035, "invalid json")
        robot = self.robots.get((platform, token or ""))
        check = {"wecom": self._wecom, "feishu": self._feishu, "dingtalk": self._dingtalk}[platform]
        return body, check(robot, body, query, len(raw))

    # ---- WeCom --------------------------------------------------------------------------
    def _wecom(self, robot: Robot | None, body: dict, query: dict, size: int) -> dict:
        if robot is None:
            return _wecom(93000, "invalid webhook url, hint: [loopback]")
        kind = body.get("msgtype")
        if kind == "markdown":
            content = str((body.get("markdown") or {}).get("content") or "")
            self._no_mentions("wecom", content)
            if len(content.encode("utf-8")) > WECOM_MARKDOWN_LIMIT:
                return _wecom(40058, "markdown.content exceed max length 4096. invalid Request Parameter")
            return _wecom(0, "ok") if content else _wecom(44004, "empty content")
        if kind == "image":
            return self._wecom_image(body.get("image") or {})
        if kind == "file":
            media_id = (body.get("file") or {}).get("media_id")
            return _wecom(0, "ok") if media_id in robot.media else _wecom(40007, "invalid media_id")
        if kind == "text":
            text = body.get("text") or {}
            self._no_mentions("wecom", str(text.get("content")))
            if text.get("mentioned_list") or text.get("mentioned_mobile_list"):
                self.violations.append("wecom: a text message mentions people")
            return _wecom(0, "ok")
        return _wecom(40008, f"invalid message type {kind!r}")

    def _wecom_image(self, image: dict) -> dict:
        try:
            data = base64.b64decode(str(image.get("base64") or ""), validate=True)
        except ValueError:
            return _wecom(40009, "invalid image: not base64")
        if len(data) > WECOM_IMAGE_LIMIT or not data.startswith((PNG, JPEG)):
            return _wecom(40009, f"invalid image size or type ({len(data)} bytes)")
        if hashlib.md5(data).hexdigest() != image.get("md5"):
            return _wecom(40058, "invalid md5")
        return _wecom(0, "ok")

    def _upload(self, h: BaseHTTPRequestHandler, token: str | None, query: dict, raw: bytes) -> tuple[Any, dict]:
        robot = self.robots.get(("wecom", token or ""))
        if robot is None:
            return None, _wecom(93000, "invalid webhook url")
        if query.get("type") != "file":
            return None, _wecom(40005, "invalid type")
        head = f"Content-Type: {h.headers.get('Content-Type', '')}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + raw)
        part = next((p for p in message.iter_parts() if p.get_param("name", header="content-disposition")
                     == "media"), None) if message.is_multipart() else None
        if part is None or not part.get_filename():
            return None, _wecom(40058, "media field with a filename expected")
        content = part.get_payload(decode=True) or b""
        info = {"filename": part.get_filename(), "size": len(content)}
        if not WECOM_FILE_MIN <= len(content) <= WECOM_FILE_MAX:
            return info, _wecom(40006, "invalid file size")
        media_id = _random.token_hex(20)
        robot.media[media_id] = (part.get_filename(), content)
        return info, {"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id,
                      "created_at": str(int(time.time()))}

    # ---- Feishu ------------------------------------------------------------------------
    def _feishu(self, robot: Robot | None, body: dict, query: dict, size: int) -> dict:
        if robot is None:
            return _feishu(19001, "param invalid: incoming webhook access token invalid")
        if size > FEISHU_BODY_LIMIT:
            return _feishu(9499, f"Bad Request: request body {size} bytes over 20 KB")
        if robot.secret:
            timestamp, sign = str(body.get("timestamp") or ""), body.get("sign")
            key = f"{timestamp}\n{robot.secret}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            if not self._recent(timestamp, 1) or sign != expected:
                return _feishu(19021, "sign match fail or timestamp is not within one hour from current time")
        kind, text = body.get("msg_type"), json.dumps(body.get("card") or body.get("content") or {},
                                                      ensure_ascii=False)
        if kind not in ("text", "post", "interactive", "image", "share_chat"):
            return _feishu(19002, "params error, msg_type need")
        if kind == "interactive" and not isinstance(body.get("card"), dict):
            return _feishu(9499, "Bad Request: card expected")
        self._no_mentions("feishu", text)
        if robot.keywords and not any(k in text for k in robot.keywords):
            return _feishu(19024, "Key Words Not Found")
        return {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"}

    # ---- DingTalk ----------------------------------------------------------------------
    def _dingtalk(self, robot: Robot | None, body: dict, query: dict, size: int) -> dict:
        if robot is None:
            return _wecom(300001, "token is not exist")
        if robot.secret:
            timestamp = query.get("timestamp", "")
            key, msg = robot.secret.encode(), f"{timestamp}\n{robot.secret}".encode()
            expected = base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()
            if not self._recent(timestamp, 1000):
                return _wecom(310000, "invalid timestamp")
            if query.get("sign") != expected:  # parse_qs undid the quote_plus
                return _wecom(310000, "sign not match")
        if body.get("msgtype") != "markdown":
            return _wecom(0, "ok") if body.get("msgtype") in ("text", "link", "actionCard") else \
                _wecom(40035, "invalid msgtype")
        markdown = body.get("markdown") or {}
        if not markdown.get("title") or not markdown.get("text"):
            return _wecom(40035, "missing markdown title or text")
        self._no_mentions("dingtalk", str(markdown.get("text")))
        if (body.get("at") or {}).get("isAtAll"):
            self.violations.append("dingtalk: isAtAll")
        text = f"{markdown.get('title')}\n{markdown.get('text')}"
        if robot.keywords and not any(k in text for k in robot.keywords):
            return _wecom(310000, "keywords not in content")
        return _wecom(0, "ok")

    def _recent(self, timestamp: str, unit: int) -> bool:
        try:
            return abs(int(timestamp) / unit - self.clock()) < SIGN_WINDOW_S
        except ValueError:
            return False

    def _no_mentions(self, platform: str, text: str) -> None:
        if MENTIONS.search(text):
            self.violations.append(f"{platform}: a mention or an image in {text[:80]!r}")


def _uuid() -> str:
    raw = _random.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def _wecom(code: int, message: str) -> dict:
    return {"errcode": code, "errmsg": message}


def _feishu(code: int, message: str) -> dict:
    return {"code": code, "data": {}, "msg": message}


def _coded(platform: str, code: int, message: str) -> dict:
    return _feishu(code, message) if platform == "feishu" else _wecom(code, message)


def _coded_error(answer: dict) -> bool:
    return bool(answer.get("errcode") or answer.get("code"))


def _reply(h: BaseHTTPRequestHandler, status: int, answer: dict, headers: dict | None = None) -> None:
    data = json.dumps(answer).encode("utf-8")
    h.send_response(status)
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)


def _fail(h: BaseHTTPRequestHandler, kind: str, retry_after: int = 0) -> None:
    if kind == "drop":
        h.close_connection = True
        with contextlib.suppress(OSError):
            h.connection.shutdown(socket.SHUT_RDWR)
        return None
    if kind == "malformed":
        data = b"<html>gateway</html>"
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
        return None
    status = {"http500": 500, "http429": 429}[kind]
    return _reply(h, status, {"error": kind}, {"Retry-After": str(retry_after)} if retry_after else {})


def destination(robots: FakeRobots, robot: Robot, name: str | None = None, *, secret: str | None = None,
                kinds: tuple[str, ...] | None = None, url_base: str | None = None, language: str = "zh"):
    """The resolved delivery.yaml entry of `robot` on this server (secret: another signing secret)."""
    from helpers.deliver.params import KINDS, Destination

    return Destination(name=name or f"{robot.platform}_robot", type=robot.platform, base_url=robots.base,
                       token=robot.token, secret=secret if secret is not None else robot.secret,
                       kinds=kinds or KINDS[robot.platform], timeout=5.0, language=language,
                       report_url_base=url_base)
