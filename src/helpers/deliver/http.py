"""A small HTTP client for the group robots: JSON in and out, multipart for WeCom's upload_media,
timeouts, and retries with backoff. Standard library only (urllib).

Secrets: a robot's key or token rides in its URL (WeCom `?key=`, DingTalk `?access_token=`, Feishu
`/hook/<token>`), so the URL never leaves this module: urllib's errors, which may quote it, are
described by type and reason, never chained, and everything said (warnings, errors, answers quoted)
is scrubbed of every secret the caller named (`secrets=`) and of the URL's key, token and signature.

Retries: network errors (refused, reset, dropped, timed out), HTTP 5xx and 429, an answer that is
not a JSON object, and an answer the caller calls rate-limited (`limited(answer) -> bool`: WeCom
45009, Feishu 11232, DingTalk 130101) are tried ATTEMPTS times in all, waiting
`delay * 2**attempt` seconds, at most MAX_DELAY_FACTOR * delay; a rate limit waits at least
LIMIT_DELAY_FACTOR * delay (the robots count 20 messages a minute: with the default delay of 2 s,
60 s empties the window), or what the server's Retry-After / x-ogw-ratelimit-reset header asks,
within the same cap. `delay` comes from WXREPORT_DELIVER_RETRY_DELAY (seconds, default 2; the tests
set 0 or a few hundredths). A POST whose answer was lost may have been delivered: retrying it can
show a message twice, which is better than not at all. Any other HTTP status is an HttpError at once.
"""

from __future__ import annotations

import http.client
import json
import mimetypes
import os
import secrets as _random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from helpers.core.errors import WxReportError

ENV_RETRY_DELAY = "WXREPORT_DELIVER_RETRY_DELAY"
DEFAULT_RETRY_DELAY = 2.0
ATTEMPTS = 5
MAX_DELAY_FACTOR = 30
LIMIT_DELAY_FACTOR = 30
TIMEOUT_S = 20.0
RETRY_HEADERS = ("Retry-After", "x-ogw-ratelimit-reset")  # seconds (Feishu's open platform: x-ogw-...)
USER_AGENT = "wxreport-deliver"
SECRET_QUERY = {"key", "access_token", "sign"}  # WeCom's key, DingTalk's token and signature


