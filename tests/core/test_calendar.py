"""The business calendar: locale independence, breaks, and years beyond the official schedule (issue 13 #5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import holidays
import pytest
from holidays.countries.china import ChinaStaticHolidays

from helpers.core import calendar

# 2026 Spring Festival break (State Council schedule): Sun 15 Feb .. Mon 23 Feb off, with the
# weekend Sat 14 Feb and Sat 28 Feb worked (调休). Nine days, three of them weekend days (15, 21, 22).
SPRING_2026 = [f"2026-02-{d}" for d in range(15, 24)]

_SCRIPT = """
import json
from datetime import date
from helpers.core import calendar
r = calendar.regressors(date(2026, 2, 10), date(2026, 3, 1))
print(json.dumps([str(d.date()) for d in r.index[r["spring_festival"] == 1]]))
"""


@pytest.mark.parametrize("lang", ["zh_CN.UTF-8", "C", "en_US.UTF-8"])
def test_spring_festival_does_not_depend_on_locale(lang):
    """Under LANG=zh_CN.UTF-8 `holidays` used to name days in Chinese, so the English match found no
    Spring Festival: the column was all zeros (fails on ea798a7 for zh_CN). Expected in every locale:
    the nine days of the break, its weekend days included."""
    env = {**os.environ, "LANG": lang, "LC_ALL": lang, "LANGUAGE": lang.split(".")[0]}
    out = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == SPRING_2026


def test_golden_week_weekend_days_left_to_the_weekly_pattern():
    """Documented choice (core/calendar.py docstring): National Day 2026 is Thu 1 .. Wed 7 Oct; the
    weekdays 1, 2, 5, 6, 7 are `holiday`, the weekend 3-4 Oct is not (an ordinary weekend on the
    sample: 1.05 and 1.02 times the neighbouring weekends). Sun 20 Sep and Sat 10 Oct are worked."""
    r = calendar.regressors(date(2026, 9, 19), date(2026, 10, 11))
    flagged = [str(d.date()) for d in r.index[r["holiday"] == 1]]
    assert flagged == ["2026-09-25", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"]
    assert [str(d.date()) for d in r.index[r["makeup_workday"] == 1]] == ["2026-09-20", "2026-10-10"]
    assert r["spring_festival"].sum() == 0


def test_last_official_year_matches_the_pinned_holidays_release():
    """The pinned release holds the State Council's 调休 schedule up to LAST_OFFICIAL_YEAR and none
    after it (it knows 22 Chinese entries for 2026, 19 for 2027 and 15 for 2028: the later years are
    rule-based guesses). When `holidays` is upgraded with a new year, this fails: raise the constant."""
    assert max(ChinaStaticHolidays.special_public_holidays) == calendar.LAST_OFFICIAL_YEAR
    cn = holidays.China(years=[calendar.LAST_OFFICIAL_YEAR, calendar.LAST_OFFICIAL_YEAR + 1], language="en_US")
    worked = {d.year for d in cn.weekend_workdays}
    assert calendar.LAST_OFFICIAL_YEAR in worked and calendar.LAST_OFFICIAL_YEAR + 1 not in worked


def test_beyond_the_official_schedule_fixed_dates_only():
    """2027 has no official schedule in the pin: the library's guessed "observed" days (Spring
    Festival 9-10 Feb, Labour Day 3-4 May, National Day 4-5 Oct 2027) are dropped, there are no
    make-up workdays, and far years (2031) work without a crash."""
    last = calendar.LAST_OFFICIAL_YEAR
    assert calendar.unofficial_years(date(last, 11, 1), date(last + 1, 1, 31)) == [last + 1]
    assert calendar.unofficial_years(date(last, 1, 1), date(last, 12, 31)) == []
    cal = calendar.day_calendar(date(2027, 1, 1), date(2031, 12, 31))
    assert not cal["official"].any() and not cal["is_makeup_workday"].any()
    assert not cal["holiday"].str.contains("observed").any()
    off = set(cal.loc[cal["is_day_off"] & (cal["weekday"] < 5), "date"])
    assert {date(2027, 2, 5), date(2027, 2, 8), date(2027, 10, 1)} <= off  # statutory days on weekdays
    assert not {date(2027, 2, 9), date(2027, 2, 10), date(2027, 5, 3), date(2027, 10, 4)} & off
    r = calendar.regressors(date(2027, 2, 1), date(2027, 2, 14))
    # Spring Festival 2027: Fri 5 (Eve) .. Mon 8 Feb, the break's weekend 6-7 Feb included.
    assert [str(d.date()) for d in r.index[r["spring_festival"] == 1]] == [
        "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"]
    assert calendar.regressors(date(2031, 1, 1), date(2031, 3, 1)).notna().all().all()


def test_forecast_note_beyond_the_official_schedule_reads_in_both_languages():
    """The forecasting report says which years use the statutory dates only (notebooks/forecasting.py)."""
    from helpers.render.text import Text

    for language, expected in (("en", "The 2027 holiday"), ("zh", "2027 年的放假")):
        tx = Text(language)
        text = tx("fc_calendar_unofficial", year=2027, last=calendar.LAST_OFFICIAL_YEAR)
        assert text.startswith(expected) and "2026" in text
