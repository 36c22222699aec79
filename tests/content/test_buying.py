"""From reading to buying: last-touch credit against a loop over orders and reads; each order
credited once, in the week it was paid (issue 12, items 1 and 2); the finding and the table hide
the same small cells (item 13)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from content.account import W47
from helpers.content import findings, privacy, tables
from helpers.content.buying import Credit, period_gmv, reading_to_buying
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.render.text import Text

from conftest import write_source

W48 = Period.parse("2026-W48")


def python_last_touch(tables: dict[str, list[dict]], period: Period, hours: int) -> dict[str, dict]:
    """Last-touch credit by looping over orders and reads: every order paid in the period goes to
    the buyer's latest read at most `hours` before paying, wherever that read falls."""
    reads = [(e["user_id"], datetime.fromisoformat(e["event_time"]), e["article_id"])
             for e in tables["events"] if e["event"] == "read_article"]
    result: dict[str, dict] = {}

    def in_period(t: datetime) -> bool:
        return period.start <= t.date() <= period.end

    def row(article: str) -> dict:
        return result.setdefault(article, {"openers": set(), "buyers": set(), "orders": 0, "gmv": 0.0})

    for user, t, article in reads:
        if in_period(t):
            row(article)["openers"].add(user)
    for o in tables["orders"]:
        paid = datetime.fromisoformat(o["paid_at"])
        if (o.get("status") or "paid") != "paid" or not in_period(paid):
            continue
        touches = [(t, a) for u, t, a in reads
                   if u == o["user_id"] and t <= paid and (paid - t).total_seconds() <= hours * 3600]
        if touches:
            t, article = max(touches)
            row(article)["buyers"].add(o["user_id"])
            row(article)["orders"] += 1
            row(article)["gmv"] += o["amount"]
    return result


def check(got: Credit, expected: dict[str, dict]) -> None:
    frame = got.articles.set_index("article_id")
    assert set(frame.index) == set(expected)
    for article, e in expected.items():
        r = frame.loc[article]
        assert (r.openers, r.buyers, r.orders) == (len(e["openers"]), len(e["buyers"]), e["orders"])
        assert r.gmv == pytest.approx(e["gmv"])
    assert got.orders == sum(e["orders"] for e in expected.values())
    assert got.gmv == pytest.approx(sum(e["gmv"] for e in expected.values()))
    assert got.buyers == len(set().union(*(e["buyers"] for e in expected.values())))
    assert got.openers == len(set().union(*(e["openers"] for e in expected.values())))


@pytest.mark.parametrize("hours", [1, 72, 100])
def test_reading_to_buying_is_last_touch_within_the_window(account, hours):
    tables, wh = account
    got = reading_to_buying(wh, W47, hours)
    check(got, python_last_touch(tables, W47, hours))
    frame = got.articles.set_index("article_id")
    if hours == 72:
        # By hand: o1 (u1, Mon 10:00) <- A1 read 09:00; o3 (u2, Mon 08:00) <- A0 read the Saturday
        # before at 20:00, 36 hours earlier: paid this week, so credited this week (A0 has no
        # opener this week); o4 is 96 hours after u2's last read; o5 refunded; o6 <- A2, u3's read
        # at 11:30 after A1 at 10:00; o2 (Sat 09:00) and o7 (Sun 23:00) <- A3.
        assert frame.at["A1", "gmv"] == 50 and frame.at["A2", "gmv"] == 20 and frame.at["A3", "gmv"] == 45
        assert frame.at["A0", "gmv"] == 99 and frame.at["A0", "openers"] == 0
        assert frame.at["A1", "readers"] == 405 and frame.at["A1", "conversion"] == pytest.approx(1 / 3)
        assert got.gmv == 214 and got.period_gmv == pytest.approx(50 + 30 + 99 + 40 + 20 + 15)
    assert period_gmv(wh, W47) == pytest.approx(50 + 30 + 99 + 40 + 20 + 15)
    assert got.gmv <= got.period_gmv


def repro_tables() -> dict[str, list[dict]]:
    """Issue 12's repro: u1 reads A on Sunday 11-22 20:00 and B on Monday 11-23 10:00 and pays
    ¥500 on Monday 12:00; u2 pays ¥100 in W47 without reading anything."""
    users = [{"user_id": u, "first_seen_at": "2026-11-16 08:00:00"} for u in ("u1", "u2")]
    events = [{"user_id": "u1", "event_time": "2026-11-22 20:00:00", "event": "read_article", "article_id": "A"},
              {"user_id": "u1", "event_time": "2026-11-23 10:00:00", "event": "read_article", "article_id": "B"},
              {"user_id": "u2", "event_time": "2026-11-20 10:00:00", "event": "launch", "article_id": None}]
    orders = [{"order_id": "o1", "user_id": "u1", "paid_at": "2026-11-23 12:00:00", "amount": 500.0,
               "status": "paid"},
              {"order_id": "o2", "user_id": "u2", "paid_at": "2026-11-20 10:05:00", "amount": 100.0,
               "status": "paid"}]
    return {"users": users, "events": events, "orders": orders}


