"""Official account: followers, articles and their daily stats, with the planted content effects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

import numpy as np
import pyarrow as pa

from helpers.sample.world import (
    ARTICLE_TITLES,
    ARTICLE_TOPICS,
    AUTHOR,
    BEST_HOUR_READ_MULTIPLIER,
    BEST_PUBLISH_HOUR,
    COLUMNS,
    FOLLOWER_SOURCES,
    FORMATS,
    POSITION_READ_RATE,
    PUBLISH_HOURS,
    READ_DECAY,
    UNFOLLOW_SPIKE_DATE,
    UNFOLLOW_SPIKE_MULTIPLIER,
    World,
    probabilities,
)

ARTICLE_COLUMNS = ("article_id", "title", "published_at", "column", "format", "position", "is_original",
                   "author")
STATS_COLUMNS = ("article_id", "date", "recipients", "readers", "reads", "sharers", "shares", "favorites",
                 "likes", "zaikan", "comments", "original_page_readers", "finish_rate")
INTERACTION_RATES = (("favorites", 0.02), ("likes", 0.03), ("zaikan", 0.015), ("comments", 0.004),
                     ("original_page_readers", 0.03))


@dataclass
class Content:
    """What the content step produces: three tables, its truths and, per day, the index of the
    article users can read (-1: none)."""

    followers: pa.Table
    articles: pa.Table
    article_stats: pa.Table
    truth: dict[str, Any]
    readable: np.ndarray


@dataclass
class _Pushes:
    """The push plan and follower counts the articles are sent to."""

    push: np.ndarray  # push on each day
    n_articles: np.ndarray  # articles per day
    cumulative: np.ndarray  # followers at the end of each day
    spike: int  # day index of the planted unfollow spike
    articles: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in ARTICLE_COLUMNS})
    stats: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in STATS_COLUMNS})


def content(w: World) -> Content:
    """Followers, articles, article stats, the content truths and the readable article per day."""
    followers, pushes = _follower_flow(w)
    article_day, spike_article = _publish(w, pushes)
    articles = pa.table({
        "article_id": pa.array(pushes.articles["article_id"], pa.string()),
        "title": pa.array(pushes.articles["title"], pa.string()),
        "published_at": pa.array(pushes.articles["published_at"], pa.timestamp("s")),
        "column": pa.array(pushes.articles["column"], pa.string()),
        "format": pa.array(pushes.articles["format"], pa.string()),
        "position": pa.array(pushes.articles["position"], pa.int64()),
        "is_original": pa.array(pushes.articles["is_original"], pa.bool_()),
        "author": pa.array(pushes.articles["author"], pa.string()),
    })
    stats_types = {"article_id": pa.string(), "date": pa.date32(), "finish_rate": pa.float64()}
    article_stats = pa.table({k: pa.array(v, stats_types.get(k, pa.int64()))
                              for k, v in pushes.stats.items()})
    truth = {
        "high_share_column": max(COLUMNS, key=lambda c: COLUMNS[c][1]),
        "share_rate_multipliers": {c: v[1] for c, v in COLUMNS.items()},
        "read_rate_multipliers": {c: v[0] for c, v in COLUMNS.items()},
        "best_publish_hour": BEST_PUBLISH_HOUR,
        "best_publish_hour_read_multiplier": BEST_HOUR_READ_MULTIPLIER,
        "headline_read_rate": POSITION_READ_RATE[1],
        "unfollow_spike": {"date": UNFOLLOW_SPIKE_DATE.isoformat(), "article_id": spike_article,
                           "multiplier": UNFOLLOW_SPIKE_MULTIPLIER, "days": 2}
        if spike_article else None,
    }
    return Content(followers, articles, article_stats, truth, _readable(article_day))


def _follower_flow(w: World) -> tuple[pa.Table, _Pushes]:
    """Push days (most weekdays, a few weekends; 1-3 articles each) and the follower flow by source:
    recipients of a push are the followers on its day."""
    rng, n_days = w.rng, w.n_days
    dow = w.cal["weekday"].to_numpy()
    push = rng.random(n_days) < np.where(dow < 5, 0.72, 0.2)
    src_names, sw = probabilities(FOLLOWER_SOURCES)
    base_new = 38.0 * np.linspace(0.9, 1.2, n_days) * w.acquisition / w.acquisition.mean()
    new_f = rng.poisson(base_new[:, None] * sw[None, :])
    n_articles_day = np.where(push, rng.choice([1, 2, 3], size=n_days, p=[0.35, 0.4, 0.25]), 0)
    unfollow_rate = 14.0 + 7.0 * n_articles_day + 7.0 * np.roll(n_articles_day, 1)
    spike = w.day_index(UNFOLLOW_SPIKE_DATE)
    if 0 <= spike < n_days:
        push[spike], n_articles_day[spike] = True, max(n_articles_day[spike], 1)
        for d in (spike, spike + 1):
            if d < n_days:
                unfollow_rate[d] *= UNFOLLOW_SPIKE_MULTIPLIER
    unf = rng.poisson(unfollow_rate[:, None] * sw[None, :])
    cumulative = 18_000 + np.cumsum(new_f.sum(1) - unf.sum(1))
    followers = pa.table({
        "date": pa.array(np.repeat([w.day_date(i) for i in range(n_days)], len(src_names)), pa.date32()),
        "source": pa.array(np.tile(src_names, n_days), pa.string()),
        "new_followers": pa.array(new_f.ravel(), pa.int64()),
        "unfollows": pa.array(unf.ravel(), pa.int64()),
        "cumulative": pa.array(np.repeat(cumulative, len(src_names)), pa.int64()),
    })
    return followers, _Pushes(push, n_articles_day, cumulative, spike)


def _publish(w: World, pushes: _Pushes) -> tuple[np.ndarray, str | None]:
    """Draw every push's articles and their daily stats into `pushes`; returns the headline
    article index published on each day (-1: none) and the headline of the unfollow-spike day."""
    rng = w.rng
    hours, hp = probabilities(PUBLISH_HOURS)
    article_day = np.full(w.n_days, -1)
    spike_article = None
    idx = 0
    for d in np.flatnonzero(pushes.push):
        hour = int(rng.choice(hours, p=hp))
        published = datetime.combine(w.day_date(d), time(hour, int(rng.integers(0, 50))))
        for position in range(1, int(pushes.n_articles[d]) + 1):
            idx += 1
            aid = f"A{idx:04d}"
            column = _article(rng, pushes.articles, aid, published, position)
            if position == 1:
                article_day[d] = idx - 1
                if d == pushes.spike:
                    spike_article = aid
            _article_days(w, pushes, aid, int(d), column, position,
                          BEST_HOUR_READ_MULTIPLIER if hour == BEST_PUBLISH_HOUR else 1.0)
    return article_day, spike_article


def _article(rng: np.random.Generator, rows: dict[str, list[Any]], aid: str, published: datetime,
             position: int) -> str:
    """Append one article row (column, title, format, originality, author drawn); returns its column."""
    cols, cw = list(COLUMNS), np.full(len(COLUMNS), 1 / len(COLUMNS))
    fmts, fp = probabilities(FORMATS)
    column = cols[int(rng.choice(len(cols), p=cw))]
    rows["article_id"].append(aid)
    rows["title"].append(ARTICLE_TITLES[column].format(ARTICLE_TOPICS[int(rng.integers(len(ARTICLE_TOPICS)))]))
    rows["published_at"].append(published)
    rows["column"].append(column)
    rows["format"].append(fmts[int(rng.choice(len(fmts), p=fp))])
    rows["position"].append(position)
    rows["is_original"].append(bool(rng.random() < 0.8))
    rows["author"].append(AUTHOR.format(int(rng.integers(1, 5))))
    return column


def _article_days(w: World, pushes: _Pushes, aid: str, d: int, column: str, position: int,
                  hour_mult: float) -> None:
    """Append an article's stats rows: its readers spread over the days after publication."""
    rng, stats = w.rng, pushes.stats
    read_mult, share_mult = COLUMNS[column]
    read_rate = POSITION_READ_RATE[position] * read_mult * hour_mult * rng.lognormal(0, 0.2)
    share_rate = 0.035 * share_mult * rng.lognormal(0, 0.2)
    recipients = int(pushes.cumulative[d])
    readers_total = rng.binomial(recipients, min(read_rate, 1.0))
    span = min(len(READ_DECAY), w.n_days - d)
    split = rng.multinomial(readers_total, READ_DECAY[:span] / READ_DECAY[:span].sum())
    for offset, readers in enumerate(split):
        sharers = rng.binomial(readers, min(share_rate, 1.0))
        stats["article_id"].append(aid)
        stats["date"].append(w.day_date(d + offset))
        stats["recipients"].append(recipients if offset == 0 else 0)
        stats["readers"].append(int(readers))
        stats["reads"].append(int(readers + rng.poisson(0.25 * readers)))
        stats["sharers"].append(int(sharers))
        stats["shares"].append(int(sharers + rng.poisson(0.25 * sharers)))
        for key, rate in INTERACTION_RATES:
            stats[key].append(int(rng.binomial(readers, rate)))
        stats["finish_rate"].append(round(float(np.clip(rng.normal(0.55, 0.1), 0, 1)), 3)
                                    if readers else None)


def _readable(article_day: np.ndarray) -> np.ndarray:
    """Articles users can read on each day: the newest headline published today or yesterday."""
    readable = np.full(len(article_day), -1)
    for d in range(len(article_day)):
        for back in (0, 1):
            if d - back >= 0 and article_day[d - back] >= 0:
                readable[d] = article_day[d - back]
                break
    return readable
