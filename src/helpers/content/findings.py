"""Generated findings of the content_performance report: each section's numbers said in a
sentence or two, every clause a catalog entry. Titles go in as plain text; `Report.finding`
escapes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers.content.history import History
from helpers.content.labels import days, format_label, group_label, published, quote, same_age_label, title
from helpers.render.text import Text

GLANCE_RATES = {"read_rate": "cp_glance_read_rate", "share_rate": "cp_glance_share_rate"}
# The interval bounds of each rate of a `works.breakdown` frame.
BOUNDS = {"share_rate": ("share_lo", "share_hi"), "read_adjusted": ("adjusted_lo", "adjusted_hi"),
          "read_rate": ("read_lo", "read_hi")}


def _sentence(parts: list[str], tx: Text) -> str:
    """Clauses joined into one sentence that starts with a capital (zh: unchanged)."""
    text = tx("cp_clause_separator").join(parts) + tx("cp_sentence_end")
    return text[0].upper() + text[1:]


def _listed(parts: list[str], tx: Text) -> str:
    """'a, b and c' / 'a，b，c'."""
    if len(parts) < 2:
        return "".join(parts)
    return tx("cp_glance_join").join(parts[:-1]) + tx("cp_glance_join_last") + parts[-1]


def at_a_glance(m: dict[str, Any], wow: dict[str, Any], hist: History | None, tx: Text) -> str:
    """The week in one paragraph: articles, readers, rates, followers, best article; each clause
    only when its numbers are known ("" when none is)."""
    reading = []
    if m.get("readers") is not None:
        change = "" if wow.get("readers") is None else tx("cp_glance_wow", readers_wow=wow["readers"])
        reading.append(tx("cp_glance_readers", readers=m["readers"], readers_change=change))
    reading += [tx(key, **{k: m[k]}) for k, key in GLANCE_RATES.items() if m.get(k) is not None]
    clauses = [tx("cp_glance_articles", articles_published=m["articles_published"])
               ] if m.get("articles_published") is not None else []
    if reading:
        clauses.append(_listed(reading, tx))
    sentences = [_sentence(clauses, tx)] if clauses else []
    if m.get("new_followers") is not None:
        sentences.append(tx("cp_glance_followers", **{k: m[k] for k in ("new_followers", "unfollows",
                                                                         "net_followers")}))
    text = "".join(sentences).lstrip()
    if text and hist is not None and m.get("best_article_id"):
        cur = hist.current
        best = title(cur[cur["article_id"] == m["best_article_id"]].iloc[0])
        tx.shows("best_article_id")
        text += tx("cp_glance_best", title=quote(best, tx))
    return text


def articles(hist: History, tx: Text) -> str:
    """Best and weakest article of the week by shrunk read rate, against the column average."""
    ranked = hist.current.dropna(subset=["read_shrunk"])
    if ranked.empty:
        return tx("cp_articles_none")
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    rate = same_age_label(tx, "article_read_rate_days", hist.compare_days).lower()
    text = tx("cp_articles_best", rate=rate, title=quote(title(best), tx),
              article_read_rate_shrunk=best["read_shrunk"], column=str(best["column_name"]),
              prior=best["read_prior"])
    if len(ranked) > 1:
        text += tx("cp_articles_worst", title=quote(title(worst), tx), rate=worst["read_shrunk"])
    return text


def shrinkage_note(hist: History, tx: Text) -> str:
    """How the ranking shrinks, with the numbers of this report (the smallest weight of own data)."""
    cur = hist.current.dropna(subset=["read_weight"])
    tx.shows("article_shrink_weight")
    return tx("cp_note_shrinkage", weeks=_weeks(hist), days=hist.compare_days,
              weight=cur["read_weight"].min() if len(cur) else None,
              share_weight=cur["share_weight"].min() if len(cur) else None)


def what_works_note(hist: History, tx: Text) -> str:
    """What the comparisons rest on."""
    return tx("cp_note_works", weeks=_weeks(hist), days=days(tx, hist.compare_days), n=len(hist.observed))


def _weeks(hist: History) -> int:
    return (hist.as_of - hist.first_day + 1) // 7


def _leader(frame: pd.DataFrame, dim: str, col: str) -> tuple[Any, pd.Series, pd.Series | None]:
    """The group with the highest `col`, its row and the runner-up row; None when fewer than two
    groups have a value (a single group is the highest of nothing)."""
    ranked = frame.dropna(subset=[col]).sort_values(col, ascending=False)
    if len(ranked) < 2:
        return None, pd.Series(dtype=float), None
    return ranked.iloc[0][dim], ranked.iloc[0], ranked.iloc[1]


def _sure(top: pd.Series, second: pd.Series | None, col: str, tx: Text) -> str:
    """Whether the leader's interval clears the runner-up's."""
    lo, hi = BOUNDS[col]
    if second is None or pd.isna(top[lo]) or pd.isna(second[hi]):
        return ""
    return tx("cp_sure_clear") if top[lo] > second[hi] else tx("cp_sure_overlap")


def _top_share_column(by_column: pd.DataFrame, tx: Text) -> str | None:
    """The column with the highest share rate, how many times the other columns' it is."""
    col, top, second = _leader(by_column, "column_name", "share_rate")
    if col is None:
        return None
    others = by_column[by_column["column_name"] != col]
    rest = others["sharers"].sum() / others["readers"].sum() if len(others) else np.nan
    times = top["share_rate"] / rest if rest > 0 else np.nan
    more = tx("cp_works_times", times=times) if np.isfinite(times) else ""
    return tx("cp_works_share", column=str(col), content_share_rate=top["share_rate"],
              more=more + _sure(top, second, "share_rate", tx))