@pytest.fixture(scope="module")
def repro(tmp_path_factory):
    tables = repro_tables()
    wh = Warehouse(build_warehouse(write_source(tmp_path_factory.mktemp("repro"), tables)))
    yield tables, wh
    wh.close()


def test_an_order_is_credited_once_to_its_true_last_touch(repro):
    """Before: W47 credited A with the ¥500 order (paid after the week, with the Monday read of
    B not looked at) and W48 credited B with it too. Now the order is paid in W48 and credited
    there, to B (read 2 hours before paying, after A 16 hours before): W47 credits nothing."""
    tables, wh = repro
    w47, w48 = reading_to_buying(wh, W47, 72), reading_to_buying(wh, W48, 72)
    check(w47, python_last_touch(tables, W47, 72))
    check(w48, python_last_touch(tables, W48, 72))
    a47 = w47.articles.set_index("article_id")
    assert list(a47.index) == ["A"] and a47.at["A", "openers"] == 1 and a47.at["A", "orders"] == 0
    assert w47.orders == 0 and w47.gmv == 0
    b48 = w48.articles.set_index("article_id")
    assert list(b48.index) == ["B"] and b48.at["B", "orders"] == 1 and b48.at["B", "gmv"] == 500
    assert w47.orders + w48.orders == 1  # one order, one week


def test_share_of_gmv_divides_the_same_orders(repro):
    """Issue 12, item 2. Before, W47 said "500.0% of the week's GMV" (¥500 paid in W48 over the
    ¥100 paid in W47). Now both sides count the orders paid in the week: W47 0 / 100 = 0%,
    W48 500 / 500 = 100%."""
    _, wh = repro
    w47, w48 = reading_to_buying(wh, W47, 72), reading_to_buying(wh, W48, 72)
    assert (w47.period_gmv, w47.gmv_share) == (100.0, 0.0)
    assert (w48.period_gmv, w48.gmv_share) == (500.0, 1.0)
    text = findings.buying(w48, 1, 72, Text("en"))
    assert "100.0% of the week's GMV" in text and "500.0%" not in text
    assert "The most GMV was credited to “B”: ¥500 from 1 buyers." in text


def test_the_finding_hides_what_the_table_hides(repro):
    """Issue 12, item 13. Before: the table hid B's one buyer, but the finding said "1 orders and
    ¥500 GMV ... top article: B". With k = 5, nothing about one person is said anywhere."""
    _, wh = repro
    credit = reading_to_buying(wh, W48, 72)
    for language in ("en", "zh"):
        tx = Text(language)
        text = findings.buying(credit, 5, 72, tx)
        assert "500" not in text and "B" not in text.replace("By", ""), text
        table, _, hidden = tables.buying(credit.articles, 5, 10, tx)
        assert hidden.loc[0, tx.label("article_gmv")] and hidden.loc[0, tx.label("article_openers")]
        assert "500" not in table.to_string()
    assert findings.buying(credit, 5, 72, Text("en")).startswith("Fewer than 5 people opened")


def account_credit(buyers: list[int], openers: list[int]) -> Credit:
    n = len(buyers)
    frame = pd.DataFrame({"article_id": [f"a{i}" for i in range(n)], "title": [f"T{i}" for i in range(n)],
                          "readers": [1000.0] * n, "openers": [float(o) for o in openers],
                          "buyers": [float(b) for b in buyers], "orders": [float(b) for b in buyers],
                          "gmv": [100.0 * b for b in buyers]})
    frame["click_through"] = frame["openers"] / frame["readers"]
    frame["conversion"] = frame["buyers"] / frame["openers"]
    frame["gmv_per_opener"] = frame["gmv"] / frame["openers"]
    frame = frame.sort_values("gmv", ascending=False, ignore_index=True)
    return Credit(frame, sum(openers), sum(buyers), sum(buyers), 100.0 * sum(buyers), 10_000.0)


def test_one_hidden_buyer_cell_hides_the_next_smallest_too():
    """Articles with 40, 12 and 3 buyers: the finding shows the total (55 orders, ¥5,500), so the
    3 alone would be 5,500 - 4,000 - 1,200. The 12 is hidden with it; the 40 stays."""
    credit = account_credit([40, 12, 3], [100, 50, 20])
    shown, mask = privacy.buying(credit.articles, 10)
    assert shown["buyers"].tolist()[0] == 40 and shown["buyers"].isna().tolist() == [False, True, True]
    assert mask.loc[1, ["orders", "gmv", "conversion"]].all() and not mask.loc[1, "openers"]
    # Two small cells already protect each other: nothing more is hidden.
    shown, _ = privacy.buying(account_credit([40, 12, 3, 4], [100, 50, 20, 20]).articles, 10)
    assert shown["buyers"].isna().tolist() == [False, False, True, True]
    # Openers under k hide the click-through and conversion derived from them.
    shown, mask = privacy.buying(account_credit([40, 12], [100, 7]).articles, 10)
    assert mask.loc[1, ["openers", "click_through", "conversion"]].all() and shown.at[1, "buyers"] == 12
    text = findings.buying(credit, 10, 72, Text("en"))
    assert "“T0”: ¥4,000 from 40 buyers" in text and "T1" not in text and "T2" not in text
