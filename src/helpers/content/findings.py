"""Generated findings of the content_performance report: each section's numbers said in a
sentence or two, every clause a catalog entry. Titles go in as plain text; `Report.finding`
escapes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from helpers.content import privacy, works
from helpers.content.buying import Credit
from helpers.content.headline import same_age_read_rate
from helpers.content.history import NONE, History
from helpers.content.labels import days, group_text, published, quote, same_age_label, title
from helpers.content.reads import SourceReads
from helpers.render.text import Text

GLANCE_RATES = {"read_rate": "cp_glance_read_rate", "share_rate": "cp_glance_share_rate",
                "share_rate_reads": "cp_glance_share_rate_reads"}
EVENING_HOUR = 18  # a push from this hour on has at most 6 hours of its publish day (flagged)
# What each ranked rate is called in a sentence, and the metric it shows.
LEAD_RATES = {"share_rate": ("cp_what_share", "content_share_rate"),
              "read_adjusted": ("cp_what_read_adjusted", "content_read_rate_adjusted")}
GROUP_WORDS = {"column_name": "cp_word_columns", "format": "cp_word_formats", "hour": "cp_word_hours"}


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


def _evening(row: pd.Series, compare_days: int, tx: Text) -> str:
    """' (pushed at 20:27: 3.5 hours in its first day)' for an evening push, else ''."""
    if row["hour"] < EVENING_HOUR:
        return ""
    return tx("cp_evening", time=row["published"].strftime("%H:%M"), hours=row["same_age_sec"] / 3_600,
              days=days(tx, compare_days))


def _posterior(upper: pd.Series, lower: pd.Series, tx: Text) -> str:
    """Whether two neighbouring articles' 95% posterior intervals (shrinkage) are apart."""
    if pd.isna(upper["read_lo"]) or pd.isna(lower["read_hi"]):
        return ""
    return tx("cp_posterior_clear") if upper["read_lo"] > lower["read_hi"] else tx("cp_posterior_overlap")


def articles(hist: History, tx: Text) -> str:
    """Best and weakest article of the week by shrunk read rate, against the column average; each
    said to be apart from its neighbour only when their posterior intervals are, and evening
    pushes flagged (same age is by calendar day)."""
    ranked = hist.current.dropna(subset=["read_shrunk"])
    if ranked.empty:
        return tx("cp_articles_none")
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    rate = same_age_label(tx, "article_read_rate_days", hist.compare_days).lower()
    several = len(ranked) > 1
    column = {} if best["column_name"] == NONE else {"column": str(best["column_name"])}
    text = tx("cp_articles_best" if column else "cp_articles_best_no_column", rate=rate,
              title=quote(title(best), tx), article_read_rate_shrunk=best["read_shrunk"], **column,
              prior=best["read_prior"], evening=_evening(best, hist.compare_days, tx),
              sure=_posterior(best, ranked.iloc[1], tx) if several else "")
    if several:
        text += tx("cp_articles_worst", title=quote(title(worst), tx), rate=worst["read_shrunk"],
                   evening=_evening(worst, hist.compare_days, tx),
                   sure=_posterior(ranked.iloc[-2], worst, tx))
    return text


def shrinkage_note(hist: History, tx: Text) -> str:
    """How the ranking shrinks, with the numbers of this report (the smallest weight of own data)."""
    cur = hist.current.dropna(subset=["read_weight"])
    tx.shows("article_shrink_weight")
    return tx("cp_note_shrinkage", weeks=_weeks(hist), days=hist.compare_days,
              weight=cur["read_weight"].min() if len(cur) else None,
              share_weight=cur["share_weight"].min() if len(cur) else None)


def read_rate_wow_note(hist: History, tx: Text) -> str:
    """What the read-rate card's week-on-week change compares, with both weeks' rates."""
    tx.shows("article_read_rate_days")
    return tx("cp_note_read_rate_wow", days=days(tx, hist.compare_days),
              this=same_age_read_rate(hist, hist.period), last=same_age_read_rate(hist, hist.period.previous))


def what_works_note(hist: History, min_articles: int, tx: Text) -> str:
    """What the comparisons rest on."""
    return tx("cp_note_works", weeks=_weeks(hist), days=days(tx, hist.compare_days), n=len(hist.observed),
              min=min_articles)


def timing_note(compare_days: int, tx: Text) -> str:
    """Same age by calendar day: how many hours late and early pushes have in their first days."""
    return tx("cp_note_timing", days=days(tx, compare_days), late=24 * compare_days - 21,
              early=24 * compare_days - 8)


def _weeks(hist: History) -> int:
    return (hist.as_of - hist.first_day + 1) // 7


