"""Talks to WeChat: credentials from the environment, the access token (stable token endpoint), one
datacube call with its retries.

Neither the AppSecret nor an access token leaves this module: they are never formatted into a
message, an exception or a log line (urllib's errors quote the URL, which carries the token, so
they are described here by type and reason, never chained), and every text WeChat sends back is
scrubbed of both before it is quoted.

Retries: network errors (refused, reset, dropped, timed out), HTTP 5xx and 429, malformed JSON,
errcode -1 (system busy) and 45011 (per-minute limit) are tried MAX_ATTEMPTS times in all, waiting
`delay * 2**attempt` seconds (at most MAX_DELAY_FACTOR * delay; 45011 at least
BUSY_DELAY_FACTOR * delay) with `delay` from WXREPORT_FETCH_RETRY_DELAY (seconds, default 2; the
tests set 0). 40001 / 40014 / 42001 (token invalid or expired) refresh the token once
(force_refresh) and ask again; a second one stops.
"""

from __future__ import annotations

import http.client
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode, urlsplit

from helpers.fetch.apis import MINI_PROGRAM, OFFICIAL_ACCOUNT, Api
from helpers.fetch.codes import BUSY, TOKEN_EXPIRED, FetchError, api_error

ENV_BASE = "WXREPORT_WECHAT_API_BASE"
DEFAULT_BASE = "https://api.weixin.qq.com"
ENV_RETRY_DELAY = "WXREPORT_FETCH_RETRY_DELAY"
DEFAULT_RETRY_DELAY = 2.0
MAX_ATTEMPTS = 6
MAX_DELAY_FACTOR = 30
BUSY_DELAY_FACTOR = 30
TIMEOUT_S = 30.0
TOKEN_MARGIN_S = 300  # a token this close to its end is renewed before use
TOKEN_PATH = "/cgi-bin/stable_token"

ENV_NAMES = {
    MINI_PROGRAM: ("WECHAT_MP_APPID", "WECHAT_MP_APPSECRET"),
    OFFICIAL_ACCOUNT: ("WECHAT_OA_APPID", "WECHAT_OA_APPSECRET"),
}
FALLBACK_NAMES = ("WECHAT_APPID", "WECHAT_APPSECRET")


@dataclass(frozen=True)
class Credentials:
    appid: str
    secret: str = field(repr=False)
    names: tuple[str, str] = FALLBACK_NAMES  # the variables they came from


def credentials(source: str, environ: Mapping[str, str] | None = None) -> Credentials:
    """The AppID / AppSecret of `source`: its own pair of variables, else WECHAT_APPID /
    WECHAT_APPSECRET. A pair set halfway is an error naming the missing variable."""
    env = os.environ if environ is None else environ
    for names in (ENV_NAMES[source], FALLBACK_NAMES):
        values = [env.get(name, "").strip() for name in names]
        if all(values):
            return Credentials(values[0], values[1], names)
        if any(values):
            missing = names[values.index("")]
            raise FetchError(f"{names[0] if values[0] else names[1]} is set but {missing} is not: "
                             f"set both to fetch the {source}'s statistics")
    own, fallback = ENV_NAMES[source], FALLBACK_NAMES
    raise FetchError(f"no WeChat credentials for the {source}: set {own[0]} and {own[1]} (or {fallback[0]} "
                     f"and {fallback[1]}) in the environment to the AppID and AppSecret of the admin console")


