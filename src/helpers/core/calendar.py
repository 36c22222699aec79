"""The Chinese business calendar: public holidays, make-up working days (调休) and shopping festivals.

Public holidays and make-up days come from the maintained `holidays` package, always asked in English
(`language="en_US"`) so that the names matched below do not depend on the machine's locale; shopping
festivals (618, Double 11, Double 12) are in no holiday library, so they are defined here, with the
pre-sale run-up that drives demand before the day itself.

The State Council publishes each year's schedule (which days are off, which weekend days are worked as
调休) late in the year before. Up to LAST_OFFICIAL_YEAR the pinned `holidays` release holds that official
schedule; beyond it, the library only guesses (its "observed" days), so this calendar keeps the statutory
holiday dates alone (no observed days, no make-up workdays) and `unofficial_years` lets a report say so.

Weekend days inside a break: a Spring Festival break is flagged whole (`spring_festival`, weekend days
included: shops see the whole break as one low period). Weekend days inside Golden Week or any other
break are not flagged `holiday`: they are left to the weekly pattern. Measured on the sample (orders,
2026-05-27..2026-11-22, against the same weekday's ordinary weekend days within three weeks): the
Golden Week weekend days run at 1.05 and 1.02 times an ordinary weekend, the six weekend days inside
the Dragon Boat, Mid-Autumn and National Day breaks at 0.80-1.06 (mean 0.99), so a flag would only
add noise. The sample holds no Spring Festival.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
import pandas as pd


@dataclass(frozen=True)
class Festival:
    key: str
    month: int
    day: int
    presale_days: int  # days of pre-sale run-up before the festival day

    def day_in(self, year: int) -> date:
        return date(year, self.month, self.day)


# Their names are in core.vocabulary.FESTIVAL_LABELS.
SHOPPING_FESTIVALS: tuple[Festival, ...] = (
    Festival("618", 6, 18, 17),
    Festival("double_11", 11, 11, 11),
    Festival("double_12", 12, 12, 0),
)


# Last year whose official schedule (holidays and 调休) the pinned `holidays` release holds; checked
# against the release by tests/core/test_calendar.py. Raise it when `holidays` is upgraded.
LAST_OFFICIAL_YEAR = 2026
HOLIDAY_LANGUAGE = "en_US"  # never the machine's locale: names are matched below
SPRING_FESTIVAL_NAMES = ("Spring Festival", "New Year's Eve")


@lru_cache(maxsize=8)
def _china(years: tuple[int, ...]) -> holidays.HolidayBase:
    return holidays.China(years=list(years), language=HOLIDAY_LANGUAGE)


def _statutory(name: str) -> str:
    """The holiday name without the library's guessed "observed" days (for unofficial years)."""
    return "; ".join(part for part in name.split("; ") if "(observed)" not in part)


def unofficial_years(start: date, end: date) -> list[int]:
    """Years from start to end beyond the last official schedule (fixed-date holidays only)."""
    return [y for y in range(start.year, end.year + 1) if y > LAST_OFFICIAL_YEAR]


def day_calendar(start: date, end: date) -> pd.DataFrame:
    """One row per day from start to end (inclusive).

    Columns: date, weekday (0 = Monday), is_day_off (weekend or holiday, make-up days counted as
    working days), is_makeup_workday (weekend day worked as 调休), holiday (English name or ""),
    official (the day's year has an official schedule; if not, holidays are the statutory dates only and
    there are no make-up workdays), festival (key of the shopping festival on that day or ""),
    presale (key of the festival whose pre-sale run-up covers the day or "").
    """
    days = pd.date_range(start, end, freq="D")
    cn = _china(tuple(range(start.year, end.year + 1)))
    makeup = set(cn.weekend_workdays)
    rows = []
    for ts in days:
        d = ts.date()
        festival = next((f.key for f in SHOPPING_FESTIVALS if f.day_in(d.year) == d), "")
        presale = next((f.key for f in SHOPPING_FESTIVALS
                        if f.presale_days and f.day_in(d.year) - timedelta(days=f.presale_days) <= d
                        < f.day_in(d.year)), "")
        official = d.year <= LAST_OFFICIAL_YEAR
        name = cn.get(d) or ""
        name = name if official else _statutory(name)
        is_makeup = official and d in makeup
        rows.append({
            "date": d,
            "weekday": d.weekday(),
            "is_day_off": bool(name) or (d.weekday() >= 5 and not is_makeup),
            "is_makeup_workday": is_makeup,
            "holiday": name,
            "official": official,
            "festival": festival,
            "presale": presale,
        })
    return pd.DataFrame(rows)


def regressors(start: date, end: date, events: dict[str, list[date]] | None = None) -> pd.DataFrame:
    """0/1 calendar columns per day (index: dates) for forecasting models.

    holiday: a public holiday falling on a weekday (weekends are the weekly pattern's job);
    spring_festival: any day off of the Spring Festival break (its own, much larger effect);
    makeup_workday: a weekend day worked (调休); festival_<key> / presale_<key>: shopping festival
    days and their pre-sale run-ups; event:<name>: user-defined event days.
    """
    cal = day_calendar(start, end)
    weekday_off = cal["is_day_off"] & (cal["weekday"] < 5)
    # Days off form breaks; a break holding Chinese New Year is the Spring Festival break.
    breaks = (cal["is_day_off"] != cal["is_day_off"].shift()).cumsum()
    spring = cal["holiday"].str.contains("|".join(SPRING_FESTIVAL_NAMES), regex=True)
    spring_break = cal["is_day_off"] & spring.groupby(breaks).transform("any")
    out = pd.DataFrame({
        "holiday": weekday_off & ~spring_break,
        "spring_festival": spring_break,
        "makeup_workday": cal["is_makeup_workday"],
    })
    for f in SHOPPING_FESTIVALS:
        out[f"festival_{f.key}"] = cal["festival"] == f.key
        if f.presale_days:
            out[f"presale_{f.key}"] = cal["presale"] == f.key
    for name, days in (events or {}).items():
        out[f"event:{name}"] = cal["date"].isin(set(days))
    out.index = pd.DatetimeIndex(pd.to_datetime(cal["date"]), name="date")
    return out.astype(float)
