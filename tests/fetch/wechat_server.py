"""A WeChat API server on 127.0.0.1 for the fetch tests: the stable token endpoint and every datacube
API `wxreport fetch` calls, answering from the documentation samples (tests/fetch/fixtures/legacy)
with their dates rewritten to the days asked, checking each request, and failing on demand.

Its rules are written here from the reference (not imported from helpers.fetch), so a client that
breaks them is caught: dates yyyymmdd (mini-program) / yyyy-MM-dd (official account), each API's
span (days, Monday-Sunday weeks, calendar months, 7-day portrait windows), end_date at most
yesterday in Asia/Shanghai (for the official account the day before until 08:00), the legacy
article APIs before 2025-11-01, the published-content ones from then, a current token of the
app of the API's source. A broken rule answers 61500/61501 and is recorded in `violations`.

Faults (`inject`): expired / invalid token (42001 / 40001: the token is dropped, the client must
refresh), errcodes (-1, 45011, 47009, 48001, ...), HTTP 500, a dropped connection, malformed JSON,
an empty list, answers without optional fields (stay_time_uv), unknown source codes; and
`quota_after = N` answers 45009 once N datacube calls were answered.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import socket
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "legacy"
CHINA = timezone(timedelta(hours=8))
MP, OA = "mini-program", "official-account"
PUBLISHED = date(2025, 11, 1)
MP_PREFIX = "getweanalysisappid"

# api -> (source, split, max days); split: days | week | month | portrait
RULES: dict[str, tuple[str, str, int]] = {
    f"{MP_PREFIX}dailysummarytrend": (MP, "days", 1),
    f"{MP_PREFIX}dailyvisittrend": (MP, "days", 1),
    f"{MP_PREFIX}weeklyvisittrend": (MP, "week", 7),
    f"{MP_PREFIX}monthlyvisittrend": (MP, "month", 31),
    f"{MP_PREFIX}dailyretaininfo": (MP, "days", 1),
    f"{MP_PREFIX}weeklyretaininfo": (MP, "week", 7),
    f"{MP_PREFIX}monthlyretaininfo": (MP, "month", 31),
    f"{MP_PREFIX}visitdistribution": (MP, "days", 1),
    f"{MP_PREFIX}visitpage": (MP, "days", 1),
    f"{MP_PREFIX}userportrait": (MP, "portrait", 7),
    "getusersummary": (OA, "days", 7),
    "getusercumulate": (OA, "days", 7),
    "getarticletotal": (OA, "days", 1),
    "getuserread": (OA, "days", 3),
    "getarticletotaldetail": (OA, "days", 1),
    "getbizsummary": (OA, "days", 30),
}
LEGACY = {"getarticletotal", "getuserread"}
PUBLISHED_APIS = {"getarticletotaldetail", "getbizsummary"}
NOT_VARIED = {"key", "id", "index", "user_source", "position", "publish_type"}


@dataclass
class Fault:
    kind: str  # expire | invalid | errcode | http500 | drop | malformed | empty | no_optional | unknown_codes
    api: str | None = None  # None: any datacube API
    times: int = 1
    code: int = 0
    day: date | None = None  # only a request beginning on this day


@dataclass
class Call:
    api: str
    begin: date
    end: date
    answered: str  # "data", "errcode N", "http500", "drop", "malformed"


@dataclass
class App:
    source: str
    appid: str
    secret: str
    token: str | None = None
    issued: list[str] = field(default_factory=list)


class FakeWeChat:
    def __init__(self, now: datetime):
        self.now = now
        self.apps = {s: App(s, f"wx{secrets.token_hex(8)}", secrets.token_hex(16)) for s in (MP, OA)}
        self.faults: list[Fault] = []
        self.calls: list[Call] = []
        self.token_requests: list[dict] = []
        self.violations: list[str] = []
        self.quota_after: int | None = None
        self.answered = 0
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None

    # ---- test-facing ----------------------------------------------------------------------
    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def env(self, *sources: str) -> dict[str, str]:
        """The environment of a client of these sources (their own variable names)."""
        names = {MP: "MP", OA: "OA"}
        out = {"WXREPORT_WECHAT_API_BASE": self.base, "WXREPORT_FETCH_RETRY_DELAY": "0",
               "WXREPORT_FETCH_NOW": self.now.isoformat()}
        for source in sources or (MP, OA):
            app = self.apps[source]
            out[f"WECHAT_{names[source]}_APPID"] = app.appid
            out[f"WECHAT_{names[source]}_APPSECRET"] = app.secret
        return out

    def inject(self, kind: str, api: str | None = None, times: int = 1, code: int = 0,
               day: date | None = None) -> None:
        with self.lock:
            self.faults.append(Fault(kind, api, times, code, day))

    def tokens(self) -> set[str]:
        return {t for app in self.apps.values() for t in app.issued}

    def secrets(self) -> set[str]:
        return {app.secret for app in self.apps.values()} | self.tokens()

    def data_calls(self, api: str | None = None) -> list[Call]:
        return [c for c in self.calls if api is None or c.api == api]

    def ready(self, source: str) -> date:
        local = self.now.astimezone(CHINA)
        day = local.date() - timedelta(days=1)
        return day - timedelta(days=1) if source == OA and local.hour < 8 else day

    # ---- serving ------------------------------------------------------------------------
    def start(self) -> FakeWeChat:
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
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return _reply(h, {"errcode": 47001, "errmsg": "data format error"})
        if url.path == "/cgi-bin/stable_token":
            return _reply(h, self.token(body))
        match = re.fullmatch(r"/datacube/(\w+)", url.path)
        if not match or match.group(1) not in RULES:
            self.violations.append(f"unknown path {url.path}")
            return _reply(h, {"errcode": 48001, "errmsg": "api unauthorized"})
        token = (parse_qs(url.query).get("access_token") or [""])[0]
        self.datacube(h, match.group(1), token, body)

    def token(self, body: dict) -> dict:
        with self.lock:
            self.token_requests.append({k: v for k, v in body.items() if k != "secret"})
            app = next((a for a in self.apps.values() if a.appid == body.get("appid")), None)
            if body.get("grant_type") != "client_credential":
                return {"errcode": 40002, "errmsg": "invalid grant_type"}
            if app is None:
                return {"errcode": 40013, "errmsg": "invalid appid"}
            if body.get("secret") != app.secret:
                return {"errcode": 40125, "errmsg": "invalid appsecret"}
            if app.token is None or body.get("force_refresh") is True:
                app.token = f"TOKEN{secrets.token_hex(20)}"
                app.issued.append(app.token)
            return {"access_token": app.token, "expires_in": 7200}

    def datacube(self, h: BaseHTTPRequestHandler, api: str, token: str, body: dict) -> None:
        source, split, longest = RULES[api]
        app = self.apps[source]
        with self.lock:
            if not token:
                return _reply(h, {"errcode": 41001, "errmsg": "access_token missing"})
            if token != app.token:
                return _reply(h, {"errcode": 40001, "errmsg": f"invalid credential, access_token is invalid "
                                                               f"or not latest: {token[:6]}"})
            span, problem = self.check(api, source, split, longest, body)
            if problem:
                self.violations.append(f"{api} {body}: {problem}")
                return _reply(h, {"errcode": 61501, "errmsg": f"date range error: {problem}"})
            begin, end = span
            fault = self.take_fault(api, begin)
            if self.quota_after is not None and self.answered >= self.quota_after:
                self.calls.append(Call(api, begin, end, "errcode 45009"))
                return _reply(h, {"errcode": 45009, "errmsg": "reach max api daily quota limit"})
            answer = self.fault_answer(h, fault, app)
            self.calls.append(Call(api, begin, end, answer if isinstance(answer, str) else "data"))
            if isinstance(answer, str):
                return None
            if answer is not None:
                return _reply(h, answer)
            self.answered += 1
        response = respond(api, begin, end, self.ready(source))
        if fault and fault.kind == "empty":
            response = {k: ([] if isinstance(v, (list, dict)) else v) for k, v in response.items()}
        elif fault and fault.kind == "no_optional":
            response = strip_optional(response)
        elif fault and fault.kind == "unknown_codes":
            response = unknown_codes(api, response)
        return _reply(h, response)

    def take_fault(self, api: str, begin: date) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.api in (None, api) and fault.day in (None, begin):
                fault.times -= 1
                return fault
        return None

    def fault_answer(self, h: BaseHTTPRequestHandler, fault: Fault | None, app: App) -> dict | str | None:
        """The fault's own answer: an error body, or a string when it answered by itself; None
        lets the data through (perhaps altered by the fault)."""
        if fault is None or fault.kind in ("empty", "no_optional", "unknown_codes"):
            return None
        if fault.kind in ("expire", "invalid"):
            app.token = None  # the client must ask for a new one
            return {"errcode": 42001 if fault.kind == "expire" else 40001, "errmsg": "access_token expired"}
        if fault.kind == "errcode":
            return {"errcode": fault.code, "errmsg": f"error {fault.code}"}
        if fault.kind == "http500":
            h.send_response(500)
            h.send_header("Content-Length", "0")
            h.end_headers()
        elif fault.kind == "drop":
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
        elif fault.kind == "malformed":
            _send(h, b'{"list": [{"ref_date": ')
        return fault.kind

    def check(self, api: str, source: str, split: str, longest: int, body: dict):
        pattern = r"\d{8}" if source == MP else r"\d{4}-\d{2}-\d{2}"
        fmt = "%Y%m%d" if source == MP else "%Y-%m-%d"
        texts = body.get("begin_date"), body.get("end_date")
        if not all(isinstance(t, str) and re.fullmatch(pattern, t) for t in texts):
            return None, f"dates {texts} not in the {source} format"
        begin, end = (datetime.strptime(t, fmt).date() for t in texts)
        days = (end - begin).days + 1
        problems = {
            "end before begin": end < begin,
            f"{days} days > {longest}": split == "days" and days > longest,
            "not a Monday-Sunday week": split in ("week", "portrait") and (begin.weekday() or days != 7),
            "not a calendar month": split == "month" and (begin.day != 1 or (end + timedelta(days=1)).day != 1
                                                          or days > 31),
            f"end {end} after the last ready day {self.ready(source)}": end > self.ready(source),
            "legacy API after 2025-10-31": api in LEGACY and end >= PUBLISHED,
            "published-content API before 2025-11-01": api in PUBLISHED_APIS and begin < PUBLISHED,
        }
        found = [what for what, broken in problems.items() if broken]
        return (begin, end), "; ".join(found)


def _send(h: BaseHTTPRequestHandler, data: bytes) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json; charset=utf-8")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)


def _reply(h: BaseHTTPRequestHandler, answer: dict) -> None:
    _send(h, json.dumps(answer, ensure_ascii=False).encode("utf-8"))


# ---- answers ---------------------------------------------------------------------------------
def fixture(api: str) -> dict:
    folder = "mini_program" if api.startswith(MP_PREFIX) else "official_account"
    return json.loads((FIXTURES / folder / f"datacube_{api}.json").read_text(encoding="utf-8"))


def vary(value: Any, day: date, key: str = "") -> Any:
    """The sample's numbers moved by the day, so each day's row is its own."""
    if isinstance(value, dict):
        return {k: vary(v, day, k) for k, v in value.items()}
    if isinstance(value, list):
        return [vary(v, day, key) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and key not in NOT_VARIED:
        return value + day.toordinal() % 13
    return value


def _days(begin: date, end: date) -> list[date]:
    return [begin + timedelta(days=i) for i in range((end - begin).days + 1)]


def _mp(day: date) -> str:
    return day.strftime("%Y%m%d")


def respond(api: str, begin: date, end: date, ready: date) -> dict:
    """WeChat's answer for [begin, end], from the sample, as of the last ready day `ready`."""
    name = api.removeprefix(MP_PREFIX)
    if name in ("dailysummarytrend", "dailyvisittrend", "weeklyvisittrend", "monthlyvisittrend"):
        row = fixture(api)["list"][0]
        ref = {"daily": _mp(begin), "weekly": f"{_mp(begin)}-{_mp(end)}", "monthly": f"{begin:%Y%m}"}
        row |= {"ref_date": next(v for k, v in ref.items() if name.startswith(k))}
        if name.endswith("visittrend"):
            row.setdefault("stay_time_uv", 120.5)
        return {"list": [vary(row, begin)]}
    if name.endswith("retaininfo"):
        return retention(name, begin, end, ready)
    if name in ("visitdistribution", "visitpage"):
        return vary(fixture(api) | {"ref_date": _mp(begin)}, begin)
    if name == "userportrait":
        return vary(fixture(api) | {"ref_date": f"{_mp(begin)}-{_mp(end)}"}, begin)
    return OA_ANSWERS[api](begin, end, ready)


