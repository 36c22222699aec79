"""The input data contract (v1): tables, columns, types and keys, in one place.

Everything that reads or generates data takes its column list from here: the warehouse loader
validates against it, the sample generator writes it, and tests check both.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

CONTRACT_VERSION = "v1"


class ColumnType(StrEnum):
    """Logical column types; the warehouse maps them to engine types."""

    STRING = "string"
    INT = "int"
    FLOAT = "float"  # counts that may be fractional, rates, money (CNY yuan)
    BOOL = "bool"
    TIMESTAMP = "timestamp"  # naive values are local time in the source timezone
    DATE = "date"


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    non_negative: bool = False
    meaning: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = False
    meaning: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def time_columns(self) -> list[Column]:
        """Timestamp and date columns: the warehouse adds integer companions for these."""
        return [c for c in self.columns if c.type in (ColumnType.TIMESTAMP, ColumnType.DATE)]


STR, INT, FLOAT, BOOL, TS, DATE = (ColumnType.STRING, ColumnType.INT, ColumnType.FLOAT,
                                   ColumnType.BOOL, ColumnType.TIMESTAMP, ColumnType.DATE)


def _col(name: str, type_: ColumnType, required: bool = False, non_negative: bool = False,
         meaning: str = "") -> Column:
    return Column(name, type_, required, non_negative, meaning)


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "users",
            (
                _col("user_id", STR, True, meaning="pseudonymous id; unique"),
                _col("first_seen_at", TS, True, meaning="first visit or registration"),
                _col("channel", STR, meaning="acquisition channel"),
                _col("scene", INT, meaning="WeChat scene code of the first visit"),
                _col("referrer_id", STR, meaning="user_id of the inviter"),
                _col("gender", STR),
                _col("age_band", STR),
                _col("province", STR),
                _col("city", STR),
                _col("platform", STR),
                _col("is_follower", BOOL),
                _col("consent", BOOL, meaning="analytics consent; false rows are left out of profiling"),
            ),
            key=("user_id",),
            required=True,
            meaning="one row per user",
        ),
        Table(
            "events",
            (
                _col("user_id", STR, True),
                _col("event_time", TS, True),
                _col("event", STR, True, meaning="launch, page_view, share, add_to_cart, checkout, pay, ..."),
                _col("session_id", STR),
                _col("page", STR),
                _col("scene", INT),
                _col("duration_s", FLOAT, non_negative=True),
                _col("article_id", STR),
                _col("campaign_id", STR),
            ),
            required=True,
            meaning="one row per tracked event",
        ),
        Table(
            "orders",
            (
                _col("order_id", STR, True),
                _col("user_id", STR, True),
                _col("paid_at", TS, True),
                _col("amount", FLOAT, True, non_negative=True, meaning="paid amount, CNY yuan"),
                _col("status", STR, meaning="paid (default), refunded, cancelled"),
                _col("discount", FLOAT, non_negative=True),
                _col("coupon_id", STR),
                _col("campaign_id", STR),
                _col("channel", STR),
                _col("group_id", STR),
                _col("merchant_id", STR),
            ),
            key=("order_id",),
            meaning="one row per order",
        ),
        Table(
            "articles",
            (
                _col("article_id", STR, True),
                _col("title", STR),
                _col("published_at", TS, True),
                _col("column", STR),
                _col("format", STR),
                _col("position", INT),
                _col("is_original", BOOL),
                _col("author", STR),
            ),
            key=("article_id",),
            meaning="official-account content, one row per article",
        ),
        Table(
            "article_stats",
            (
                _col("article_id", STR, True),
                _col("date", DATE, True),
                *(
                    _col(name, INT, non_negative=True)
                    for name in ("recipients", "readers", "reads", "sharers", "shares", "favorites",
                                 "likes", "zaikan", "comments", "original_page_readers")
                ),
                _col("finish_rate", FLOAT, non_negative=True),
            ),
            key=("article_id", "date"),
            meaning="one row per article per day (daily increments)",
        ),
        Table(
            "followers",
            (
                _col("date", DATE, True),
                _col("source", STR, True),
                _col("new_followers", INT, True, non_negative=True),
                _col("unfollows", INT, True, non_negative=True),
                _col("cumulative", INT, non_negative=True),
            ),
            key=("date", "source"),
            meaning="official-account follower flow, one row per day per source",
        ),
        Table(
            "campaigns",
            (
                _col("campaign_id", STR, True),
                _col("name", STR),
                _col("type", STR),
                _col("channel", STR),
                _col("start_at", TS, True),
                _col("end_at", TS),
                _col("cost", FLOAT, non_negative=True),
                _col("budget", FLOAT, non_negative=True),
                _col("target_metric", STR),
                _col("target_value", FLOAT),
                _col("holdout", FLOAT, non_negative=True),
            ),
            key=("campaign_id",),
            meaning="one row per campaign",
        ),
        Table(
            "assignments",
            (
                _col("campaign_id", STR, True),
                _col("user_id", STR, True),
                _col("variant", STR, True, meaning="the variant named control is the reference"),
                _col("assigned_at", TS),
            ),
            key=("campaign_id", "user_id"),
            meaning="experiment / holdout assignment, one row per user per campaign",
        ),
        Table(
            "spend",
            (
                _col("date", DATE, True),
                _col("channel", STR, True),
                _col("campaign_id", STR),
                _col("cost", FLOAT, True, non_negative=True),
                _col("impressions", INT, non_negative=True),
                _col("clicks", INT, non_negative=True),
            ),
            meaning="daily cost by channel",
        ),
    ]
}

REQUIRED_TABLES = [name for name, t in TABLES.items() if t.required]


def _stem(column: str) -> str:
    return column.removesuffix("_at").removesuffix("_time")


def day_column_name(column: str) -> str:
    """The warehouse's integer day number (days since 1970-01-01, local) for a timestamp/date
    column: event_time -> event_day, paid_at -> paid_day, date -> day. Day arithmetic on any
    SQL engine is then plain integer arithmetic."""
    return "day" if column == "date" else f"{_stem(column)}_day"


def second_column_name(column: str) -> str:
    """The warehouse's integer seconds since 1970-01-01 00:00 local wall time for a timestamp
    column: event_time -> event_sec (session gaps, conversion windows)."""
    return f"{_stem(column)}_sec"
