"""`wxreport fetch {mini-program|official-account} --since YYYY-MM-DD [--until YYYY-MM-DD] --data DIR`.

Fetches every datacube API of the source (apis.CATALOG) for the days of [since, until] its raw store
does not cover with a final answer yet, then converts DIR/raw into contract tables, so DIR is a data
folder `wxreport run --data DIR` accepts. `--until` (default: the last day with data) is capped at
yesterday in Asia/Shanghai, and for the official account at the day before until 08:00.

Exit status: 0 done; 2 stopped by an error (the message names the API, WeChat's code and what it
means); 3 stopped by WeChat's daily quota (45009: what was fetched is kept and converted; rerun the
same command after 00:00 Asia/Shanghai); 130 interrupted (rerun to resume).

For tests only: WXREPORT_FETCH_NOW (an ISO date-time; without a zone it is Asia/Shanghai time)
stands for the clock, and WXREPORT_FETCH_RETRY_DELAY=0 removes the waits between retries.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path

from helpers.core.errors import WxReportError
from helpers.core.paths import project_root
from helpers.fetch.apis import CHINA, OFFICIAL_ACCOUNT, SOURCES, Api, add_months, catalog, ready_day, utc_now
from helpers.fetch.client import Client, api_base, credentials, retry_delay
from helpers.fetch.codes import FetchError, QuotaError, RetiredError
from helpers.fetch.plan import Progress, plan, span_days
from helpers.fetch.store import RawStore

ENV_NOW = "WXREPORT_FETCH_NOW"
EXIT_ERROR, EXIT_QUOTA, EXIT_INTERRUPTED = 2, 3, 130
WEEKLY_WEEKS = 8  # `wxreport weekly` fetches the missing days of the last 8 weeks (enough for trends)


def say(text: str) -> None:
    print(f"wxreport fetch: {text}", flush=True)


def warn(text: str) -> None:
    print(f"wxreport fetch: warning: {text}", file=sys.stderr, flush=True)


def now_from(environ: Mapping[str, str]) -> datetime | None:
    """The clock a test set (WXREPORT_FETCH_NOW), or None for the real one."""
    text = environ.get(ENV_NOW, "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FetchError(f"{ENV_NOW}={text!r}: expected an ISO date-time such as 2026-11-23T09:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


def weekly_since(ready: date, weeks: int = WEEKLY_WEEKS) -> date:
    """The first day `wxreport weekly` fetches: `weeks` complete ISO weeks before the current one
    (the current one too when it is not over), and the two months before the current month, so a
    monthly retention answer is asked again once its next month is over."""
    tomorrow = ready + timedelta(days=1)
    monday = tomorrow - timedelta(days=tomorrow.weekday())
    return min(monday - timedelta(weeks=weeks), add_months(ready.replace(day=1), -2))


def fetch(source: str, since: date, until: date | None, data_dir: Path, *, now: datetime | None = None,
          environ: Mapping[str, str] | None = None, convert_after: bool = True) -> int:
    """Fetch what is missing of [since, until]; the exit status (0, or EXIT_QUOTA)."""
    env = os.environ if environ is None else environ
    fixed = now or now_from(env)
    clock: Callable[[], datetime] = (lambda: fixed) if fixed else utc_now
    creds = credentials(source, env)
    last = ready_day(source, clock())
    if until is not None and until < last:
        last = until
    elif until is not None and until > last:
        say(f"{source}: data is ready up to {last} (yesterday in Asia/Shanghai"
            + (", the day before until 08:00)" if source == OFFICIAL_ACCOUNT else ")") + f": --until {until} capped")
    client = Client(creds, api_base(env), delay=retry_delay(env), warn=warn)
    store = RawStore(Path(data_dir))
    try:
        if since > last:
            say(f"{source}: nothing to fetch between {since} and {last}")
        for api in catalog(source):
            _fetch_api(api, since, last, client, store, clock)
    except QuotaError as exc:
        print(f"wxreport fetch: stopped: {exc}. {_resume_hint(clock(), store.written)}", file=sys.stderr, flush=True)
        if convert_after:
            convert_tables(Path(data_dir))
        return EXIT_QUOTA
    if convert_after:
        convert_tables(Path(data_dir))
    return 0


def _fetch_api(api: Api, first: date, last: date, client: Client, store: RawStore,
               clock: Callable[[], datetime]) -> None:
    """Fetch one API's missing windows (their answers are written as they come)."""
    store.unreadable.clear()
    todo = plan(api, first, last, store.covered(api))
    if store.unreadable:
        warn(f"{api.name}: {len(store.unreadable)} raw file(s) could not be read; their days are fetched again")
    if not todo.total:
        return
    progress = Progress(todo, say)
    for begin, end in todo.requests:
        try:
            answer = client.datacube(api, begin, end)
        except RetiredError:
            if not api.retirable:
                raise
            warn(f"{api.name}: retired by WeChat (47009): its days from {begin} are skipped; "
                 f"the statistics it gave are kept where already fetched")
            progress.finish("skipped: retired by WeChat")
            return
        store.write(api, begin, end, clock(), answer, client.unsayable())
        progress.advance(span_days(begin, end))
    if todo.requests:
        progress.finish()


