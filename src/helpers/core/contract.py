"""The input data contract (v1): tables, columns, types, keys and the bounds of valid values.

Everything that reads or generates data takes its column list from here: the warehouse loader
validates against it (types, required values, bounds, row rules, keys, parents), the sample generator
writes it, and tests check both. README's "What the validator rejects" states the same bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

CONTRACT_VERSION = "v1"
MONEY_LIMIT = 1e12  # yuan, exclusive: a trillion-yuan order or cost is a unit or parsing mistake
EARLIEST = date(1970, 1, 1)  # no timestamp or date before the epoch
DAYS_AHEAD = 1  # ... nor after the run date + 1 day (time zones and late exports, not the future)
PLANNED_DAYS_AHEAD = 366  # campaigns may be planned up to a year ahead


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
    """One column: its type and what a valid value is. Numbers are always finite; `min` and `max`
    are inclusive, `below` exclusive; a time value lies in EARLIEST .. run date + `days_ahead`."""

    name: str
    type: ColumnType
    required: bool = False
    min: float | None = None
    max: float | None = None
    below: float | None = None
    days_ahead: int = DAYS_AHEAD
    personal: bool = False  # identifies a person: located by row in messages, never quoted
    meaning: str = ""
    values: tuple[str, ...] = ()  # the only values a text column may hold, when given


@dataclass(frozen=True)
class NotBefore:
    """A row rule: `column`, when given, is not earlier than `other` of the same row."""

    column: str
    other: str


@dataclass(frozen=True)
class Parent:
    """Rows form trees: `column`, when given, is the `key` of another row of the same table (its
    parent); following parents always ends at a row without one (no row is its own ancestor)."""

    column: str
    key: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = False
    rules: tuple[NotBefore, ...] = ()
    parent: Parent | None = None
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


def _col(name: str, type_: ColumnType, required: bool = False, meaning: str = "") -> Column:
    return Column(name, type_, required, meaning=meaning)


def _one_of(name: str, *values: str, meaning: str = "") -> Column:
    return Column(name, STR, True, meaning=meaning, values=values)


def _person(name: str, required: bool = False, meaning: str = "") -> Column:
    return Column(name, STR, required, personal=True, meaning=meaning)


def _count(name: str, required: bool = False) -> Column:
    return Column(name, INT, required, min=0)


def _money(name: str, required: bool = False, meaning: str = "") -> Column:
    return Column(name, FLOAT, required, min=0, below=MONEY_LIMIT, meaning=meaning)


def _share(name: str, meaning: str = "") -> Column:
    return Column(name, FLOAT, min=0, max=1, meaning=meaning)


def _planned(name: str, required: bool = False) -> Column:
    return Column(name, TS, required, days_ahead=PLANNED_DAYS_AHEAD)


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "users",
            (
                _person("user_id", True, meaning="pseudonymous id; unique"),
                _col("first_seen_at", TS, True, meaning="first visit or registration"),
                _col("channel", STR, meaning="acquisition channel"),
                _col("scene", INT, meaning="WeChat scene code of the first visit"),
                _person("referrer_id", meaning="user_id of the inviter"),
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
                _person("user_id", True),
                _col("event_time", TS, True),
                _col("event", STR, True, meaning="launch, page_view, share, add_to_cart, checkout, pay, ..."),
                _col("session_id", STR),
                _col("page", STR),
                _col("scene", INT),
                Column("duration_s", FLOAT, min=0),
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
                _person("user_id", True),
                _col("paid_at", TS, True),
                _money("amount", True, meaning="paid amount, CNY yuan; may be below the discount"),
                _col("status", STR, meaning="paid (default), refunded, cancelled"),
                _money("discount"),
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
            "merchants",
            (
                _col("merchant_id", STR, True,
                     meaning="the business's own code; orders.merchant_id refers to it"),
                _person("name", meaning="group leaders and KOLs are often private persons"),
                _col("kind", STR, meaning="store, kol, group_leader, distributor, other, ..."),
                _col("joined_at", TS),
                _col("tier", STR, meaning="the business's own tier, if it assigns one"),
                _col("region", STR),
                _col("parent_id", STR, meaning="merchant_id of the recruiting distributor"),
            ),
            key=("merchant_id",),
            parent=Parent("parent_id", "merchant_id"),
            meaning="the small-B sellers of an S2B2C mall, one row per merchant",
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
                    _count(name)
                    for name in ("recipients", "readers", "reads", "sharers", "shares", "favorites",
                                 "likes", "zaikan", "comments", "original_page_readers")
                ),
                _share("finish_rate", meaning="share of readers who read to the end"),
            ),
            key=("article_id", "date"),
            meaning="one row per article per day (daily increments)",
        ),
        Table(
            "followers",
            (
                _col("date", DATE, True),
                _col("source", STR, True),
                _count("new_followers", True),
                _count("unfollows", True),
                _count("cumulative"),
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
                _planned("start_at", True),
                _planned("end_at"),
                _money("cost"),
                _money("budget"),
                _col("target_metric", STR),
                _col("target_value", FLOAT),
                _share("holdout", meaning="share of eligible users held out"),
            ),
            key=("campaign_id",),
            rules=(NotBefore("end_at", "start_at"),),
            meaning="one row per campaign",
        ),
        Table(
            "assignments",
            (
                _col("campaign_id", STR, True),
                _person("user_id", True),
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
                _money("cost", True),
                _count("impressions"),
                _count("clicks"),
            ),
            meaning="daily cost by channel",
        ),
        # WeChat's own statistics (README, "WeChat's numbers"): what `wxreport fetch` converts the
        # datacube responses into. Counts are WeChat's, already aggregated; no row is a person.
        Table(
            "mp_visits",
            (
                _col("date", DATE, True, meaning="first day of the period"),
                _one_of("period", "day", "week", "month", meaning="week = Monday-Sunday"),
                _count("sessions"),  # session_cnt: opens
                _count("visits"),  # visit_pv: page views
                _count("visitors", True),  # visit_uv: deduplicated within the period
                _count("new_visitors"),  # visit_uv_new
                Column("stay_time_uv", FLOAT, min=0, meaning="average seconds per visitor"),
                Column("stay_time_session", FLOAT, min=0, meaning="average seconds per open"),
                Column("visit_depth", FLOAT, min=0, meaning="average pages per open"),
                _count("cumulative_users"),  # visit_total (daily summary)
                _count("shares"),  # share_pv
                _count("sharers"),  # share_uv
            ),
            key=("period", "date"),
            meaning="mini-program visits by WeChat (getweanalysisappid*visittrend, dailysummarytrend)",
        ),
        Table(
            "mp_retention",
            (
                _col("date", DATE, True, meaning="first day of the cohort's period"),
                _one_of("period", "day", "week", "month"),
                _one_of("cohort", "new", "active", meaning="new users or active users"),
                Column("offset", INT, True, min=0, meaning="0 = the cohort's size, k = after k periods"),
                _count("users", True),
            ),
            key=("period", "date", "cohort", "offset"),
            meaning="WeChat's own retention table (getweanalysisappid*retaininfo)",
        ),
        Table(
            "mp_portrait",
            (
                _col("date", DATE, True, meaning="last day of the window"),
                Column("window_days", INT, True, min=1, meaning="1, 7 or 30"),
                _one_of("segment", "new", "active", meaning="new or active users"),
                _one_of("dimension", "province", "city", "gender", "platform", "device", "age"),
                _col("name", STR, True, meaning="the value as WeChat names it"),
                _count("users", True),
            ),
            key=("date", "window_days", "segment", "dimension", "name"),
            meaning="visitor portrait by WeChat (getweanalysisappiduserportrait)",
        ),
        Table(
            "mp_sources",
            (
                _col("date", DATE, True),
                Column("source_key", INT, True, min=0, meaning="WeChat's access-source key"),
                _col("source", STR, meaning="its name as WeChat gives it"),
                _count("sessions"),
                _count("visitors"),
            ),
            key=("date", "source_key"),
            meaning="opens and visitors by access source (getweanalysisappidvisitdistribution)",
        ),
        Table(
            "mp_distribution",
            (
                _col("date", DATE, True),
                _one_of("kind", "stay_time", "depth"),
                Column("bucket", INT, True, min=1, meaning="WeChat's bucket key"),
                _count("sessions", True),
            ),
            key=("date", "kind", "bucket"),
            meaning="opens by stay time and by depth (getweanalysisappidvisitdistribution)",
        ),
        Table(
            "mp_pages",
            (
                _col("date", DATE, True),
                _col("page", STR, True),
                _count("page_views", True),
                _count("page_visitors"),
                Column("stay_time_pv", FLOAT, min=0, meaning="average seconds per view"),
                _count("entry_views"),
                _count("exit_views"),
                _count("shares"),
                _count("sharers"),
            ),
            key=("date", "page"),
            meaning="WeChat's top pages of the day (getweanalysisappidvisitpage: top 200 by views)",
        ),
        Table(
            "oa_reads",
            (
                _col("date", DATE, True),
                _col("source", STR, True,
                     meaning="where readers came from; core.wechat.ALL_SOURCES = all, deduplicated"),
                _count("readers"),
                _count("reads"),
                _count("sharers"),
                _count("shares"),
                _count("favorites"),
            ),
            key=("date", "source"),
            meaning="official-account reads of all articles by source, per day (getuserread, "
                    "getbizsummary, the content-analysis export)",
        ),
    ]
}

# The rule on required tables (README, "Required tables") lives here: a source holds own tracking
# (users and events, both) or WeChat's statistics (at least one of PLATFORM_TABLES), or both.
REQUIRED_TABLES = [name for name, t in TABLES.items() if t.required]
PLATFORM_TABLES = ["mp_visits", "followers", "article_stats", "oa_reads"]
# Tables only WeChat's statistics fill (`wxreport fetch`, admin exports); the sample shop's own
# tracking has none of them (`wxreport sample --platform-only` derives them).
WECHAT_TABLES = [name for name in TABLES if name.startswith(("mp_", "oa_"))]


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
