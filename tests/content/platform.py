"""A hand-made platform-only data source: WeChat's statistics without own tracking (no users, no
events), as `wxreport fetch` converts them: mini-program visits per day and per week, official-account
followers by source, articles with their publish date only (published_at at 00:00, as WeChat's
article APIs give it), their daily statistics, and account-level reads by source (`oa_reads`).
Optional: a campaigns table and paid orders (without a users table). Shared by the content,
campaign and forecasting tests (one shape, every number below by hand).

Days: 2026-08-24 (a Monday) .. 2026-11-22 (a Sunday) = 91 days, 13 ISO weeks W35..W47.
"""

from __future__ import annotations

from datetime import date, timedelta

from helpers.core.wechat import ALL_SOURCES

FIRST, LAST = date(2026, 8, 24), date(2026, 11, 22)
DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
W47_DAYS = DAYS[-7:]  # 2026-11-16 .. 11-22

# oa_reads of the report week, per day (the same every day; by hand below):
#   source    readers reads shares
#   ALL           500   800     40   (WeChat's deduplicated total)
#   MESSAGES      300   450     20
#   CHATS         150   250     15
#   MOMENTS       100   100      5
#   SEARCH          3     0      0
#   OTHER           1     0      0   (Monday only)
# The week: readers ALL 3,500, MESSAGES 2,100 (60.0% of ALL), CHATS 1,050 (30.0%), MOMENTS 700
# (20.0%), SEARCH 21 (0.6%), OTHER 1: the sources' shares add up to over 110%, as people read from
# several sources. Reads: ALL 5,600 = 3,150 (56.25%) + 1,750 (31.25%) + 700 (12.5%) + 0 + 0.
# Shares: ALL 280. With min_cell_size 10, OTHER (1 reader) is hidden, and SEARCH (21, the next
# smallest) with it, or their reads would follow from the total.
MESSAGES, CHATS, MOMENTS, SEARCH, OTHER = "公众号消息", "聊天会话", "朋友圈", "搜一搜", "其他"
OA_READS_DAY = {ALL_SOURCES: (500, 800, 40), MESSAGES: (300, 450, 20), CHATS: (150, 250, 15),
                MOMENTS: (100, 100, 5), SEARCH: (3, 0, 0)}


def visitors(d: date) -> int:
    """Daily visitors: 1,000 on weekdays, 1,300 on weekends, a 3-day bump of +7 per day (i % 3)."""
    return 1000 + 300 * (d.weekday() >= 5) + 7 * ((d - FIRST).days % 3)


def mp_visits() -> list[dict]:
    """Day rows (new visitors = a fifth of visitors, rounded down) and week rows (visitors of the
    week = 4,000 + 10 x week index: deduplicated, far fewer than the days' sum)."""
    rows = [{"date": str(d), "period": "day", "sessions": visitors(d) + 200, "visits": 3 * visitors(d),
             "visitors": visitors(d), "new_visitors": visitors(d) // 5, "stay_time_uv": 120.0,
             "stay_time_session": 90.0, "visit_depth": 3.0} for d in DAYS]
    rows += [{"date": str(DAYS[i]), "period": "week", "visitors": 4000 + 10 * (i // 7)}
             for i in range(0, len(DAYS), 7)]
    return rows


def followers() -> list[dict]:
    """Two sources a day: search 12 + i % 3 new, 3 unfollows; QR code (30) 8 new, 2 unfollows."""
    return [{"date": str(d), "source": source, "new_followers": new + (i % 3 if source == "1" else 0),
             "unfollows": unf, "cumulative": 20_000 + 15 * i}
            for i, d in enumerate(DAYS) for source, new, unf in (("1", 12, 3), ("30", 8, 2))]


def articles() -> tuple[list[dict], list[dict]]:
    """One article every second day from FIRST, published at 00:00 (the date only), with three
    days of stats: recipients on the publish day, readers 300 / 100 / 50, 在看 readers // 20."""
    arts, stats = [], []
    for i, d in enumerate(DAYS[::2]):
        aid = f"2247{i:04d}_1"
        arts.append({"article_id": aid, "title": f"Article {i}", "published_at": f"{d} 00:00:00",
                     "position": 1})
        for k, readers in enumerate((300, 100, 50)):
            day = d + timedelta(days=k)
            if day <= LAST:
                stats.append({"article_id": aid, "date": str(day), "recipients": 20_000 if k == 0 else 0,
                              "readers": readers, "reads": readers + readers // 5, "sharers": readers // 10,
                              "shares": readers // 8, "zaikan": readers // 20, "likes": readers // 25})
    return arts, stats


def oa_reads(days: list[date] = W47_DAYS) -> list[dict]:
    rows = [{"date": str(d), "source": s, "readers": r, "reads": n, "shares": sh}
            for d in days for s, (r, n, sh) in OA_READS_DAY.items()]
    return [*rows, {"date": str(days[0]), "source": OTHER, "readers": 1, "reads": 0, "shares": 0}]


CAMPAIGN = {"campaign_id": "CWX", "name": "Double coupon", "type": "coupon", "channel": "all",
            "start_at": "2026-11-17 00:00:00", "end_at": "2026-11-20 23:59:59", "cost": 3000.0,
            "target_metric": "new_users"}


def orders_on(d: date) -> int:
    """Paid orders of a day: 20 + (day index mod 5) on weekdays, 30 + (day index mod 4) at weekends."""
    i = (d - FIRST).days
    return 30 + i % 4 if d.weekday() >= 5 else 20 + i % 5


def paid_orders() -> list[dict]:
    """Paid orders without a users table (`orders_on` a day), 50 yuan each, by pseudonymous buyer."""
    rows = []
    for d in DAYS:
        for j in range(orders_on(d)):
            rows.append({"order_id": f"o{d:%m%d}{j:02d}", "user_id": f"b{j % 7}",
                         "paid_at": f"{d} 12:{j:02d}:00", "amount": 50.0})
    return rows


def platform_tables(*, reads: bool = True, campaigns: bool = False, orders: bool = False) -> dict[str, list[dict]]:
    """The platform-only source (optionally with oa_reads, the campaign CWX and paid orders)."""
    arts, stats = articles()
    tables = {"mp_visits": mp_visits(), "followers": followers(), "articles": arts, "article_stats": stats}
    if reads:
        tables["oa_reads"] = oa_reads()
    if campaigns:
        tables["campaigns"] = [CAMPAIGN]
    if orders:
        tables["orders"] = paid_orders()
    return tables
