"""Words the content tables, charts and findings share: article titles, push positions, formats,
publish times, group names, rates with intervals, and registry labels of same-age metrics with
their number of days filled in."""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers.content.history import NONE
from helpers.render import fmt
from helpers.render.text import Text

FORMAT_TEXT = {"article": "cp_format_article", "video": "cp_format_video",
               "image": "cp_format_image", "audio": "cp_format_audio"}
SLOT_TEXT = {"headline": "cp_headline", "secondary": "cp_secondary"}
# The name of each breakdown dimension (positions and headline/secondary slots are positions).
DIMENSION_TEXT = {"column_name": "cp_column", "format": "cp_format", "position_key": "cp_position",
                  "slot": "cp_position"}


def days(tx: Text, n: int) -> str:
    """'7 days' / '1 day' (zh: the number alone, the sentence carries 日)."""
    return tx("cp_days" if n > 1 else "cp_days_one", days=n)


def same_age_label(tx: Text, metric: str, n: int) -> str:
    """A same-age metric's registry label with its N days made the actual number ('首1日阅读率',
    'Read rate, first 1 day'); the metric counts as shown."""
    return tx.label(metric).replace(tx("cp_label_n_days"), days(tx, n))


def title(row: Any) -> str:
    """An article's title, or its id when the source has no title."""
    value = row["title"]
    return str(row["article_id"]) if value is None or pd.isna(value) or not str(value).strip() \
        else str(value)


def quote(text: str, tx: Text) -> str:
    """A title quoted in running text: 《…》 / “…”."""
    return tx("cp_quote", title=text)


def position(value: Any, tx: Text) -> str:
    """'Headline', 'No. 2', ...; NONE when the source has no position."""
    if value is None or pd.isna(value) or int(value) < 1:
        return NONE
    return tx("cp_headline") if int(value) == 1 else tx("cp_nth", n=int(value))


def format_label(value: Any, tx: Text) -> str:
    """An article format in the report language; formats the catalog does not know as given."""
    key = FORMAT_TEXT.get(str(value))
    return tx(key) if key else str(value)


def published(row: Any, tx: Text, prose: bool = False) -> str:
    """When a push went out: in a table '11-18 周三 21:49' / 'Wed 18 Nov 21:49', in a sentence
    (`prose`) '11月18日（周三）21:49' (README "Conventions": one date style per context); the date
    alone when the source has no times of day (`history.publish_times_known`), never '00:00'."""
    ts = row["published"]
    dated = not row.get("time_known", True)
    key = {(False, False): "cp_published_at", (True, False): "cp_published_at_prose",
           (False, True): "cp_published_date", (True, True): "cp_published_date_prose"}[prose, dated]
    return ts.strftime(tx(key, weekday=tx.weekdays()[ts.weekday()]))


def group_label(dimension: str, value: Any, tx: Text) -> str:
    """A breakdown group (column, format, position, slot or publish hour) as people say it."""
    if dimension == "format":
        return format_label(value, tx)
    if dimension in ("position_key", "position"):
        return position(value, tx)
    if dimension == "slot":
        return tx(SLOT_TEXT[value])
    if dimension == "hour":
        return f"{int(value):02d}:00"
    return str(value)


def group_text(dimension: str, value: Any, tx: Text) -> str:
    """A breakdown group in running text: columns quoted (「…」 / “…”), formats in lower case."""
    if dimension == "column_name":
        return tx("cp_column_quote", name=str(value))
    if dimension == "format":
        return format_label(value, tx).lower()
    return group_label(dimension, value, tx)


def interval(lo: Any, hi: Any) -> str:
    """'3.4%–3.7%', or the missing mark when a bound is unknown."""
    if pd.isna(lo) or pd.isna(hi):
        return fmt.MISSING
    return f"{fmt.percent(lo)}–{fmt.percent(hi)}"


def with_interval(rate: Any, lo: Any, hi: Any) -> str:
    """'3.6% (3.4%–3.7%)': a rate with its 95% interval in one cell."""
    if pd.isna(rate):
        return fmt.MISSING
    return fmt.percent(rate) if pd.isna(lo) or pd.isna(hi) else \
        f"{fmt.percent(rate)} ({interval(lo, hi)})"
