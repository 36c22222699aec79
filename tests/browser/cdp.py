"""A small Chrome DevTools Protocol client over `--remote-debugging-pipe` (standard library only).

Chromium reads commands on its file descriptor 3 and writes replies and events on 4, each message
one JSON object ended by a NUL byte. A pipe needs no port, no WebSocket package and no HTTP
discovery, and it dies with the browser. Debian's `chromium` is the browser; nothing is downloaded.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ENV_VARIABLE = "WXREPORT_CHROMIUM"  # a browser elsewhere than on PATH
INSTALL_HINT = "install it with `apt-get install chromium` (Debian/Ubuntu), or set WXREPORT_CHROMIUM"
# As the machine notes advise: no background traffic, no first-run screens, a throw-away profile.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-extensions", "--disable-default-apps", "--mute-audio",
         "--hide-scrollbars", "--remote-debugging-pipe")


class CDPError(RuntimeError):
    """The browser answered a command with an error, closed the pipe, or did not answer in time."""


def find_chromium(env: Mapping[str, str] | None = None) -> str | None:
    """The browser to drive: $WXREPORT_CHROMIUM when set (and executable), else the first of
    CANDIDATES on PATH."""
    env = os.environ if env is None else env
    chosen = env.get(ENV_VARIABLE)
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return found
    return None


def on_ci(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return env.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing_browser(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """What a test does without a browser: ("fail", why) under CI (the browser tests are part of
    what CI proves), ("skip", how to install it) on a developer's machine."""
    message = f"browser tests: no headless Chromium found; {INSTALL_HINT}"
    return ("fail", message + " (CI=true: the browser is required)") if on_ci(env) else ("skip", message)


def split_messages(buffer: bytes) -> tuple[list[dict[str, Any]], bytes]:
    """The whole NUL-ended JSON messages at the start of `buffer`, and the incomplete rest."""
    *whole, rest = buffer.split(b"\0")
    return [json.loads(chunk) for chunk in whole if chunk.strip()], rest


