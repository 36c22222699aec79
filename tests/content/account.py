"""A hand-made official account (articles of 2026-W46 and W47, follower flow from 2026-10-12, a few
readers who open the mini-program, buy and browse pages) and its numbers computed with pandas."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from helpers.core.periods import Period

W47 = Period.parse("2026-W47")


def stat(article_id: str, day: str, recipients: int, readers: int, sharers: int = 0,
         finish_rate: float | None = None) -> dict:
    return {"article_id": article_id, "date": day, "recipients": recipients, "readers": readers,
            "reads": readers + readers // 4, "sharers": sharers, "shares": sharers + 1,
            "favorites": readers // 10, "likes": readers // 8, "zaikan": readers // 20,
            "comments": readers // 50, "original_page_readers": readers // 30,
            "finish_rate": finish_rate}


def account_tables() -> dict[str, list[dict]]:
    articles = [
        {"article_id": "A0", "title": "上周文章", "published_at": "2026-11-12 20:00:00",
         "column": "X", "format": "article", "position": 1},
        {"article_id": "A1", "title": "头条 A1", "published_at": "2026-11-16 08:00:00",
         "column": "X", "format": "video", "position": 1},
        {"article_id": "A2", "title": "次条 A2", "published_at": "2026-11-16 08:00:00",
         "column": "Y", "format": "article", "position": 2},
        {"article_id": "A3", "title": "<script>alert(1)</script>", "published_at": "2026-11-20 20:30:00",
         "column": "X", "format": "image", "position": 1},
        {"article_id": "A4", "title": "没有数据", "published_at": "2026-11-22 12:00:00",
         "column": "Y", "format": "article", "position": 1},
    ]
    stats_rows = [
        stat("A0", "2026-11-12", 1000, 100, 5, 0.5), stat("A0", "2026-11-13", 0, 30, 1, 0.4),
        stat("A0", "2026-11-16", 0, 5), stat("A0", "2026-11-17", 0, 2),
        stat("A1", "2026-11-16", 2000, 300, 20, 0.6), stat("A1", "2026-11-17", 0, 80, 4, 0.5),
        stat("A1", "2026-11-18", 0, 20, 1), stat("A1", "2026-11-22", 0, 5),
        stat("A1", "2026-11-23", 0, 7, 1),  # after the period: never counted for W47
        stat("A2", "2026-11-16", 2000, 100, 1), stat("A2", "2026-11-17", 0, 30),
        stat("A3", "2026-11-20", 2100, 250, 30), stat("A3", "2026-11-21", 0, 60, 3),
        stat("A3", "2026-11-22", 0, 10),
    ]
    followers = []
    start = date(2026, 10, 12)
    for i in range((date(2026, 11, 22) - start).days + 1):
        d = start + timedelta(days=i)
        spike = {date(2026, 11, 20): 6, date(2026, 11, 21): 5}.get(d, 1)
        for source, new, unf in (("公众号搜索", 12, 6), ("30", 8, 4)):
            followers.append({"date": d.isoformat(), "source": source, "new_followers": new + i % 3,
                              "unfollows": unf * spike, "cumulative": 10_000 + 10 * i})
    users = [{"user_id": f"u{i}", "first_seen_at": "2026-10-12 08:00:00"} for i in range(1, 6)]

    def ev(user: str, ts: str, event: str, **extra: object) -> dict:
        return {"user_id": user, "event_time": ts, "event": event, "session_id": None,
                "page": None, "duration_s": None, "article_id": None, **extra}

    events = [
        ev("u5", "2026-10-12 08:00:00", "launch"), ev("u5", "2026-11-22 23:59:00", "launch"),
        # reading to buying
        ev("u1", "2026-11-16 09:00:00", "read_article", article_id="A1"),
        ev("u1", "2026-11-20 21:00:00", "read_article", article_id="A3"),
        ev("u2", "2026-11-14 20:00:00", "read_article", article_id="A0"),
        ev("u2", "2026-11-16 12:00:00", "read_article", article_id="A1"),
        ev("u3", "2026-11-17 10:00:00", "read_article", article_id="A1"),
        ev("u3", "2026-11-17 11:30:00", "read_article", article_id="A2"),  # the last touch for o6
        ev("u4", "2026-11-22 22:00:00", "read_article", article_id="A3"),
        # pages: this week
        ev("u1", "2026-11-16 09:00:05", "page_view", session_id="s1", page="p/index", duration_s=10.0),
        ev("u1", "2026-11-16 09:01:00", "page_view", session_id="s1", page="p/product", duration_s=30.0),
        ev("u1", "2026-11-16 09:02:00", "share", session_id="s1"),
        ev("u1", "2026-11-16 09:03:00", "page_view", session_id="s1", page="p/cart", duration_s=20.0),
        ev("u2", "2026-11-17 12:00:00", "page_view", session_id="s2", page="p/product", duration_s=50.0),
        ev("u2", "2026-11-17 12:01:00", "share", session_id="s2", page="p/index"),
        ev("u3", "2026-11-18 12:00:00", "page_view", session_id="s3", page="p/index"),
        ev("u3", "2026-11-18 12:05:00", "page_view", session_id="s3", page="p/product", duration_s=5.0),
        ev("u3", "2026-11-18 12:50:00", "page_view", session_id="s7", page="p/cart"),  # 45 idle minutes
        ev("u4", "2026-11-19 10:00:00", "page_view", session_id="s4", page="p/product", duration_s=8.0),
        ev("u4", "2026-11-19 10:00:30", "page_view", session_id="s4", page="p/product", duration_s=9.0),
        # pages: the week before
        ev("u1", "2026-11-10 09:00:00", "page_view", session_id="s5", page="p/index"),
        ev("u1", "2026-11-10 09:01:00", "page_view", session_id="s5", page="p/product"),
        ev("u1", "2026-11-10 09:02:00", "page_view", session_id="s5", page="p/cart"),
        ev("u2", "2026-11-11 09:00:00", "page_view", session_id="s6", page="p/product"),
        ev("u2", "2026-11-11 09:01:00", "page_view", session_id="s6", page="p/cart"),
    ]
    orders = [
        {"order_id": "o1", "user_id": "u1", "paid_at": "2026-11-16 10:00:00", "amount": 50.0,
         "status": "paid"},
        {"order_id": "o2", "user_id": "u1", "paid_at": "2026-11-21 09:00:00", "amount": 30.0,
         "status": "paid"},
        {"order_id": "o3", "user_id": "u2", "paid_at": "2026-11-16 08:00:00", "amount": 99.0,
         "status": "paid"},  # last touch A0, read the week before: not this week's
        {"order_id": "o4", "user_id": "u2", "paid_at": "2026-11-20 12:00:00", "amount": 40.0,
         "status": "paid"},  # 96 hours after reading: outside the window
        {"order_id": "o5", "user_id": "u3", "paid_at": "2026-11-17 11:00:00", "amount": 70.0,
         "status": "refunded"},
        {"order_id": "o6", "user_id": "u3", "paid_at": "2026-11-17 12:00:00", "amount": 20.0,
         "status": "paid"},
        {"order_id": "o7", "user_id": "u4", "paid_at": "2026-11-22 23:00:00", "amount": 15.0,
         "status": "paid"},
    ]
    return {"users": users, "events": events, "orders": orders, "articles": articles,
            "article_stats": stats_rows, "followers": followers}



def frames(tables: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    out = {k: pd.DataFrame(v) for k, v in tables.items()}
    out["articles"]["published_at"] = pd.to_datetime(out["articles"]["published_at"])
    out["article_stats"]["date"] = pd.to_datetime(out["article_stats"]["date"])
    out["followers"]["date"] = pd.to_datetime(out["followers"]["date"])
    return out


def pandas_headline(tables: dict[str, list[dict]], period: Period) -> dict:
    """report-outputs.md `content_performance`, computed with pandas."""
    f = frames(tables)
    lo, hi = pd.Timestamp(period.start), pd.Timestamp(period.end)
    arts, st_, fol = f["articles"], f["article_stats"], f["followers"]
    in_period = arts[arts.published_at.dt.normalize().between(lo, hi)]
    rows = st_[st_.date.between(lo, hi)]
    publish_day = st_.merge(arts[["article_id", "published_at"]], on="article_id")
    recipients = publish_day[publish_day.date == publish_day.published_at.dt.normalize()] \
        .set_index("article_id").recipients
    mine = rows[rows.article_id.isin(in_period.article_id)]
    with_stats = in_period.article_id[in_period.article_id.isin(st_.article_id)]
    fol_rows = fol[fol.date.between(lo, hi)]
    np.seterr(invalid="ignore", divide="ignore")  # 0 / 0 is the test's way to say "null"
    return {
        "articles_published": len(in_period),
        **{k: rows[k].sum() if len(rows) else None for k in ("readers", "reads", "sharers")},
        "read_rate": mine.readers.sum() / recipients[with_stats].sum(),
        "share_rate": rows.sharers.sum() / rows.readers.sum(),
        "share_rate_reads": rows.shares.sum() / rows.reads.sum(),
        "new_followers": fol_rows.new_followers.sum(), "unfollows": fol_rows.unfollows.sum(),
        "net_followers": fol_rows.new_followers.sum() - fol_rows.unfollows.sum(),
    }