class HttpError(WxReportError):
    """A request that failed for good; the message is secret-free and names no URL."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def retry_delay(environ: Mapping[str, str] | None = None) -> float:
    """Seconds of the first retry wait, from WXREPORT_DELIVER_RETRY_DELAY (default 2)."""
    env = os.environ if environ is None else environ
    text = env.get(ENV_RETRY_DELAY, "").strip()
    try:
        value = float(text) if text else DEFAULT_RETRY_DELAY
    except ValueError:
        raise HttpError(f"{ENV_RETRY_DELAY}={text!r}: expected seconds, such as 2") from None
    if value != value:  # NaN
        raise HttpError(f"{ENV_RETRY_DELAY}={text!r}: expected seconds, such as 2")
    return max(0.0, value)


@dataclass
class Answer:
    """A JSON object the server answered, with what it took to get it."""

    body: dict
    attempts: int = 1       # requests sent, the successful one included
    size: int = 0           # bytes of the request body sent
    limited: bool = False   # the last answer was still a rate limit (the retries ran out)

    @property
    def note(self) -> str:
        """"ok" or "ok after N retries" for the delivery log."""
        retries = self.attempts - 1
        return "ok" if retries == 0 else f"ok after {retries} retr{'y' if retries == 1 else 'ies'}"


class _Transient(Exception):
    """Worth asking again after a pause (never shown with a URL)."""

    def __init__(self, message: str, wait: float | None = None):
        super().__init__(message)
        self.wait = wait


@dataclass
class Http:
    """One delivery run's HTTP client; `requests` counts what it sent (retries included)."""

    delay: float = DEFAULT_RETRY_DELAY
    warn: Callable[[str], None] | None = None
    timeout: float = TIMEOUT_S
    attempts: int = ATTEMPTS
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0
    _unsayable: set[str] = field(default_factory=set, repr=False)

    def hide(self, *values: str | None) -> None:
        """Never say these (a key, a token, a secret) in any message."""
        self._unsayable.update(v for v in values if v)

    def scrub(self, text: str) -> str:
        for secret in sorted(self._unsayable, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def post_json(self, url: str, body: dict, *, what: str, secrets: Iterable[str] = (),
                  limited: Callable[[dict], bool] | None = None, timeout: float | None = None) -> Answer:
        """POST `body` as JSON; the answer's JSON object (HttpError when none could be had)."""
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return self._retrying(url, data, "application/json; charset=utf-8", what=what, secrets=secrets,
                              limited=limited, timeout=timeout)

    def post_file(self, url: str, field_name: str, filename: str, content: bytes, *, what: str,
                  secrets: Iterable[str] = (), limited: Callable[[dict], bool] | None = None,
                  timeout: float | None = None) -> Answer:
        """POST one file as multipart/form-data (WeCom's upload_media: field `media`)."""
        data, content_type = multipart(field_name, filename, content)
        return self._retrying(url, data, content_type, what=what, secrets=secrets, limited=limited,
                              timeout=timeout)

    # ---- the retry loop ---------------------------------------------------------------------
    def _retrying(self, url: str, data: bytes, content_type: str, *, what: str, secrets: Iterable[str],
                  limited: Callable[[dict], bool] | None, timeout: float | None) -> Answer:
        self.hide(*secrets, *_query_values(url))
        attempts = max(1, self.attempts)
        problem, answer = "", None
        for attempt in range(attempts):
            try:
                answer = self._exchange(url, data, content_type, timeout or self.timeout)
            except _Transient as exc:
                answer = None
                problem, wait = self.scrub(str(exc)), self._wait(attempt, exc.wait, rate=False)
            else:
                if limited is None or not limited(answer):
                    return Answer(answer, attempt + 1, len(data))
                problem = f"rate limited ({_code_of(answer)})"
                wait = self._wait(attempt, None, rate=True)
            if attempt + 1 < attempts:
                self._say(f"{what}: {problem}; trying again in {wait:g} s (attempt {attempt + 2} of {attempts})")
                self.sleep(wait)
        if answer is not None and limited is not None and limited(answer):
            return Answer(answer, attempts, len(data), limited=True)
        raise HttpError(f"{what}: gave up after {attempts} attempts: {problem}")

    def _wait(self, attempt: int, asked: float | None, rate: bool) -> float:
        cap = self.delay * MAX_DELAY_FACTOR
        wait = self.delay * 2**attempt
        if rate:
            wait = max(wait, LIMIT_DELAY_FACTOR * self.delay)
        if asked is not None:
            wait = max(wait, asked)
        return min(wait, cap)

    def _say(self, text: str) -> None:
        if self.warn is not None:
            self.warn(self.scrub(text))

    def _exchange(self, url: str, data: bytes, content_type: str, timeout: float) -> dict:
        """One round trip; the URL lives only here."""
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": content_type, "User-Agent": USER_AGENT})
        self.requests += 1
        raw = self._send(request, timeout)
        try:
            answer = json.loads(raw.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError is a ValueError
            raise _Transient("the answer was not JSON") from None
        if not isinstance(answer, dict):
            raise _Transient("the answer was not a JSON object")
        return answer

    def _send(self, request: urllib.request.Request, timeout: float) -> bytes:
        where = urlsplit(request.full_url).path or "/"
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            status, asked = exc.code, _asked_wait(exc.headers)
            body = _read_quietly(exc)
            if status >= 500 or status == 429:
                raise _Transient(f"HTTP {status}", asked) from None
            if status == 400 and _json_object(body) is not None:
                return body  # Feishu answers some errors (e.g. 19021) with HTTP 400 and its code
            raise HttpError(self.scrub(f"HTTP {status} from {_path_hint(where)}: is base_url right?"),
                            status) from None
        except (OSError, http.client.HTTPException) as exc:
            raise _Transient(self.scrub(_describe(exc))) from None
        except ValueError as exc:
            raise HttpError(self.scrub(f"not a usable URL ({_describe(exc)}): is base_url right?")) from None


def multipart(field_name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """(body, content type) of a multipart/form-data request with one file part."""
    boundary = f"wxreport-{_random.token_hex(12)}"
    kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    quoted = filename.replace("\\", "_").replace('"', "_").replace("\r", "_").replace("\n", "_")
    head = (f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field_name}"; filename="{quoted}"; '
            f"filelength={len(content)}\r\n"
            f"Content-Type: {kind}\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode("ascii")
    return head + content + tail, f"multipart/form-data; boundary={boundary}"


def _code_of(answer: dict) -> str:
    for key in ("errcode", "code", "StatusCode"):
        if key in answer:
            return f"{key} {answer[key]}"
    return "no code"


def _query_values(url: str) -> list[str]:
    """The values of a URL's secret query parameters (keys, tokens, signatures): said nowhere."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return []
    raw = [part.partition("=") for part in query.split("&")]
    return ([value for name, _, value in raw if name in SECRET_QUERY and value]
            + [value for name, value in parse_qsl(query) if name in SECRET_QUERY and value])


def _path_hint(path: str) -> str:
    """The path without its last segment when that could be a token (Feishu's /hook/<token>)."""
    head, _, last = path.rpartition("/")
    return f"{head}/***" if "/hook" in head and last else path


def _asked_wait(headers) -> float | None:
    for name in RETRY_HEADERS:
        value = headers.get(name) if headers is not None else None
        if value is None:
            continue
        try:
            return max(0.0, float(value))
        except ValueError:
            continue
    return None


def _read_quietly(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read()
    except (OSError, http.client.HTTPException):
        return b""
    finally:
        exc.close()


def _json_object(raw: bytes) -> dict | None:
    try:
        value = json.loads(raw.decode("utf-8"))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _describe(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    cause = reason if isinstance(reason, BaseException) else exc
    text = str(reason if reason is not None else exc)
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__
