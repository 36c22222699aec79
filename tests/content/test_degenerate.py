"""Regression cases of issue 11 for content_performance: each degenerate shape a user may bring
(only users and events, empty optional tables, one article, stats that end before the week's
articles, one column/format/position, one follower source, partly covered weeks) runs the whole
notebook in-process, which must complete, say why in one line where it cannot show a section,
keep unknown JSON values null and never print nan / None / inf."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from content.inprocess import missing_words, run_notebook
from datasets import Spec, Tables, build, open_warehouse
from helpers.content.headline import headline, week_on_week
from helpers.core.periods import Period

W47 = Period.parse("2026-W47")  # the report week of `shop` (data 2026-10-12 .. 11-22)
NOTEBOOK = "content_performance"


def shop(**tables: list[dict]) -> Tables:
    """Users and events of 42 days (weeks W42..W47) plus the given tables."""
    base = build(Spec(users=20, orders=None, seed=3))
    base.update(tables)
    return base


def article(i: int, day: date, column: str = "X", form: str = "article", position: int = 1) -> dict:
    return {"article_id": f"A{i}", "title": f"Title {i}", "published_at": f"{day} 20:00:00",
            "column": column, "format": form, "position": position}


def stats(article_id: str, first: date, days: int = 3, readers: int = 100) -> list[dict]:
    """Daily rows from the publish day: recipients on the first, readers falling off."""
    return [{"article_id": article_id, "date": str(first + timedelta(days=k)),
             "recipients": 1000 if k == 0 else 0, "readers": readers // (k + 1), "sharers": 5}
            for k in range(days)]


def pushes(n: int, last: date, **attrs: object) -> tuple[list[dict], list[dict]]:
    """n articles, one every third day back from `last`, each with three days of stats."""
    days = [last - timedelta(days=3 * i) for i in range(n)]
    arts = [article(i, d, **attrs) for i, d in enumerate(days)]
    return arts, [row for a, d in zip(arts, days, strict=True) for row in stats(a["article_id"], d)]


def follower_rows(first: date, last: date, sources: tuple[str, ...] = ("search",)) -> list[dict]:
    return [{"date": str(first + timedelta(days=i)), "source": s, "new_followers": 3 + i % 4,
             "unfollows": 1} for i in range((last - first).days + 1) for s in sources]


def run(tables: Tables, tmp_path, monkeypatch, language: str = "en"):
    result = run_notebook(NOTEBOOK, tables, tmp_path, monkeypatch, language=language)
    assert missing_words(result) == [], result.text
    return result


def test_users_and_events_only_skip_every_content_section(tmp_path, monkeypatch):
    result = run(shop(), tmp_path, monkeypatch)
    assert all(v is None for v in result.doc["metrics"].values())
    # eight sections; WeChat's reads by source are not offered to own tracking without oa_reads
    assert len(result.skipped) == 8 and all(r.startswith("Section skipped") for r in result.skipped)


def test_empty_optional_tables_say_why_instead_of_dashes(tmp_path, monkeypatch):
    """Before: 'This week: — new followers, — unfollows, net —.' and an empty sources table."""
    result = run(shop(articles=[], article_stats=[], followers=[]), tmp_path, monkeypatch)
    m = result.doc["metrics"]
    assert m["articles_published"] == 0 and m["readers"] is None and m["new_followers"] is None
    assert "—" not in result.text.split("This week at a glance")[1].split("\n")[1]
    assert "Not shown this week: the followers table has no rows for this week." in result.skipped
    assert "Not shown this week: no article was published this week." in result.skipped


def test_one_article_is_ranked_and_outliers_say_too_few(tmp_path, monkeypatch):
    arts, rows = pushes(1, date(2026, 11, 18))
    result = run(shop(articles=arts, article_stats=rows), tmp_path, monkeypatch)
    assert result.doc["metrics"]["best_article_id"] == "A0"
    assert result.doc["metrics"]["read_rate"] == pytest.approx((100 + 50 + 33) / 1000)
    assert any("only 1 articles have their first days observed" in r for r in result.skipped)
    assert "new followers" not in result.text  # no followers table: no follower clause


def test_week_articles_after_the_last_stats_day_are_not_called_absent(tmp_path, monkeypatch):
    """Before: 'No articles were published this week.' while two were."""
    arts = [article(0, date(2026, 11, 20)), article(1, date(2026, 11, 21)),
            article(2, date(2026, 11, 3))]
    result = run(shop(articles=arts, article_stats=stats("A2", date(2026, 11, 3), days=10)),
                 tmp_path, monkeypatch)
    assert result.doc["metrics"]["articles_published"] == 2
    assert "Not shown this week: the article stats end on 12 Nov, before this week's articles have any." \
        in result.skipped


def test_one_column_format_and_position_claim_no_leader(tmp_path, monkeypatch):
    """Before: 'The column with the highest share rate is “X”' with X the only column."""
    arts, rows = pushes(12, date(2026, 11, 21))
    result = run(shop(articles=arts, article_stats=rows), tmp_path, monkeypatch)
    assert "highest" not in result.text
    assert "No groups to compare: the articles share one column, format and position" in result.text


def test_followers_with_a_single_source(tmp_path, monkeypatch):
    result = run(shop(followers=follower_rows(date(2026, 10, 12), date(2026, 11, 22))), tmp_path,
                 monkeypatch, language="zh")
    m = result.doc["metrics"]
    assert (m["new_followers"], m["unfollows"], m["net_followers"]) == (31, 7, 24)  # 6+3+4+5+6+3+4
    assert "（31，100.0%）" in result.text.split("粉丝变化")[1]


def test_week_on_week_only_where_both_weeks_are_covered(tmp_path):
    """Stats from Wednesday of the week before: readers are not compared; articles (counted over
    the whole data) and followers (covering both weeks) are."""
    arts, rows = pushes(6, date(2026, 11, 21))
    rows = [r for r in rows if r["date"] >= "2026-11-11"]
    tables = shop(articles=arts, article_stats=rows,
                  followers=follower_rows(date(2026, 11, 9), date(2026, 11, 22)))
    with open_warehouse(tables) as wh:
        metrics = headline(wh, W47, None)
        wow, partial = week_on_week(wh, W47, metrics)
        before = headline(wh, W47.previous, None)
    assert partial and wow["readers"] is None and wow["read_rate"] is None
    assert wow["new_followers"] == pytest.approx(metrics["new_followers"] / before["new_followers"] - 1)
    assert wow["articles_published"] == pytest.approx(metrics["articles_published"]
                                                      / before["articles_published"] - 1)


def test_partly_covered_week_leaves_the_change_out_with_a_note(tmp_path, monkeypatch):
    arts, rows = pushes(6, date(2026, 11, 21))
    rows = [r for r in rows if r["date"] >= "2026-11-11"]
    result = run(shop(articles=arts, article_stats=rows), tmp_path, monkeypatch)
    glance = result.text.split("This week at a glance")[1].split("This week's articles")[0]
    assert "week on week)" not in glance.split("\n")[1]  # no change in the finding
    assert "Week-on-week changes are shown only where this week and the week before both lie" in glance