def configured(source: str, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return any(env.get(name, "").strip() for name in (*ENV_NAMES[source], *FALLBACK_NAMES))


def retry_delay(environ: Mapping[str, str] | None = None) -> float:
    env = os.environ if environ is None else environ
    text = env.get(ENV_RETRY_DELAY, "").strip()
    try:
        value = float(text) if text else DEFAULT_RETRY_DELAY
    except ValueError:
        raise FetchError(f"{ENV_RETRY_DELAY}={text!r}: expected seconds, such as 2") from None
    return max(0.0, value)


def api_base(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    base = (env.get(ENV_BASE, "").strip() or DEFAULT_BASE).rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or any(c.isspace() for c in base):
        raise FetchError(f"{ENV_BASE}={base!r} is not a usable URL: expected e.g. {DEFAULT_BASE}")
    return base


class _Transient(Exception):
    """Worth asking again after a pause (never shown with a URL)."""


def _describe(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    cause = reason if isinstance(reason, BaseException) else exc
    text = str(reason if reason is not None else exc)
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__


class Client:
    """One app's conversation with WeChat."""

    def __init__(self, creds: Credentials, base: str = DEFAULT_BASE, *, delay: float = DEFAULT_RETRY_DELAY,
                 timeout: float = TIMEOUT_S, sleep: Callable[[float], None] = time.sleep,
                 warn: Callable[[str], None] | None = None, clock: Callable[[], float] = time.monotonic):
        self._creds = creds
        self._base = base.rstrip("/")
        self._delay, self._timeout, self._sleep, self._clock = delay, timeout, sleep, clock
        self._warn = warn or (lambda _text: None)
        self._token: str | None = None
        self._token_until = 0.0
        self._unsayable = {creds.secret}
        self.requests = 0  # HTTP requests sent, retries included

    def __repr__(self) -> str:
        return f"Client(appid={self._creds.appid!r}, base={self._base!r})"

    def scrub(self, text: str) -> str:
        """`text` with the secret and every token seen replaced by ***."""
        for secret in sorted(self._unsayable, key=len, reverse=True):
            if secret:
                text = text.replace(secret, "***")
        return text

    def unsayable(self) -> set[str]:
        """The strings that must appear nowhere (the secret and the tokens), for the store's check."""
        return set(self._unsayable)

    def datacube(self, api: Api, begin: date, end: date) -> dict:
        """WeChat's answer for [begin, end] (errcode 0 or absent); raises ApiError otherwise."""
        body = {"begin_date": api.wire_date(begin), "end_date": api.wire_date(end)}
        refreshed = False
        while True:
            answer = self._retrying(api.name, api.path, body, token=self._current_token())
            code = _errcode(answer)
            if code in TOKEN_EXPIRED and not refreshed:
                refreshed = True
                self._refresh_token(force=True)
                continue
            if code:
                raise api_error(code, api.name, self.scrub(str(answer.get("errmsg", ""))))
            return answer

    def _current_token(self) -> str:
        if self._token is None or self._clock() >= self._token_until:
            self._refresh_token(force=False)
        return self._token or ""

    def _refresh_token(self, force: bool) -> None:
        body = {"grant_type": "client_credential", "appid": self._creds.appid, "secret": self._creds.secret,
                "force_refresh": force}
        answer = self._retrying("access token", TOKEN_PATH, body)
        code = _errcode(answer)
        token = answer.get("access_token")
        if code or not isinstance(token, str) or not token:
            detail = self.scrub(str(answer.get("errmsg", "no access_token in the answer")))
            names = " / ".join(self._creds.names)
            raise api_error(code or 0, f"access token (credentials from {names})", detail) from None
        self._unsayable.add(token)
        self._token = token
        try:
            lifetime = float(answer.get("expires_in", 7200))
        except (TypeError, ValueError):
            lifetime = 7200.0
        self._token_until = self._clock() + max(0.0, lifetime - TOKEN_MARGIN_S)

    def _retrying(self, what: str, path: str, body: dict, token: str | None = None) -> dict:
        for attempt in range(MAX_ATTEMPTS):
            try:
                answer = self._exchange(path, body, token)
            except _Transient as exc:
                problem, wait = str(exc), self._wait(attempt)
            else:
                code = _errcode(answer)
                if code not in BUSY:
                    return answer
                problem = f"WeChat error {code} ({'busy' if code == -1 else 'called too often'})"
                wait = max(self._wait(attempt), BUSY_DELAY_FACTOR * self._delay if code == 45011 else 0.0)
            if attempt + 1 < MAX_ATTEMPTS:
                self._warn(f"{what}: {problem}; trying again in {wait:g} s "
                           f"(attempt {attempt + 2} of {MAX_ATTEMPTS})")
                self._sleep(wait)
        raise FetchError(f"{what}: gave up after {MAX_ATTEMPTS} attempts: {problem}") from None

    def _wait(self, attempt: int) -> float:
        return min(self._delay * 2**attempt, self._delay * MAX_DELAY_FACTOR)

    def _exchange(self, path: str, body: dict, token: str | None) -> dict:
        """One HTTP round trip; the URL (with the token) lives only here."""
        query = f"?{urlencode({'access_token': token})}" if token else ""
        request = urllib.request.Request(self._base + path + query, data=json.dumps(body).encode("utf-8"),
                                         headers={"Content-Type": "application/json"}, method="POST")
        self.requests += 1
        raw = self._send(request, path)
        try:
            answer = json.loads(raw.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError is a ValueError
            raise _Transient(f"malformed JSON from {path}") from None
        if not isinstance(answer, dict):
            raise _Transient(f"malformed JSON from {path} (not an object)")
        return answer

    def _send(self, request: urllib.request.Request, path: str) -> bytes:
        problem = ""
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
            if status < 500 and status != 429:
                problem = f"HTTP {status} from {path}: is {ENV_BASE} right?"
            else:
                raise _Transient(f"HTTP {status} from {path}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise _Transient(self.scrub(_describe(exc))) from None
        except ValueError as exc:
            problem = f"{ENV_BASE} is not a usable URL ({self.scrub(_describe(exc))})"
        raise FetchError(problem) from None


def _errcode(answer: dict) -> int:
    try:
        return int(answer.get("errcode") or 0)
    except (TypeError, ValueError):
        return -1
