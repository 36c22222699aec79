"""ISO weeks (Monday-Sunday, as WeChat's own weekly figures) and how reports name them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from helpers.core.errors import ParamError

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """One ISO week."""

    year: int
    week: int

    @classmethod
    def parse(cls, label: str) -> Period:
        m = _WEEK_RE.match(label)
        if not m:
            raise ValueError(f"{label!r} is not an ISO week such as 2026-W47")
        year, week = int(m.group(1)), int(m.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"{label!r}: {year} has no ISO week {week}") from None
        return cls(year, week)

    @classmethod
    def containing(cls, d: date) -> Period:
        iso = d.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    def shift(self, weeks: int) -> Period:
        return Period.containing(self.start + timedelta(weeks=weeks))

    @property
    def previous(self) -> Period:
        return self.shift(-1)

    def __str__(self) -> str:
        return self.label


def complete_weeks(first: date, last: date) -> tuple[Period, Period] | None:
    """First and last ISO weeks lying entirely inside [first, last], or None."""
    first_monday = first + timedelta(days=(7 - first.weekday()) % 7)
    last_sunday = last - timedelta(days=(last.weekday() + 1) % 7)
    if last_sunday < first_monday + timedelta(days=6):
        return None
    return Period.containing(first_monday), Period.containing(last_sunday)


def resolve_period(spec: str, first: date, last: date, where: str = "period") -> Period:
    """`latest` = the last complete ISO week in the data; `YYYY-Www` must lie inside the data."""
    weeks = complete_weeks(first, last)
    span = f"the data covers {first} .. {last}"
    if weeks is None:
        raise ParamError(f"{where}: {span}, which holds no complete ISO week (Monday-Sunday)")
    if spec == "latest":
        return weeks[1]
    try:
        period = Period.parse(spec)
    except ValueError as exc:
        raise ParamError(f"{where}: {exc}; use 'latest' or a week such as {weeks[1].label}") from None
    if not weeks[0] <= period <= weeks[1]:
        raise ParamError(f"{where}: {period.label} ({period.start} .. {period.end}) is not in the "
                         f"data; {span}, complete weeks {weeks[0].label} .. {weeks[1].label}")
    return period
