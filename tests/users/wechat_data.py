"""Hand-made WeChat statistics (mp_* tables) for the user-analysis tests, with the answers worked
out by hand in the tests that use them.

Report week 2026-W47: Monday 2026-11-16 .. Sunday 2026-11-22; the week before, W46, 11-09 .. 11-15.
"""

from __future__ import annotations

from datetime import date, timedelta

from helpers.core.periods import Period

WEEK = Period.parse("2026-W47")
MON = WEEK.start  # 2026-11-16
PREV_MON = MON - timedelta(days=7)  # 2026-11-09


def day(d: date, n: int = 0) -> str:
    return (d + timedelta(days=n)).isoformat()


def visits() -> list[dict]:
    """W46: 90 visitors, 9 new, 180 opens each day, 500 in WeChat's weekly row.
    W47: visitors 100, 110, ..., 160 (mean 130), new 10, 11, ..., 16 (sum 91), opens = 2 x visitors
    (sum 1820), 600 in the weekly row with 45 s per visitor."""
    rows = [{"date": day(PREV_MON, i), "period": "day", "visitors": 90, "new_visitors": 9, "sessions": 180,
             "visits": 360, "stay_time_session": 30.0, "visit_depth": 2.0, "shares": 3} for i in range(7)]
    rows += [{"date": day(MON, i), "period": "day", "visitors": 100 + 10 * i, "new_visitors": 10 + i,
              "sessions": 2 * (100 + 10 * i), "visits": 4 * (100 + 10 * i), "stay_time_session": 20.0 + i,
              "visit_depth": 2.5, "shares": 5} for i in range(7)]
    rows += [{"date": day(PREV_MON), "period": "week", "visitors": 500},
             {"date": day(MON), "period": "week", "visitors": 600, "stay_time_uv": 45.0}]
    return rows


def retention() -> list[dict]:
    """Daily new-visitor cohorts (offset 0 = size):
    11-01: 50; d1 20, d7 10, d14 5, d30 2 (d30 = 12-01, after the week: blank)
    11-20: 40; d1 12 (11-21), d2 8 (11-22), d3 0 (11-23: not observable: blank)
    11-21: 5 (under k = 10: not shown); d1 1
    Weekly: W45 (11-02) 100; w1 30, w2 20, w3 0 (week of 11-23: blank)."""
    rows = []

    def cohort(d: str, period: str, values: dict[int, int], kind: str = "new") -> None:
        rows.extend({"date": d, "period": period, "cohort": kind, "offset": k, "users": v} for k, v in values.items())

    cohort("2026-11-01", "day", {0: 50, 1: 20, 7: 10, 14: 5, 30: 2})
    cohort("2026-11-20", "day", {0: 40, 1: 12, 2: 8, 3: 0})
    cohort("2026-11-21", "day", {0: 5, 1: 1})
    cohort("2026-11-20", "day", {0: 200, 1: 120}, kind="active")
    cohort("2026-11-02", "week", {0: 100, 1: 30, 2: 20, 3: 0})
    return rows


def portrait(end: str = "2026-11-22") -> list[dict]:
    """The 7 days to 11-22. New: gender 男 60, 女 35, 未知 5 -> 未知 under k = 10 and 女 hidden with
    it (else 100 - 60 - 35 gives 未知 away): only 男 (60%). Active: gender 男 300, 女 200 (both shown);
    age 18-24岁 250, 25-29岁 250; city 广州 400, 深圳 100; new age 18-24岁 70, 25-29岁 30; new city
    广州 100; platform iPhone 60 / Android 40 (new) and 300 / 200 (active)."""
    values = {
        ("new", "gender"): {"男": 60, "女": 35, "未知": 5},
        ("active", "gender"): {"男": 300, "女": 200},
        ("new", "age"): {"18-24岁": 70, "25-29岁": 30},
        ("active", "age"): {"18-24岁": 250, "25-29岁": 250},
        ("new", "city"): {"广州": 100},
        ("active", "city"): {"广州": 400, "深圳": 100},
        ("new", "province"): {"广东省": 100},
        ("active", "province"): {"广东省": 500},
        ("new", "platform"): {"iPhone": 60, "Android": 40},
        ("active", "platform"): {"iPhone": 300, "Android": 200},
        ("active", "device"): {"iPhone 15": 120, "OPPO R9": 9},
    }
    return [{"date": end, "window_days": 7, "segment": s, "dimension": dim, "name": name, "users": users}
            for (s, dim), names in values.items() for name, users in names.items()]