def retention(name: str, begin: date, end: date, ready: date) -> dict:
    """Keys observable by `ready`: daily 0-7, 14, 30; weekly 0-4; monthly 0-1."""
    if name.startswith("daily"):
        keys = [k for k in (0, 1, 2, 3, 4, 5, 6, 7, 14, 30) if begin + timedelta(days=k) <= ready]
        ref = _mp(begin)
    elif name.startswith("weekly"):
        keys = [k for k in range(5) if end + timedelta(days=7 * k) <= ready]
        ref = f"{_mp(begin)}-{_mp(end)}"
    else:
        after = (end + timedelta(days=1)).replace(day=28) + timedelta(days=4)
        keys = [0] + ([1] if after - timedelta(days=after.day) <= ready else [])
        ref = f"{begin:%Y%m}"
    blocks = {cohort: [{"key": k, "value": 1000 + 10 * k + begin.toordinal() % 13} for k in keys]
              for cohort in ("visit_uv_new", "visit_uv")}
    return {"ref_date": ref, **blocks}


def _user_summary(begin: date, end: date, ready: date) -> dict:
    return {"list": [{"ref_date": d.isoformat(), "user_source": s, "new_user": 5 + s % 7 + d.toordinal() % 13,
                      "cancel_user": 1 + d.toordinal() % 3} for d in _days(begin, end) for s in (0, 1, 30)]}


