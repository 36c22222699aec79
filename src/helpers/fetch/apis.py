"""The datacube APIs `wxreport fetch` calls, and the calendar rules around them.

For each API: its source, how a date range is split into requests (DAYS: runs of consecutive days
of at most `max_days`; WEEK: one ISO week Monday-Sunday; MONTH: one calendar month; PORTRAIT: the
7-day portrait window of one ISO week, Monday-Sunday), the days WeChat has data for, and when an
answer is final. Facts: ../shared/reference/wechat-data-formats.md.

When an answer is final (otherwise the next run asks again, and its file is replaced):
- every day the answer can still change about must be ready when it is fetched: `final_periods`
  periods after the window's last day (retention keys: daily up to day 30, weekly up to week 4,
  monthly up to month 1; legacy article totals cover 7 days from the send day, published-content
  totals 30 days from the publish day);
- WeChat did not flag it as delayed (`is_delay`, published-content APIs);
- an answer without any rows is final only once its window ended EMPTY_FINAL_DAYS days before the
  fetch (WeChat answers empty before a day's statistics are computed as well as for a quiet day).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

MINI_PROGRAM = "mini-program"
OFFICIAL_ACCOUNT = "official-account"
SOURCES = (MINI_PROGRAM, OFFICIAL_ACCOUNT)

DAYS, WEEK, MONTH, PORTRAIT = "days", "week", "month", "portrait"

# WeChat counts days in China Standard Time (no daylight saving time).
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
OA_READY_HOUR = 8  # official-account data of yesterday is ready after 08:00 Asia/Shanghai
OA_FIRST_DAY = date(2014, 12, 1)
PUBLISHED_CONTENT_FIRST_DAY = date(2025, 11, 1)  # getarticletotaldetail / getbizsummary
EMPTY_FINAL_DAYS = 3
DATE_FORMATS = {MINI_PROGRAM: "%Y%m%d", OFFICIAL_ACCOUNT: "%Y-%m-%d"}
ANSWER_KEYS = frozenset({"ref_date", "is_delay", "errcode", "errmsg"})  # not rows of data


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(first: date, months: int) -> date:
    """The first day of the month `months` after the month starting on `first`."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Api:
    name: str
    source: str
    split: str = DAYS
    max_days: int = 1  # DAYS: the longest request WeChat accepts
    first_day: date | None = None
    last_day: date | None = None
    final_periods: int = 0  # periods after the window's end that must be ready for a final answer
    retirable: bool = False  # 47009 (retired by WeChat) skips this API with a warning

    @property
    def path(self) -> str:
        return f"/datacube/{self.name}"

    def wire_date(self, day: date) -> str:
        return day.strftime(DATE_FORMATS[self.source])

    def units(self, first: date, last: date) -> list[tuple[date, date]]:
        """The windows this API has inside [first, last]: single days, or complete weeks / months."""
        first = max(first, self.first_day or first)
        last = min(last, self.last_day or last)
        if first > last:
            return []
        if self.split == DAYS:
            return [(d, d) for d in _days(first, last)]
        if self.split == MONTH:
            start = first if first.day == 1 else add_months(first.replace(day=1), 1)
            spans = []
            while month_end(start) <= last:
                spans.append((start, month_end(start)))
                start = add_months(start, 1)
            return spans
        monday = first + timedelta(days=-first.weekday() % 7)
        return [(m, m + timedelta(days=6)) for m in _days(monday, last - timedelta(days=6))[::7]]

    def final_on(self, end: date) -> date:
        """The last day whose data must be ready for an answer ending on `end` to be final."""
        if self.split == MONTH:
            return month_end(add_months(end.replace(day=1), self.final_periods))
        step = 7 if self.split in (WEEK, PORTRAIT) else 1
        return end + timedelta(days=step * self.final_periods)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def ready_day(source: str, now: datetime) -> date:
    """The last day WeChat's data is ready for at `now`: yesterday in Asia/Shanghai, and for the
    official account the day before yesterday until 08:00."""
    local = now.astimezone(CHINA)
    day = local.date() - timedelta(days=1)
    if source == OFFICIAL_ACCOUNT and local.hour < OA_READY_HOUR:
        day -= timedelta(days=1)
    return day


def is_empty(response: dict) -> bool:
    """No rows of data in the answer (`{"list": []}`, or a ref_date with empty blocks)."""
    return not any(value for key, value in response.items() if key not in ANSWER_KEYS)


def is_final(api: Api, end: date, fetched_at: datetime, response: dict) -> bool:
    ready = ready_day(api.source, fetched_at)
    if ready < api.final_on(end) or response.get("is_delay"):
        return False
    return not is_empty(response) or ready >= end + timedelta(days=EMPTY_FINAL_DAYS)


def utc_now() -> datetime:
    return datetime.now(UTC)


_MP = "getweanalysisappid"
CATALOG: tuple[Api, ...] = (
    Api(f"{_MP}dailysummarytrend", MINI_PROGRAM),
    Api(f"{_MP}dailyvisittrend", MINI_PROGRAM),
    Api(f"{_MP}weeklyvisittrend", MINI_PROGRAM, WEEK),
    Api(f"{_MP}monthlyvisittrend", MINI_PROGRAM, MONTH),
    Api(f"{_MP}dailyretaininfo", MINI_PROGRAM, final_periods=30),
    Api(f"{_MP}weeklyretaininfo", MINI_PROGRAM, WEEK, final_periods=4),
    Api(f"{_MP}monthlyretaininfo", MINI_PROGRAM, MONTH, final_periods=1),
    Api(f"{_MP}visitdistribution", MINI_PROGRAM),
    Api(f"{_MP}visitpage", MINI_PROGRAM),
    Api(f"{_MP}userportrait", MINI_PROGRAM, PORTRAIT),
    Api("getusersummary", OFFICIAL_ACCOUNT, max_days=7, first_day=OA_FIRST_DAY),
    Api("getusercumulate", OFFICIAL_ACCOUNT, max_days=7, first_day=OA_FIRST_DAY),
    # Legacy article statistics, for days before the published-content APIs have data.
    Api("getarticletotal", OFFICIAL_ACCOUNT, first_day=OA_FIRST_DAY,
        last_day=PUBLISHED_CONTENT_FIRST_DAY - timedelta(days=1), final_periods=7, retirable=True),
    Api("getuserread", OFFICIAL_ACCOUNT, max_days=3, first_day=OA_FIRST_DAY,
        last_day=PUBLISHED_CONTENT_FIRST_DAY - timedelta(days=1), retirable=True),
    # Published-content statistics (data from 2025-11-01).
    Api("getarticletotaldetail", OFFICIAL_ACCOUNT, first_day=PUBLISHED_CONTENT_FIRST_DAY, final_periods=30),
    Api("getbizsummary", OFFICIAL_ACCOUNT, max_days=30, first_day=PUBLISHED_CONTENT_FIRST_DAY),
)
APIS: dict[str, Api] = {api.name: api for api in CATALOG}


def catalog(source: str) -> list[Api]:
    return [api for api in CATALOG if api.source == source]
