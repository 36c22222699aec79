"""Small cells reveal nothing, in any output: the tiny sample with a handful of planted users who
form a cell of their own in every breakdown that exists (channel, province, city, the article they
read and bought from, the funnel, the order channel, the referrer who invited them), run through the
whole suite.

The planted users (PROBES of them, fewer than `min_cell_size`) are the only ones with these labels,
and they pay an amount no one else pays, so any statistic of their cell is recognisable:
- no sentence (paragraph, list item, finding, note) names a planted label, or ties the planted
  article to buying, and no table row of the article shows the planted users' count;
- a table row that names a planted label shows no figure but the suppression mark "<k";
- no JSON or CSV holds a planted label, and no output holds the planted amount, its sums over the
  planted users or their mean in any of the ways the reports write money;
- the referrer who did not consent is never listed, not even by pseudonym.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from e2e.baseline import visible_text
from helpers.core.warehouse import Warehouse, build_warehouse
from helpers.users.referral import pseudonym

ROOT = Path(__file__).resolve().parents[2]
WXREPORT = str(Path(sys.executable).with_name("wxreport"))
SUITE = ("weekly_summary", "user_analysis", "content_performance", "campaign_evaluation", "forecasting")
K = 10  # min_cell_size in params/defaults.yaml
PROBES = 3
AMOUNT = 9876.54  # each planted user's one paid order; nobody else in the tiny sample pays this much
LABELS = ("probe_channel", "探针省", "探针市")
ARTICLE = "APROBE"
TITLE = "探针文章"  # its reads are WeChat's aggregate (600 readers) and may be shown; its buyers may not
BUYING_WORDS = ("成交额", "订单", "下单", "GMV", "order", "buyer")
REFERRER = "uprobe-ref"


def _planted(tiny: Path, target: Path) -> None:
    """The tiny sample (W42-W47) plus the planted cell: PROBES new users on Tue 2026-11-17 from their
    own channel and city, invited by a referrer without consent, who read one article of their own
    column, open the mini-program from it, go through the funnel and pay AMOUNT each."""
    shutil.copytree(tiny, target)
    ids = [f"uprobe-{i}" for i in range(PROBES)]
    frames = {n: pd.read_parquet(target / f"{n}.parquet") for n in ("users", "events", "orders", "articles",
                                                                       "article_stats")}
    users = frames["users"]
    template = users.iloc[0].to_dict()
    referrer = {**template, "user_id": REFERRER, "first_seen_at": pd.Timestamp("2026-10-20 09:00"),
                "consent": False, "referrer_id": None, "channel": "search"}
    probes = [{**template, "user_id": u, "first_seen_at": pd.Timestamp("2026-11-17 10:00"),
               "channel": "probe_channel", "province": "探针省", "city": "探针市", "referrer_id": REFERRER,
               "consent": True, "is_follower": True} for u in ids]
    frames["users"] = pd.concat([users, pd.DataFrame([referrer, *probes])], ignore_index=True)
    steps = ("launch", "read_article", "page_view", "add_to_cart", "checkout", "pay")
    events = [{"user_id": u, "event_time": pd.Timestamp("2026-11-17 10:00") + pd.Timedelta(minutes=2 * i),
               "event": e, "session_id": f"{u}-s", "page": "pages/index/index" if e == "page_view" else None,
               "scene": 1035, "duration_s": None, "article_id": ARTICLE if e == "read_article" else None,
               "campaign_id": None} for u in ids for i, e in enumerate(steps)]
    frames["events"] = pd.concat([frames["events"], pd.DataFrame(events)], ignore_index=True)
    orders = [{"order_id": f"OPROBE{i}", "user_id": u, "paid_at": pd.Timestamp("2026-11-17 10:30"),
               "amount": AMOUNT, "status": "paid", "discount": 0.0, "coupon_id": None, "campaign_id": None,
               "channel": "probe_channel", "group_id": None, "merchant_id": None} for i, u in enumerate(ids)]
    frames["orders"] = pd.concat([frames["orders"], pd.DataFrame(orders)], ignore_index=True)
    article = {**frames["articles"].iloc[-1].to_dict(), "article_id": ARTICLE, "title": TITLE,
               "published_at": pd.Timestamp("2026-11-17 08:00"), "column": "探针栏目", "position": 1}
    frames["articles"] = pd.concat([frames["articles"], pd.DataFrame([article])], ignore_index=True)
    stats = frames["article_stats"]
    day = {**stats.iloc[0].to_dict(), "article_id": ARTICLE, "date": pd.Timestamp("2026-11-17").date(),
           "recipients": 18000, "readers": 600, "reads": 700}
    frames["article_stats"] = pd.concat([stats, pd.DataFrame([day])], ignore_index=True)
    for name, frame in frames.items():
        frame.to_parquet(target / f"{name}.parquet", index=False)


def _money(value: float) -> list[str]:
    """The ways a report writes an amount: plain, grouped, rounded, in 万."""
    return [f"{value:.2f}", f"{value:,.2f}", f"{value:,.0f}", f"{value:.0f}", f"{value:.1f}",
            f"{value / 1e4:.2f}万", f"{value / 1e4:.1f}万", f"{value / 1e3:.1f}k", f"{value / 1e3:.2f}k"]


AMOUNTS = [s for n in range(1, PROBES + 1) for s in _money(AMOUNT * n)]
_NUMBER = re.compile("|".join(rf"(?<![\d.,]){re.escape(s)}(?![\d])" for s in AMOUNTS))


class _Blocks(HTMLParser):
    """Table rows (their cells' text) and prose blocks (p, li, figcaption) of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.prose: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._prose: list[str] | None = None
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._hidden += tag in ("style", "script", "head")
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag in ("p", "li", "figcaption", "summary") and self._row is None:
            self._prose = []

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("style", "script", "head")
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag in ("p", "li", "figcaption", "summary") and self._prose is not None:
            self.prose.append(" ".join(self._prose))
            self._prose = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._prose is not None:
            self._prose.append(data)


def _run(data: Path, out: Path, tmp: Path) -> Path:
    params = tmp / "params"
    shutil.copytree(ROOT / "params", params)
    result = subprocess.run([WXREPORT, "run", "--data", str(data), "--out", str(out), "--params", str(params),
                             "--period", "2026-W47"], capture_output=True, text=True, cwd=ROOT, timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "2026-W47"


@pytest.fixture(scope="module")
def planted_run(tiny_data, tmp_path_factory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("privacy")
    _planted(tiny_data, tmp / "shop")
    wh = Warehouse(build_warehouse(tmp / "shop"))
    salt = wh.meta["data_fingerprint"]
    wh.close()
    return _run(tmp / "shop", tmp / "reports", tmp), pseudonym(REFERRER, salt)


def test_the_planted_users_are_a_cell_of_their_own(tiny_data, tmp_path):
    _planted(tiny_data, tmp_path / "shop")
    users = pd.read_parquet(tmp_path / "shop" / "users.parquet")
    assert (users["channel"] == "probe_channel").sum() == PROBES < K
    assert (users["referrer_id"] == REFERRER).sum() == PROBES
    assert not users.loc[users["user_id"] == REFERRER, "consent"].iloc[0]
    orders = pd.read_parquet(tmp_path / "shop" / "orders.parquet")
    assert (orders["amount"] >= AMOUNT).sum() == PROBES
    wh = Warehouse(build_warehouse(tmp_path / "shop"))
    assert wh.scalar("SELECT COUNT(*) FROM users WHERE city = '探针市'") == PROBES
    wh.close()


def test_the_amount_patterns_catch_what_reports_write():
    for shown in ("¥9,876.54", "¥2.96万", "合计 19753.08", "¥29,630"):
        assert _NUMBER.search(shown), shown
    for other in ("¥19,876.54", "0.9876", "98765"):
        assert not _NUMBER.search(other), other


@pytest.mark.slow
def test_no_page_reveals_the_small_cell(planted_run):
    week, alias = planted_run
    problems = []
    for page in sorted(week.glob("*.html")):
        parser = _Blocks()
        parser.feed(page.read_text(encoding="utf-8"))
        for text in parser.prose:
            problems += [f"{page.name}: sentence names {label!r}: {text[:160]!r}" for label in (*LABELS, alias)
                         if label in text]
        problems += [f"{page.name}: sentence ties {TITLE!r} to buying: {text[:160]!r}" for text in parser.prose
                     if TITLE in text and any(w in text for w in BUYING_WORDS)]
        problems += [f"{page.name}: row {row}" for row in parser.rows
                     if any(TITLE in c for c in row) and str(PROBES) in row]
        for row in parser.rows:
            if any(label in " ".join(row) for label in (*LABELS, alias)):
                figures = [c for c in row if re.search(r"\d", c) and not any(lab in c for lab in LABELS)
                           and c.strip() != f"<{K}"]
                if figures or alias in " ".join(row):
                    problems.append(f"{page.name}: row {row}")
        found = _NUMBER.findall(visible_text(page.read_text(encoding="utf-8")))  # not inside images' base64
        problems += [f"{page.name}: planted amount shown as {f!r}" for f in found]
    assert problems == []


@pytest.mark.slow
def test_no_json_or_csv_reveals_the_small_cell(planted_run):
    week, alias = planted_run
    problems = []
    for path in [*sorted(week.glob("*.json")), *sorted(week.glob("*.csv"))]:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            text = json.dumps(json.loads(text), ensure_ascii=False)
        problems += [f"{path.name}: names {label!r}" for label in (*LABELS, alias) if label in text]
        problems += [f"{path.name}: planted amount as {f!r}" for f in _NUMBER.findall(text)]
    assert not list(week.glob("*.failed.ipynb"))
    assert problems == []