def sources() -> list[dict]:
    """Over W47: key 1 (history list) visitors 5, 6, 7 (busiest day 7 < 10: hidden); key 3 (chat)
    12, 12, 12 (visitor-days 36, busiest 12: hidden with key 1, the next-smallest); key 2 (search)
    20, 30 (visitor-days 50, at least 30 people); key 10 (other) 50; key 99 (not documented, named
    by WeChat "新入口") 40. Opens: key 1 18, key 3 36, key 2 100, key 10 60, key 99 86: 300 in all."""
    rows = []
    given = ((1, "小程序历史列表", [5, 6, 7], [6, 6, 6]), (3, "会话", [12, 12, 12], [12, 12, 12]),
             (2, "搜索", [20, 30], [40, 60]), (10, "其他", [50], [60]), (99, "新入口", [40], [86]))
    for key, name, visitors, opens in given:
        rows += [{"date": day(MON, i), "source_key": key, "source": name, "sessions": o, "visitors": v}
                 for i, (v, o) in enumerate(zip(visitors, opens, strict=True))]
    rows.append({"date": day(PREV_MON), "source_key": 2, "source": "搜索", "sessions": 999, "visitors": 999})
    return rows


def distribution() -> list[dict]:
    """W47 opens by stay-time bucket: 1: 60 + 40 = 100, 2: 50, 4: 40, 8: 5 and 9 (not documented): 5,
    200 in all. 8 and 9 are under k = 10: both hidden, and as two they need no partner (the total
    gives only their sum away). Depth: 1: 120, 2: 60, 7: 20 (200)."""
    rows = [{"date": day(MON), "kind": "stay_time", "bucket": b, "sessions": n}
            for b, n in ((1, 60), (2, 50), (4, 40), (8, 5), (9, 5))]
    rows += [{"date": day(MON, 1), "kind": "stay_time", "bucket": 1, "sessions": 40}]
    rows += [{"date": day(MON, 2), "kind": "depth", "bucket": b, "sessions": n}
             for b, n in ((1, 120), (2, 60), (7, 20))]
    return rows


def pages() -> list[dict]:
    """W47: pages/index/index on 3 days: views 100, 300, 200 (600), visitors 30, 40, 20 (visitor-
    days 90, at least 40 people), 10 s per view on day 1 and 20 s on day 2, none on day 3 (-> (10 x 100 +
    20 x 300) / 400 = 17.5 s), exits 30 + 60 + 30 = 120 (exit rate 0.2); pages/cart/index on 2 days
    with 5 and 8 visitors (hidden), 50 views; pages/me/index on 1 day without visitors: 70 views
    (the people floor is then the views)."""
    return [
        {"date": day(MON), "page": "pages/index/index", "page_views": 100, "page_visitors": 30, "stay_time_pv": 10.0,
         "exit_views": 30, "shares": 1},
        {"date": day(MON, 1), "page": "pages/index/index", "page_views": 300, "page_visitors": 40,
         "stay_time_pv": 20.0, "exit_views": 60, "shares": 2},
        {"date": day(MON, 2), "page": "pages/index/index", "page_views": 200, "page_visitors": 20, "exit_views": 30},
        {"date": day(MON), "page": "pages/cart/index", "page_views": 20, "page_visitors": 5},
        {"date": day(MON, 1), "page": "pages/cart/index", "page_views": 30, "page_visitors": 8},
        {"date": day(MON, 3), "page": "pages/me/index", "page_views": 70},
    ]


