"""`wxreport deliver [--period latest|YYYY-Www] [--out DIR] [--to NAME ...] [--resend] [--dry-run]`.

Sends the week the run published (`<out>/<period>/`) to the destinations of params/delivery.yaml:
企业微信 (WeCom), Feishu and DingTalk group robots and email. Per destination, each message kind
(WeCom: poster, digest, file; Feishu and DingTalk: digest; email: the mail) goes out once: the
week's `delivery.json` records what was sent, so a rerun sends only what has not gone out yet, or
what changed since (`--resend` sends everything again). `--dry-run` prints each message instead.

A destination whose variable is unset is skipped with a one-line warning. A destination that
fails is named, with the platform's reason, while the others still go out.

Exit status: 0 every destination sent, up to date, skipped or held back (`deliver_only_if_complete`
and an incomplete week); 1 a destination failed; 2 a parameter or command-line problem, or no
published week. For tests: WXREPORT_DELIVER_RETRY_DELAY (seconds) shortens the waits between
retries (helpers.deliver.http).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.core.errors import WxReportError
from helpers.core.params import DEFAULTS_FILE, SharedParams, read_yaml
from helpers.core.paths import project_root
from helpers.deliver.digest import Digest, build_digest
from helpers.deliver.log import FAILED, OK, DeliveryError, DeliveryLog, Record, Sent, now_iso
from helpers.deliver.params import DELIVERY_FILE, Delivery, Destination, load_delivery, scrub
from helpers.deliver.week import Week, find_period, load_week, report_files
from helpers.render.text import Text

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PROG = "wxreport deliver"


def say(text: str) -> None:
    print(f"{PROG}: {text}", flush=True)


def warn(text: str) -> None:
    print(f"{PROG}: warning: {text}", file=sys.stderr, flush=True)


def fail(text: str) -> None:
    print(f"{PROG}: error: {text}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Message:
    kind: str
    sha256: str
    size: int
    what: str  # one line for the terminal: 'weekly_summary.png, 812 KB'


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=(
        "Send the week's results to the destinations of params/delivery.yaml (WeCom, Feishu and "
        "DingTalk group robots, email). Secrets come from the environment variables it names."))
    p.add_argument("--period", help="'latest' (the newest week in the output folder) or e.g. 2026-W47")
    p.add_argument("--out", help="output folder of the reports (default: params, 'reports')")
    p.add_argument("--to", nargs="+", metavar="NAME", help="only these destinations (names in delivery.yaml)")
    p.add_argument("--resend", action="store_true", help="send again what delivery.json says went out")
    p.add_argument("--dry-run", action="store_true", help="print each message instead of sending it")
    p.add_argument("--params", type=Path, help=argparse.SUPPRESS)
    return p


def out_folder(value: str | None, params_dir: Path) -> Path:
    """--out (relative to the working folder), else defaults.yaml `out` (relative to the project)."""
    if value:
        return Path(value).expanduser().resolve()
    out = read_yaml(params_dir / DEFAULTS_FILE).get("out") or SharedParams.model_fields["out"].default
    path = Path(str(out)).expanduser()
    return path if path.is_absolute() else (project_root() / path).resolve()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file(path: Path) -> tuple[str, int]:
    data = path.read_bytes()
    return _sha(data), len(data)


def _kb(size: int) -> str:
    return f"{size / 1024:,.0f} KB" if size >= 1024 else f"{size} bytes"


def messages(dest: Destination, week: Week, digest: Digest) -> tuple[list[Message], list[str]]:
    """The messages `dest` sends this week, in order, with the hash the log compares; and the
    kinds left out because the week has nothing for them (no poster, no weekly summary page)."""
    out, absent = [], []
    for kind in dest.kinds:
        if kind == "poster" and week.poster:
            sha, size = _file(week.poster)
            out.append(Message(kind, sha, size, f"image {week.poster.name}, {_kb(size)}"))
        elif kind == "file" and week.summary_html:
            sha, size = _file(week.summary_html)
            out.append(Message(kind, sha, size, f"file {week.summary_html.name}, {_kb(size)}"))
        elif kind == "digest":
            size = len(digest.text.encode("utf-8"))
            what = "interactive card" if dest.type == "feishu" else "markdown"
            out.append(Message(kind, digest.sha256, size, f"{what}, {size:,} bytes"))
        elif kind == "email":
            parts = [digest.sha256] + ([_file(week.poster)[0]] if week.poster else [])
            files = [] if dest.report_url_base else report_files(week)
            parts += [_file(p)[0] for p in files]
            size = sum(p.stat().st_size for p in files) + len(digest.text.encode()) + len((digest.html or "").encode())
            out.append(Message(kind, _sha("\n".join(parts).encode()), size,
                               f"mail to {', '.join(dest.to)}, {len(files)} attachment(s)"))
        else:
            absent.append(kind)
    return out, absent


def _preview(dest: Destination, week: Week, digest: Digest, message: Message) -> str:
    if message.kind == "digest" and digest.card is not None:
        return json.dumps(digest.card, ensure_ascii=False, indent=1)
    if message.kind == "digest":
        return digest.text
    if message.kind == "email":
        files = [] if dest.report_url_base else [p.name for p in report_files(week)]
        lines = [f"From: {dest.sender}", f"To: {', '.join(dest.to)}", f"Subject: {digest.title}", "",
                 digest.text.rstrip()]
        if week.poster:
            lines.append(f"[inline image: {week.poster.name}]")
        if files:
            lines.append(f"[attached: {', '.join(files)}]")
        return "\n".join(lines)
    return ""


def channel(kind: str) -> Any:
    """The module that sends to a destination of this type (helpers.deliver.channels.<type>)."""
    return importlib.import_module(f"helpers.deliver.channels.{kind}")


def make_http(environ: Mapping[str, str]) -> Any:
    from helpers.deliver.http import Http, retry_delay

    return Http(delay=retry_delay(environ), warn=warn)


@dataclass
class Run:
    """One `wxreport deliver`: the week, the log and what happened per destination."""

    week: Week
    log: DeliveryLog
    secrets: tuple[str, ...]
    resend: bool = False
    dry_run: bool = False
    http_factory: Callable[[], Any] | None = None
    _http: Any = None

    def http(self) -> Any:
        if self._http is None and self.http_factory is not None:
            self._http = self.http_factory()
        return self._http

    def destination(self, dest: Destination) -> bool:
        """Send (or show) what `dest` has not received yet; False when it failed."""
        if dest.missing and not self.dry_run:
            warn(f"{dest.name} ({dest.type}) skipped: {', '.join(dest.missing)} "
                 f"{'is' if len(dest.missing) == 1 else 'are'} not set in the environment")
            return True
        digest = build_digest(self.week, dest, Text(dest.language))
        todo, absent = messages(dest, self.week, digest)
        for kind in absent:
            say(f"{dest.name}: no {kind} this week ({'no poster' if kind == 'poster' else 'no weekly summary page'})")
        if not self.resend:
            todo = self._not_sent(dest, todo)
        if self.dry_run:
            self._show(dest, digest, todo)
            return True
        if not todo:
            return True
        return self._send(dest, digest, todo)

    def _not_sent(self, dest: Destination, todo: list[Message]) -> list[Message]:
        left, done = [], []
        for m in todo:
            if record := self.log.sent(dest.name, m.kind, m.sha256):
                done.append(f"{m.kind} at {record.when}")
                continue
            if before := self.log.last_ok(dest.name, m.kind):
                say(f"{dest.name}: {m.kind} changed since it was sent at {before.when}: sending this version")
            left.append(m)
        if done:
            say(f"{dest.name}: already sent: {', '.join(done)} (delivery.json; --resend sends again)")
        return left

    def _show(self, dest: Destination, digest: Digest, todo: list[Message]) -> None:
        note = f" [not sent: {', '.join(dest.missing)} not set]" if dest.missing else ""
        for m in todo:
            print(f"--- {dest.name} ({dest.type}) · {m.kind}: {m.what}{note}", flush=True)
            body = _preview(dest, self.week, digest, m)
            if body:
                print(body.rstrip(), flush=True)
        if not todo:
            say(f"{dest.name}: nothing new to send")

    def _send(self, dest: Destination, digest: Digest, todo: list[Message]) -> bool:
        by_kind = {m.kind: m for m in todo}
        try:
            sent: Sequence[Sent] = channel(dest.type).send(dest, self.week, digest, self.http(),
                                                           tuple(by_kind))
            error: str | None = None
        except DeliveryError as exc:
            sent, error = exc.sent, str(exc)
        except Exception as exc:  # any other failure of one destination: named, the others go on
            sent, error = (), f"{dest.name}: {type(exc).__name__}: {exc}"
        error = scrub(error, self.secrets) if error else None
        for s in sent:
            m = by_kind.pop(s.kind, None)
            if m is None:
                continue
            self.log.add(Record(dest.name, dest.type, s.kind, m.sha256, s.size, s.when or now_iso(),
                                OK if s.result.startswith(OK) else s.result, s.detail))
            say(f"{dest.name}: {s.kind} sent ({_kb(s.size)}){' · ' + s.detail if s.detail else ''}")
        if error:
            # the first message not sent is the one that failed; the ones after it were not tried
            if first := next(iter(by_kind.values()), None):
                self.log.add(Record(dest.name, dest.type, first.kind, first.sha256, 0, now_iso(), FAILED, error))
            fail(f"{error} (not sent: {', '.join(by_kind) or 'nothing'})")
        self.log.write()
        return error is None


def select(delivery: Delivery, names: Sequence[str] | None) -> list[Destination]:
    """The destinations named by --to (all enabled ones without it)."""
    if not names:
        return list(delivery.destinations)
    known = {d.name: d for d in delivery.destinations}
    unknown = [n for n in names if n not in known]
    if unknown:
        listed = ", ".join(known) or "none"
        raise WxReportError(f"--to {' '.join(unknown)}: no such enabled destination in "
                            f"{delivery.path} (enabled: {listed})")
    return [known[n] for n in dict.fromkeys(names)]


def deliver(args: argparse.Namespace, environ: Mapping[str, str], since: float | None = None,
            http_factory: Callable[[], Any] | None = None) -> int:
    params_dir = (args.params or project_root() / "params").resolve()
    delivery = load_delivery(params_dir, environ)
    if not delivery.destinations:
        say(f"no destination enabled in {params_dir / DELIVERY_FILE}: nothing sent")
        return EXIT_OK
    chosen = select(delivery, args.to)
    out = out_folder(args.out, params_dir)
    period = find_period(out, args.period, since)
    week = load_week(out, period.label)
    if delivery.deliver_only_if_complete and not week.complete:
        warn(f"{period.label} is incomplete and deliver_only_if_complete is true: nothing "
             f"{'would be ' if args.dry_run else ''}sent. Why: " + "; ".join(week.incomplete_why))
        return EXIT_OK
    if not week.complete:
        warn(f"{period.label} is incomplete (the messages say so at the top): " + "; ".join(week.incomplete_why))
    secrets = tuple(s for d in delivery.destinations for s in d.secrets())
    run = Run(week, DeliveryLog(week.folder, period.label, secrets), secrets, resend=args.resend,
              dry_run=args.dry_run, http_factory=http_factory or (lambda: make_http(environ)))
    say(f"{period.label}: {len(chosen)} destination(s){' (dry run: nothing is sent)' if args.dry_run else ''}")
    failed = [d.name for d in chosen if not run.destination(d)]
    if failed:
        fail(f"{len(failed)} of {len(chosen)} destination(s) failed: {', '.join(failed)}; "
             f"rerun to send what did not go out")
        return EXIT_FAILED
    return EXIT_OK


def weekly_check(params_dir: Path | None = None, environ: Mapping[str, str] | None = None) -> bool | None:
    """For `wxreport weekly`, before anything runs: whether delivery.yaml enables a destination;
    None (the problem printed) when the file is wrong."""
    env = os.environ if environ is None else environ
    try:
        return bool(load_delivery((params_dir or project_root() / "params").resolve(), env).destinations)
    except WxReportError as exc:
        print(f"wxreport weekly: error: {exc}", file=sys.stderr, flush=True)
        return None


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None,
         since: float | None = None) -> int:
    env = os.environ if environ is None else environ
    args = parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return deliver(args, env, since)
    except WxReportError as exc:
        secrets = _all_secrets(args, env)
        fail(scrub(str(exc), secrets))
        return EXIT_USAGE


def _all_secrets(args: argparse.Namespace, env: Mapping[str, str]) -> tuple[str, ...]:
    """Every secret value delivery.yaml points at (for scrubbing an error), when it can be read."""
    try:
        delivery = load_delivery((args.params or project_root() / "params").resolve(), env)
    except WxReportError:
        return ()
    return tuple(s for d in delivery.destinations for s in d.secrets())