def _verdict(c: works.Comparison, tx: Text) -> str:
    """What the test of a comparison says, with its p-value and the groups compared."""
    return tx("cp_verdict_clear" if c.significant else "cp_verdict_chance", p=c.p_value, k=c.groups)


def _lead(observed: pd.DataFrame, by: str, rate: str, min_articles: int, tx: Text,
          few: list[str]) -> str | None:
    """The clause on the group with the highest `rate` and its test against the other groups;
    None (noted in `few`) when fewer than two groups have `min_articles` articles, and None when
    the articles share one group."""
    if observed[by].nunique() < 2:
        return None
    c = works.lead(observed, by, rate, min_articles)
    if c is None:
        if tx(GROUP_WORDS[by]) not in few:
            few.append(tx(GROUP_WORDS[by]))
        return None
    what, metric = LEAD_RATES[rate]
    tx.shows(metric)
    return tx("cp_lead", what=tx(what), group=group_text(by, c.group, tx), rate=c.rate, n=c.articles,
              rest=c.other, groups=tx(GROUP_WORDS[by]), verdict=_verdict(c, tx))


def what_works(observed: pd.DataFrame, min_articles: int, tx: Text) -> str:
    """The column with the highest share rate and read rate, the format with the highest read
    rate, headline vs secondary: each tested against the rest (`works.lead`, `works.slots`);
    groups under `min_articles` articles are not ranked."""
    few: list[str] = []
    parts = [_lead(observed, by, rate, min_articles, tx, few)
             for by, rate in (("column_name", "share_rate"), ("column_name", "read_adjusted"),
                              ("format", "read_adjusted"))]
    parts = [p for p in parts if p]
    slot = works.slots(observed, min_articles)
    if slot is not None:
        parts.append(_contrast("cp_works_slots", slot, tx))
    if few:
        parts.append(tx("cp_lead_few", groups=_listed(few, tx), min=min_articles))
    return _sentence(parts, tx) if parts else tx("cp_works_none")


def _contrast(key: str, c: works.Comparison, tx: Text) -> str:
    """A tested two-group comparison (headline vs secondary, next-day vs longer gaps): both rates,
    their article counts and the test's verdict."""
    return tx(key, rate=c.rate, other=c.other, n=c.articles, m=c.other_articles, verdict=_verdict(c, tx))


def _band(frequency: pd.DataFrame, band: Sequence[int], tx: Text) -> str | None:
    """This week's pushes against the target band, and how many weeks were inside it."""
    if not len(frequency):
        return None
    this = int(frequency["pushes"].iat[-1])
    where = "cp_band_inside" if band[0] <= this <= band[1] else \
        "cp_band_below" if this < band[0] else "cp_band_above"
    return tx("cp_timing_band", pushes=this, where=tx(where), lo=band[0], hi=band[1],
              weeks=len(frequency), inside=int(frequency["in_band"].sum()))


def timing(hist: History, frequency: pd.DataFrame, band: Sequence[int], min_articles: int,
           tx: Text) -> str:
    """The publish hour with the highest position-adjusted read rate (tested against the other
    hours), pushes this week against the band, and next-day against longer gaps (tested)."""
    few: list[str] = []
    parts = [_lead(hist.observed, "hour", "read_adjusted", min_articles, tx, few), _band(frequency, band, tx)]
    parts = [p for p in parts if p]
    gap = works.gap_contrast(hist, min_articles)
    if gap is not None:
        parts.append(_contrast("cp_timing_gap", gap, tx))
    if few:
        parts.append(tx("cp_lead_few", groups=few[0], min=min_articles))
    return _sentence(parts, tx) if parts else tx("cp_timing_none")


def followers(m: dict[str, Any], sources: pd.DataFrame | None, pushes: pd.DataFrame | None, k: int,
              tx: Text) -> str:
    """The week's follower flow, the top source (unless its count is hidden as a small cell) and
    pushes with unusual unfollows (Poisson test)."""
    text = tx("cp_followers_flow", **{key: m.get(key) for key in ("new_followers", "unfollows", "net_followers")})
    if sources is not None and len(sources) and sources["new_followers"].sum() > 0:
        shown, _ = privacy.sources(sources, k)
        top = shown.iloc[0]
        if pd.notna(top["new_followers"]):
            text += tx("cp_followers_source", source=tx.follower_source(top["source"]),
                       new_followers=top["new_followers"], follower_new_share=top["new_share"])
    if pushes is not None and len(pushes):
        flagged = pushes[pushes["flagged"]]
        if flagged.empty:
            text += tx("cp_followers_usual")
        for _, row in flagged.iterrows():
            text += tx("cp_followers_spike", when=published(row, tx, prose=True), title=quote(title(row), tx),
                       push_unfollows=row["unfollows_48h"], ratio=row["ratio"])
    return text


