"""Numbers for people: 1.2万 / 12.3K, ¥, percentages, relative changes and percentage points."""

from __future__ import annotations

import math

MISSING = "—"


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _compact(x: float, steps: list[tuple[float, float, str]]) -> str:
    """`steps`: (from this size, divide by, suffix), largest first."""
    for threshold, size, suffix in steps:
        if abs(x) >= threshold:
            v = x / size
            digits = 2 if abs(v) < 10 else 1 if abs(v) < 100 else 0
            text = f"{v:.{digits}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return text + suffix
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:,.2f}"


def number(x: float | None, language: str = "zh") -> str:
    """Counts: 12,345 -> '1.23万' (zh) / '12.3K' (en); below 10,000 with thousands separators."""
    if _missing(x):
        return MISSING
    if language == "zh":
        return _compact(float(x), [(1e8, 1e8, "亿"), (1e4, 1e4, "万")])
    return _compact(float(x), [(1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "K")])


def money(x: float | None, language: str = "zh") -> str:
    """CNY yuan with the ¥ sign, compact like `number`."""
    if _missing(x):
        return MISSING
    sign = "-" if x < 0 else ""
    return f"{sign}¥{number(abs(x), language)}"


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
    return f"{100 * x:+.{digits}f}" + ("个百分点" if language == "zh" else " pts")


def duration(seconds: float | None, language: str = "zh") -> str:
    """A short duration: 42 -> '42秒' / '42s'; 95 -> '1分35秒' / '1m 35s'; 5400 -> '1.5小时' / '1.5h'."""
    if _missing(seconds):
        return MISSING
    s = float(seconds)
    zh = language == "zh"
    if s < 60:
        return f"{s:.0f}秒" if zh else f"{s:.0f}s"
    if s < 3600:
        m, rest = divmod(round(s), 60)
        return f"{m}分{rest}秒" if zh else f"{m}m {rest}s"
    return f"{s / 3600:.1f}小时" if zh else f"{s / 3600:.1f}h"


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