def _user_cumulate(begin: date, end: date, ready: date) -> dict:
    return {"list": [{"ref_date": d.isoformat(), "user_source": 0, "cumulate_user": 10_000 + d.toordinal() % 97}
                     for d in _days(begin, end)]}


def _article_total(begin: date, end: date, ready: date) -> dict:
    sample = fixture("getarticletotal")["list"][0]
    detail = sample["details"][0]
    items = [sample | {"ref_date": d.isoformat(), "msgid": f"{d.toordinal()}_1", "title": f"article {d}",
                       "details": [vary(detail, s) | {"stat_date": s.isoformat()}
                                   for s in _days(d, min(d + timedelta(days=6), ready))]}
             for d in _days(begin, end)]
    return {"list": items}


def _user_read(begin: date, end: date, ready: date) -> dict:
    row = fixture("getuserread")["list"][0]
    return {"list": [vary(row, d) | {"ref_date": d.isoformat(), "user_source": s}
                     for d in _days(begin, end) for s in (99999999, 0, 1, 2)]}


def _sources(total: int) -> list[dict]:
    return [{"scene_desc": scene, "user_count": total // share}
            for scene, share in (("全部", 1), ("公众号消息", 2), ("聊天会话", 4), ("朋友圈", 8))]


def _article_detail(begin: date, end: date, ready: date) -> dict:
    def stat(day: date, published: date) -> dict:
        n = 100 + (day - published).days * 10 + published.toordinal() % 13
        return {"stat_date": day.isoformat(), "read_user": n, "read_user_source": _sources(n), "share_user": n // 10,
                "zaikan_user": n // 20, "like_user": n // 15, "comment_count": 3, "collection_user": n // 30,
                "praise_money": 0, "read_subscribe_user": n // 2, "read_delivery_rate": 0.25,
                "read_finish_rate": 0.5, "read_avg_activetime": 1.5,
                "read_jump_position": [{"position": p, "rate": 0.2} for p in range(1, 6)]}

    items = [{"ref_date": d.isoformat(), "msgid": f"{d.toordinal()}_1", "publish_type": 0,
              "title": f"post {d}", "content_url": f"https://mp.weixin.qq.com/s/{d.toordinal()}",
              "detail_list": [stat(s, d) for s in _days(d, min(d + timedelta(days=29), ready))]}
             for d in _days(begin, end)]
    return {"list": items, "is_delay": False}


def _biz_summary(begin: date, end: date, ready: date) -> dict:
    def detail(day: date) -> dict:
        n = 500 + day.toordinal() % 13
        return {"read_user": n, "read_user_source": _sources(n), "share_user": n // 10, "zaikan_user": n // 20,
                "like_user": n // 15, "comment_count": 4, "collection_user": n // 30,
                "redirect_ori_page_user": 2, "send_page_count": 1}

    return {"list": [{"ref_date": d.isoformat(), "detail": detail(d)} for d in _days(begin, end)], "is_delay": False}


OA_ANSWERS = {"getusersummary": _user_summary, "getusercumulate": _user_cumulate,
              "getarticletotal": _article_total, "getuserread": _user_read,
              "getarticletotaldetail": _article_detail, "getbizsummary": _biz_summary}


def strip_optional(response: dict) -> dict:
    """Without the fields real responses carry but the documentation samples omit."""
    out = copy.deepcopy(response)
    for row in out.get("list", []):
        if isinstance(row, dict):
            row.pop("stay_time_uv", None)
            row.pop("page_share_uv", None)
            row.pop("zaikan_user", None)
    return out


def unknown_codes(api: str, response: dict) -> dict:
    """Source codes no table knows: a follower source 12345, an access-source key 999."""
    out = copy.deepcopy(response)
    if api == "getusersummary":
        first = out["list"][0]
        out["list"].append(first | {"user_source": 12345})
    elif api.endswith("visitdistribution"):
        for block in out["list"]:
            if block["index"] == "access_source_session_cnt":
                block["item_list"].append({"key": 999, "value": 7})
    return out