def reads(result: SourceReads, k: int, tx: Text) -> str:
    """The week's readers (WeChat's deduplicated count, when given) and reads, and the source with
    the most readers, unless hidden for privacy (`SourceReads.shown`, as in the table). Readers of
    different sources are never added up."""
    shown, _, total = result.shown(k)
    parts = [tx("cp_reads_readers", oa_readers=total["readers"])] if pd.notna(total["readers"]) else []
    if pd.notna(total["reads"]):
        parts.append(tx("cp_reads_reads", oa_reads=total["reads"]))
    text = tx("cp_reads_week", parts=_listed(parts, tx)) if parts else ""
    if not result.deduplicated:
        text += tx("cp_reads_no_total")
    top = shown[shown["readers"] > 0].head(1)
    if len(top):
        row = top.iloc[0]
        if result.deduplicated:
            text += tx("cp_reads_top", source=tx.data(row["source"]), read_source_readers=row["readers"],
                       read_source_readers_share=row["readers_share"])
        else:
            text += tx("cp_reads_top_count", source=tx.data(row["source"]), read_source_readers=row["readers"])
    return text.lstrip()


def buying(credit: Credit, k: int, window_hours: int, tx: Text) -> str:
    """People who opened the mini-program from articles, the week's paid orders and GMV credited
    to articles (last touch, by paid time) and the article credited the most; every number about
    fewer than k people is left out, as the table hides it (`privacy.buying`)."""
    if credit.openers < k:
        return tx("cp_buying_few_openers", k=k)
    text = tx("cp_buying_openers", openers=credit.openers)
    if credit.buyers == 0:
        return text + tx("cp_buying_none", hours=window_hours)
    if credit.buyers < k:
        return text + tx("cp_buying_few_buyers", k=k, hours=window_hours)
    text += tx("cp_buying", hours=window_hours, buyers=credit.buyers, orders=credit.orders, gmv=credit.gmv)
    if credit.gmv_share is not None:
        text += tx("cp_buying_share", article_gmv_share=credit.gmv_share)
    text += tx("cp_sentence_end")
    shown, mask = privacy.buying(credit.articles, k)
    if len(shown) and not mask["gmv"].iat[0] and shown["gmv"].iat[0] > 0:
        top = shown.iloc[0]
        text += tx("cp_buying_top", title=quote(title(top), tx), gmv=top["gmv"], buyers=top["buyers"])
    return text


def pages(frame: pd.DataFrame, k: int, tx: Text) -> str:
    """The most viewed page and pages whose exit rate rose significantly, among the pages of at
    least k visitors (the table hides the others)."""
    if frame.empty:
        return tx("cp_pages_none")
    visible = frame[frame["visitors"] >= k]
    if visible.empty:
        return tx("cp_pages_few", k=k)
    top = visible.iloc[0]
    text = tx("cp_pages_top", page=tx.page(top["page"]), mp_page_views=top["page_views"],
              mp_exit_rate=top["exit_rate"])
    jumped = visible[visible["exit_jump"]]
    if jumped.empty:
        return text + tx("cp_pages_steady")
    items = tx("cp_list_separator").join(
        tx("cp_pages_jump", page=tx.page(r["page"]), mp_exit_rate_change=r["exit_change"], p=r["exit_p"])
        for _, r in jumped.iterrows())
    return text + tx("cp_pages_jumped", pages=items)


def _outlier(row: pd.Series, z: float, k: int, tx: Text) -> str:
    direction = tx("cp_above" if row["z"] > 0 else "cp_below")
    if pd.isna(row["readers_c"]):  # fewer than k readers: hidden, as in the table
        return tx("cp_outlier_few", title=quote(title(row), tx), direction=direction, k=k, z=row["z"], limit=z)
    return tx("cp_outlier", title=quote(title(row), tx), direction=direction, readers=row["readers_c"],
              expected=row["expected_readers"], ratio=row["vs_expected"], z=row["z"], limit=z)


def outliers(frame: pd.DataFrame, compare_days: int, z: float, k: int, tx: Text) -> str:
    """This week's articles far above or below their expected readers (regression residuals of at
    least `z` standard deviations); readers under k are not given (`privacy.outliers`)."""
    shown, _ = privacy.outliers(frame, k)
    flagged = shown[shown["in_period"] & shown["flagged"]]
    if flagged.empty:
        return tx("cp_outliers_usual", days=days(tx, compare_days), limit=z)
    items = [_outlier(r, z, k, tx) for _, r in flagged.iterrows()]
    return tx("cp_clause_separator").join(items) + tx("cp_sentence_end")
