"""WeChat's own statistics (We分析) in the weekly summary: visits, opens and stay times next to the
KPIs, where the numbers come from (said once), and what a data source without them lacks.

On WeChat's statistics only, active and new users are WeChat's too (`core.kpis`); with own tracking
as well, the KPIs stay own tracking's and only visits, opens and stay times are WeChat's.
"""

from __future__ import annotations

import math

import pandas as pd

from helpers.core.kpis import KPIS, WECHAT, platform_only, relative_change
from helpers.core.warehouse import Warehouse
from helpers.render.text import Text
from helpers.weekly.judgement import KpiStatus

WHOLE = ("visits", "opens")
# The cards: visits and opens, and one stay time: per visitor, else per open (the week formed
# from day rows has no per-visitor figure).
STAY = ("stay_time_uv", "stay_time_session")


def _value(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def metrics(wechat: pd.DataFrame) -> dict[str, float | int | None]:
    """The report week's WeChat figures (the last row of `kpis.wechat_series`); null without them."""
    this = wechat.iloc[-1]
    out: dict[str, float | int | None] = {}
    for key in WECHAT:
        value = _value(this[key])
        out[key] = None if value is None else int(value) if key in WHOLE else round(value, 2)
    return out


def card_keys(values: dict[str, float | int | None]) -> list[str]:
    """The WeChat cards the week has a value for."""
    keys = [k for k in WHOLE if values.get(k) is not None]
    stay = next((k for k in STAY if values.get(k) is not None), None)
    return keys + ([stay] if stay else [])


def statuses(wechat: pd.DataFrame, keys: list[str]) -> list[KpiStatus]:
    """Cards of WeChat's figures: value and week on week (the previous week when it lies in the
    data and has the figure); no target or forecast."""
    this, previous = metrics(wechat.iloc[-1:]), wechat.iloc[-2]
    return [KpiStatus(k, this[k], relative_change(this[k], _value(previous[k]))) for k in keys]


def wows(items: list[KpiStatus]) -> dict[str, float | None]:
    """key -> week on week of the WeChat cards, for the summary sentence."""
    return {i.key: i.wow for i in items}


def source_note(wh: Warehouse, tx: Text) -> str | None:
    """Said once: which numbers are WeChat's own statistics and what that means; None when the
    data holds no mini-program statistics of WeChat's."""
    if not wh.has("mp_visits"):
        return None
    return tx("ws_wechat_numbers" if platform_only(wh) else "ws_wechat_numbers_mixed")


def lacking(wh: Warehouse, shown: list[str]) -> list[tuple[str, str, list[str]]]:
    """What the data source lacks for the KPIs not shown, one line each, as (how: skipped /
    unavailable, catalog key, KPI keys to list): neither own tracking nor WeChat's visits (an
    official account's statistics only), no orders table, or WeChat's rows of the week missing."""
    missing = [k for k in KPIS if k not in shown]
    users = [k for k in missing if k in ("active_users", "new_users")]
    orders = [k for k in missing if k in ("orders", "gmv")]
    lines = []
    if users and platform_only(wh):
        lines.append(("unavailable", "ws_wechat_rows_missing", users) if wh.has("mp_visits") else
                     ("skipped", "ws_no_visit_data", users))
    if orders and not wh.has("orders"):
        lines.append(("skipped", "ws_orders_table", orders))
    return lines


def nothing_to_show(wh: Warehouse, shown: list[str], cards: list[str]) -> bool:
    """An official account's statistics only, without orders: no KPI and no WeChat figure at all,
    so the summary says what the data lacks in one line and shows nothing else."""
    return not shown and not cards and platform_only(wh) and not wh.has("mp_visits")