def what_works(by_column: pd.DataFrame, by_format: pd.DataFrame, slots: pd.DataFrame, tx: Text) -> str:
    """The column with the highest share rate and read rate, formats, headline vs secondary."""
    parts = [p for p in (_top_share_column(by_column, tx),) if p]
    col, top, second = _leader(by_column, "column_name", "read_adjusted")
    if col is not None:
        parts.append(tx("cp_works_read", column=str(col), content_read_rate_adjusted=top["read_adjusted"],
                        sure=_sure(top, second, "read_adjusted", tx)))
    form, top, second = _leader(by_format, "format", "read_adjusted")
    if form is not None:
        parts.append(tx("cp_works_format", format=format_label(form, tx).lower(),
                        content_read_rate_adjusted=top["read_adjusted"],
                        sure=_sure(top, second, "read_adjusted", tx)))
    rates = slots.set_index("slot")["read_rate"]
    if {"headline", "secondary"} <= set(rates.index) and rates["secondary"] > 0:
        h, s = rates["headline"], rates["secondary"]
        parts.append(tx("cp_works_slots", headline=h, secondary=s, times=h / s))
    return _sentence(parts, tx) if parts else tx("cp_works_none")


def _best_hour(by_hour: pd.DataFrame, tx: Text) -> str | None:
    """The publish hour with the highest position-adjusted read rate, and its lift over the rest."""
    hour, top, second = _leader(by_hour, "hour", "read_adjusted")
    if hour is None or len(by_hour) <= 1 or not (by_hour["hour"] != hour).any():
        return None
    others = by_hour[(by_hour["hour"] != hour) & by_hour["read_adjusted"].notna()]
    rest = np.average(others["read_adjusted"], weights=others["articles"]) if len(others) else np.nan
    return tx("cp_timing_hour", hour=group_label("hour", hour, tx),
              content_read_rate_adjusted=top["read_adjusted"], lift=top["read_adjusted"] / rest - 1,
              sure=_sure(top, second, "read_adjusted", tx))


def _band(frequency: pd.DataFrame, band: Sequence[int], tx: Text) -> str | None:
    """This week's pushes against the target band, and how many weeks were inside it."""
    if not len(frequency):
        return None
    this = int(frequency["pushes"].iat[-1])
    where = "cp_band_inside" if band[0] <= this <= band[1] else \
        "cp_band_below" if this < band[0] else "cp_band_above"
    return tx("cp_timing_band", pushes=this, where=tx(where), lo=band[0], hi=band[1],
              weeks=len(frequency), inside=int(frequency["in_band"].sum()))


