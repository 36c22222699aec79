"""Daily series for forecasting and monitoring: warehouse KPIs, content and follower flow, CSV files.

Each series is one value per day (source timezone) indexed by date. Warehouse KPIs reuse
`kpis.kpi_series` (on WeChat's statistics alone, its users are WeChat's visitors and new visitors,
missing on a day without WeChat's row); article reads and follower flow come from their own tables,
counted as 0 on days inside the table's range without a row; a CSV file named in the parameters
adds a KPI exported from elsewhere (`date,value`). Campaigns give the context of a day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from helpers.core import kpis as summary
from helpers.core.errors import DataError
from helpers.core.periods import Period
from helpers.core.textfiles import sniff_encoding
from helpers.core.warehouse import Warehouse, day_number, day_to_date
from helpers.forecasting.params import FORECAST_SERIES

_FROM_KPI = {"daily_active_users": "active_users", "daily_new_users": "new_users",
             "daily_orders": "orders", "daily_gmv": "gmv"}
_TABLE = {"daily_orders": "orders", "daily_gmv": "orders", "daily_reads": "article_stats",
          "daily_net_followers": "followers"}
# On WeChat's statistics alone (no events), `kpis.kpi_series` gives WeChat's visitors and new
# visitors of each day (mp_visits day rows) as active and new users: the series keep their keys,
# and are named and defined by these registry entries.
WECHAT_SERIES = {"daily_active_users": "wechat_daily_visitors", "daily_new_users": "wechat_daily_new_visitors"}
CSV_COLUMNS = ("date", "value")


def registry_key(wh: Warehouse, key: str) -> str:
    """The registry entry that names and defines a warehouse series on this data."""
    return WECHAT_SERIES.get(key, key) if summary.platform_only(wh) else key


def missing_table(wh: Warehouse, key: str) -> str | None:
    """The table a warehouse series needs and the source lacks, or None (on WeChat's statistics
    alone, the users series need mp_visits)."""
    table = "mp_visits" if registry_key(wh, key) in WECHAT_SERIES.values() else _TABLE.get(key)
    return table if table and not wh.has(table) else None


def _by_day(frame: pd.DataFrame, column: str, lo: int, hi: int) -> pd.Series:
    """A per-day column over [lo, hi] (day numbers), 0 on days without a row."""
    values = frame.set_index("day")[column].astype(float).reindex(range(lo, hi + 1), fill_value=0.0)
    values.index = pd.DatetimeIndex([day_to_date(d) for d in values.index], name="date")
    return values


def _table_days(wh: Warehouse, table: str, last: date) -> tuple[int, int] | None:
    """The day range a daily table covers, cut at `last`; None when it has no row by then."""
    span = wh.query(f"SELECT MIN(day) AS lo, MAX(day) AS hi FROM {table} WHERE day <= :last",
                    {"last": day_number(last)})
    lo, hi = span.iat[0, 0], span.iat[0, 1]
    return None if pd.isna(lo) else (int(lo), int(hi))


def daily_series(wh: Warehouse, last: Period, keys: list[str]) -> dict[str, pd.Series]:
    """The warehouse series in `keys` from the first day of data to the end of `last`.

    Series whose table is missing are left out (see `missing_table`); one whose table has no row
    by then is missing on every day (the report says there is no data to model).
    """
    out: dict[str, pd.Series] = {}
    wanted = [k for k in keys if k in FORECAST_SERIES and missing_table(wh, k) is None]
    if any(k in _FROM_KPI for k in wanted):
        kpis = summary.kpi_series(wh, Period.containing(wh.first_date), last, grain="day")
        kpis = kpis[kpis["start"] >= wh.first_date]
        index = pd.DatetimeIndex(pd.to_datetime(kpis["start"]), name="date")
        for key in wanted:
            if key in _FROM_KPI:
                out[key] = pd.Series(kpis[_FROM_KPI[key]].to_numpy(), index=index, name=key)
    if "daily_reads" in wanted and (span := _table_days(wh, "article_stats", last.end)):
        reads = wh.query("SELECT day, SUM(reads) AS reads FROM article_stats "
                         "WHERE day BETWEEN :lo AND :hi GROUP BY day", {"lo": span[0], "hi": span[1]})
        out["daily_reads"] = _by_day(reads, "reads", *span).rename("daily_reads")
    if "daily_net_followers" in wanted and (span := _table_days(wh, "followers", last.end)):
        flow = follower_flow(wh, span)
        out["daily_net_followers"] = (flow["new_followers"] - flow["unfollows"]).rename("daily_net_followers")
    days = pd.date_range(wh.first_date, last.end, freq="D", name="date")
    return {k: out[k] if k in out else pd.Series(float("nan"), index=days, name=k) for k in wanted}


def follower_flow(wh: Warehouse, span: tuple[int, int]) -> pd.DataFrame:
    """new_followers, unfollows (and cumulative when the source has it) per day over `span`."""
    cumulative = "MAX(cumulative)" if wh.has("followers", "cumulative") else "NULL"
    flow = wh.query(f"""
        SELECT day, SUM(new_followers) AS new_followers, SUM(unfollows) AS unfollows,
               {cumulative} AS cumulative
        FROM followers WHERE day BETWEEN :lo AND :hi GROUP BY day""", {"lo": span[0], "hi": span[1]})
    out = pd.DataFrame({c: _by_day(flow, c, *span) for c in ("new_followers", "unfollows")})
    out["cumulative"] = flow.set_index("day")["cumulative"].astype(float).reindex(
        range(span[0], span[1] + 1)).to_numpy()
    return out


def unfollow_rate(wh: Warehouse, last: Period) -> pd.Series | None:
    """Unfollows / followers at the start of the day; None without followers.cumulative."""
    if not wh.has("followers", "cumulative") or not (span := _table_days(wh, "followers", last.end)):
        return None
    flow = follower_flow(wh, span)
    start = flow["cumulative"] - flow["new_followers"] + flow["unfollows"]
    return (flow["unfollows"] / start.where(start > 0)).rename("daily_unfollow_rate")


def _read_text_csv(path: Path) -> pd.DataFrame:
    """Every cell as text, in the encoding the file was saved in (Chinese Excel saves GB18030)."""
    try:
        return pd.read_csv(path, dtype=str, encoding=sniff_encoding(path), keep_default_na=False)
    except UnicodeDecodeError:
        raise DataError(f"{path}: neither UTF-8 nor GBK/GB18030 text") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({exc})") from None


def read_csv_series(path: Path) -> pd.Series:
    """A daily series from a CSV file with the columns date,value (extra columns are ignored).

    Empty values are missing days; a bad date or number, a repeated date or a missing column
    raises DataError naming the file, the column and the first bad row.
    """
    if not path.is_file():
        raise DataError(f"{path}: file not found (a CSV with the columns {','.join(CSV_COLUMNS)})")
    frame = _read_text_csv(path)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    for column in CSV_COLUMNS:
        if column not in frame.columns:
            raise DataError(f"{path}: no column '{column}' (columns: {', '.join(frame.columns) or 'none'}); "
                            f"expected the columns {','.join(CSV_COLUMNS)}")
    if frame.empty:
        raise DataError(f"{path}: no rows under the header {','.join(CSV_COLUMNS)}")
    dates = pd.to_datetime(frame["date"].str.strip(), errors="coerce", format="mixed")
    bad = dates.isna()
    if bad.any():
        row = int(bad.idxmax())
        raise DataError(f"{path}: column date: line {row + 2}: {frame['date'][row]!r} is not a date such "
                        f"as 2026-11-16")
    text = frame["value"].str.strip().str.replace(",", "", regex=False)
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = values.isna() & (text != "")
    if bad.any():
        row = int(bad.idxmax())
        raise DataError(f"{path}: column value: line {row + 2}: {frame['value'][row]!r} is not a number")
    if (dates.dt.normalize() != dates).any():
        row = int((dates.dt.normalize() != dates).idxmax())
        raise DataError(f"{path}: column date: line {row + 2}: {frame['date'][row]!r} has a time of day; "
                        f"one row per day expected")
    repeated = dates[dates.duplicated()]
    if len(repeated):
        raise DataError(f"{path}: column date: {len(repeated)} repeated date(s), e.g. "
                        f"{repeated.iloc[0].date()}; one row per day expected")
    return pd.Series(values.to_numpy(dtype=float), index=pd.DatetimeIndex(dates, name="date")).sort_index()


def weekly_totals(daily: pd.Series) -> pd.Series:
    """Sums per ISO week (index: the Monday) of the weeks whose seven days are all known."""
    frame = daily.dropna()
    weeks = frame.groupby(frame.index.to_period("W-SUN"))
    totals = weeks.sum()[weeks.count() == 7]
    totals.index = totals.index.start_time
    return totals


def campaigns_between(wh: Warehouse, first: date, last: date) -> pd.DataFrame:
    """Campaigns running on any day of [first, last]: name, type, start, end (dates); shortest
    first, as the most specific context for a day. Empty without a campaigns table."""
    columns = ["name", "type", "start", "end"]
    if not wh.has("campaigns"):
        return pd.DataFrame(columns=columns)
    rows = wh.query("""
        SELECT COALESCE(name, campaign_id) AS name, COALESCE(type, 'other') AS type,
               start_day, end_day
        FROM campaigns WHERE start_day <= :hi AND end_day >= :lo
        ORDER BY end_day - start_day, start_day""", {"lo": day_number(first), "hi": day_number(last)})
    return pd.DataFrame({"name": rows["name"], "type": rows["type"],
                         "start": [day_to_date(d) for d in rows["start_day"]],
                         "end": [day_to_date(d) for d in rows["end_day"]]}, columns=columns)


def campaign_context(campaigns: pd.DataFrame, days: list[date], most: int = 2) -> dict[date, list[str]]:
    """For each day, the names of the (at most `most`) shortest campaigns running on it."""
    out = {}
    for d in days:
        running = campaigns[(campaigns["start"] <= d) & (campaigns["end"] >= d)].head(most)
        if len(running):
            out[d] = list(running["name"])
    return out