def platform_tables() -> dict[str, list[dict]]:
    return {"mp_visits": visits(), "mp_retention": retention(), "mp_portrait": portrait(),
            "mp_sources": sources(), "mp_distribution": distribution(), "mp_pages": pages()}


# --------------------------------------------------------------------------------------------
# Mixed data: own tracking and WeChat's numbers over 2026-11-02 .. 11-22 (three weeks)
# --------------------------------------------------------------------------------------------

MIXED_FIRST = date(2026, 11, 2)
MIXED_DAYS = 21
NOISE = (0.97, 0.985, 1.0, 1.015, 1.03)  # the steady offset's day-to-day jitter, +-3%
LOSS_DAY, NEW_LOSS_DAY, DUP_DAY = date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)
PAGES = ["pages/index/index", "pages/category/index", "pages/product/detail", "pages/search/index",
         "pages/cart/index", "pages/me/index"]
# How the events write each page: a leading "/" or a query string must not stop the match.
EVENT_PAGE = {"pages/index/index": "/pages/index/index", "pages/product/detail": "pages/product/detail?id=7"}
LOSS_PAGE = "pages/me/index"  # WeChat counts twice the views own tracking has: own 50% below
PART_PAGE = "pages/cart/index"  # listed by WeChat on the week's Monday and Tuesday only


def mixed_counts() -> list[dict]:
    """Per day: WeChat's visitors 200/210/220 (cycling) and new visitors 100/105; own active users
    0.9 x WeChat's and own new users 1.1 x WeChat's (the steady offsets), each times a +-3% jitter;
    except own active users 30% low on 11-18 (tracking loss) and 40% high on 11-20 (duplicated ids),
    and own new users 30% low on 11-19."""
    rows = []
    for i in range(MIXED_DAYS):
        d = MIXED_FIRST + timedelta(days=i)
        visitors, new = 200 + 10 * (i % 3), 100 + 5 * (i % 2)
        jitter = NOISE[i % len(NOISE)]
        active = 0.9 * visitors * jitter * (0.7 if d == LOSS_DAY else 1.4 if d == DUP_DAY else 1.0)
        own_new = 1.1 * new * jitter * (0.7 if d == NEW_LOSS_DAY else 1.0)
        rows.append({"date": d, "visitors": visitors, "new": new, "own_active": round(active),
                     "own_new": round(own_new)})
    return rows


def mixed_tables() -> dict[str, list[dict]]:
    """users, events, mp_visits and mp_pages of `mixed_counts`: 400 users first seen on 10-01 plus
    each day's own new users; each day's active users are its new users and the first of the 400;
    each active user views one page (PAGES in turn); WeChat's page views equal own views on the
    days WeChat lists a page, twice them for LOSS_PAGE."""
    users = [{"user_id": f"b{j}", "first_seen_at": "2026-10-01 09:00:00"} for j in range(400)]
    events, visits, views = [], [], {}
    for row in mixed_counts():
        d = row["date"]
        new = [f"n{d:%m%d}_{j}" for j in range(row["own_new"])]
        users += [{"user_id": u, "first_seen_at": f"{d} 09:00:00"} for u in new]
        active = new + [f"b{j}" for j in range(row["own_active"] - len(new))]
        for j, user in enumerate(active):
            page = PAGES[j % len(PAGES)]
            events.append({"user_id": user, "event_time": f"{d} 10:00:00", "event": "launch"})
            events.append({"user_id": user, "event_time": f"{d} 10:01:00", "event": "page_view",
                           "page": EVENT_PAGE.get(page, page)})
            views[page, d] = views.get((page, d), 0) + 1
        visits.append({"date": d.isoformat(), "period": "day", "visitors": row["visitors"],
                       "new_visitors": row["new"]})
    pages = [{"date": d.isoformat(), "page": page, "page_views": n * (2 if page == LOSS_PAGE else 1),
              "page_visitors": n} for (page, d), n in views.items()
             if d >= MON and (page != PART_PAGE or d < MON + timedelta(days=2))]
    return {"users": users, "events": events, "mp_visits": visits, "mp_pages": pages}
