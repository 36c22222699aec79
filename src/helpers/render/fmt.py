"""Numbers and dates for people: 1.2万 / 12.3K, ¥, percentages, relative changes and percentage
points, dates in one style per context.

The conventions (README "Conventions"), implemented here so that every report follows them:
- a change of a rate (unit fraction) is a difference in points (`change`: '+2.1个百分点' /
  '+2.1 pts'); a change of a count or an amount of money is relative ('+3.1%');
- one date style per context: headings and sentences '11月16日' / '16 Nov' (`day_month`, spans
  `day_span`, with the year `date_full` / `date_range`), tables '11-16' (`table_date`, '2026-11-16'
  when a table spans years), chart axes '11/16' (`AXIS_DATE`, `axis_date`), a time of day
  '12月2日 10:02' / '2 Dec 10:02' (`timestamp`);
- one precision within a column or row (`column`): '¥97.24 | ¥102' does not happen, the column
  reads '¥97 | ¥102' (or '¥97.24 | ¥102.00' when every value is below 100).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from helpers.core.periods import Period
from helpers.render.catalog import entry

MISSING = "—"


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _compact_digits(v: float) -> int:
    """Decimals of a compacted value (already divided): three significant digits."""
    return 2 if abs(v) < 10 else 1 if abs(v) < 100 else 0


def _compact(x: float, steps: list[tuple[float, float, str]], digits: int | None = None,
             compact_digits: int | None = None) -> str:
    """`steps`: (from this size, divide by, suffix), largest first. `digits` / `compact_digits`
    fix the decimals (of plain and of compacted values) for a whole column (`column`); by default
    each value chooses its own."""
    for threshold, size, suffix in steps:
        if abs(x) >= threshold:
            v = x / size
            if compact_digits is not None:
                return f"{v:.{compact_digits}f}{suffix}"
            text = f"{v:.{_compact_digits(v)}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return text + suffix
    if digits is not None:
        return f"{x:,.{digits}f}"
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:,.2f}"


# Compact counts per language: (from this size, divide by, catalog word of the suffix), largest first.
_COMPACT = {
    "zh": [(1e8, 1e8, "unit_hundred_million"), (1e4, 1e4, "unit_ten_thousand")],
    "en": [(1e9, 1e9, "unit_billion"), (1e6, 1e6, "unit_million"), (1e4, 1e3, "unit_thousand")],
}


def _steps(language: str) -> list[tuple[float, float, str]]:
    return [(at, size, entry(word, language)) for at, size, word in _COMPACT[language]]


def number(x: float | None, language: str = "zh", digits: int | None = None,
           compact_digits: int | None = None) -> str:
    """Counts: 12,345 -> '1.23万' (zh) / '12.3K' (en); below 10,000 with thousands separators."""
    if _missing(x):
        return MISSING
    return _compact(float(x), _steps(language), digits, compact_digits)


def money(x: float | None, language: str = "zh", digits: int | None = None,
          compact_digits: int | None = None) -> str:
    """CNY yuan with the ¥ sign, compact like `number`."""
    if _missing(x):
        return MISSING
    sign = "-" if x < 0 else ""
    return f"{sign}¥{number(abs(x), language, digits, compact_digits)}"


def column(xs: Sequence[float | None], unit: str, language: str = "zh") -> list[str]:
    """Values of one table column (or one row of the same unit) with one precision: counts and
    money below 10,000 all with 2 decimals when every one is below 100 and one is fractional, else
    all whole; compacted values (万 / K) all with the decimals their largest needs. Other units
    already format with a fixed precision (`value`)."""
    if unit not in ("CNY", "users", "orders", "count"):
        return [value(x, unit, language) for x in xs]
    known = [abs(float(x)) for x in xs if not _missing(x)]
    threshold = min(at for at, _, _ in _steps(language))
    plain = [x for x in known if x < threshold]
    digits = 2 if plain and max(plain) < 100 and any(not x.is_integer() for x in plain) else 0
    compacted = [x for x in known if x >= threshold]
    compact_digits = None
    if compacted:
        top = max(compacted)
        size = next(size for at, size, _ in _steps(language) if top >= at)
        compact_digits = _compact_digits(top / size)
    fn = money if unit == "CNY" else number
    return [fn(x, language, digits, compact_digits) for x in xs]


def change(x: float | None, unit: str, language: str = "zh") -> str:
    """A week-on-week (or any) change of a metric: in points for a rate (`x` = this - last),
    relative for counts and money (`x` = this / last - 1)."""
    return points(x, language) if unit == "fraction" else relative_change(x)


def percent(x: float | None, digits: int = 1) -> str:
    """A fraction shown as a percentage: 0.183 -> '18.3%'."""
    return MISSING if _missing(x) else f"{100 * x:.{digits}f}%"


def relative_change(x: float | None, digits: int = 1) -> str:
    """A relative change with its sign: 0.031 -> '+3.1%'."""
    return MISSING if _missing(x) else f"{100 * x:+.{digits}f}%"


def points(x: float | None, language: str = "zh", digits: int = 1) -> str:
    """A difference of two rates in percentage points: 0.021 -> '+2.1个百分点' / '+2.1 pts'."""
    if _missing(x):
        return MISSING
    return entry("unit_points", language).format(points=f"{100 * x:+.{digits}f}")


def duration(seconds: float | None, language: str = "zh") -> str:
    """A short duration: 42 -> '42秒' / '42s'; 95 -> '1分35秒' / '1m 35s'; 5400 -> '1.5小时' / '1.5h'."""
    if _missing(seconds):
        return MISSING
    s = float(seconds)
    if s < 60:
        return entry("unit_seconds", language).format(s=f"{s:.0f}")
    if s < 3600:
        m, rest = divmod(round(s), 60)
        return entry("unit_minutes_seconds", language).format(m=m, s=rest)
    return entry("unit_hours", language).format(h=f"{s / 3600:.1f}")


def value(x: float | None, unit: str, language: str = "zh") -> str:
    """Format by a registry unit."""
    if unit == "CNY":
        return money(x, language)
    if unit == "seconds":
        return duration(x, language)
    if unit == "minutes":
        return duration(None if _missing(x) else 60 * float(x), language)
    if unit == "ratio":
        return MISSING if _missing(x) else f"{x:.2f}"
    if unit == "points":
        return points(x, language)
    if unit == "fraction":
        return percent(x)
    if unit == "relative_change":
        return relative_change(x)
    return number(x, language)


_MONTH = {"zh": lambda d: str(d.month), "en": lambda d: f"{d:%b}"}  # month number / abbreviation


def day_month(d: date, language: str = "zh") -> str:
    """A day within the year: '11月16日' / '16 Nov'."""
    return entry("date_day_month", language).format(day=d.day, month=_MONTH[language](d))


def date_full(d: date, language: str = "zh") -> str:
    """A date with its year, in sentences and headings: '2026年11月16日' / '16 Nov 2026'."""
    return entry("date_full", language).format(year=d.year, month=_MONTH[language](d), day=d.day)


def date_range(start: date, end: date, language: str = "zh") -> str:
    """Days that may span years, in headings: '2026年5月27日–11月22日' / '27 May–22 Nov 2026';
    across a new year both ends carry their year."""
    if start.year != end.year:
        return f"{date_full(start, language)}–{date_full(end, language)}"
    first, last = _SPAN[language](start, end)
    return f"{first}–{last}"


def table_date(d: date, with_year: bool = False) -> str:
    """A day in a table cell: '11-16'; '2026-11-16' when the table spans more than one year."""
    return d.isoformat() if with_year else f"{d.month:02d}-{d.day:02d}"


AXIS_DATE = "%-m/%-d"  # matplotlib DateFormatter pattern of date axes: '11/16'


def axis_date(d: date) -> str:
    """A day on a chart axis (or a chart label): '11/16'."""
    return f"{d.month}/{d.day}"


def timestamp(t: datetime, language: str = "zh") -> str:
    """A moment (when a report was generated): '2026年12月2日 10:02' / '2 Dec 2026 10:02'."""
    return f"{date_full(t.date(), language)} {t:%H:%M}"


def iso_week(d: date) -> str:
    """The ISO week holding a day: '2026-W47'."""
    iso = d.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _sign(x: float) -> str:
    return "+" if x > 0 else "-" if x < 0 else ""


# Which end of a span within one month carries the month (zh: the first day, en: the last).
_SAME_MONTH = {
    "zh": lambda s, e: (day_month(s, "zh"), entry("date_day", "zh").format(day=e.day)),
    "en": lambda s, e: (entry("date_day", "en").format(day=s.day), day_month(e, "en")),
}


def day_span(start: date, end: date, language: str = "zh") -> str:
    """Days from `start` to `end`, the month written once within a month: '17–20 Nov', '31 Oct–11 Nov'."""
    if (start.year, start.month) != (end.year, end.month):
        return f"{day_month(start, language)}–{day_month(end, language)}"
    first, last = _SAME_MONTH[language](start, end)
    return f"{first}–{last}"


def _numeric(spec: str) -> Callable[[Any, str], str]:
    """A plain number format ('.2f', '+d', 'g', ...) for values that carry no unit."""
    return lambda x, _language: MISSING if _missing(x) else format(int(x) if spec[-1] == "d" else x, spec)


# The named formats of sentence placeholders ({name:format} in the text catalog): every number,
# date and unit in a sentence goes through one of these.
FORMATS: dict[str, Callable[[Any, str], str]] = {
    **{unit: (lambda u: lambda x, language: value(x, u, language))(unit)
       for unit in ("users", "orders", "count", "CNY", "fraction", "relative_change", "points",
                    "ratio", "seconds", "minutes")},
    "percent0": lambda x, _language: percent(x, 0),
    "int": _numeric("d"),
    "signed_int": _numeric("+d"),
    "decimal1": _numeric(".1f"),
    "decimal2": _numeric(".2f"),
    "general": _numeric("g"),
    "points_abs": lambda x, _language: MISSING if _missing(x) else f"{abs(100 * x):.1f}",
    "day_month": lambda d, language: day_month(d, language),
    "iso_date": lambda d, _language: d.isoformat(),
    "iso_week": lambda d, _language: iso_week(d),
    "decimal3": _numeric(".3f"),
    "signed_decimal3": _numeric("+.3f"),
    "general2": _numeric(".2g"),
    "points_signed": lambda x, _language: MISSING if _missing(x) else f"{100 * x:+.1f}",
    "signed_CNY": lambda x, language: MISSING if _missing(x) else _sign(x) + money(abs(x), language),
    "signed_count": lambda x, language: MISSING if _missing(x) else _sign(x) + number(abs(round(x)), language),
    "p_value": lambda p, _language: MISSING if _missing(p) else "<0.001" if p < 0.001 else f"{p:.3f}",
    "p": lambda p, _language: MISSING if _missing(p) else "p<0.001" if p < 0.001 else f"p={p:.3f}",
}


def formatted(x: Any, name: str, language: str) -> str:
    """`x` in the named format (a unit of the registry or one of FORMATS)."""
    if name not in FORMATS:
        raise KeyError(f"unknown number format {name!r}; known: {', '.join(sorted(FORMATS))}")
    return FORMATS[name](x, language)


def _span_zh(start: date, end: date) -> tuple[str, str]:
    tail = "date_day" if start.month == end.month else "date_day_month"
    return (entry("date_full", "zh").format(year=start.year, month=start.month, day=start.day),
            entry(tail, "zh").format(day=end.day, month=end.month))


def _span_en(start: date, end: date) -> tuple[str, str]:
    head = "date_day" if start.month == end.month else "date_day_month"
    return (entry(head, "en").format(day=start.day, month=f"{start:%b}"),
            entry("date_full", "en").format(year=end.year, month=f"{end:%b}", day=end.day))


_SPAN = {"zh": _span_zh, "en": _span_en}  # where each language puts the year and the month


def week_title(period: Period, language: str) -> str:
    """'2026-W47（2026年11月16日–22日）' or 'Week 2026-W47, 16–22 Nov 2026' for titles."""
    first, last = _SPAN[language](period.start, period.end)
    return entry("week_title", language).format(week=period.label, first=first, last=last)


def source_name(source: str) -> str:
    """The data source as a manager sees it: the folder or file name ('shop', 'shop.duckdb'),
    never the server path it was read from (the JSON keeps the full path for programs)."""
    return PurePath(source).name or source