def encode(message: Mapping[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\0"


class Browser:
    """One headless Chromium driven over the pipe. Commands are synchronous; events that arrive
    while waiting are kept in `events` (in order) for the caller to read and clear."""

    def __init__(self, executable: str, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._profile = tempfile.mkdtemp(prefix="wxreport-chromium-")
        self._next_id = 0
        self._buffer = b""
        # Its log goes to a file (a pipe nobody reads could fill and stall the browser).
        self._log = open(Path(self._profile) / "stderr.log", "w+b")  # noqa: SIM115 - closed in close()
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes() -> None:  # in the child, before exec: our pipe ends become fds 3 and 4
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.process = subprocess.Popen(  # preexec_fn only dup2s file descriptors
            [executable, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log,
            preexec_fn=wire_pipes, close_fds=False)
        os.close(to_browser_r)
        os.close(from_browser_w)
        try:
            self.version = self.send("Browser.getVersion")["product"]
        except CDPError:
            self.close()
            raise

    # -- protocol ---------------------------------------------------------------------------------
    def send(self, method: str, params: Mapping[str, Any] | None = None, session: str | None = None,
             timeout: float | None = None) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": dict(params or {})}
        if session:
            message["sessionId"] = session
        try:
            data = encode(message)
            while data:
                data = data[os.write(self._to_browser, data):]
        except OSError as exc:
            raise CDPError(f"{method}: the browser is gone ({exc}){self._stderr_tail()}") from exc
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for reply in self._read(deadline, method):
                if reply.get("id") == self._next_id:
                    if "error" in reply:
                        raise CDPError(f"{method}: {reply['error'].get('message')}")
                    return reply.get("result", {})
                if "method" in reply:
                    self.events.append(reply)

    def wait_for(self, method: str, session: str | None = None, timeout: float | None = None) -> dict:
        """The first event `method` (of `session`) in `events` or still to come; removes it."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, event in enumerate(self.events):
                if event["method"] == method and (session is None or event.get("sessionId") == session):
                    return self.events.pop(i)["params"]
            self.events.extend(e for e in self._read(deadline, method) if "method" in e)

    def _read(self, deadline: float, waiting_for: str) -> list[dict[str, Any]]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CDPError(f"{waiting_for}: no answer from the browser in time")
        ready, _, _ = select.select([self._from_browser], [], [], remaining)
        if not ready:
            raise CDPError(f"{waiting_for}: no answer from the browser in time")
        chunk = os.read(self._from_browser, 1 << 20)
        if not chunk:
            raise CDPError(f"{waiting_for}: the browser closed the pipe{self._stderr_tail()}")
        messages, self._buffer = split_messages(self._buffer + chunk)
        return messages

    def _stderr_tail(self) -> str:
        """What a browser that went away said last (its stderr), once it has exited."""
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return ""
        if self._log.closed:
            return ""
        self._log.seek(0)
        return ": " + self._log.read().decode(errors="replace")[-600:].strip()

    # -- pages ------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def page(self) -> Iterator[Page]:
        """A new tab, attached in flat mode; closed on leaving."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            yield Page(self, session)
        finally:
            with contextlib.suppress(CDPError):
                self.send("Target.closeTarget", {"targetId": target})

    def close(self) -> None:
        with contextlib.suppress(CDPError, OSError):
            if self.process.poll() is None:
                self.send("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._log.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Page:
    """One tab: device emulation, navigation, script evaluation, screenshots, and what it asked
    the network for."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable")

    def send(self, method: str, params: Mapping[str, Any] | None = None, timeout: float | None = None) -> dict:
        return self.browser.send(method, params, self.session, timeout)

    def emulate(self, width: int, height: int, scale: float, mobile: bool) -> None:
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                          "deviceScaleFactor": scale, "mobile": mobile})
        self.send("Emulation.setTouchEmulationEnabled", {"enabled": mobile, "maxTouchPoints": 5})

    def open(self, url: str, timeout: float = 60.0) -> None:
        """Navigate and wait for the load event (every embedded image and font decoded)."""
        self.drain()
        reply = self.send("Page.navigate", {"url": url}, timeout=timeout)
        if reply.get("errorText"):
            raise CDPError(f"opening {url}: {reply['errorText']}")
        self.browser.wait_for("Page.loadEventFired", self.session, timeout=timeout)

    def evaluate(self, expression: str, timeout: float = 60.0) -> Any:
        reply = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                               "returnByValue": True}, timeout=timeout)
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            raise CDPError("script failed: " + str(details.get("exception", {}).get("description")
                                                   or details.get("text")))
        return reply["result"].get("value")

    def screenshot(self, path: Path, full_page: bool = False, max_height: int = 12_000) -> Path:
        """A PNG of the first screen, or of the whole page (at 1 image px per CSS px, cut at
        `max_height` CSS px so that a long page stays a reasonable file)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            dpr = self.evaluate("window.devicePixelRatio")
            params.update(captureBeyondViewport=True, clip={
                "x": 0, "y": 0, "width": size[0], "height": min(size[1], max_height), "scale": 1 / dpr})
        data = self.send("Page.captureScreenshot", params, timeout=120)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def drain(self) -> list[dict[str, Any]]:
        """Take this tab's events received so far out of the browser's list."""
        mine = [e for e in self.browser.events if e.get("sessionId") == self.session]
        self.browser.events = [e for e in self.browser.events if e.get("sessionId") != self.session]
        return mine


def requests_of(events: list[dict[str, Any]]) -> list[str]:
    """The URLs of every request the page made (documents, images, fonts, scripts, fetches)."""
    return [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]


def exceptions_of(events: list[dict[str, Any]]) -> list[str]:
    """Uncaught script errors of the page."""
    found = []
    for e in events:
        if e["method"] == "Runtime.exceptionThrown":
            details = e["params"]["exceptionDetails"]
            found.append(str(details.get("exception", {}).get("description") or details.get("text")))
    return found