def timing(by_hour: pd.DataFrame, frequency: pd.DataFrame, gaps: pd.DataFrame,
           band: Sequence[int], tx: Text) -> str:
    """Best publish hour, pushes this week against the band, and the gap effect."""
    parts = [p for p in (_best_hour(by_hour, tx), _band(frequency, band, tx)) if p]
    g = gaps.set_index("gap")
    if "1" in g.index and len(g) > 1:
        longer = g.drop(index="1")
        rest = longer["read_rate"].mul(longer["pushes"]).sum() / longer["pushes"].sum()
        parts.append(tx("cp_timing_gap", next_day=g.at["1", "read_rate"], longer=rest))
    return _sentence(parts, tx) if parts else tx("cp_timing_none")


def followers(m: dict[str, Any], sources: pd.DataFrame | None, pushes: pd.DataFrame | None,
              tx: Text) -> str:
    """The week's follower flow, the top source and pushes with unusual unfollows."""
    text = tx("cp_followers_flow", **{k: m.get(k) for k in ("new_followers", "unfollows", "net_followers")})
    if sources is not None and len(sources) and sources["new_followers"].sum() > 0:
        top = sources.iloc[0]
        text += tx("cp_followers_source", source=tx.follower_source(top["source"]),
                   follower_new_share=top["new_share"])
    if pushes is not None and len(pushes):
        flagged = pushes[pushes["flagged"]]
        if flagged.empty:
            text += tx("cp_followers_usual")
        for _, row in flagged.iterrows():
            text += tx("cp_followers_spike", when=published(row, tx), title=quote(title(row), tx),
                       push_unfollows=row["unfollows_48h"], ratio=row["ratio"])
    return text


def buying(frame: pd.DataFrame, period_gmv: float, window_hours: int, tx: Text) -> str:
    """Orders and GMV credited to the week's reads (last touch), and the top article."""
    gmv = frame["gmv"].sum()
    text = tx("cp_buying", hours=window_hours, openers=frame["openers"].sum(),
              orders=frame["orders"].sum(), gmv=gmv)
    if period_gmv > 0:
        text += tx("cp_buying_share", article_gmv_share=gmv / period_gmv)
    text += tx("cp_sentence_end")
    if len(frame) and frame["gmv"].iat[0] > 0:
        text += tx("cp_buying_top", title=quote(title(frame.iloc[0]), tx))
    return text


def pages(frame: pd.DataFrame, tx: Text) -> str:
    """The most viewed page and pages whose exit rate jumped week on week."""
    if frame.empty:
        return tx("cp_pages_none")
    top = frame.iloc[0]
    text = tx("cp_pages_top", page=str(top["page"]), mp_page_views=top["page_views"],
              mp_exit_rate=top["exit_rate"])
    jumped = frame[frame["exit_jump"]]
    if jumped.empty:
        return text + tx("cp_pages_steady")
    items = tx("cp_list_separator").join(
        tx("cp_pages_jump", page=str(r["page"]), mp_exit_rate_change=r["exit_change"])
        for _, r in jumped.iterrows())
    return text + tx("cp_pages_jumped", pages=items)


def outliers(frame: pd.DataFrame, compare_days: int, tx: Text) -> str:
    """This week's articles far above or below their expected readers."""
    flagged = frame[frame["in_period"] & frame["flagged"]]
    if flagged.empty:
        return tx("cp_outliers_usual", days=days(tx, compare_days))
    items = [tx("cp_outlier", title=quote(title(r), tx), direction=tx("cp_above" if r["z"] > 0 else "cp_below"),
                readers=r["readers_c"], expected=r["expected_readers"], ratio=r["vs_expected"])
             for _, r in flagged.iterrows()]
    return tx("cp_clause_separator").join(items) + tx("cp_sentence_end")