def _resume_hint(now: datetime, written: int) -> str:
    local = now.astimezone(CHINA)
    reset = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=CHINA)
    hours, rest = divmod(int((reset - local).total_seconds()) // 60, 60)
    return (f"The {written} answer(s) fetched in this run are kept. WeChat's daily quota resets at 00:00 "
            f"Asia/Shanghai ({reset:%Y-%m-%d %H:%M} +08:00, in {hours} h {rest} min): rerun the same "
            f"command then; only the missing days are fetched")


def convert_tables(data_dir: Path) -> dict[str, int] | None:
    """Turn DIR/raw into contract tables (helpers.fetch.convert) and say which were written."""
    try:
        from helpers.fetch.convert import convert
    except ModuleNotFoundError as exc:
        if exc.name != "helpers.fetch.convert":
            raise
        warn("the conversion into tables (helpers.fetch.convert) is not available; raw answers kept")
        return None
    tables = convert(Path(data_dir))
    written = ", ".join(f"{name}.csv ({rows} rows)" for name, rows in tables.items())
    say(f"tables written in {data_dir}: {written}" if tables
        else f"no table written in {data_dir}: nothing fetched yet")
    return tables


def convert_step(data_dir: Path) -> int:
    convert_tables(data_dir)
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wxreport fetch", description=(
        "Fetch WeChat's own statistics (datacube APIs) into DIR/raw and convert them into tables. "
        "Credentials come from the environment: WECHAT_MP_APPID / WECHAT_MP_APPSECRET (mini-program), "
        "WECHAT_OA_APPID / WECHAT_OA_APPSECRET (official account), else WECHAT_APPID / WECHAT_APPSECRET."))
    parser.add_argument("source", choices=SOURCES)
    parser.add_argument("--since", type=_day, required=True, help="first day YYYY-MM-DD")
    parser.add_argument("--until", type=_day, help="last day YYYY-MM-DD (default and cap: the last day with data)")
    parser.add_argument("--data", type=Path, required=True, help="data folder (raw answers go to DIR/raw)")
    return parser


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if args.until is not None and args.since > args.until:
        print(f"wxreport fetch: error: --since {args.since} is after --until {args.until}", file=sys.stderr)
        return EXIT_ERROR
    return guarded(lambda: fetch(args.source, args.since, args.until, args.data))


def guarded(action: Callable[[], int]) -> int:
    """Run a fetch; errors and Ctrl-C become a message and an exit status."""
    try:
        return action()
    except WxReportError as exc:
        print(f"wxreport fetch: error: {exc}", file=sys.stderr, flush=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("wxreport fetch: interrupted; what was fetched is kept: rerun the same command to fetch the rest",
              file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED


def weekly_data_dir(data: str | None) -> Path:
    """Where `wxreport weekly` keeps WeChat's numbers: --data, else data/wechat in the project."""
    return Path(data) if data else project_root() / "data" / "wechat"


def weekly_fetch(source: str, data_dir: Path, weeks: int = WEEKLY_WEEKS, *,
                 environ: Mapping[str, str] | None = None) -> int:
    """`wxreport weekly`'s fetch of one source: the missing days of the last `weeks` weeks."""
    env = os.environ if environ is None else environ
    now = now_from(env) or utc_now()
    since = weekly_since(ready_day(source, now), weeks)
    say(f"{source}: fetching the missing days since {since} into {data_dir}")
    return fetch(source, since, None, data_dir, now=now, environ=env, convert_after=False)
